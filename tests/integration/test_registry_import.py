"""The CSV import of a generated county against the real database."""

import csv

import pytest
from sqlalchemy import func, select

from devstack.county import write_county
from registry.adapters import orm
from registry.bootstrap import standalone
from registry.config import RegistrySettings
from registry.entrypoints.csv_import import run_import


@pytest.fixture(scope="module")
def settings(integration_database_url) -> RegistrySettings:
    return RegistrySettings(DATABASE_URL=integration_database_url)


async def count(sessions, table) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(table))


async def test_a_county_imports_with_progress_and_a_second_run_changes_nothing(settings, sessions, tmp_path):
    files = write_county(tmp_path / "county", orgs=300, members=10_000)
    said: list[str] = []
    before = await count(sessions, orm.members)
    new = await run_import(standalone(settings), files, batch=2000, out=said.append)
    rows = {kind: sum(1 for _ in csv.reader(path.open())) - 1 for kind, path in files.items()}
    assert rows["orgs"] >= 300 and rows["members"] == 10_000
    assert new == sum(rows.values())
    assert await count(sessions, orm.members) - before == 10_000
    assert any(line.startswith("imported 2000/") for line in said) and said[-1].startswith("done:")
    outbox = await count(sessions, orm.outbox)

    said.clear()
    assert await run_import(standalone(settings), files, batch=2000, out=said.append) == 0
    assert await count(sessions, orm.outbox) == outbox  # nothing staged for publishing again
    assert f"{new} imported before" in said[0]


async def test_a_file_with_bad_rows_names_each_and_imports_none(settings, sessions, tmp_path):
    (tmp_path / "orgs.csv").write_text(
        "org_id,name,kind,parent_id\n"
        "zz-root,根,working_committee,\n"
        "zz-b1,支部,branchy,zz-root\n"  # line 3: no such kind
        "zz-b2,支部二,branch,zz-nowhere\n",  # line 4: unknown parent
        encoding="utf-8",
    )
    (tmp_path / "members.csv").write_text(
        "person_id,name,org_id,status,email,phone\n"
        "zz-p1,甲,zz-root,full,,\n"
        "zz-p2,,zz-root,full,,\n"  # line 3: no name
        "zz-p3,丙,zz-root,member,,\n",  # line 4: no such status
        encoding="utf-8",
    )
    said: list[str] = []
    files = {"orgs": tmp_path / "orgs.csv", "members": tmp_path / "members.csv"}
    assert await run_import(standalone(settings), files, out=said.append) == -1
    named = [line.split(":")[0] + ":" + line.split(":")[1] for line in said[:-1]]
    assert named == ["members.csv:3", "members.csv:4", "orgs.csv:3", "orgs.csv:4"], said
    assert "org.parent_unknown" in said[3] and said[-1] == "4 bad rows; nothing imported"
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(orm.orgs).where(orm.orgs.c.org_id.like("zz-%"))) == 0
