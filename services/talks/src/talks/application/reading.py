"""Reading a record (SPEC §4): its content only for those entitled to it, and every request for it
audited, granted or not, in the same unit of work as the read."""

from collections.abc import Mapping, Sequence

from kernel.logging import get_logger
from talks.application.ports import Cipher, Directory, Row, UnitOfWork, UnitsOfWork
from talks.domain.access import content_access
from talks.domain.bindings import content_binding, follow_up_binding

log = get_logger(__name__)


async def entitlement(
    directory: Directory, reader_id: str | None, talker_ids: Sequence[str], talkee_ids: Sequence[str],
    orgs: Mapping[str, str], auditors: frozenset[str],
) -> str | None:  # fmt: skip
    """The basis on which the reader may read content about these talkees (in `orgs`), or None."""
    parent_of = await directory.ancestry(list(set(orgs.values())))
    secretaries = await directory.secretaries(list(parent_of))
    return content_access(reader_id, list(talker_ids), list(talkee_ids), orgs, parent_of, secretaries, auditors)


async def audited_basis(uow: UnitOfWork, subject: str, reader_id: str | None, talk: Row, auditors: frozenset[str]) -> str | None:
    """The basis on which the reader may read the talk's content or history (None: refused),
    audited in the caller's unit of work whichever it is."""
    orgs = await uow.directory.orgs_of(list(talk["talkee_ids"]))
    basis = await entitlement(uow.directory, reader_id, talk["talker_ids"], talk["talkee_ids"], orgs, auditors)
    await uow.audit.record(subject, reader_id, basis)
    return basis


async def read_talk(units: UnitsOfWork, cipher: Cipher, talk_id: str, reader_id: str | None, auditors: frozenset[str]) -> Row | None:
    """The record; its content only for those entitled to it. Every request is audited."""
    async with units() as uow:
        talk = await uow.talks.get(talk_id)
        if talk is None:
            return None
        basis = await audited_basis(uow, talk_id, reader_id, talk, auditors)
        if basis is None:
            log.warning("content withheld", talk_id=talk_id, reader_id=reader_id)
        follow_ups = await uow.follow_ups.of_talk(talk_id)
    encrypted = talk.pop("content_encrypted")
    # A measure's text belongs to the record's content: shown only to those entitled to it.
    talk["follow_ups"] = [
        {k: v for k, v in f.items() if k != "text_encrypted"}
        | ({"text": cipher.decrypt_text(f["text_encrypted"], follow_up_binding(f["follow_up_id"]))} if basis is not None else {})
        for f in follow_ups
    ]
    talk["content_visible"] = basis is not None
    if basis is None:
        talk.pop("amendment_reason", None)  # a reason kept in the clear before reasons were encrypted
    if basis is not None:
        talk.update(cipher.decrypt(encrypted, content_binding(talk_id, talk["version"])))
    return talk


async def audit_trail(units: UnitsOfWork, talk_id: str | None, reader_id: str | None, limit: int) -> list[Row]:
    """Who asked for which record's content, and whether they got it; newest first."""
    async with units() as uow:
        return await uow.audit.entries(talk_id, reader_id, limit)


async def record_refusal(units: UnitsOfWork, subject: str, actor_id: str, reason: str) -> None:
    """A refused request, in a transaction of its own (the refused one rolls back with it)."""
    async with units() as uow:
        await uow.audit.record(subject, actor_id, None, action=f"refused: {reason}"[:500])
