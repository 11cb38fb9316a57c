"""The projection in memory only: the unit of work of the rule tests (no database), on the very
rows, decisions and bus the service runs on PostgreSQL."""

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import date

from compliance.adapters.rows.batch import BatchRows
from compliance.application.preload import Needs
from compliance.domain.changes import Change, TriggerRefused
from compliance.domain.obligations import Transition, stage_on
from compliance.domain.policy import Policy
from compliance.domain.view import NotLoaded, View
from talk_contracts import CloudEvent


class MemoryUnitOfWork:
    """Everything is loaded (what is not here does not exist); nothing is written anywhere.
    `published` and `dead_letters` keep what a database transaction would have staged."""

    def __init__(self, policy: Policy, rows: BatchRows | None = None):
        self.policy = policy
        self.rows = rows or BatchRows(complete=True)
        self.holds_everything = True
        self.day: date | None = None
        self.vacancy_candidates: set[str] = set()
        self.changed_obligations: dict = {}
        self.published: list[CloudEvent] = []
        self.dead_letters: list[TriggerRefused] = []
        self.recorded: list[Transition] = []

    @property
    def view(self) -> View:
        return self.rows

    async def prepare(self, needs: Needs) -> None:
        return None

    async def load(self, missing: NotLoaded) -> None:
        raise AssertionError(f"an in-memory view has everything: {missing}")

    def apply(self, change: Change) -> None:
        self.rows.apply(change)

    def publish(self, events: Iterable[CloudEvent]) -> None:
        self.published.extend(events)

    def record(self, steps: Iterable[Transition]) -> None:
        self.recorded.extend(steps)

    async def transitions(self, obligation_id: str) -> list[Transition]:
        return [step for step in self.recorded if step.obligation_id == obligation_id]

    def dead_letter(self, refused: TriggerRefused) -> None:
        self.dead_letters.append(refused)

    async def flush(self) -> None:
        self.vacancy_candidates, self.changed_obligations = set(), {}

    async def load_stage_candidates(self, today: date) -> list[str]:
        rows = self.rows.obligations
        return sorted(
            ob.obligation_id
            for ob in rows.loaded()
            if ob.closed_at is None and stage_on(ob.due_date, today, self.policy) != ob.status
        )


def memory_units(uow: MemoryUnitOfWork):
    """`application.ports.UnitsOfWork` over one in-memory projection."""

    @asynccontextmanager
    async def open_one() -> AsyncIterator[MemoryUnitOfWork]:
        yield uow

    return open_one


__all__ = ["MemoryUnitOfWork", "memory_units"]
