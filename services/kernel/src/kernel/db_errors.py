"""What a request hears when the database is the reason it failed, instead of a 500:

- text PostgreSQL cannot hold is the caller's mistake: a NUL character (`\\u0000`) in a query
  parameter, a path or a JSON string reaches the database as a parameter and is refused there
  (SQLSTATE 22021; 22P05 inside JSON). Rather than check every field of every model for it, each app
  answers that refusal with a 422 saying so;
- the database (or the network to it) being away is nobody's mistake and passes: a 503 with
  `Retry-After`, so that a client knows to try the same request again;
- a transaction that lost a race with another (a serialization failure, a deadlock) is nobody's
  mistake either: a 503 with `Retry-After: 1`, the same request will go through.

Either way the transaction it happened in is rolled back, so nothing of the request was kept."""

import socket

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError

from kernel.db import is_infrastructure_error, lost_a_race, sqlstate
from kernel.logging import get_logger

log = get_logger(__name__)
UNSTORABLE = {"22021", "22P05"}  # character_not_in_repertoire, untranslatable_character
RETRY_AFTER_S = 5


def unavailable() -> JSONResponse:
    detail = "the service cannot reach its database right now; nothing was changed, try again shortly"
    return JSONResponse({"detail": detail}, status_code=503, headers={"retry-after": str(RETRY_AFTER_S)})


def answer_database_errors(app: FastAPI) -> None:
    async def database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if sqlstate(exc) in UNSTORABLE:
            detail = "the request holds text the database cannot store (a NUL character, \\u0000); nothing was changed"
            return JSONResponse({"detail": detail}, status_code=422)
        if is_infrastructure_error(exc):
            log.warning("database unreachable; answered 503", path=request.url.path, error=type(exc).__name__)
            return unavailable()
        if lost_a_race(exc):
            log.info("request lost a race with another transaction; answered 503", path=request.url.path)
            detail = "the same records were being changed at the same moment; nothing was changed, try again"
            return JSONResponse({"detail": detail}, status_code=503, headers={"retry-after": "1"})
        raise exc

    async def connection_error(request: Request, exc: Exception) -> JSONResponse:
        # Connecting failed before SQLAlchemy could wrap it (refused, reset, timed out, no such host).
        log.warning("database unreachable; answered 503", path=request.url.path, error=type(exc).__name__)
        return unavailable()

    app.add_exception_handler(DBAPIError, database_error)
    for kind in (ConnectionError, TimeoutError, socket.gaierror):
        app.add_exception_handler(kind, connection_error)
