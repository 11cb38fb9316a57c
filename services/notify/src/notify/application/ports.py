"""The ports of notify's use cases: what they need from storage and channels, as Protocols.

The adapters implement them over PostgreSQL (notify/adapters/repositories/, unit_of_work.py) and SMTP or HTTP
(notify/adapters/channels.py); tests may implement them in memory. Nothing here knows SQL.
"""

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime, time
from typing import Protocol

from notify.application.records import DeadLetter, DueDelivery, InboxEntry
from notify.domain.alerts import Alert
from notify.domain.people import Person
from talk_contracts import CloudEvent, ParsedEvent


class People(Protocol):
    """Members with their contact details (from registry events) and their own preferences."""

    async def upsert(self, person_id: str, name: str, email: str | None, phone: str | None) -> None: ...
    async def change_contact(self, person_id: str, email: str | None, phone: str | None) -> None: ...
    async def get(self, person_id: str) -> Person | None: ...
    async def get_many(self, person_ids: set[str]) -> dict[str, Person]:
        """Those of these people notify knows, by id: one query for a batch's recipients."""

    async def names_of(self, person_ids: set[str]) -> dict[str, str]: ...
    async def set_preferences(
        self, person_id: str, channels: Sequence[str], quiet_start: time | None, quiet_end: time | None, digest: bool
    ) -> bool:
        """False when notify does not know the person."""

    async def digest_subscribers(self, holding_role: str) -> list[str]:
        """The ids of the people who asked for the daily digest and hold the role somewhere."""


class Roles(Protocol):
    """Who holds which role in which organisation, now."""

    async def assign(self, org_id: str, person_id: str, role: str) -> None: ...
    async def end(self, org_id: str, person_id: str, role: str) -> None: ...
    async def vacate(self, org_id: str, role: str) -> None:
        """Nobody holds the role in the organisation any more."""


class Inbox(Protocol):
    """The in-app alerts, one per idempotency key."""

    async def add_many(self, alerts: Sequence[Alert]) -> set[str]:
        """Add those whose idempotency key is new; returns their alert ids (the rest existed already)."""

    async def count(self, person_id: str, *, unread_only: bool = False, excluding: str | None = None) -> int:
        """A person's alerts, optionally only the unread ones, optionally without one kind (transition)."""

    async def titles_since(self, person_id: str, since: datetime, *, excluding: str) -> list[str]:
        """The titles of a person's alerts from `since` on, oldest first, without one kind."""

    async def page(self, person_id: str, *, unread_only: bool, limit: int, offset: int) -> list[InboxEntry]:
        """A person's alerts, newest first."""

    async def mark_read(self, person_id: str, alert_id: str) -> InboxEntry | None:
        """Read now, unless read before; None when the person has no such alert."""


class Deliveries(Protocol):
    """One row per alert and channel beyond the inbox, retried until sent or dead."""

    async def schedule(self, plans: Sequence[tuple[Alert, Sequence[str], datetime, str | None]]) -> None:
        """Pending deliveries of each alert on its channels from its time on (with the trace context
        of its cause); one per alert and channel, ever. One statement for a batch's alerts."""

    async def due(self, now: datetime, limit: int) -> list[DueDelivery]:
        """The pending deliveries due at `now`, oldest first, locked until the unit of work ends
        (other workers skip them)."""

    async def sent(self, delivery_id: str, attempts: int, at: datetime) -> None: ...
    async def retry(self, delivery_id: str, attempts: int, error: str, at: datetime) -> None: ...
    async def give_up(self, delivery_id: str, attempts: int, error: str) -> None: ...
    async def dead_letters(self, limit: int) -> list[DeadLetter]: ...
    async def revive(self, delivery_id: str | None, now: datetime) -> list[str]:
        """Dead deliveries (one, or all with None) pending again from `now` with no attempts made;
        returns their ids."""


class Outbox(Protocol):
    """Events to publish once the unit of work commits (the transactional outbox)."""

    async def stage(self, events: Sequence[CloudEvent]) -> None: ...


class UnitOfWork(Protocol):
    """Notify's storage within one transaction: all of its changes commit together, or none."""

    people: People
    roles: Roles
    inbox: Inbox
    deliveries: Deliveries
    outbox: Outbox
    # Alerts a consumer batch's handlers made, written together when the batch is done
    # (application.alerting.deliver_all, called by the handlers' finish_batch).
    pending: list[tuple[Alert, tuple[str, ...] | None, dict]]
    names: dict[str, str]  # subjects' names, loaded for the whole batch before its handlers run


# Opens a unit of work in a transaction of its own, committed when the block ends without an error.
# (The consumer's handlers get theirs from the batch's transaction instead.)
UnitOfWorkFactory = Callable[[], AbstractAsyncContextManager[UnitOfWork]]

# An event handler: the batch's unit of work and one event (see kernel.consumer).
EventHandler = Callable[[UnitOfWork, ParsedEvent], Awaitable[None]]


class Channel(Protocol):
    """A way beyond the inbox (e-mail, webhook). A send raises on failure; the worker retries."""

    async def send(self, alert: dict, person: dict) -> None: ...
