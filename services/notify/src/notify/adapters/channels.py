"""The channels beyond the inbox: e-mail over SMTP and a webhook signed with HMAC-SHA256.

A send raises on failure; the delivery worker retries. Neither ever carries talk content, nor a
name or a reason: the worker hands them the alert's outside text (domain.alerts.OUTSIDE_BODY).
"""

import hashlib
import hmac
import json
import time
from email.message import EmailMessage

import aiosmtplib
import httpx

from notify.application.ports import Channel
from notify.config import NotifySettings

SIGNATURE_HEADER = "X-Talks-Signature"
TIMESTAMP_HEADER = "X-Talks-Timestamp"


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """hex(HMAC-SHA256(secret, "<timestamp>.<body>")): the receiver recomputes it to verify."""
    return hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class EmailChannel:
    def __init__(self, settings: NotifySettings):
        self.settings = settings

    async def send(self, alert: dict, person: dict) -> None:
        s = self.settings
        message = EmailMessage()
        message["From"] = s.smtp_from
        message["To"] = person["email"]
        message["Subject"] = alert["title"]
        # Receivers can drop a copy re-sent after a crash between the send and its record.
        message["Message-ID"] = f"<{alert['alert_id']}@talks.invalid>"
        message.set_content(alert["body"])
        await aiosmtplib.send(
            message,
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_tls,
            start_tls=s.smtp_starttls and not s.smtp_tls,  # implicit TLS needs no upgrade
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            timeout=s.smtp_timeout_s,
        )


class WebhookChannel:
    def __init__(self, settings: NotifySettings, client: httpx.AsyncClient):
        self.settings = settings
        self.client = client

    async def send(self, alert: dict, person: dict) -> None:
        body = json.dumps(
            {
                "alert_id": alert["alert_id"],
                "person_id": person["person_id"],
                "phone": person.get("phone"),
                "title": alert["title"],
                "text": alert["body"],
                "obligation_id": alert.get("obligation_id"),
            },
            ensure_ascii=False,
        ).encode()
        timestamp = str(int(time.time()))
        secret = self.settings.webhook_secret.get_secret_value().encode()
        response = await self.client.post(
            self.settings.webhook_url,
            content=body,
            headers={
                "content-type": "application/json",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: f"sha256={sign(secret, timestamp, body)}",
                "Idempotency-Key": alert["alert_id"],
            },
            timeout=self.settings.webhook_timeout_s,
        )
        response.raise_for_status()


def configured_channels(settings: NotifySettings) -> dict[str, Channel]:
    """The channels the operator configured, by name: e-mail with an SMTP host, the webhook with a URL."""
    out: dict[str, Channel] = {}
    if settings.smtp_host:
        out["email"] = EmailChannel(settings)
    if settings.webhook_url:
        out["webhook"] = WebhookChannel(settings, httpx.AsyncClient())
    return out
