"""The registry's HTTP app, from a runtime and ports wired in registry.bootstrap.

Nothing here builds a connection: the entrypoints only map the wire to use cases and ports, so that
they need not know SQLAlchemy (bootstrap holds the real wiring, a test may hand in its own).
"""

from fastapi import FastAPI

from kernel.http import service_app
from registry.application.ports import Ports
from registry.entrypoints.http import router
from talk_contracts import CloudEvent


def create_app(runtime, ports: Ports) -> FastAPI:
    """`runtime`: a kernel.runtime.Runtime (its settings are the registry's; it starts and stops with the app)."""
    app = service_app(
        runtime,
        title="registry",
        description="The organisation tree, members and roles; the edge where integrated systems hand in events.",
        routers=[router],
    )
    app.state.ports = ports

    original_openapi = app.openapi

    def openapi() -> dict:
        schema = original_openapi()
        schema.setdefault("components", {}).setdefault("schemas", {})["CloudEvent"] = CloudEvent.model_json_schema()
        return schema

    app.openapi = openapi
    return app
