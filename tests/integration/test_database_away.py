"""With its database away, a request is answered 503 with Retry-After (a client knows to try again),
never 500; text the database cannot hold is a 422. Real failures: an engine pointed at a port where
nothing listens, and the real PostgreSQL refusing a NUL character."""

import httpx
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from devstack.ports import free_port
from kernel.db_errors import answer_database_errors


def app_on(url: str) -> FastAPI:
    app = FastAPI()
    engine = create_async_engine(url)
    answer_database_errors(app)

    @app.get("/echo")
    async def echo(value: str) -> dict:
        async with engine.connect() as conn:
            return {"value": (await conn.execute(text("SELECT CAST(:v AS text)"), {"v": value})).scalar()}

    return app


async def call(app: FastAPI, value: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://t") as client:
        return await client.get("/echo", params={"value": value})


async def test_no_database_is_a_503_with_retry_after():
    answer = await call(app_on(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none"), "x")
    assert answer.status_code == 503 and int(answer.headers["retry-after"]) > 0, answer.text
    assert "try again" in answer.json()["detail"]


async def test_the_database_answers_and_refuses_a_nul_with_a_422(integration_database_url):
    app = app_on(integration_database_url)
    assert (await call(app, "好")).json() == {"value": "好"}
    refused = await call(app, "a\x00b")
    assert refused.status_code == 422 and "NUL" in refused.json()["detail"]
