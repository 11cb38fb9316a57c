"""Every rule id against the real database: the events given, the obligation expected (SPEC §3).

The demo city: county (p-county-sec) → town (p-town-sec; p-town-cm committee member) →
branch-1 (p-b1-sec; p-b1-cm committee member; p-b1-m1..m3) and branch-2 (p-b2-sec; p-b2-cm deputy).
Each test has a projection of its own (a schema of its own), fed through the real consumer.
"""

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from compliance.adapters import orm
from compliance.adapters.dashboard_queries import subtree_tops
from compliance.adapters.held_triggers import report_held_too_long
from compliance.adapters.queries import CoverageQueries
from compliance.application.coverage_report import coverage, coverage_counted
from compliance.config import ComplianceSettings

from .pg_world import PgWorld

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.astimezone(ZoneInfo("Asia/Shanghai")).date()


def observation(person: str, kind: str, **extra) -> tuple[str, dict]:
    return "conduct.observation_recorded.v1", {"person_id": person, "kind": kind, **extra}


@pytest.fixture
async def city(integration_database_url):
    world = PgWorld(integration_database_url, NOW)
    await world.city(year=NOW.year)
    yield world
    await world.close()


RULES = [
    # (rule id, events as (type, data) with  for the ids prefix, subject, expected responsible, due days)
    ("M1", [observation("p-b1-m1", "vanguard_lacking")], "p-b1-m1", "p-b1-sec", 15),
    ("M2 observation", [observation("p-b1-m1", "weak_org_concept")], "p-b1-m1", "p-b1-sec", 15),
    ("M2 three absences", [("conduct.attendance_recorded.v1", {"person_id": "p-b1-m2", "org_id": "branch-1", "meeting_date": f"2026-0{i}-01", "present": False}) for i in (1, 2, 3)], "p-b1-m2", "p-b1-sec", 15),
    ("M3 arrears", [("dues.arrears_recorded.v1", {"person_id": "p-b1-m1", "months": 4})], "p-b1-m1", "p-b1-sec", 15),
    ("M3 appraisal", [("appraisal.rated.v1", {"person_id": "p-b1-m1", "year": 2026, "rating": "unqualified"})], "p-b1-m1", "p-b1-sec", 15),
    ("M3 observation", [observation("p-b2-m1", "gambling")], "p-b2-m1", "p-b2-sec", 15),
    ("M4 discipline", [("discipline.action_recorded.v1", {"person_id": "p-b1-m1", "case_ref": "c1", "action": "criticism"})], "p-b1-m1", "p-b1-sec", 7),
    ("M4 adverse report", [("discipline.adverse_report_received.v1", {"person_id": "p-b1-m1", "case_ref": "c2"})], "p-b1-m1", "p-b1-sec", 7),
    ("M5", [("welfare.hardship_reported.v1", {"person_id": "p-b1-m3", "kind": "life"})], "p-b1-m3", "p-b1-sec", 7),
    ("M6", [("honours.commendation_awarded.v1", {"person_id": "p-b1-m3", "title": "优秀共产党员"})], "p-b1-m3", "p-b1-sec", 30),
    ("C1", [("cadre.job_changed.v1", {"person_id": "p-b1-cm", "change": "post_change", "effective_date": TODAY.isoformat()})], "p-b1-cm", "p-b1-sec", 15),
    ("C2", [("cadre.promoted.v1", {"person_id": "p-town-cm", "kind": "promotion", "effective_date": TODAY.isoformat()})], "p-town-cm", "p-town-sec", 15),
    ("C3", [("discipline.adverse_report_received.v1", {"person_id": "p-b1-cm", "case_ref": "c3"})], "p-b1-cm", "p-b1-sec", 7),
    ("C4", [observation("p-b2-cm", "ineffective_performance")], "p-b2-cm", "p-b2-sec", 15),
    ("C5 committee member", [("discipline.action_recorded.v1", {"person_id": "p-b1-cm", "case_ref": "c4", "action": "sanction", "sanction": "warning"})], "p-b1-cm", "p-b1-sec", 7),
    ("C5 branch secretary", [("discipline.action_recorded.v1", {"person_id": "p-b1-sec", "case_ref": "c5", "action": "organizational_handling"})], "p-b1-sec", "p-town-sec", 7),
    ("C6", [("welfare.hardship_reported.v1", {"person_id": "p-b2-cm", "kind": "health"})], "p-b2-cm", "p-b2-sec", 7),
    ("C7", [observation("p-town-cm", "low_spirit")], "p-town-cm", "p-town-sec", 15),
    ("REQ", [("talk.requested.v1", {"request_id": "r1", "person_id": "p-b1-m1", "leader_id": "p-town-sec"})], "p-b1-m1", "p-town-sec", 7),
]


