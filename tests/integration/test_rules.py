"""Every rule id against the real database: the events given, the obligation expected (SPEC §3).

The demo city: county (p-county-sec) → town (p-town-sec; p-town-cm committee member) →
branch-1 (p-b1-sec; p-b1-cm committee member; p-b1-m1..m3) and branch-2 (p-b2-sec; p-b2-cm deputy).
"""

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from compliance.adapters import orm
from compliance.adapters.dashboard_queries import subtree_tops
from compliance.adapters.queries import committee_pair_rows, member_coverage_rows, secretary_coverage_rows
from compliance.application.coverage_report import coverage, coverage_counted
from compliance.application.handlers import ComplianceHandlers
from compliance.application.held_triggers import report_held_too_long
from compliance.application.obligation_book import advance_all
from compliance.config import ComplianceSettings
from devstack.demo import demo_city_events
from kernel.consumer import BatchConsumer

from .conftest import records

NOW = datetime.now(UTC).replace(microsecond=0)


def event(type_name: str, data: dict, at: datetime = NOW) -> dict:
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "urn:test", "type": type_name,
            "time": at.isoformat(), "data": data}  # fmt: skip


def observation(person: str, kind: str, **extra) -> tuple[str, dict]:
    return "conduct.observation_recorded.v1", {"person_id": person, "kind": kind, **extra}


class City:
    """A fresh demo city in the real database, with a compliance consumer on an injectable clock."""

    def __init__(self, sessions, ids: str):
        self.sessions, self.ids = sessions, ids
        self.today = NOW.date()
        settings = ComplianceSettings()
        self.handlers = ComplianceHandlers(settings, settings.policy(), lambda: self.today)
        self.consumer = BatchConsumer(
            "compliance-rules", sessions, orm.applied_events, self.handlers.route(), self.handlers
        )

    def p(self, name: str) -> str:
        return self.ids + name

    async def given(self, *events: tuple[str, dict] | dict) -> None:
        built = [e if isinstance(e, dict) else event(*e) for e in events]
        await self.consumer.handle(records(built, "conduct.events"))

    async def obligations(self, subject: str | None = None) -> list[dict]:
        o = orm.obligations
        stmt = select(o).where(o.c.subject_id.like(self.ids + "%")).order_by(o.c.subject_id, o.c.rule_id)
        if subject:
            stmt = stmt.where(o.c.subject_id == self.p(subject))
        async with self.sessions() as session:
            return [dict(r._mapping) for r in await session.execute(stmt)]

    async def tick(self, today: date) -> None:
        self.today = today
        await advance_all(self.handlers.book, self.sessions, today)

    async def published(self, subject: str) -> list[str]:
        async with self.sessions() as session:
            rows = await session.execute(
                select(orm.outbox.c.event_type).where(orm.outbox.c.key == self.p(subject)).order_by(orm.outbox.c.id)
            )
            return [r.event_type for r in rows]


@pytest.fixture
async def city(sessions, ids) -> City:
    c = City(sessions, ids)
    await c.consumer.handle(records(demo_city_events(ids)))
    return c


def p(city: City, name: str) -> str:
    return city.p(name)


