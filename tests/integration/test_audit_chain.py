"""The talks audit as a hash chain on the real database: appended in one order by concurrent
transactions, verified end to end, and every kind of tampering found (issue 14)."""

import asyncio
import subprocess
import sys

import pytest
from sqlalchemy import text

from kernel.db import make_engine, make_sessionmaker, migrate
from talks.adapters.unit_of_work import SqlUnitsOfWork
from talks.application.audit_verify import verify_audit
from talks.config import TalksSettings


@pytest.fixture
def audit_url(new_database) -> str:
    return new_database()  # a database of its own: these tests tamper with the chain


@pytest.fixture
async def audit_db(audit_url):
    url = audit_url
    engine = make_engine(url)
    await migrate(engine, "talks.adapters.migrations", "talks")
    settings = TalksSettings(DATABASE_URL=url)
    yield url, engine, SqlUnitsOfWork(make_sessionmaker(engine), settings)
    await engine.dispose()


async def _append(units, n: int) -> None:
    async def one(k: int) -> None:
        async with units() as uow:
            await uow.audit.record(f"talk-{k}", f"reader-{k % 3}", "participant" if k % 2 else None)

    await asyncio.gather(*(one(k) for k in range(n)))  # concurrent transactions, one chain


async def _sql(engine, statements: str) -> None:
    async with engine.begin() as conn:
        for statement in statements.split(";"):
            await conn.execute(text(statement))


async def test_concurrent_appends_make_one_intact_chain(audit_db):
    _, _, units = audit_db
    await _append(units, 40)
    read, tail, found = await verify_audit(units, lambda _: None)
    assert (read, found) == (40, []) and len(tail) == 64


@pytest.mark.parametrize(
    ("tampering", "expected"),
    [
        ("UPDATE talks.audit_log SET basis = 'auditor' WHERE seq = 5", ["entry 5: its content does not match its hash (altered)"]),
        ("UPDATE talks.audit_log SET actor_id = 'someone-else' WHERE seq = 9", ["entry 9: its content does not match its hash (altered)"]),
        ("DELETE FROM talks.audit_log WHERE seq = 7", ["entry 8: expected entry 7 next (entries removed or moved)",
                                                       "entry 8: does not follow the entry before it (an entry removed, moved or altered)"]),
        # two entries' places swapped, each keeping its own hashes
        ("UPDATE talks.audit_log SET seq = -3 WHERE seq = 3; UPDATE talks.audit_log SET seq = 3 WHERE seq = 4;"
         "UPDATE talks.audit_log SET seq = 4 WHERE seq = -3",
         ["entry 3: does not follow the entry before it (an entry removed, moved or altered)",
          "entry 3: its content does not match its hash (altered)",
          "entry 4: does not follow the entry before it (an entry removed, moved or altered)",
          "entry 4: its content does not match its hash (altered)",
          "entry 5: does not follow the entry before it (an entry removed, moved or altered)"]),
    ],
)  # fmt: skip
async def test_an_altered_removed_or_moved_entry_is_found(audit_db, tampering, expected):
    _, engine, units = audit_db
    await _append(units, 12)
    assert (await verify_audit(units, lambda _: None))[2] == []
    await _sql(engine, tampering)
    assert (await verify_audit(units, lambda _: None))[2] == expected


async def test_the_command_says_intact_or_not_with_its_exit_status(audit_db):
    url, engine, units = audit_db
    await _append(units, 3)
    env = {"DATABASE_URL": url, "PATH": "/usr/bin:/bin"}
    ok = subprocess.run([sys.executable, "-m", "talks", "audit", "verify"], env=env, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "audit intact: 3 entries; newest hash" in ok.stdout
    await _sql(engine, "UPDATE talks.audit_log SET granted = NOT granted WHERE seq = 2")
    bad = subprocess.run([sys.executable, "-m", "talks", "audit", "verify"], env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "entry 2: its content does not match its hash (altered)" in bad.stdout
