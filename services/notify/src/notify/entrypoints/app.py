"""The notify service, wired once."""

from datetime import UTC, datetime

import httpx
from fastapi import FastAPI

from kernel.http import service_app
from kernel.runtime import Runtime
from notify.adapters import orm
from notify.adapters.channels import Channel, EmailChannel, WebhookChannel
from notify.application.delivery import DeliveryWorker
from notify.application.digest import send_digests
from notify.application.handlers import NotifyHandlers
from notify.config import NotifySettings
from notify.entrypoints.http import router
from talk_contracts import Topic


def channels(settings: NotifySettings) -> dict[str, Channel]:
    out: dict[str, Channel] = {}
    if settings.smtp_host:
        out["email"] = EmailChannel(settings)
    if settings.webhook_url:
        out["webhook"] = WebhookChannel(settings, httpx.AsyncClient())
    return out


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()
    runtime = Runtime(settings, service="notify", metadata=orm.metadata, migrations="notify.adapters.migrations")
    handlers = NotifyHandlers(settings)
    runtime.consume("notify", [Topic.REGISTRY.value, Topic.COMPLIANCE.value, Topic.TALKS.value], handlers.route())
    worker = DeliveryWorker(runtime.sessions, settings, channels(settings))
    runtime.every("deliveries", settings.delivery_poll_s, lambda: worker.run_once(datetime.now(UTC)))
    runtime.every("digest", 60.0, lambda: send_digests(runtime.sessions, settings, handlers.templates, datetime.now(UTC)))
    return service_app(
        runtime,
        title="notify",
        description="Alerts to the responsible secretaries: in-app inbox, e-mail, signed webhook; retries and dead letters.",
        routers=[router],
    )