RULES = [
    # (rule id, events as (type, data) with {p} for the ids prefix, subject, expected responsible, due days)
    ("M1", [observation("{p}p-b1-m1", "vanguard_lacking")], "p-b1-m1", "p-b1-sec", 15),
    ("M2 observation", [observation("{p}p-b1-m1", "weak_org_concept")], "p-b1-m1", "p-b1-sec", 15),
    ("M2 three absences", [("conduct.attendance_recorded.v1", {"person_id": "{p}p-b1-m2", "org_id": "{p}branch-1", "meeting_date": f"2026-0{i}-01", "present": False}) for i in (1, 2, 3)], "p-b1-m2", "p-b1-sec", 15),
    ("M3 arrears", [("dues.arrears_recorded.v1", {"person_id": "{p}p-b1-m1", "months": 4})], "p-b1-m1", "p-b1-sec", 15),
    ("M3 appraisal", [("appraisal.rated.v1", {"person_id": "{p}p-b1-m1", "year": 2026, "rating": "unqualified"})], "p-b1-m1", "p-b1-sec", 15),
    ("M3 observation", [observation("{p}p-b2-m1", "gambling")], "p-b2-m1", "p-b2-sec", 15),
    ("M4 discipline", [("discipline.action_recorded.v1", {"person_id": "{p}p-b1-m1", "case_ref": "c1", "action": "criticism"})], "p-b1-m1", "p-b1-sec", 7),
    ("M4 adverse report", [("discipline.adverse_report_received.v1", {"person_id": "{p}p-b1-m1", "case_ref": "c2"})], "p-b1-m1", "p-b1-sec", 7),
    ("M5", [("welfare.hardship_reported.v1", {"person_id": "{p}p-b1-m3", "kind": "life"})], "p-b1-m3", "p-b1-sec", 7),
    ("M6", [("honours.commendation_awarded.v1", {"person_id": "{p}p-b1-m3", "title": "优秀共产党员"})], "p-b1-m3", "p-b1-sec", 30),
    ("C1", [("cadre.job_changed.v1", {"person_id": "{p}p-b1-cm", "change": "post_change", "effective_date": NOW.date().isoformat()})], "p-b1-cm", "p-b1-sec", 15),
    ("C2", [("cadre.promoted.v1", {"person_id": "{p}p-town-cm", "kind": "promotion", "effective_date": NOW.date().isoformat()})], "p-town-cm", "p-town-sec", 15),
    ("C3", [("discipline.adverse_report_received.v1", {"person_id": "{p}p-b1-cm", "case_ref": "c3"})], "p-b1-cm", "p-b1-sec", 7),
    ("C4", [observation("{p}p-b2-cm", "ineffective_performance")], "p-b2-cm", "p-b2-sec", 15),
    ("C5 committee member", [("discipline.action_recorded.v1", {"person_id": "{p}p-b1-cm", "case_ref": "c4", "action": "sanction", "sanction": "warning"})], "p-b1-cm", "p-b1-sec", 7),
    ("C5 branch secretary", [("discipline.action_recorded.v1", {"person_id": "{p}p-b1-sec", "case_ref": "c5", "action": "organizational_handling"})], "p-b1-sec", "p-town-sec", 7),
    ("C6", [("welfare.hardship_reported.v1", {"person_id": "{p}p-b2-cm", "kind": "health"})], "p-b2-cm", "p-b2-sec", 7),
    ("C7", [observation("{p}p-town-cm", "low_spirit")], "p-town-cm", "p-town-sec", 15),
    ("REQ", [("talk.requested.v1", {"request_id": "r1", "person_id": "{p}p-b1-m1", "leader_id": "{p}p-town-sec"})], "p-b1-m1", "p-town-sec", 7),
]


