"""Shared fixtures: the real infrastructure (see devstack.infra) and a fresh database per run."""

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest

from devstack.infra import Infrastructure, infrastructure
from kernel.settings import asyncpg_dsn
from tests.system import collector, ids, issuer, smtp, system, webhook  # noqa: F401  (the running system, tests/system.py)

ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests are marked by their folder: unit, integration, e2e, faults, scale (`pytest -m unit` runs the fast ones)."""
    for item in items:
        for kind in ("unit", "integration", "e2e", "faults", "scale"):
            if f"{os.sep}{kind}{os.sep}" in str(item.path):
                item.add_marker(getattr(pytest.mark, kind))


@pytest.fixture(scope="session")
def infra() -> Iterator[Infrastructure]:
    with infrastructure(log=lambda msg: print(msg, flush=True)) as found:
        yield found


@pytest.fixture(scope="session")
def new_database(infra: Infrastructure) -> Iterator[Callable[[], str]]:
    """Makes databases of their own for this test run, dropped afterwards (safe on a shared server)."""
    admin = asyncpg_dsn(infra.database_url)
    made: list[str] = []

    async def run(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def make() -> str:
        name = f"talkcomp_test_{uuid.uuid4().hex[:10]}"
        asyncio.run(run(f'CREATE DATABASE "{name}"'))
        made.append(name)
        base, _, _ = infra.database_url.rpartition("/")
        return f"{base}/{name}"

    yield make
    for name in made:
        asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def database_url(new_database: Callable[[], str]) -> str:
    """The database of the running system (e2e); integration tests get one of their own."""
    return new_database()


@pytest.fixture(scope="session")
def topic_prefix() -> str:
    """Topics of their own on a shared broker; none needed on the embedded one started for this run."""
    return f"t{uuid.uuid4().hex[:8]}." if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") else ""


async def eventually(check: Callable[[], Awaitable[object]], timeout: float = 30.0, interval: float = 0.2):
    """Poll until `check` returns something truthy (asynchronous pipelines converge, they don't answer)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"not reached within {timeout:.0f}s; last value: {last!r}")
