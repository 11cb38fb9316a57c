"""What every service's HTTP app has: health, readiness, metrics, correlation ids, clear errors."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

import structlog
from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from kernel.access import public
from kernel.body_limit import BodyLimit
from kernel.db_errors import answer_database_errors
from kernel.identity import Verifier
from kernel.metrics import instrument_requests
from kernel.rate_limit import RateLimiter
from kernel.tracing import instrument_http
from kernel.web import StreamGate, allow_pages

# A page's offset, within what PostgreSQL's OFFSET takes (a bigint): a wilder one is refused with a
# 422 like any bad parameter, not a 500 from the database (the API fuzzer sent 8.7e34).
Offset = Annotated[int, Query(ge=0, le=2**63 - 1, description="how many rows to skip")]

CORRELATION_HEADER = "X-Correlation-Id"


def correlation_id_of(request: Request) -> str:
    return request.state.correlation_id


def add_common_routes(app: FastAPI, ready: Callable[[], Awaitable[dict[str, bool]]]) -> None:
    @app.middleware("http")
    async def correlation(request: Request, call_next):
        cid = request.headers.get(CORRELATION_HEADER) or str(uuid.uuid4())
        request.state.correlation_id = cid
        with structlog.contextvars.bound_contextvars(correlation_id=cid):
            response = await call_next(request)
        response.headers[CORRELATION_HEADER] = cid
        response.headers.setdefault("x-content-type-options", "nosniff")  # a JSON answer is never run as a script
        return response

    @app.get("/healthz", dependencies=[Depends(public)], tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", dependencies=[Depends(public)], tags=["operations"], summary="Ready only when its database and broker answer")
    async def readyz() -> JSONResponse:
        checks = await ready()
        ok = all(checks.values())
        return JSONResponse({"ready": ok, "checks": checks}, status_code=200 if ok else 503)

    @app.get("/metrics", dependencies=[Depends(public)], tags=["operations"], summary="Prometheus metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def service_app(runtime, *, title: str, description: str, routers: list) -> FastAPI:
    """A service's FastAPI app: its routers, the common routes, the runtime started with the app."""
    app = FastAPI(title=f"Talk compliance — {title}", description=description, version="1.0.0", lifespan=runtime.lifespan)
    app.state.runtime = runtime
    settings = runtime.settings
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst)
    app.state.stream_gate = StreamGate(settings.max_event_streams)
    if settings.oidc_issuer:
        app.state.verifier = Verifier(
            settings.oidc_issuer, settings.oidc_audience, production=settings.app_env == "production", jwks_url=settings.oidc_jwks_url or None
        )
    add_common_routes(app, runtime.ready)
    answer_database_errors(app)
    allow_pages(app, runtime.settings.web_origins())
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    for router in routers:
        app.include_router(router)
    instrument_http(app)
    instrument_requests(app)
    return app
