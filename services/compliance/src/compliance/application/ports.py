"""What the application needs from the outside world (implemented in compliance.adapters)."""

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Protocol

from compliance.application.preload import Needs
from compliance.domain.changes import Change, TriggerRefused
from compliance.domain.obligations import Transition
from compliance.domain.view import NotLoaded, View
from talk_contracts import CloudEvent


class UnitOfWork(Protocol):
    """One transaction of the projection: its rows in memory (the view), loaded in bulk, the
    changes applied to them, the events to publish; all written back by `flush`, or nothing."""

    @property
    def view(self) -> View: ...

    async def prepare(self, needs: Needs) -> None:
        """Load in bulk what these are likely to read (anything missed is loaded on demand)."""

    async def load(self, missing: NotLoaded) -> None: ...

    def apply(self, change: Change) -> None: ...

    def publish(self, events: Iterable[CloudEvent]) -> None: ...

    def record(self, steps: Sequence[Transition]) -> None:
        """Keep what obligations went through, with what caused it (an explanation's history)."""

    async def transitions(self, obligation_id: str) -> list[Transition]:
        """What was recorded of one obligation, oldest first."""

    def dead_letter(self, refused: TriggerRefused) -> None:
        """Report the event on its topic's dead-letter topic with the reason (SPEC §6)."""

    async def flush(self) -> None: ...

    # the daily tick and an operator's decision
    async def load_stage_candidates(self, today: date) -> list[str]:
        """Open obligations whose stage may move today (skipping those another transaction holds)."""

    holds_everything: bool  # the view is the whole projection (a replay's rows kept in memory): nothing to prepare
    day: date  # the batch's today
    earliest: datetime | None  # the time of the batch's earliest event: no fact it changes is older
    changed_obligations: dict  # obligation id -> (as it stood before the batch, the last event that changed it)
    vacancy_candidates: set[str]  # organisations whose secretary seat may be vacant, judged at the end


class UnitsOfWork(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A new transaction; committed when the block ends without an exception."""
