"""The notify service, wired once."""

from fastapi import FastAPI

from kernel.http import service_app
from kernel.runtime import Runtime
from notify.adapters import orm
from notify.application.handlers import ROUTES
from notify.config import NotifySettings
from notify.entrypoints.http import router
from talk_contracts import Topic


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()
    runtime = Runtime(settings, service="notify", metadata=orm.metadata, migrations="notify.adapters.migrations")
    runtime.consume("notify", [Topic.REGISTRY.value, Topic.COMPLIANCE.value], ROUTES)
    return service_app(
        runtime, title="notify", description="Alerts to the responsible secretaries: the in-app inbox.", routers=[router]
    )
