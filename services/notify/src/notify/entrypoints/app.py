"""The notify service, wired once."""

from fastapi import FastAPI

from kernel.http import add_common_routes
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
    app = FastAPI(
        title="Talk compliance — notify",
        description="Alerts to the responsible secretaries: the in-app inbox.",
        version="1.0.0",
        lifespan=runtime.lifespan,
    )
    app.state.runtime = runtime
    add_common_routes(app, runtime.ready)
    app.include_router(router)
    return app
