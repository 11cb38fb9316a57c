"""The compliance consumer against the real database: redelivery, duplicates, held triggers."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from compliance.adapters import orm
from compliance.application.handlers import ComplianceHandlers
from compliance.config import ComplianceSettings
from devstack.demo import demo_city_events, sanction_event
from kernel.consumer import BatchConsumer

from .conftest import records


def consumer(sessions, today=lambda: datetime.now(UTC).date()) -> BatchConsumer:
    settings = ComplianceSettings()
    handlers = ComplianceHandlers(settings, settings.policy(), today)
    return BatchConsumer("compliance-it", sessions, orm.applied_events, handlers.route(), handlers)


async def obligations_of(sessions, subject_id: str) -> list:
    async with sessions() as session:
        return (await session.execute(select(orm.obligations).where(orm.obligations.c.subject_id == subject_id))).all()


async def outbox_count(sessions, subject_id: str) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(orm.outbox).where(orm.outbox.c.key == subject_id))


async def test_a_sanction_opens_m4_for_the_branch_secretary_and_c5_for_a_committee_member(sessions, ids):
    c = consumer(sessions)
    await c.handle(records(demo_city_events(ids)))
    await c.handle(records([sanction_event(ids + "p-b1-m1"), sanction_event(ids + "p-b1-cm", case_ref="JJ-2")], "discipline.events"))
    [member] = await obligations_of(sessions, ids + "p-b1-m1")
    assert (member.rule_id, member.responsible_id, member.status) == ("M4", ids + "p-b1-sec", "open")
    [committee] = await obligations_of(sessions, ids + "p-b1-cm")
    assert (committee.rule_id, committee.responsible_id) == ("C5", ids + "p-b1-sec")


async def test_a_branch_secretary_answers_to_the_party_committee_secretary(sessions, ids):
    c = consumer(sessions)
    await c.handle(records(demo_city_events(ids)))
    await c.handle(records([sanction_event(ids + "p-b1-sec")], "discipline.events"))
    [ob] = await obligations_of(sessions, ids + "p-b1-sec")
    assert (ob.rule_id, ob.responsible_id) == ("C5", ids + "p-town-sec")


async def test_redelivered_and_duplicated_events_change_nothing(sessions, ids):
    c = consumer(sessions)
    city = records(demo_city_events(ids))
    sanction = sanction_event(ids + "p-b1-m1")
    await c.handle(city)
    await c.handle(records([sanction, sanction], "discipline.events"))  # a duplicate inside one batch
    await c.handle(city)  # a whole batch redelivered
    await c.handle(records([sanction], "discipline.events"))  # and the trigger again
    assert len(await obligations_of(sessions, ids + "p-b1-m1")) == 1
    assert await outbox_count(sessions, ids + "p-b1-m1") == 1  # one obligation.opened, not three


async def test_a_trigger_before_its_subject_is_held_then_applied(sessions, ids):
    c = consumer(sessions)
    await c.handle(records([sanction_event(ids + "p-b1-m2")], "discipline.events"))
    assert await obligations_of(sessions, ids + "p-b1-m2") == []
    await c.handle(records(demo_city_events(ids)))
    [ob] = await obligations_of(sessions, ids + "p-b1-m2")
    assert (ob.rule_id, ob.responsible_id) == ("M4", ids + "p-b1-sec")


async def test_a_talk_fulfils_the_obligation_and_counts_towards_coverage(sessions, ids):
    c = consumer(sessions)
    await c.handle(records(demo_city_events(ids)))
    triggered = datetime.now(UTC) - timedelta(days=10)
    await c.handle(records([sanction_event(ids + "p-b1-m3", time=triggered)], "discipline.events"))
    talk = {
        "specversion": "1.0", "id": ids + "talk-ev", "source": "urn:talks", "type": "talk.recorded.v1",
        "time": datetime.now(UTC).isoformat(),
        "data": {"talk_id": ids + "talk", "held_at": datetime.now(UTC).isoformat(), "mode": "one_to_one",
                 "kind": "must_talk", "talker_ids": [ids + "p-b1-sec"], "talkee_ids": [ids + "p-b1-m3"], "rule_ids": ["M4"]},
    }  # fmt: skip
    await c.handle(records([talk], "talks.events"))
    [ob] = await obligations_of(sessions, ids + "p-b1-m3")
    assert (ob.status, ob.fulfilled_by) == ("fulfilled_late", ids + "talk")  # 10 days after a 7-day M4
    async with sessions() as session:
        credits = (await session.execute(select(orm.coverage_credits).where(orm.coverage_credits.c.talk_id == ids + "talk"))).all()
    assert [(c.rule_id, c.person_id, c.counterpart_id) for c in credits] == [("COV-MEMBER", ids + "p-b1-m3", ids + "p-b1-sec")]