@pytest.mark.parametrize("events, subject, responsible, due_days", [r[1:] for r in RULES], ids=[r[0] for r in RULES])
async def test_rule(city, events, subject, responsible, due_days):
    rule_id = next(r[0] for r in RULES if r[1] is events).split()[0]
    await city.given(*events)
    [ob] = city.obligations()
    assert (ob.rule_id, ob.subject_id, ob.responsible_id) == (rule_id, subject, responsible)
    assert ob.due_date == city.today + timedelta(days=due_days)
    assert ob.status == "open"
    assert city.published(subject) == ["obligation.opened.v1"]


async def test_C8_one_obligation_per_party(city):
    await city.given(observation("p-b1-cm", "conflict", counterpart_ids=["p-b1-sec"]))
    found = {(o.subject_id, o.rule_id, o.responsible_id) for o in city.obligations()}
    assert found == {("p-b1-cm", "C8", "p-b1-sec"), ("p-b1-sec", "C8", "p-town-sec")}


async def test_M2_two_absences_then_a_presence_trigger_nothing(city):
    att = lambda present, m: ("conduct.attendance_recorded.v1", {"person_id": "p-b1-m1", "org_id": "branch-1", "meeting_date": f"2026-0{m}-01", "present": present})  # noqa: E731
    await city.given(att(False, 1), att(False, 2), att(True, 3), att(False, 4))
    assert city.obligations() == []


async def test_M4_a_retraction_cancels_what_the_case_opened(city):
    await city.given(("discipline.action_recorded.v1", {"person_id": "p-b1-m1", "case_ref": "JJ-7", "action": "sanction", "sanction": "warning"}))
    await city.given(("discipline.action_retracted.v1", {"person_id": "p-b1-m1", "case_ref": "JJ-7"}, NOW + timedelta(minutes=1)))
    [ob] = city.obligations()
    assert (ob.status, ob.reason) == ("cancelled", "retracted")
    assert city.published("p-b1-m1") == ["obligation.opened.v1", "obligation.cancelled.v1"]


async def test_M6_leaving_the_party_cancels_open_obligations(city):
    await city.given(("honours.commendation_awarded.v1", {"person_id": "p-b1-m2", "title": "t"}))
    await city.given(("member.left.v1", {"person_id": "p-b1-m2", "reason": "deceased"}, NOW + timedelta(days=1)))
    [ob] = city.obligations()
    assert (ob.status, ob.reason) == ("cancelled", "left:deceased")


async def test_M4_life_cycle_due_soon_overdue_escalated_each_published_once(city):
    await city.given(("discipline.action_recorded.v1", {"person_id": "p-b1-m1", "case_ref": "c", "action": "criticism"}))
    due = city.one("p-b1-m1").due_date
    for day, status in [(due - timedelta(days=4), "open"), (due - timedelta(days=3), "due_soon"), (due, "due_soon"),
                        (due + timedelta(days=1), "overdue"), (due + timedelta(days=7), "escalated"),
                        (due + timedelta(days=30), "escalated")]:  # fmt: skip
        await city.tick(day)
        assert city.one("p-b1-m1").status == status, day
    assert city.one("p-b1-m1").escalated_to_id == "p-town-sec"  # the branch's parent's secretary
    assert city.published("p-b1-m1") == [
        "obligation.opened.v1", "obligation.due_soon.v1", "obligation.overdue.v1", "obligation.escalated.v1"
    ]  # fmt: skip


async def test_M4_an_old_sanction_reported_late_is_already_escalated(city):
    old = NOW - timedelta(days=30)
    await city.given(("discipline.action_recorded.v1", {"person_id": "p-b2-m1", "case_ref": "old", "action": "sanction", "sanction": "warning"}, old))
    ob = city.one("p-b2-m1")
    assert (ob.status, ob.escalated_to_id) == ("escalated", "p-town-sec")
    assert ob.due_date == old.astimezone(city.policy.zone).date() + timedelta(days=7)


async def test_M4_a_secretary_hand_over_reassigns_open_obligations(city):
    await city.given(("discipline.action_recorded.v1", {"person_id": "p-b1-m1", "case_ref": "c", "action": "criticism"}))
    before = city.one("p-b1-m1")
    later = NOW + timedelta(hours=1)
    await city.given(("role.ended.v1", {"org_id": "branch-1", "person_id": "p-b1-sec", "role": "secretary"}, later),
                     ("role.assigned.v1", {"org_id": "branch-1", "person_id": "p-b1-cm", "role": "secretary"}, later))  # fmt: skip
    after = city.one("p-b1-m1")
    assert (after.responsible_id, after.status, after.due_date) == ("p-b1-cm", "open", before.due_date)
    assert city.published("p-b1-m1") == ["obligation.opened.v1", "obligation.reassigned.v1"]
    assert city.published_data("secretary.vacant.v1") == []  # a hand-over in one batch: no vacancy in between


