"""What the registry's use cases need from the world, as Protocols; adapters implement them.

The application layer never opens a session or writes SQL: the intake works through a unit of work
(one transaction, its repositories), the queries through a read port. Bootstrap picks the
implementations (`registry.adapters`), tests may hand in fakes.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, Self

from registry.domain.invariants import Snapshot
from talk_contracts import CloudEvent, ParsedEvent


class AcceptedEvents(Protocol):
    """Every event accepted at the edge, by source and id: a duplicate changes nothing."""

    async def record(self, events: list[ParsedEvent]) -> set[str]:
        """Record the events whose (source, id) was not recorded before; returns their ids (the fresh ones)."""

    async def seen(self, events: list[ParsedEvent]) -> set[str]:
        """The ids of those among these events whose (source, id) was accepted before (read only)."""


class RegistryState(Protocol):
    """The organisations, members and roles the registry keeps."""

    async def snapshot(self, org_ids: set[str], person_ids: set[str]) -> Snapshot:
        """The state a batch touches (see domain.invariants), with the organisations' ancestors and
        active member counts."""

    async def apply(self, event: ParsedEvent) -> None:
        """Apply one registry event (its invariants checked before)."""


class Outbox(Protocol):
    async def stage(self, events: list[CloudEvent]) -> None:
        """Stage events for publishing, in the unit of work's transaction."""


class IntakeUnitOfWork(Protocol):
    """One transaction over the registry: what is not committed when the block ends is rolled back."""

    accepted: AcceptedEvents
    registry: RegistryState
    outbox: Outbox

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc_info: object) -> None: ...

    async def lock_intake(self) -> None:
        """Wait until no other intake is under way; held until the transaction ends."""

    async def commit(self) -> None: ...


# A new unit of work for each transaction.
UnitOfWorkFactory = Callable[[], IntakeUnitOfWork]


class RegistryReads(Protocol):
    """The read side: organisations, their members, people and their roles, as the API shows them."""

    async def org(self, org_id: str) -> dict | None:
        """The organisation with its parent, children and committee; None if unknown."""

    async def chain(self, org_id: str) -> list[str]:
        """The organisation and those above it, nearest first; empty if unknown."""

    async def members(self, org_id: str, subtree: bool, limit: int, offset: int) -> tuple[int, list[dict]]:
        """(how many active members in all, one page of them)."""

    async def person(self, person_id: str) -> dict | None:
        """The member with their roles, history included; None if unknown."""

    async def holders_on(self, org_id: str, on: datetime) -> list[dict] | None:
        """Who held which role of the organisation at that moment; None if the organisation is unknown."""


@dataclass(frozen=True)
class Ports:
    """What the HTTP entrypoints are handed (built in registry.bootstrap)."""

    intake: UnitOfWorkFactory
    reads: RegistryReads
