"""Text PostgreSQL cannot hold is the caller's mistake, not the service's: a NUL character
(`\\u0000`) in a query parameter, a path or a JSON string reaches the database as a parameter and is
refused there (SQLSTATE 22021; 22P05 inside JSON). Rather than check every field of every model for
it, each app answers that refusal with a 422 saying so; the transaction it happened in is rolled
back, so nothing of the request was kept."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError

UNSTORABLE = {"22021", "22P05"}  # character_not_in_repertoire, untranslatable_character


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error, however wrapped (SQLAlchemy around asyncpg, or asyncpg)."""
    seen: BaseException | None = exc
    while seen is not None:
        for candidate in (seen, getattr(seen, "orig", None)):
            code = getattr(candidate, "sqlstate", None)
            if isinstance(code, str):
                return code
        seen = seen.__cause__
    return None


def refuse_unstorable_text(app: FastAPI) -> None:
    async def unstorable(request: Request, exc: DBAPIError) -> JSONResponse:
        if sqlstate(exc) not in UNSTORABLE:
            raise exc
        detail = "the request holds text the database cannot store (a NUL character, \\u0000); nothing was changed"
        return JSONResponse({"detail": detail}, status_code=422)

    app.add_exception_handler(DBAPIError, unstorable)
