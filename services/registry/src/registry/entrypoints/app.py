"""The registry service, wired once."""

from fastapi import FastAPI

from kernel.http import service_app
from kernel.runtime import Runtime
from registry.adapters import orm
from registry.config import RegistrySettings
from registry.entrypoints.http import router
from talk_contracts import CloudEvent


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    runtime = Runtime(settings, service="registry", metadata=orm.metadata, migrations="registry.adapters.migrations")
    app = service_app(
        runtime,
        title="registry",
        description="The organisation tree, members and roles; the edge where integrated systems hand in events.",
        routers=[router],
    )

    original_openapi = app.openapi

    def openapi() -> dict:
        schema = original_openapi()
        schema.setdefault("components", {}).setdefault("schemas", {})["CloudEvent"] = CloudEvent.model_json_schema()
        return schema

    app.openapi = openapi
    return app
