"""What the talks use cases need from outside, as Protocols: the adapters implement them (SQL in
`talks.adapters`), `talks.bootstrap` wires them, tests may hand in fakes. Rows travel as plain dicts
keyed by column name, the shape the HTTP API returns; nothing here knows SQL.

Every use case works through one `UnitOfWork` per transaction: what it changes through the
repositories and the events it stages in the outbox commit together when the `async with` block
ends, or not at all when it raises."""

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from talk_contracts import CloudEvent
from talks.domain.records import TalkRecordIn

Row = dict[str, Any]


class Directory(Protocol):
    """Talks' own view of the registry: who belongs where and holds which seat, now."""

    async def orgs_of(self, people: Sequence[str]) -> dict[str, str]:
        """The active members among `people`, with their organisation."""

    async def ancestry(self, org_ids: Sequence[str]) -> dict[str, str | None]:
        """The organisations and every one above them, each with its parent; empty for unknown ones."""

    async def secretaries(self, org_ids: Sequence[str]) -> dict[str, str]:
        """Each organisation's secretary, where it has one."""

    async def seats_of(self, person_id: str) -> dict[str, str]:
        """The person's seats: organisation -> role."""

    async def names(self, people: Sequence[str]) -> dict[str, str]:
        """The names known for `people`."""

    async def members_of(self, org_id: str) -> list[str]:
        """The organisation's active members."""


class TalkRecords(Protocol):
    """Talk records, current version and earlier ones; content stays encrypted here."""

    async def add(self, talk_id: str, record: TalkRecordIn, content_encrypted: bytes, recorded_by: str | None) -> None:
        """A new record, version 1."""

    async def get(self, talk_id: str, *, lock: bool = False) -> Row | None:
        """The current version, every column; `lock` holds it until the unit of work ends."""

    async def talker_ids(self, talk_id: str) -> list[str] | None: ...

    async def keep_version(self, current: Row) -> None:
        """Keep the version an amendment is about to replace."""

    async def replace(self, talk_id: str, fields: Row, *, version: int, content_encrypted: bytes, recorded_by: str | None,
                      recorded_at: datetime) -> None:  # fmt: skip
        """The current version becomes the amended one (its reason travels encrypted in its content)."""

    async def earlier_versions(self, talk_id: str) -> list[Row]:
        """`version`, `recorded_by`, `recorded_at`, `content_encrypted` of each kept version, oldest first."""

    async def current_version(self, talk_id: str) -> Row | None:
        """`version`, `recorded_by`, `recorded_at`, `content_encrypted` and the legacy clear
        `amendment_reason` of the current version."""

    async def held_with(self, person_id: str, start: datetime, end: datetime) -> list[Row]:
        """Metadata of the talks held with the person as talkee in [start, end), oldest first."""

    async def ids_held_with_any(self, people: Sequence[str], start: datetime, end: datetime) -> list[str]:
        """The talks in [start, end) with any of `people` as a talkee, oldest first."""

    async def contents_after(self, talk_id: str, limit: int) -> list[tuple[str, int, bytes]]:
        """The next `limit` records' ids, versions and encrypted content after `talk_id`, locked."""

    async def set_content(self, talk_id: str, content_encrypted: bytes) -> None: ...

    async def version_contents_after(self, after: tuple[str, int], limit: int) -> list[tuple[str, int, bytes]]:
        """The next `limit` kept earlier versions (talk id, version, encrypted content), locked."""

    async def set_version_content(self, talk_id: str, version: int, content_encrypted: bytes) -> None: ...


