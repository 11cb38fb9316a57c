"""The talks service, wired once."""

from fastapi import FastAPI

from kernel.http import add_common_routes
from kernel.runtime import Runtime
from talks.adapters import orm
from talks.config import TalksSettings
from talks.entrypoints.http import router


def create_app(settings: TalksSettings | None = None) -> FastAPI:
    settings = settings or TalksSettings()
    runtime = Runtime(settings, service="talks", metadata=orm.metadata, migrations="talks.adapters.migrations")
    app = FastAPI(
        title="Talk compliance — talks",
        description="Talk records as evidence; their content stays here.",
        version="1.0.0",
        lifespan=runtime.lifespan,
    )
    app.state.runtime = runtime
    add_common_routes(app, runtime.ready)
    app.include_router(router)
    return app
