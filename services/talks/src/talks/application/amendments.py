"""Amending a record (SPEC §4): the version it replaces is kept, the new one says who and why
(the rules of what may change: `talks.domain.amendments`)."""

from datetime import UTC, datetime

from talks.application.common import NotAllowed
from talks.application.ports import Cipher, Row, UnitsOfWork
from talks.domain.amendments import AmendmentIn, amended_content, amended_fields, with_reasons
from talks.domain.bindings import content_binding


async def amend(units: UnitsOfWork, cipher: Cipher, talk_id: str, change: AmendmentIn, by: str | None) -> int:
    """Returns the new version number."""
    async with units() as uow:
        current = await uow.talks.get(talk_id, lock=True)
        if current is None:
            raise LookupError(talk_id)
        if by is None or (by not in current["talker_ids"] and by != current["recorded_by"]):
            raise NotAllowed("X-Person-Id", "only a talker or whoever recorded the talk amends it")
        await uow.talks.keep_version(current)
        content = amended_content(cipher.decrypt(current["content_encrypted"], content_binding(talk_id, current["version"])), change)
        await uow.talks.replace(
            talk_id, amended_fields(change), version=current["version"] + 1, content_encrypted=cipher.encrypt(content, content_binding(talk_id, current["version"] + 1)),
            recorded_by=by, recorded_at=datetime.now(UTC), reason=change.reason,
        )  # fmt: skip
        await uow.audit.record(talk_id, by, f"amended to version {current['version'] + 1}", action="write")
    return current["version"] + 1


async def versions(units: UnitsOfWork, talk_id: str, reader: str | None = None) -> list[Row]:
    """Every version's who, when and why (newest last); content is read through GET /v1/talks/{id}.
    Audited as a read of the record's history."""
    async with units() as uow:
        earlier = await uow.talks.earlier_versions(talk_id)
        current = await uow.talks.current_version(talk_id)
        if current is not None:
            await uow.audit.record(f"versions:{talk_id}", reader, "versions")
    return [] if current is None else with_reasons(earlier, current)
