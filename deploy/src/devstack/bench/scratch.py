"""Databases and topic prefixes of one benchmark run, dropped afterwards."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg

from kernel.settings import asyncpg_dsn


@dataclass(frozen=True)
class Database:
    url: str  # for SQLAlchemy (postgresql+asyncpg://…)

    @property
    def dsn(self) -> str:  # for asyncpg
        return asyncpg_dsn(self.url)


@asynccontextmanager
async def scratch_database(server_url: str, label: str) -> AsyncIterator[Database]:
    """A fresh database on the server of `server_url`, dropped (with its connections) at the end."""
    name = f"bench_{label}_{uuid.uuid4().hex[:6]}"
    admin_dsn = asyncpg_dsn(server_url)
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    try:
        yield Database(f"{server_url.rpartition('/')[0]}/{name}")
    finally:
        admin = await asyncpg.connect(admin_dsn)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def topic_prefix(label: str) -> str:
    return f"bench{label}{uuid.uuid4().hex[:6]}."
