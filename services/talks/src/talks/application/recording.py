"""Recording a talk: the record, its follow-up measures and its `talk.recorded` event (metadata
only) in one unit of work, which also closes the talk requests the talk meets."""

import uuid
from datetime import datetime

from talk_contracts import data as d
from talk_contracts import new_event
from talks.application.common import SOURCE, NotAllowed
from talks.application.ports import Cipher, UnitsOfWork
from talks.domain.access import NEEDS_STANDING, chain, has_standing
from talks.domain.bindings import content_binding, follow_up_binding
from talks.domain.records import CONTENT_FIELDS, TalkRecordIn, check_not_in_future


async def check_participants(units: UnitsOfWork, record: TalkRecordIn) -> None:
    """Talkees are members; for the rule ids named, each talker holds a committee seat in the talkee's
    organisation or above it (as the talks service's view of the registry knows them)."""
    async with units() as uow:
        orgs = await uow.directory.orgs_of(record.talkee_ids)
        strangers = [t for t in record.talkee_ids if t not in orgs]
        if strangers:
            raise NotAllowed("talkee_ids", f"not members: {strangers}")
        if not set(record.rule_ids) & NEEDS_STANDING:
            return
        parent_of = await uow.directory.ancestry(list(set(orgs.values())))
        for talker in record.talker_ids:
            seats = await uow.directory.seats_of(talker)
            for talkee, org in orgs.items():
                if not has_standing(seats, chain(org, parent_of)):
                    raise NotAllowed("talker_ids", f"{talker} holds no committee seat over {talkee} for {sorted(record.rule_ids)}")


async def record_talk(
    units: UnitsOfWork,
    cipher: Cipher,
    record: TalkRecordIn,
    *,
    recorded_by: str | None,
    correlation_id: str,
    now: datetime,
) -> str:
    """Returns the new talk's id. Raises ValueError for a talk held in the future."""
    check_not_in_future(record.held_at, now)
    talk_id = str(uuid.uuid4())
    event = new_event(
        "talk.recorded.v1",
        d.TalkRecorded(
            talk_id=talk_id,
            held_at=record.held_at,
            mode=record.mode,
            kind=record.kind,
            talker_ids=record.talker_ids,
            talkee_ids=record.talkee_ids,
            rule_ids=record.rule_ids,
            confidential=record.confidential,
        ),
        source=SOURCE,
        subject=talk_id,
        time=record.held_at,
        correlationid=correlation_id,
    )
    async with units() as uow:
        content = cipher.encrypt({f: getattr(record, f) for f in CONTENT_FIELDS}, content_binding(talk_id, 1))
        await uow.talks.add(talk_id, record, content, recorded_by)
        if record.follow_ups:
            await uow.follow_ups.add(
                talk_id,
                [
                    {"follow_up_id": fid, "owner_id": f.owner_id, "due_date": f.due_date,
                     "text_encrypted": cipher.encrypt_text(f.text, follow_up_binding(fid))}
                    for f, fid in ((f, str(uuid.uuid4())) for f in record.follow_ups)
                ],
            )  # fmt: skip
        await uow.outbox.stage([event])
        await uow.audit.record(talk_id, recorded_by, "recorded", action="write")
    return talk_id