class FollowUps(Protocol):
    """Follow-up measures (整改措施); the text of each is encrypted like the record's content."""

    async def add(self, talk_id: str, measures: Sequence[Row]) -> None:
        """Rows of `follow_up_id`, `owner_id`, `due_date`, `text_encrypted`."""

    async def of_talk(self, talk_id: str) -> list[Row]:
        """`follow_up_id`, `owner_id`, `due_date`, `completed_at`, `text_encrypted` of the talk's measures."""

    async def get(self, follow_up_id: str, *, lock: bool = False) -> Row | None: ...

    async def complete(self, follow_up_id: str, at: datetime) -> None: ...

    async def unreminded(self, stage: str, due_by: date) -> list[Row]:
        """Open measures due by `due_by` not yet reminded at `stage`, locked; those another
        transaction holds are left for the next round."""

    async def mark_reminded(self, stage: str, follow_up_ids: Sequence[str]) -> None: ...

    async def listing(self, owner_id: str | None, open_only: bool) -> list[Row]:
        """Metadata (no text) of the measures, by due date."""

    async def owned_by(self, person_id: str, start: date, end: date) -> list[Row]:
        """`follow_up_id`, `talk_id`, `due_date`, `completed_at` of the person's measures due in [start, end)."""

    async def all_texts(self) -> list[tuple[str, bytes]]:
        """Every measure's id and encrypted text, locked."""

    async def set_text(self, follow_up_id: str, text_encrypted: bytes) -> None: ...


class TalkRequests(Protocol):
    """Members' requests for a talk with a named leader."""

    async def add(self, request_id: str, person_id: str, leader_id: str, requested_at: datetime, event_id: str) -> None: ...

    async def get(self, request_id: str) -> Row | None: ...


class Meetings(Protocol):
    async def add(self, meeting_id: str, org_id: str, day: date, kind: str, scheduled_by: str | None) -> None: ...


class Obligations(Protocol):
    """Must-talk obligations as compliance last published them."""

    async def of_subject(self, person_id: str, start: date, end: date) -> list[Row]:
        """Every column of the person's obligations due in [start, end), by due date."""


class AuditLog(Protocol):
    """Every read of confidential data, every write and every refusal, as a hash chain (SPEC §4;
    domain.audit_chain)."""

    async def record(self, subject: str, actor_id: str | None, basis: str | None, action: str = "read") -> None:
        """One entry about `subject` (a talk id, a dossier's, a form's …) by `actor_id`; `basis`
        None means refused; `action` what was done or asked (read, write, `refused: <why>` …)."""

    async def entries(self, talk_id: str | None, reader_id: str | None, limit: int) -> list[Row]:
        """The newest entries first, filtered by whichever of `talk_id` and `reader_id` is given."""

    async def chain(self, after: int = 0, limit: int = 10_000) -> list[Row]:
        """Entries after `after` in chain order, as stored (with their hashes)."""


class Outbox(Protocol):
    async def stage(self, events: Sequence[CloudEvent]) -> None:
        """Publish the events once the unit of work commits (the outbox relay sends them)."""


class UnitOfWork(Protocol):
    directory: Directory
    talks: TalkRecords
    follow_ups: FollowUps
    requests: TalkRequests
    meetings: Meetings
    obligations: Obligations
    audit: AuditLog
    outbox: Outbox


class UnitsOfWork(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A new transaction: `async with units() as uow: ...` commits when the block ends."""


class Cipher(Protocol):
    """Encryption of content at rest, each ciphertext bound to what it belongs to (domain.bindings);
    decrypting raises ValueError when no configured key can, or the ciphertext is not `binding`'s."""

    def encrypt(self, content: dict, binding: str) -> bytes: ...
    def decrypt(self, token: bytes, binding: str) -> dict: ...
    def encrypt_text(self, text: str, binding: str) -> bytes: ...
    def decrypt_text(self, token: bytes, binding: str) -> str: ...
    def rotate(self, token: bytes, binding: str) -> bytes:
        """The token re-encrypted under the first key, bound to `binding`."""


class RenderForms(Protocol):
    def __call__(self, talks: list[Row], names: dict[str, str], title: str | None = None) -> bytes:
        """Records (as read for the reader) laid out as printable forms, a page each."""


@dataclass(frozen=True)
class Dependencies:
    """What the use cases are called with, wired once by `talks.bootstrap`."""

    units: UnitsOfWork
    cipher: Cipher
    render: RenderForms
    zone: ZoneInfo  # the deployment's calendar: which year a talk belongs to