def _fill(value, ids: str):
    if isinstance(value, str):
        return value.replace("{p}", ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


@pytest.mark.parametrize("events, subject, responsible, due_days", [r[1:] for r in RULES], ids=[r[0] for r in RULES])
async def test_rule(city, events, subject, responsible, due_days):
    rule_id = next(r[0] for r in RULES if r[1] is events).split()[0]
    await city.given(*[(t, _fill(data, city.ids)) for t, data in events])
    [ob] = await city.obligations()
    assert (ob["rule_id"], ob["subject_id"], ob["responsible_id"]) == (rule_id, city.p(subject), city.p(responsible))
    assert ob["due_date"] == NOW.date() + timedelta(days=due_days)
    assert ob["status"] == "open"
    assert await city.published(subject) == ["obligation.opened.v1"]


async def test_c8_one_obligation_per_party(city):
    await city.given(observation(city.p("p-b1-cm"), "conflict", counterpart_ids=[city.p("p-b1-sec")]))
    found = {(o["subject_id"], o["rule_id"], o["responsible_id"]) for o in await city.obligations()}
    assert found == {(city.p("p-b1-cm"), "C8", city.p("p-b1-sec")), (city.p("p-b1-sec"), "C8", city.p("p-town-sec"))}


async def test_two_absences_then_a_presence_trigger_nothing(city):
    att = lambda present, m: ("conduct.attendance_recorded.v1", {"person_id": city.p("p-b1-m1"), "org_id": city.p("branch-1"), "meeting_date": f"2026-0{m}-01", "present": present})  # noqa: E731
    await city.given(att(False, 1), att(False, 2), att(True, 3), att(False, 4))
    assert await city.obligations() == []


async def test_a_retraction_cancels_what_the_case_opened(city):
    await city.given(("discipline.action_recorded.v1", {"person_id": city.p("p-b1-m1"), "case_ref": "JJ-7", "action": "sanction", "sanction": "warning"}))
    await city.given(("discipline.action_retracted.v1", {"case_ref": "JJ-7"}))
    [ob] = await city.obligations()
    assert ob["status"] == "cancelled"
    assert await city.published("p-b1-m1") == ["obligation.opened.v1", "obligation.cancelled.v1"]


async def test_leaving_the_party_cancels_open_obligations(city):
    await city.given(("honours.commendation_awarded.v1", {"person_id": city.p("p-b1-m2"), "title": "t"}))
    await city.given(("member.left.v1", {"person_id": city.p("p-b1-m2"), "reason": "deceased"}))
    [ob] = await city.obligations()
    assert ob["status"] == "cancelled"


async def test_life_cycle_due_soon_overdue_escalated_each_published_once(city):
    await city.given(("discipline.action_recorded.v1", {"person_id": city.p("p-b1-m1"), "case_ref": "c", "action": "criticism"}))
    [ob] = await city.obligations()
    due = ob["due_date"]
    for day, status in [(due - timedelta(days=4), "open"), (due - timedelta(days=3), "due_soon"),
                        (due - timedelta(days=1), "due_soon"), (due, "overdue"), (due + timedelta(days=7), "escalated"),
                        (due + timedelta(days=30), "escalated")]:  # fmt: skip
        await city.tick(day)
        [ob] = await city.obligations()
        assert ob["status"] == status, day
    assert ob["escalated_to_id"] == city.p("p-town-sec")  # the branch's parent's secretary
    assert await city.published("p-b1-m1") == [
        "obligation.opened.v1", "obligation.due_soon.v1", "obligation.overdue.v1", "obligation.escalated.v1"
    ]  # fmt: skip


async def test_an_old_sanction_reported_late_is_already_overdue_and_escalated(city):
    old = NOW - timedelta(days=30)
    await city.given(event("discipline.action_recorded.v1", {"person_id": city.p("p-b2-m1"), "case_ref": "old", "action": "sanction", "sanction": "warning"}, at=old))
    [ob] = await city.obligations()
    assert (ob["status"], ob["escalated_to_id"]) == ("escalated", city.p("p-town-sec"))
    assert ob["due_date"] == old.date() + timedelta(days=7)


async def test_a_secretary_hand_over_reassigns_open_obligations(city):
    await city.given(("discipline.action_recorded.v1", {"person_id": city.p("p-b1-m1"), "case_ref": "c", "action": "criticism"}))
    [before] = await city.obligations()
    await city.given(("role.assigned.v1", {"org_id": city.p("branch-1"), "person_id": city.p("p-b1-cm"), "role": "secretary"}))
    [after] = await city.obligations()
    assert (after["responsible_id"], after["status"]) == (city.p("p-b1-cm"), "reassigned")
    assert after["due_date"] == before["due_date"]
    assert await city.published("p-b1-m1") == ["obligation.opened.v1", "obligation.reassigned.v1"]


async def test_a_vacant_seat_moves_responsibility_up_and_back(city):
    await city.given(("role.ended.v1", {"org_id": city.p("branch-2"), "person_id": city.p("p-b2-sec"), "role": "secretary"}))
    await city.given(("welfare.hardship_reported.v1", {"person_id": city.p("p-b2-m2"), "kind": "work"}))
    [ob] = await city.obligations()
    assert ob["responsible_id"] == city.p("p-town-sec")


async def test_a_transfer_takes_open_obligations_to_the_new_secretary(city):
    await city.given(("welfare.hardship_reported.v1", {"person_id": city.p("p-b1-m3"), "kind": "work"}))
    await city.given(("member.transferred.v1", {"person_id": city.p("p-b1-m3"), "from_org_id": city.p("branch-1"), "to_org_id": city.p("branch-2")}))
    [ob] = await city.obligations()
    assert (ob["responsible_id"], ob["org_id"], ob["status"]) == (city.p("p-b2-sec"), city.p("branch-2"), "reassigned")


async def test_a_talk_read_before_its_trigger_still_fulfils_it(city):
    held = NOW + timedelta(hours=1)
    talk = event("talk.recorded.v1", {
        "talk_id": city.p("t"), "held_at": held.isoformat(), "mode": "one_to_one", "kind": "must_talk",
        "talker_ids": [city.p("p-b1-sec")], "talkee_ids": [city.p("p-b1-m1")], "rule_ids": ["M4"]})  # fmt: skip
    await city.given(talk)  # the talks topic was read first
    await city.given(("discipline.action_recorded.v1", {"person_id": city.p("p-b1-m1"), "case_ref": "c", "action": "criticism"}))
    [ob] = await city.obligations()
    assert (ob["status"], ob["fulfilled_by"]) == ("fulfilled", city.p("t"))


async def test_a_vacant_seat_is_reported_once_to_the_parent_secretary(city):
    await city.given(("role.ended.v1", {"org_id": city.p("branch-2"), "person_id": city.p("p-b2-sec"), "role": "secretary"}))
    await city.given(("welfare.hardship_reported.v1", {"person_id": city.p("p-b2-m1"), "kind": "work"}))
    await city.given(("welfare.hardship_reported.v1", {"person_id": city.p("p-b2-m2"), "kind": "work"}))
    async with city.sessions() as session:
        rows = (await session.execute(select(orm.outbox.c.payload).where(orm.outbox.c.event_type == "secretary.vacant.v1", orm.outbox.c.key == city.p("branch-2")))).all()
    assert len(rows) == 1
    vacant = json.loads(rows[0].payload)["data"]
    assert (vacant["parent_org_id"], vacant["parent_secretary_id"]) == (city.p("town"), city.p("p-town-sec"))


async def test_a_trigger_about_an_unknown_person_is_reported_after_the_limit_and_kept(city, sessions):
    stranger = city.p("nobody")
    await city.given(("welfare.hardship_reported.v1", {"person_id": stranger, "kind": "work"}))
    settings = ComplianceSettings()
    later = datetime.now(UTC) + timedelta(hours=25)
    assert await report_held_too_long(sessions, settings, timedelta(hours=24), later) >= 1
    assert await report_held_too_long(sessions, settings, timedelta(hours=24), later) == 0  # reported once
    async with sessions() as session:
        [dead] = (await session.execute(select(orm.outbox).where(orm.outbox.c.key == stranger))).all()
    assert dead.topic == "conduct.events.dlq" and "still unknown" in dead.headers["dlq-reason"]
    await city.given(("member.joined.v1", {"person_id": stranger, "name": "迟到者", "org_id": city.p("branch-1"), "status": "full"}))
    [ob] = await city.obligations("nobody")
    assert ob["rule_id"] == "M5"  # never lost: applied when the person arrived


def talk_event(city: City, talker: str, talkees: list[str], mode: str = "one_to_one") -> dict:
    return event("talk.recorded.v1", {
        "talk_id": city.p(f"t-{uuid.uuid4().hex[:6]}"), "held_at": NOW.isoformat(), "mode": mode, "kind": "regular",
        "talker_ids": [city.p(talker)], "talkee_ids": [city.p(t) for t in talkees]})  # fmt: skip


COVERAGE = [
    # (rule id, talks as (talker, talkees, mode), scope org, expected {subject(s): talks})
    ("COV-MEMBER by the secretary", [("p-b1-sec", ["p-b1-m1"], "one_to_one")], "branch-1", {"p-b1-m1": 1, "p-b1-m2": 0}),
    ("COV-MEMBER by a committee member", [("p-b1-cm", ["p-b1-m2"], "one_to_one")], "branch-1", {"p-b1-m2": 1}),
    ("COV-MEMBER not by an ordinary member", [("p-b1-m3", ["p-b1-m2"], "one_to_one")], "branch-1", {"p-b1-m2": 0}),
    ("COV-MEMBER not by a collective talk", [("p-b1-sec", ["p-b1-m1", "p-b1-m2"], "many_to_many")], "branch-1", {"p-b1-m1": 0}),
    ("COV-MEMBER one-to-many counts each talkee", [("p-b1-sec", ["p-b1-m1", "p-b1-m2"], "one_to_many")], "branch-1", {"p-b1-m1": 1, "p-b1-m2": 1}),
    ("COV-SECRETARY by the parent's secretary", [("p-town-sec", ["p-b1-sec"], "one_to_one")], "town", {"p-b1-sec": 1, "p-b2-sec": 0}),
    ("COV-SECRETARY by a parent committee member", [("p-town-cm", ["p-b2-sec"], "one_to_one")], "town", {"p-b2-sec": 1}),
    ("COV-COMMITTEE a pair of the branch", [("p-b2-sec", ["p-b2-cm"], "one_to_one")], "branch-2", {("p-b2-cm", "p-b2-sec"): 1}),
    ("COV-COMMITTEE either way round", [("p-b2-cm", ["p-b2-sec"], "one_to_one")], "branch-2", {("p-b2-cm", "p-b2-sec"): 1}),
]


@pytest.mark.parametrize("talks, scope, expected", [c[1:] for c in COVERAGE], ids=[c[0] for c in COVERAGE])
async def test_coverage_rule(city, talks, scope, expected):
    rule_id = next(c[0] for c in COVERAGE if c[1] is talks).split()[0]
    await city.given(*[talk_event(city, talker, talkees, mode) for talker, talkees, mode in talks])
    args = {"org_id": city.p(scope), "subtree": False, "year": NOW.year, "today": NOW.date()}
    async with city.sessions() as session:
        if rule_id == "COV-MEMBER":
            rows = {r["person_id"]: r["talks"] for r in await member_coverage_rows(session, person_id=None, **args)}
        elif rule_id == "COV-SECRETARY":
            rows = {r["person_id"]: r["talks"] for r in await secretary_coverage_rows(session, **args)}
        else:
            rows = {(r["person_id"], r["counterpart_id"]): r["talks"] for r in await committee_pair_rows(session, **args)}
    for subject, talks_count in expected.items():
        key = tuple(city.p(s) for s in subject) if isinstance(subject, tuple) else city.p(subject)
        assert rows[key] == talks_count, (subject, rows)


async def test_coverage_counted_in_the_database_equals_coverage_listed_person_by_person(city):
    """The dashboard's tree counts in SQL; the API lists people: both must tally alike."""
    for _, talks, _, _ in COVERAGE:
        await city.given(*[talk_event(city, talker, talkees, mode) for talker, talkees, mode in talks])
    policy = ComplianceSettings().policy()
    scope = {"org_id": city.p("county"), "subtree": True, "year": NOW.year, "today": NOW.date()}
    async with city.sessions() as session:
        listed = await coverage(session, policy, **scope)
        counted = await coverage_counted(session, policy, **scope)
        tops = await subtree_tops(session, city.p("town"))
    assert counted.by_org() == listed.by_org()
    assert counted.by_branch(tops) == listed.by_branch(tops) and set(counted.by_branch(tops)) == {city.p("branch-1"), city.p("branch-2")}
    assert counted.tallies() == listed.tallies()
    assert all(listed.tallies()[rule].covered > 0 for rule in ("COV-MEMBER", "COV-SECRETARY", "COV-COMMITTEE"))
