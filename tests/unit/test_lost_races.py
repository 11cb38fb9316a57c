"""A transaction that lost a race (serialization failure, deadlock) is told apart from every other
database error: consumers run the batch again, requests are answered 503 with Retry-After."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError

from kernel.db import lost_a_race
from kernel.db_errors import answer_database_errors

pytestmark = pytest.mark.unit


class _Driver(Exception):
    def __init__(self, sqlstate: str):
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def _error(sqlstate: str) -> DBAPIError:
    return DBAPIError("UPDATE …", {}, _Driver(sqlstate))


@pytest.mark.parametrize("sqlstate, lost", [("40001", True), ("40P01", True), ("23505", False), ("22021", False)])
def test_only_serialization_failures_and_deadlocks_are_races(sqlstate, lost):
    assert lost_a_race(_error(sqlstate)) is lost


@pytest.mark.parametrize("sqlstate, status", [("40001", 503), ("40P01", 503), ("22021", 422)])
async def test_a_request_that_lost_a_race_is_told_to_try_again(sqlstate, status):
    app = FastAPI()
    answer_database_errors(app)

    @app.post("/waive")
    async def waive():
        raise _error(sqlstate)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        r = await http.post("/waive")
    assert r.status_code == status
    if status == 503:
        assert r.headers["retry-after"] == "1" and "try again" in r.json()["detail"]
