"""The talks service's HTTP app: the routes over the dependencies `talks.bootstrap` wires."""

from fastapi import FastAPI

from kernel.http import service_app
from kernel.web import mount_pages
from talks.bootstrap import bootstrap
from talks.config import TalksSettings
from talks.entrypoints.http import router
from talks.entrypoints.workspace import WEB
from talks.entrypoints.workspace import router as workspace_router


def create_app(settings: TalksSettings | None = None) -> FastAPI:
    settings = settings or TalksSettings()
    service = bootstrap(settings)
    app = service_app(
        service.runtime, title="talks", description="Talk records as evidence; their content stays here, encrypted.", routers=[router]
    )
    app.state.talks = service.talks  # what the routes call the use cases with (entrypoints/http.py)
    app.include_router(workspace_router)
    mount_pages(app, WEB)
    return app