async def test_M5_a_vacant_seat_moves_responsibility_up_and_is_reported_once(city):
    await city.given(("role.ended.v1", {"org_id": "branch-2", "person_id": "p-b2-sec", "role": "secretary"}))
    await city.given(("welfare.hardship_reported.v1", {"person_id": "p-b2-m1", "kind": "work"}))
    await city.given(("welfare.hardship_reported.v1", {"person_id": "p-b2-m2", "kind": "work"}))
    assert city.one("p-b2-m2").responsible_id == "p-town-sec"
    [vacant] = city.published_data("secretary.vacant.v1")
    assert (vacant["org_id"], vacant["parent_org_id"], vacant["parent_secretary_id"]) == ("branch-2", "town", "p-town-sec")


async def test_M5_a_transfer_takes_open_obligations_to_the_new_secretary(city):
    await city.given(("welfare.hardship_reported.v1", {"person_id": "p-b1-m3", "kind": "work"}))
    await city.given(("member.transferred.v1", {"person_id": "p-b1-m3", "from_org_id": "branch-1", "to_org_id": "branch-2"}, NOW + timedelta(hours=1)))
    ob = city.one("p-b1-m3")
    assert (ob.responsible_id, ob.org_id, ob.status) == ("p-b2-sec", "branch-2", "open")
    assert city.published("p-b1-m3")[-1] == "obligation.reassigned.v1"


async def test_M4_a_talk_read_before_its_trigger_still_fulfils_it(city):
    held = NOW + timedelta(hours=1)
    talk = ("talk.recorded.v1", {"talk_id": "t", "held_at": held.isoformat(), "mode": "one_to_one", "kind": "must_talk",
            "talker_ids": ["p-b1-sec"], "talkee_ids": ["p-b1-m1"], "rule_ids": ["M4"]}, held)  # fmt: skip
    await city.given(talk)  # the talks topic was read first
    await city.given(("discipline.action_recorded.v1", {"person_id": "p-b1-m1", "case_ref": "c", "action": "criticism"}))
    assert (city.one("p-b1-m1").status, city.one("p-b1-m1").fulfilled_by) == ("fulfilled", "t")


async def test_M5_a_trigger_about_an_unknown_person_is_reported_after_the_limit_and_kept(city):
    await city.given(("welfare.hardship_reported.v1", {"person_id": "nobody", "kind": "work"}))
    settings = ComplianceSettings()
    later = datetime.now(UTC) + timedelta(hours=25)
    assert await report_held_too_long(city.sessions, settings, timedelta(hours=24), later) == 1
    assert await report_held_too_long(city.sessions, settings, timedelta(hours=24), later) == 0  # reported once
    async with city.sessions() as session:
        [dead] = (await session.execute(select(orm.outbox).where(orm.outbox.c.key == "nobody"))).all()
    assert dead.topic == "conduct.events.dlq" and "still unknown" in dead.headers["dlq-reason"]
    await city.given(("member.joined.v1", {"person_id": "nobody", "name": "迟到者", "org_id": "branch-1", "status": "full"}, NOW + timedelta(hours=1)))
    assert city.one("nobody").rule_id == "M5"  # never lost: applied when the person arrived


def talk_event(talker: str, talkees: list[str], mode: str = "one_to_one") -> tuple:
    return ("talk.recorded.v1", {"talk_id": f"t-{uuid.uuid4().hex[:6]}", "held_at": NOW.isoformat(), "mode": mode, "kind": "regular",
            "talker_ids": [talker], "talkee_ids": talkees})  # fmt: skip


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
    await city.given(*[talk_event(talker, talkees, mode) for talker, talkees, mode in talks])
    args = {"org_id": scope, "subtree": False, "year": TODAY.year, "today": TODAY}
    async with city.sessions() as session:
        reader = CoverageQueries(session, "Asia/Shanghai")
        if rule_id == "COV-MEMBER":
            rows = {r["person_id"]: r["talks"] for r in await reader.member_rows(person_id=None, **args)}
        elif rule_id == "COV-SECRETARY":
            rows = {r["person_id"]: r["talks"] for r in await reader.secretary_rows(**args)}
        else:
            rows = {(r["person_id"], r["counterpart_id"]): r["talks"] for r in await reader.pair_rows(**args)}
    for subject, talks_count in expected.items():
        assert rows[subject] == talks_count, (subject, rows)


