"""Bulk import of an organisation tree, its members and roles from CSV files.

    python -m registry import --orgs orgs.csv --members members.csv --roles roles.csv

The files are the shape a member-management system exports (samples: services/registry/samples/):
  orgs.csv     org_id,name,kind,parent_id          (parent_id empty at the root)
  members.csv  person_id,name,org_id,status,email,phone
  roles.csv    org_id,person_id,role
Everything is validated first, every bad row reported with its file and line; if any is bad nothing
is imported. Rows become events with ids derived from their content, so running the same files
again changes nothing. Events go through the same intake as `POST /v1/events` (invariants, outbox).
"""

import argparse
import asyncio
import csv
import hashlib
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ValidationError

from sqlalchemy import select

from kernel.db import make_engine, make_sessionmaker, migrate
from kernel.logging import configure_logging
from registry.adapters import orm
from registry.adapters.queries import snapshot
from registry.application.intake import accept
from registry.config import RegistrySettings
from registry.domain.invariants import check_batch, touched
from talk_contracts import CloudEvent, ParsedEvent, event_type
from talk_contracts import data as d

SOURCE = "urn:talk-compliance:registry-import"


@dataclass(frozen=True)
class Row:
    file: str
    line: int
    type_name: str
    data: BaseModel


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


SHAPES = {
    "orgs": ("org.registered.v1", d.OrgRegistered, ["org_id", "name", "kind", "parent_id"]),
    "members": ("member.joined.v1", d.MemberJoined, ["person_id", "name", "org_id", "status", "email", "phone"]),
    "roles": ("role.assigned.v1", d.RoleAssigned, ["org_id", "person_id", "role"]),
}


def read_rows(kind: str, path: Path) -> tuple[list[Row], list[Problem]]:
    type_name, model, columns = SHAPES[kind]
    rows, problems = [], []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            return [], [Problem(path.name, 1, f"missing columns {missing}; expected {','.join(columns)}")]
        for record in reader:
            line = reader.line_num
            values = {c: (record.get(c) or "").strip() or None for c in columns}
            try:
                rows.append(Row(path.name, line, type_name, model.model_validate(values)))
            except ValidationError as exc:
                detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors(include_url=False))
                problems.append(Problem(path.name, line, detail))
    return rows, problems


def parents_first(orgs: list[Row]) -> list[Row]:
    by_id = {r.data.org_id: r for r in orgs}
    ordered, placed = [], set()

    def place(row: Row, depth: int = 0) -> None:
        if row.data.org_id in placed or depth > 64:
            return
        parent = by_id.get(row.data.parent_id)
        if parent is not None:
            place(parent, depth + 1)
        placed.add(row.data.org_id)
        ordered.append(row)

    for row in orgs:
        place(row)
    return ordered


def to_event(row: Row, at: datetime) -> ParsedEvent:
    """The row as an event whose id is its content: the same row imported again is a duplicate."""
    digest = hashlib.sha256(f"{row.type_name}|{row.data.model_dump_json()}".encode()).hexdigest()[:32]
    kind = event_type(row.type_name)
    envelope = CloudEvent(
        id=f"import-{digest}", source=SOURCE, type=row.type_name, time=at, subject=kind.key_of(row.data),
        data=row.data.model_dump(mode="json"),
    )  # fmt: skip
    return ParsedEvent(envelope=envelope, kind=kind, data=row.data)


async def run_import(settings: RegistrySettings, files: dict[str, Path], batch: int = 1000, out=print) -> int:
    """Validate every file, then import; returns the number of new events (0 on a second run)."""
    rows: dict[str, list[Row]] = {}
    problems: list[Problem] = []
    for kind, path in files.items():
        rows[kind], found = read_rows(kind, path)
        problems += found
    ordered = parents_first(rows.get("orgs", [])) + rows.get("members", []) + rows.get("roles", [])
    at = datetime.now(UTC)
    events = [to_event(r, at) for r in ordered]
    engine = make_engine(settings.asyncpg_url())
    try:
        await migrate(engine, "registry.adapters.migrations", "registry")
        sessions = make_sessionmaker(engine)
        async with sessions() as session:
            seen = set(
                (await session.execute(select(orm.accepted_events.c.event_id).where(orm.accepted_events.c.event_id.in_([e.id for e in events])))).scalars()
            )
            fresh = [(r, e) for r, e in zip(ordered, events, strict=True) if e.id not in seen]
            state = await snapshot(session, *touched([r.data for r, _ in fresh]))
        for breach in check_batch([(e.id, r.data) for r, e in fresh], state):
            row = fresh[breach.index][0]
            problems.append(Problem(row.file, row.line, f"{breach.rule}: {breach.message}"))
        if problems:
            for problem in sorted(problems, key=lambda p: (p.file, p.line)):
                out(str(problem))
            out(f"{len(problems)} bad rows; nothing imported")
            return -1
        out(f"{len(events)} rows valid; {len(events) - len(fresh)} imported before")
        new = 0
        for start in range(0, len(events), batch):
            result = await accept(sessions, settings, events[start : start + batch])
            new += len(result.accepted)
            out(f"imported {min(start + batch, len(events))}/{len(events)} rows ({new} new)")
        out(f"done: {len(events)} rows, {new} new events")
        return new
    finally:
        await engine.dispose()


def main(argv: list[str]) -> int:
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
    new = asyncio.run(run_import(settings, files, args.batch, out=lambda s: print(s, flush=True)))
    return 1 if new < 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
