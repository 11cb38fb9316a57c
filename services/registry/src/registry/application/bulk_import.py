"""Bulk import of an organisation tree, its members and roles (rows read from files by
entrypoints/csv_import).

Everything is checked first: the rows' own problems and any breach of the registry's invariants, so
that if any row is bad nothing is imported. Rows become events with ids derived from their content,
so importing the same rows again changes nothing. The events then go through the same intake as
`POST /v1/events` (invariants, outbox), a batch per transaction.
"""

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from registry.application.intake import accept
from registry.application.ports import UnitOfWorkFactory
from registry.domain.invariants import check_batch, touched
from talk_contracts import CloudEvent, ParsedEvent, Source, event_type

SOURCE = Source.REGISTRY_IMPORT


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


@dataclass(frozen=True)
class Plan:
    events: list[ParsedEvent]  # every row's, in the order they are applied
    imported_before: int
    problems: list[Problem]  # by file and line; if there are any, nothing is to be imported


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


async def plan_import(transaction: UnitOfWorkFactory, rows: dict[str, list[Row]], problems: list[Problem]) -> Plan:
    """`rows` by kind (orgs, members, roles); `problems`: those found reading them. Changes nothing."""
    ordered = parents_first(rows.get("orgs", [])) + rows.get("members", []) + rows.get("roles", [])
    at = datetime.now(UTC)
    events = [to_event(r, at) for r in ordered]
    async with transaction() as uow:  # read only: never committed
        seen = await uow.accepted.seen(events)
        fresh = [(r, e) for r, e in zip(ordered, events, strict=True) if e.id not in seen]
        state = await uow.registry.snapshot(*touched([r.data for r, _ in fresh]))
    problems = list(problems)
    for breach in check_batch([(e.id, r.data, e.envelope.time) for r, e in fresh], state):
        row = fresh[breach.index][0]
        problems.append(Problem(row.file, row.line, f"{breach.rule}: {breach.message}"))
    return Plan(events, len(events) - len(fresh), sorted(problems, key=lambda p: (p.file, p.line)))


async def import_in_batches(
    transaction: UnitOfWorkFactory, events: list[ParsedEvent], batch: int, tz: ZoneInfo
) -> AsyncIterator[tuple[int, int]]:
    """Each batch accepted in a transaction of its own; yields (events done, new events so far) after each."""
    new = 0
    for start in range(0, len(events), batch):
        result = await accept(transaction, events[start : start + batch], tz)
        new += len(result.accepted)
        yield min(start + batch, len(events)), new