async def test_COV_MEMBER_counted_in_the_database_equals_coverage_listed_person_by_person(city):
    """The dashboard's tree counts in SQL; the API lists people: both must tally alike."""
    for _, talks, _, _ in COVERAGE:
        await city.given(*[talk_event(talker, talkees, mode) for talker, talkees, mode in talks])
    june = date(TODAY.year, 6, 1)  # in June, those not covered are at risk only in town, whose meeting comes within 60 days
    await city.given(("meeting.scheduled.v1", {"meeting_id": "mt-june", "org_id": "town", "date": (june + timedelta(days=19)).isoformat(), "kind": "mid_year"}))
    policy = ComplianceSettings().policy()
    for today in (TODAY, june):
        scope = {"org_id": "county", "subtree": True, "year": TODAY.year, "today": today}
        async with city.sessions() as session:
            reader = CoverageQueries(session, policy.time_zone)
            listed = await coverage(reader, policy, **scope)
            counted = await coverage_counted(reader, policy, **scope)
            tops = await subtree_tops(session, "town")
        assert counted.by_org() == listed.by_org()
        assert counted.by_branch(tops) == listed.by_branch(tops) and set(counted.by_branch(tops)) == {"branch-1", "branch-2"}
        assert counted.tallies() == listed.tallies()
        assert all(listed.tallies()[rule].covered > 0 for rule in ("COV-MEMBER", "COV-SECRETARY", "COV-COMMITTEE"))
        if today == june:  # both states not covered met, so that telling them apart is compared too
            states = {state for rules in listed.by_org().values() for tally in rules.values() for state in ("pending", "at_risk") if getattr(tally, state)}
            assert states == {"pending", "at_risk"}, listed.by_org()


async def test_COV_MEMBER_who_counts_where_this_year_and_in_a_closed_year(city):
    """SPEC §3.1 (v2): today's members in today's organisation for the current year; for a past year
    the organisation of their last day in it, leavers included; a rejoined member counts again."""
    year = TODAY.year
    last_year_end = datetime(year - 1, 12, 31, 12, tzinfo=UTC)
    await city.given(
        ("member.joined.v1", {"person_id": "old", "name": "老党员", "org_id": "branch-1", "status": "full"}, datetime(year - 1, 3, 1, tzinfo=UTC)),
        ("member.transferred.v1", {"person_id": "old", "from_org_id": "branch-1", "to_org_id": "branch-2"}, datetime(year - 1, 6, 1, tzinfo=UTC)),
        ("member.left.v1", {"person_id": "old", "reason": "withdrew"}, datetime(year - 1, 9, 1, tzinfo=UTC)),
        ("member.joined.v1", {"person_id": "old", "name": "老党员", "org_id": "branch-1", "status": "full"}, last_year_end + timedelta(days=10)),
        ("member.left.v1", {"person_id": "p-b1-m3", "reason": "deceased"}, NOW - timedelta(minutes=1)),
    )  # fmt: skip
    async with city.sessions() as session:
        reader = CoverageQueries(session, "Asia/Shanghai")
        now_rows = {r["person_id"]: r["org_id"] for r in await reader.member_rows(org_id=None, subtree=False, person_id=None, year=year, today=TODAY)}
        past_rows = {r["person_id"]: r["org_id"] for r in await reader.member_rows(org_id=None, subtree=False, person_id=None, year=year - 1, today=TODAY)}
    assert now_rows["old"] == "branch-1" and "p-b1-m3" not in now_rows
    assert past_rows["old"] == "branch-2"  # the day before leaving, in the organisation of that day


async def test_COV_MEMBER_COV_SECRETARY_COV_COMMITTEE_reminders_14_and_3_days_before_a_meeting(city):
    """SPEC §3.6: the organisation's secretary hears what coverage is missing before the meeting."""
    from compliance.adapters.meetings import meetings
    from compliance.application.meetings import remind

    meeting_day = TODAY + timedelta(days=20)
    await city.given(("meeting.scheduled.v1", {"meeting_id": "mt", "org_id": "town", "date": meeting_day.isoformat(), "kind": "mid_year"}),
                     talk_event("p-town-sec", ["p-b1-sec"]))  # fmt: skip
    found = meetings(city.sessions, city.settings)
    assert await remind(found, city.policy, meeting_day - timedelta(days=15)) == 0  # not yet
    assert await remind(found, city.policy, meeting_day - timedelta(days=14)) == 1
    assert await remind(found, city.policy, meeting_day - timedelta(days=13)) == 0  # once
    assert await remind(found, city.policy, meeting_day - timedelta(days=3)) == 1
    await city.given()
    reminders = city.published_data("meeting.approaching.v1")
    assert [(r["days_before"], r["secretary_id"]) for r in reminders] == [(14, "p-town-sec"), (3, "p-town-sec")]
    # town: its own member p-town-cm uncovered (p-town-sec is its secretary: its committee pair too);
    # of the subordinate secretaries, p-b1-sec was talked with, p-b2-sec not
    assert (reminders[0]["uncovered_members"], reminders[0]["uncovered_secretaries"], reminders[0]["uncovered_pairs"]) == (2, 1, 1)
