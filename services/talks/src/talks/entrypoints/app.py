"""The talks service, wired once."""

from fastapi import FastAPI

from kernel.http import service_app
from kernel.runtime import Runtime
from talk_contracts import Topic
from talks.adapters import directory, orm
from talks.config import TalksSettings
from talks.entrypoints.http import router


def create_app(settings: TalksSettings | None = None) -> FastAPI:
    settings = settings or TalksSettings()
    cipher = settings.cipher()  # no keys, no service: content is never stored in the clear
    runtime = Runtime(settings, service="talks", metadata=orm.metadata, migrations="talks.adapters.migrations")
    runtime.consume("talks", [Topic.REGISTRY.value], directory.ROUTES)
    app = service_app(
        runtime, title="talks", description="Talk records as evidence; their content stays here, encrypted.", routers=[router]
    )
    app.state.cipher = cipher
    return app
