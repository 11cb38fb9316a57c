"""SPEC v2, rule by rule, on the in-memory projection (the same decisions the service runs on
PostgreSQL; tests/integration/test_rules.py runs the rule table there). Each test is named by the
rule it is about and describes a case the v1 projection got wrong.

The demo city: county (p-county-sec) → town (p-town-sec; p-town-cm) → branch-1 (p-b1-sec; p-b1-cm;
p-b1-m1..m3) and branch-2 (p-b2-sec; p-b2-cm deputy; p-b2-m1, m2). Beijing is UTC+8.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from compliance.application.waivers import WaiverRefused
from talk_contracts import EventRejected, parse_event
from tests.compliance_world import MemoryWorld, event, sanction, talk

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 on 2 March in Beijing


@pytest.fixture
def world_at():
    """A projection at a moment: in memory here; tests/integration/test_rules_v2_postgres.py runs
    these very tests on PostgreSQL by handing out its own."""
    return MemoryWorld


@pytest.fixture
async def world(world_at) -> MemoryWorld:
    return await world_at(NOW).city()


def role(kind: str, org: str, person: str, role_name: str, at: datetime = NOW) -> tuple:
    return (f"role.{kind}.v1", {"org_id": org, "person_id": person, "role": role_name}, at)


def left(person: str, reason: str, at: datetime = NOW) -> tuple:
    return ("member.left.v1", {"person_id": person, "reason": reason}, at)


# §2 today's holders ---------------------------------------------------------------------------
async def test_M4_reported_late_falls_on_todays_secretary_not_on_nobody(world_at):
    w = await world_at(NOW).city(at=NOW - timedelta(hours=1))  # the city was loaded today
    await w.given(sanction("p-b2-m1", at=NOW - timedelta(days=30)))  # dated 30 days ago
    ob = w.one("p-b2-m1")
    assert (ob.rule_id, ob.responsible_kind, ob.responsible_id) == ("M4", "person", "p-b2-sec")
    assert (ob.status, ob.escalated_to_id) == ("escalated", "p-town-sec")
    assert ob.due_date == (NOW - timedelta(days=30)).astimezone(w.policy.zone).date() + timedelta(days=7)


@pytest.mark.parametrize("promotion_first", [False, True])
async def test_C2_effective_today_after_the_roles_were_loaded_goes_to_the_parent_secretary_in_any_order(world_at, promotion_first):
    loaded = datetime(2026, 3, 2, 7, 47, tzinfo=UTC)
    w = world_at(loaded + timedelta(hours=1))
    promotion = event("cadre.promoted.v1", {"person_id": "p-b1-sec", "kind": "promotion", "effective_date": "2026-03-02"}, loaded)
    if promotion_first:
        await w.given(promotion)
    await w.city(at=loaded)
    if not promotion_first:
        await w.given(promotion)
    ob = w.one("p-b1-sec")
    assert (ob.rule_id, ob.responsible_id, ob.due_date, ob.status) == ("C2", "p-town-sec", date(2026, 3, 17), "open")


async def test_C5_a_person_with_seats_at_two_levels_answers_by_the_higher(world):
    await world.given(role("assigned", "town", "p-b1-cm", "committee_member"))
    await world.given(sanction("p-b1-cm"))
    assert (world.one("p-b1-cm").rule_id, world.one("p-b1-cm").responsible_id) == ("C5", "p-town-sec")


async def test_C5_the_root_secretarys_obligation_is_the_operators_and_a_root_committee_member_fulfils_it(world):
    await world.given(sanction("p-county-sec"))
    ob = world.one("p-county-sec")
    assert (ob.responsible_kind, ob.responsible_id, ob.responsible_org_id) == ("operators", None, "county")
    assert world.published("p-county-sec") == ["obligation.opened.v1"]
    await world.given(role("assigned", "county", "p-town-sec", "committee_member"), talk("t-root", NOW + timedelta(days=1), ["p-town-sec"], ["p-county-sec"]))
    assert (world.one("p-county-sec").status, world.one("p-county-sec").fulfilled_by) == ("fulfilled", "t-root")


async def test_C5_operators_may_waive_their_obligation_with_a_reason_and_only_theirs(world):
    await world.given(sanction("p-county-sec"), sanction("p-b1-m1", case_ref="JJ-9"))
    with pytest.raises(WaiverRefused, match="not the operators"):
        await world.waive(world.one("p-b1-m1").obligation_id, "no", NOW)
    waived = await world.waive(world.one("p-county-sec").obligation_id, "谈话已由市委组织部安排", NOW + timedelta(hours=2))
    assert (waived.status, waived.reason) == ("waived", "谈话已由市委组织部安排")
    assert world.published("p-county-sec")[-1] == "obligation.waived.v1"


async def test_M4_escalates_to_the_nearest_filled_seat_above_and_follows_seat_changes(world):
    await world.given(role("ended", "town", "p-town-sec", "secretary"), sanction("p-b1-m1", at=NOW - timedelta(days=20)))
    assert world.one("p-b1-m1").escalated_to_id == "p-county-sec"  # the town's seat is vacant: one more level up
    await world.given(role("assigned", "town", "p-town-cm", "secretary"))
    assert world.one("p-b1-m1").escalated_to_id == "p-town-cm"
    assert world.published("p-b1-m1")[-1] == "obligation.escalated.v1"


# §3.1 membership over time ----------------------------------------------------------------------
async def test_COV_MEMBER_a_member_who_left_and_joined_again_is_a_member_again(world):
    joined = ("member.joined.v1", {"person_id": "p-b1-m1", "name": "李明", "org_id": "branch-2", "status": "full"}, NOW + timedelta(days=30))
    await world.given(left("p-b1-m1", "withdrew"), joined)
    await world.given(sanction("p-b1-m1", at=NOW + timedelta(days=40)))
    ob = world.one("p-b1-m1")
    assert (ob.status, ob.responsible_id, ob.org_id) == ("open", "p-b2-sec", "branch-2")
    await world.given(talk("t-back", NOW + timedelta(days=41), ["p-b2-sec"], ["p-b1-m1"]))
    assert world.credits("p-b1-m1") == [("COV-MEMBER", "p-b1-m1", "p-b2-sec", "branch-2", 2026)]
    assert world.one("p-b1-m1").status == "fulfilled"


async def test_COV_MEMBER_a_talk_counts_where_the_member_was_when_it_was_held(world):
    transfer = ("member.transferred.v1", {"person_id": "p-b1-m1", "from_org_id": "branch-1", "to_org_id": "branch-2"}, NOW + timedelta(days=3))
    await world.given(transfer)  # read before the talk held in branch-1 days earlier
    await world.given(talk("t-may", NOW, ["p-b1-sec"], ["p-b1-m1"]))
    assert world.credits("p-b1-m1") == [("COV-MEMBER", "p-b1-m1", "p-b1-sec", "branch-1", 2026)]


# §3.5 leaving --------------------------------------------------------------------------------------
async def test_M4_a_secretary_who_dies_leaves_the_seat_vacant_and_obligations_move_up(world):
    await world.given(sanction("p-b1-m1"), sanction("p-b1-sec", case_ref="JJ-5"))
    later = NOW + timedelta(days=1)
    await world.given(left("p-b1-sec", "deceased", later), role("ended", "branch-1", "p-b1-sec", "secretary", later))
    member = world.one("p-b1-m1")
    assert (member.responsible_id, member.status) == ("p-town-sec", "open")
    assert world.published("p-b1-m1")[-1] == "obligation.reassigned.v1"
    assert (world.one("p-b1-sec").status, world.one("p-b1-sec").reason) == ("cancelled", "left:deceased")
    vacant = world.published_data("secretary.vacant.v1")
    assert [(v["org_id"], v["parent_secretary_id"]) for v in vacant] == [("branch-1", "p-town-sec")]


@pytest.mark.parametrize("left_first", [False, True])
async def test_M4_an_expulsion_ends_membership_and_opens_nothing(world, left_first):
    expelled = [sanction("p-b1-m2", sanction="expulsion"), left("p-b1-m2", "expelled")]
    await world.given(*(reversed(expelled) if left_first else expelled))
    ob = world.one("p-b1-m2")
    assert (ob.status, ob.reason) == ("cancelled", "not_member")
    assert world.published("p-b1-m2") in ([], ["obligation.opened.v1", "obligation.cancelled.v1"])  # alerts may differ with order


# calendar ---------------------------------------------------------------------------------------
async def test_M4_is_due_seven_days_after_its_date_in_beijing(world):
    await world.given(sanction("p-b1-m1", at=datetime(2026, 3, 1, 17, 30, tzinfo=UTC)))  # 01:30 on 2 March in Beijing
    ob = world.one("p-b1-m1")
    assert (ob.trigger_date, ob.due_date) == (date(2026, 3, 2), date(2026, 3, 9))


async def test_COV_MEMBER_a_talk_at_one_in_the_morning_of_new_year_in_beijing_counts_for_the_new_year(world):
    await world.given(talk("t-ny", datetime(2026, 12, 31, 17, 0, tzinfo=UTC), ["p-b1-sec"], ["p-b1-m3"]))
    assert world.credits("p-b1-m3") == [("COV-MEMBER", "p-b1-m3", "p-b1-sec", "branch-1", 2027)]


async def test_M4_is_overdue_the_day_after_its_due_date_and_a_talk_that_day_is_on_time(world):
    await world.given(sanction("p-b1-m1"))
    due = world.one("p-b1-m1").due_date
    await world.tick(due)
    assert world.one("p-b1-m1").status == "due_soon"
    await world.tick(due + timedelta(days=1))
    assert world.one("p-b1-m1").status == "overdue"
    late_evening = datetime.combine(due, datetime.min.time(), tzinfo=world.policy.zone) + timedelta(hours=23)
    await world.given(talk("t-due", late_evening.astimezone(UTC), ["p-b1-sec"], ["p-b1-m1"]))
    assert world.one("p-b1-m1").status == "fulfilled"


# order and reassignment ---------------------------------------------------------------------------
async def test_M4_a_talk_already_held_with_whoever_becomes_responsible_counts_after_the_hand_over(world):
    await world.given(sanction("p-b1-m1"), talk("t-cm", NOW + timedelta(hours=2), ["p-b1-cm"], ["p-b1-m1"]))
    assert world.one("p-b1-m1").status == "open"  # the committee member is not responsible (yet)
    later = NOW + timedelta(days=2)
    await world.given(role("ended", "branch-1", "p-b1-sec", "secretary", later), role("assigned", "branch-1", "p-b1-cm", "secretary", later))
    ob = world.one("p-b1-m1")
    assert (ob.status, ob.fulfilled_by, ob.responsible_id) == ("fulfilled", "t-cm", "p-b1-cm")


@pytest.mark.parametrize("v1", [False, True])
async def test_M4_a_retraction_read_before_its_action_still_cancels_it(world, v1):
    retraction = {"case_ref": "JJ-7"} if v1 else {"person_id": "p-b1-m1", "case_ref": "JJ-7"}
    await world.given(("discipline.action_retracted.v1", retraction, NOW + timedelta(hours=1)))
    await world.given(sanction("p-b1-m1", case_ref="JJ-7"))
    assert (world.one("p-b1-m1").status, world.one("p-b1-m1").reason) == ("cancelled", "retracted")


async def test_M4_a_retraction_after_the_talk_leaves_it_fulfilled(world):
    await world.given(sanction("p-b1-m1", case_ref="JJ-8"))
    await world.given(("discipline.action_retracted.v1", {"person_id": "p-b1-m1", "case_ref": "JJ-8"}, NOW + timedelta(days=2)))
    await world.given(talk("t-before", NOW + timedelta(days=1), ["p-b1-sec"], ["p-b1-m1"]))  # read last, held first
    assert world.one("p-b1-m1").status == "fulfilled"


# smaller -----------------------------------------------------------------------------------------------
async def test_M4_a_collective_talk_does_not_fulfil_but_two_talkers_with_one_member_do(world):
    await world.given(sanction("p-b2-m1"))
    await world.given(talk("t-group", NOW + timedelta(hours=1), ["p-b2-sec"], ["p-b2-m1", "p-b2-m2"], "one_to_many"))
    assert world.one("p-b2-m1").status == "open"
    await world.given(talk("t-two", NOW + timedelta(hours=2), ["p-b2-sec", "p-b2-cm"], ["p-b2-m1"], "one_to_many"))
    assert (world.one("p-b2-m1").status, world.one("p-b2-m1").fulfilled_by) == ("fulfilled", "t-two")


def test_REQ_a_member_cannot_ask_themselves():
    request = event("talk.requested.v1", {"request_id": "r", "person_id": "p-b1-m1", "leader_id": "p-b1-m1"}, NOW)
    with pytest.raises(EventRejected, match="cannot ask themselves"):
        parse_event(request)


async def test_REQ_falls_to_the_responsible_secretary_when_the_leader_leaves_the_seat(world):
    await world.given(("talk.requested.v1", {"request_id": "r1", "person_id": "p-b1-m1", "leader_id": "p-town-cm"}))
    assert world.one("p-b1-m1").responsible_id == "p-town-cm"
    await world.given(role("ended", "town", "p-town-cm", "committee_member", NOW + timedelta(days=1)))
    assert (world.one("p-b1-m1").rule_id, world.one("p-b1-m1").responsible_id) == ("REQ", "p-b1-sec")
    await world.given(talk("t-req", NOW + timedelta(days=2), ["p-b1-m1"], ["p-b1-sec"]))  # either way round
    assert world.one("p-b1-m1").status == "fulfilled"


async def test_C7_about_an_ordinary_member_is_refused_and_reported(world):
    await world.given(("conduct.observation_recorded.v1", {"person_id": "p-b1-m1", "kind": "low_spirit"}))
    ob = world.one("p-b1-m1")
    assert (ob.status, ob.reason) == ("cancelled", "not_committee")
    assert world.published("p-b1-m1") == []
    assert [(key, "C7" in reason) for key, reason in world.dead_letters()] == [("p-b1-m1", True)]


async def test_a_replay_reports_no_refused_trigger_again(world_at):
    """The live service dead-lettered it when it happened; a rebuild only decides the same."""
    replayed = await world_at(NOW, replaying=True).city()
    await replayed.given(("conduct.observation_recorded.v1", {"person_id": "p-b1-m1", "kind": "low_spirit"}))
    assert (replayed.one("p-b1-m1").status, replayed.one("p-b1-m1").reason) == ("cancelled", "not_committee")
    assert replayed.dead_letters() == []


async def test_C8_skips_and_reports_an_ordinary_counterpart(world):
    await world.given(("conduct.observation_recorded.v1", {"person_id": "p-b1-cm", "kind": "conflict", "counterpart_ids": ["p-b1-m2"]}))
    assert (world.one("p-b1-cm").rule_id, world.one("p-b1-cm").status) == ("C8", "open")
    assert world.one("p-b1-m2").status == "cancelled"
    assert [key for key, _ in world.dead_letters()] == ["p-b1-m2"]


async def test_M1_opens_the_M_rule_about_a_committee_member_too(world):
    await world.given(("conduct.observation_recorded.v1", {"person_id": "p-b1-cm", "kind": "vanguard_lacking"}))
    assert (world.one("p-b1-cm").rule_id, world.one("p-b1-cm").responsible_id) == ("M1", "p-b1-sec")


@pytest.mark.parametrize(
    "kind, rule", [("dues_underpaid", "M3"), ("absent_from_activities", "M3"), ("duties_unfulfilled", "M3"),
                   ("rule_violation", "M4"), ("emotional_fluctuation", "M5")],
)  # fmt: skip
async def test_M3_M4_M5_the_observations_v2_adds(world, kind, rule):
    await world.given(("conduct.observation_recorded.v1", {"person_id": "p-b1-m3", "kind": kind}))
    assert world.one("p-b1-m3").rule_id == rule


async def test_C5_a_late_correction_of_seats_changes_the_rule_and_keeps_id_and_due_date(world):
    await world.given(sanction("p-b1-m3"))
    before = world.one("p-b1-m3")
    await world.given(role("assigned", "branch-1", "p-b1-m3", "committee_member", NOW - timedelta(days=10)))
    after = world.one("p-b1-m3")
    assert (before.rule_id, after.rule_id) == ("M4", "C5")
    assert (after.obligation_id, after.due_date) == (before.obligation_id, before.due_date)
