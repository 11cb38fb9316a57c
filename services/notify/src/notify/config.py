"""Notify settings from the environment."""

import json
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, model_validator

from kernel.settings import CommonSettings
from notify.domain.alerts import DEFAULT_TEMPLATES, Templates


def _env(name: str) -> AliasChoices:
    return AliasChoices(f"NOTIFY_{name}")


class NotifySettings(CommonSettings):
    port: int = Field(8104, validation_alias=_env("PORT"))
    # JSON {"titles": {...}, "bodies": {...}} overriding the Chinese defaults of domain/alerts.py.
    templates_file: Path | None = Field(None, validation_alias=_env("TEMPLATES_FILE"))
    # E-mail over SMTP; no host: no e-mail.
    smtp_host: str | None = Field(None, validation_alias=_env("SMTP_HOST"))
    smtp_port: int = Field(25, validation_alias=_env("SMTP_PORT"))
    smtp_tls: bool = Field(False, validation_alias=_env("SMTP_TLS"), description="implicit TLS")
    # On by default: alerts are not sent in the clear unless someone says so (a local test server).
    smtp_starttls: bool = Field(True, validation_alias=_env("SMTP_STARTTLS"))
    smtp_username: str | None = Field(None, validation_alias=_env("SMTP_USERNAME"))
    smtp_password: SecretStr | None = Field(None, validation_alias=_env("SMTP_PASSWORD"))
    smtp_from: str = Field("谈心谈话提醒 <noreply@talks.invalid>", validation_alias=_env("SMTP_FROM"))
    smtp_timeout_s: float = Field(10.0, validation_alias=_env("SMTP_TIMEOUT_S"))
    # A signed webhook for SMS and messaging gateways; no URL: no webhook.
    webhook_url: str | None = Field(None, validation_alias=_env("WEBHOOK_URL"))
    # No default: a webhook without its own secret is refused (a guessable one would let anyone forge alerts).
    webhook_secret: SecretStr | None = Field(None, validation_alias=_env("WEBHOOK_SECRET"))
    webhook_timeout_s: float = Field(10.0, validation_alias=_env("WEBHOOK_TIMEOUT_S"))
    # Retries: exponential back-off with jitter, then the dead-letter store.
    max_attempts: int = Field(6, ge=1, validation_alias=_env("MAX_ATTEMPTS"))
    backoff_base_s: float = Field(2.0, gt=0, validation_alias=_env("BACKOFF_BASE_S"))
    backoff_cap_s: float = Field(600.0, gt=0, validation_alias=_env("BACKOFF_CAP_S"))
    digest_hour: int = Field(8, ge=0, le=23, validation_alias=_env("DIGEST_HOUR"), description="local hour of the daily digest")
    # Workers wake when deliveries are made due; this is how often they look anyway (retries after a
    # back-off, the end of quiet hours).
    delivery_poll_s: float = Field(2.0, gt=0, validation_alias=_env("DELIVERY_POLL_S"))

    @model_validator(mode="after")
    def _webhook_signed(self) -> "NotifySettings":
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if self.webhook_url and len(secret) < 16:
            raise ValueError("NOTIFY_WEBHOOK_URL needs NOTIFY_WEBHOOK_SECRET of at least 16 characters (it signs every webhook)")
        return self

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        if self.smtp_host and not (self.smtp_tls or self.smtp_starttls):
            problems.append("SMTP without TLS (NOTIFY_SMTP_TLS or NOTIFY_SMTP_STARTTLS)")
        return problems

    def templates(self) -> Templates:
        if self.templates_file is None:
            return DEFAULT_TEMPLATES
        return DEFAULT_TEMPLATES.with_overrides(json.loads(self.templates_file.read_text(encoding="utf-8")))
