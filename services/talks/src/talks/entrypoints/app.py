"""The talks service, wired once."""

from datetime import UTC, datetime

from fastapi import FastAPI

from kernel.http import service_app
from kernel.web import mount_pages
from kernel.runtime import Runtime
from talk_contracts import Topic
from talks.adapters import directory, orm
from talks.application.follow_ups import publish_due
from talks.config import TalksSettings
from talks.entrypoints.http import router
from talks.entrypoints.workspace import WEB, router as workspace_router


def create_app(settings: TalksSettings | None = None) -> FastAPI:
    settings = settings or TalksSettings()
    cipher = settings.cipher()  # no keys, no service: content is never stored in the clear
    runtime = Runtime(settings, service="talks", metadata=orm.metadata, migrations="talks.adapters.migrations")
    runtime.consume("talks", [Topic.REGISTRY.value, Topic.COMPLIANCE.value], directory.ROUTES)
    runtime.every("follow-ups", settings.tick_seconds, lambda: publish_due(runtime.sessions, settings, datetime.now(UTC).date()))
    app = service_app(
        runtime, title="talks", description="Talk records as evidence; their content stays here, encrypted.", routers=[router]
    )
    app.state.cipher = cipher
    app.include_router(workspace_router)
    mount_pages(app, WEB)
    return app
