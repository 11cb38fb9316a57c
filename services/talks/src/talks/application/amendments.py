"""Amending a record (SPEC §4): the version it replaces is kept, the new one says who and why
(the rules of what may change: `talks.domain.amendments`)."""

from datetime import UTC, datetime

from talks.application.common import NotAllowed
from talks.application.ports import Cipher, Row, UnitsOfWork
from talks.application.reading import audited_basis
from talks.domain.amendments import AmendmentIn, amended_content, amended_fields
from talks.domain.bindings import content_binding

# The reason an amendment gives travels inside the version's encrypted content (bound to that
# version), so it is kept with every version and shown only to those who may read the record.
REASON = "amendment_reason"


async def amend(units: UnitsOfWork, cipher: Cipher, talk_id: str, change: AmendmentIn, by: str | None) -> int:
    """Returns the new version number."""
    async with units() as uow:
        current = await uow.talks.get(talk_id, lock=True)
        if current is None:
            raise LookupError(talk_id)
        if by is None or (by not in current["talker_ids"] and by != current["recorded_by"]):
            raise NotAllowed("X-Person-Id", "only a talker or whoever recorded the talk amends it")
        await uow.talks.keep_version(current)
        version = current["version"] + 1
        content = amended_content(cipher.decrypt(current["content_encrypted"], content_binding(talk_id, current["version"])), change)
        content[REASON] = change.reason
        await uow.talks.replace(
            talk_id, amended_fields(change), version=version, content_encrypted=cipher.encrypt(content, content_binding(talk_id, version)),
            recorded_by=by, recorded_at=datetime.now(UTC),
        )  # fmt: skip
        await uow.audit.record(talk_id, by, f"amended to version {version}", action="write")
    return version


async def versions(units: UnitsOfWork, cipher: Cipher, talk_id: str, reader: str | None, auditors: frozenset[str]) -> list[Row] | None:
    """Every version's who, when and why (oldest first), for those who may read the record's content
    (SPEC §4); None when there is no such record; PermissionError for anyone else. Audited."""
    async with units() as uow:
        talk = await uow.talks.get(talk_id)
        if talk is None:
            return None
        if await audited_basis(uow, f"versions:{talk_id}", reader, talk, auditors) is None:
            raise PermissionError(f"{reader} may not read the history of talk {talk_id}")
        earlier = await uow.talks.earlier_versions(talk_id)
        current = await uow.talks.current_version(talk_id)
    rows = []
    for v in [*earlier, current]:
        content = cipher.decrypt(v.pop("content_encrypted"), content_binding(talk_id, v["version"]))
        legacy = v.pop("amendment_reason", None)  # reasons kept in the clear before they were encrypted
        rows.append(v | {"reason": content.get(REASON, legacy)})
    return rows
