"""Bulk import of an organisation tree, its members and roles from CSV files.

    python -m registry import --orgs orgs.csv --members members.csv --roles roles.csv

The files are the shape a member-management system exports (samples: services/registry/samples/):
  orgs.csv     org_id,name,kind,parent_id          (parent_id empty at the root)
  members.csv  person_id,name,org_id,status,email,phone
  roles.csv    org_id,person_id,role
Everything is validated first, every bad row reported with its file and line; if any is bad nothing
is imported. Rows become events with ids derived from their content, so running the same files
again changes nothing. Events go through the same intake as `POST /v1/events` (invariants, outbox).

This module is the command only: arguments, files (csv_files.py) and progress lines; the import
itself is registry.application.bulk_import, the database is handed in (registry.bootstrap.standalone).
"""

import argparse
import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from zoneinfo import ZoneInfo

from kernel.logging import configure_logging
from registry.application.bulk_import import import_in_batches, plan_import
from registry.application.ports import UnitOfWorkFactory
from registry.config import RegistrySettings
from registry.entrypoints.csv_files import read_files
from talk_contracts.calendar import DEFAULT_TIME_ZONE

# Opens the registry's database for the command (migrated first) and closes it after.
Database = AbstractAsyncContextManager[UnitOfWorkFactory]


async def run_import(database: Database, files: dict[str, Path], batch: int = 1000, out=print, tz: ZoneInfo = ZoneInfo(DEFAULT_TIME_ZONE)) -> int:
    """Validate every file, then import; returns the number of new events (0 on a second run, -1 if
    any row is bad)."""
    rows, problems = read_files(files)
    async with database as transaction:
        plan = await plan_import(transaction, rows, problems)
        if plan.problems:
            for problem in plan.problems:
                out(str(problem))
            out(f"{len(plan.problems)} bad rows; nothing imported")
            return -1
        out(f"{len(plan.events)} rows valid; {plan.imported_before} imported before")
        new = 0
        async for done, new in import_in_batches(transaction, plan.events, batch, tz):
            out(f"imported {done}/{len(plan.events)} rows ({new} new)")
        out(f"done: {len(plan.events)} rows, {new} new events")
        return new


def main(argv: list[str], open_database: Callable[[RegistrySettings], Database]) -> int:
    parser = argparse.ArgumentParser(prog="python -m registry import", description="Bulk import from CSV files.")
    parser.add_argument("--orgs", type=Path)
    parser.add_argument("--members", type=Path)
    parser.add_argument("--roles", type=Path)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args(argv)
    files = {k: p for k, p in (("orgs", args.orgs), ("members", args.members), ("roles", args.roles)) if p}
    if not files:
        parser.error("name at least one of --orgs, --members, --roles")
    for path in files.values():
        if not path.is_file():
            parser.error(f"no file {path}")
    settings = RegistrySettings()
    configure_logging("registry-import", "warning", settings.log_format)  # the progress lines say what happens
    new = asyncio.run(run_import(open_database(settings), files, args.batch, out=lambda s: print(s, flush=True), tz=settings.zone))
    return 1 if new < 0 else 0
