"""Every obligation explains itself (issue 18): per rule family (M, C, REQ), the clause of the
notice, the triggering event, the search up the tree with its vacant seats, the due date, and a
history with a reassignment caused by the event that made it. In memory here;
tests/integration/test_explanations_postgres.py runs the same tests on PostgreSQL."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.compliance_world import MemoryWorld, event, sanction

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 on 2 March in Beijing
LATER = NOW + timedelta(days=1)


@pytest.fixture
def world_at():
    return MemoryWorld


def role(kind: str, org: str, person: str, role_name: str, at: datetime) -> dict:
    return event(f"role.{kind}.v1", {"org_id": org, "person_id": person, "role": role_name}, at)


def steps(walk) -> list[tuple]:
    return [(s.org_id, s.holder_id, s.outcome) for s in walk.steps]


def history(found) -> list[tuple]:
    return [(t.transition, t.responsible_kind, t.responsible_id, t.previous_responsible_id, t.cause.kind, t.cause.event_id) for t in found.history]


async def test_M4_explains_its_clause_trigger_due_date_and_the_vacant_seat_it_was_passed_up_through(world_at):
    w = await world_at(NOW).city()
    [reported] = await w.given(sanction("p-b1-m1"))
    ob = w.one("p-b1-m1")
    ended = role("ended", "branch-1", "p-b1-sec", "secretary", LATER)
    await w.given(ended)
    found = await w.explain(ob.obligation_id)

    assert (found.obligation.rule_id, found.clause.section, found.clause.name) == ("M4", "三、1.(4)", "违反规章制度")
    assert "纪律处分时必谈" in found.clause.quote
    assert (found.obligation.trigger_type, found.obligation.trigger_source) == ("discipline.action_recorded.v1", "urn:test")
    walk = found.responsibility
    assert (walk.start, walk.start_org_id, walk.at) == ("member", "branch-1", None)  # as of now: it is open
    assert steps(walk) == [("branch-1", None, "vacant"), ("town", "p-town-sec", "answers")]
    assert (walk.kind, walk.person_id, walk.org_id) == ("person", "p-town-sec", "town")
    assert history(found) == [
        ("opened", "person", "p-b1-sec", None, "event", reported["id"]),
        ("reassigned", "person", "p-town-sec", "p-b1-sec", "event", ended["id"]),
    ]
    assert found.history[0].cause.event_type == "discipline.action_recorded.v1"
    due = found.due
    assert (due.trigger_date, due.days, due.policy_days, due.due_date) == (date(2026, 3, 2), 7, 7, date(2026, 3, 9))
    assert (due.overdue_from, due.escalated_from, due.time_zone) == (date(2026, 3, 10), date(2026, 3, 16), "Asia/Shanghai")
    assert found.escalation is None
    assert {found.names["p-town-sec"], found.names["branch-1"]} <= set(found.names.values())

    # The daily tick moves it on; the escalation names who it went to and the seats passed by.
    await w.tick(date(2026, 3, 16))
    found = await w.explain(ob.obligation_id)
    assert [(t.transition, t.cause.kind) for t in found.history[2:]] == [("due_soon", "tick"), ("overdue", "tick"), ("escalated", "tick")]
    up = found.escalation
    assert (up.kind, up.person_id, up.org_id) == ("person", "p-county-sec", "county")
    assert steps(up) == [("county", "p-county-sec", "answers")]


async def test_C5_of_a_committee_member_starts_at_their_seat_and_of_a_secretary_one_level_up(world_at):
    w = await world_at(NOW).city()
    await w.given(sanction("p-b1-cm"), sanction("p-b1-sec", case_ref="JJ-2"))
    await w.given(role("ended", "branch-1", "p-b1-sec", "secretary", LATER))
    member = await w.explain(w.one("p-b1-cm").obligation_id)
    assert (member.obligation.rule_id, member.clause.section) == ("C5", "三、2.（5）")
    assert (member.responsibility.start, member.responsibility.start_org_id) == ("committee_member", "branch-1")
    assert steps(member.responsibility) == [("branch-1", None, "vacant"), ("town", "p-town-sec", "answers")]
    assert [(t.transition, t.responsible_id, t.previous_responsible_id) for t in member.history] == [
        ("opened", "p-b1-sec", None), ("reassigned", "p-town-sec", "p-b1-sec"),
    ]  # fmt: skip
    # The secretary who left the seat is still a member of branch-1, now with no seat: their own
    # branch's seat is read first (vacant), then the town's.
    secretary = await w.explain(w.one("p-b1-sec").obligation_id)
    assert secretary.obligation.rule_id == "C5"  # the rule is chosen by the seats on the trigger's date
    assert steps(secretary.responsibility) == [("branch-1", None, "vacant"), ("town", "p-town-sec", "answers")]


async def test_C5_at_the_root_falls_to_the_operators_after_the_seats_read(world_at):
    w = await world_at(NOW).city()
    await w.given(sanction("p-county-sec"))
    found = await w.explain(w.one("p-county-sec").obligation_id)
    walk = found.responsibility
    assert (walk.start, walk.start_org_id, walk.kind, walk.person_id, walk.org_id) == ("secretary", "county", "operators", None, "county")
    # Nothing above the root: the search stops at the subject's own seat, and the operators answer
    # (the root's committee may fulfil it).
    assert steps(walk) == [("county", "p-county-sec", "held_by_subject")]


async def test_REQ_explains_the_leader_asked_then_the_secretary_when_the_leader_left(world_at):
    w = await world_at(NOW).city()
    asked = event("talk.requested.v1", {"request_id": "r1", "person_id": "p-b1-m1", "leader_id": "p-town-cm"}, NOW)
    await w.given(asked)
    ob = w.one("p-b1-m1")
    found = await w.explain(ob.obligation_id)
    assert (found.clause.section, found.obligation.leader_id) == ("五、3", "p-town-cm")
    assert (found.responsibility.start, found.responsibility.person_id, found.responsibility.org_id) == ("leader_asked", "p-town-cm", "town")
    left_seat = role("ended", "town", "p-town-cm", "committee_member", LATER)
    vacated = role("ended", "branch-1", "p-b1-sec", "secretary", LATER + timedelta(hours=1))
    await w.given(left_seat)
    await w.given(vacated)
    found = await w.explain(ob.obligation_id)
    walk = found.responsibility
    assert (walk.start, walk.start_org_id) == ("leader_left", "branch-1")
    assert steps(walk) == [("branch-1", None, "vacant"), ("town", "p-town-sec", "answers")]
    assert history(found) == [
        ("opened", "person", "p-town-cm", None, "event", asked["id"]),
        ("reassigned", "person", "p-b1-sec", "p-town-cm", "event", left_seat["id"]),
        ("reassigned", "person", "p-town-sec", "p-b1-sec", "event", vacated["id"]),
    ]


async def test_a_fulfilled_obligation_names_its_talk_and_who_answered_when_it_closed(world_at):
    w = await world_at(NOW).city()
    await w.given(sanction("p-b2-m1"))
    held = NOW + timedelta(days=2)
    talked = event("talk.recorded.v1", {"talk_id": "t-1", "held_at": held.isoformat(), "mode": "one_to_one", "kind": "regular",
                                         "talker_ids": ["p-b2-sec"], "talkee_ids": ["p-b2-m1"]}, held)  # fmt: skip
    await w.given(talked)
    await w.given(role("ended", "branch-2", "p-b2-sec", "secretary", held + timedelta(days=1)))  # after it closed: no change
    found = await w.explain(w.one("p-b2-m1").obligation_id)
    assert [(t.transition, t.fulfilled_by, t.cause.event_id) for t in found.history][-1] == ("fulfilled", "t-1", talked["id"])
    assert found.responsibility.at == held  # who answered when it closed
    assert steps(found.responsibility) == [("branch-2", "p-b2-sec", "answers")]


def talked(talk_id: str, at: datetime, talkers: list[str], talkees: list[str], mode: str = "one_to_one") -> dict:
    return event("talk.recorded.v1", {"talk_id": talk_id, "held_at": at.isoformat(), "mode": mode, "kind": "regular",
                                      "talker_ids": talkers, "talkee_ids": talkees}, at)  # fmt: skip


async def test_coverage_explains_which_talks_counted_and_why_the_others_did_not(world_at):
    w = await world_at(NOW).city()
    await w.given(
        talked("t-counts", NOW, ["p-b1-sec"], ["p-b1-m1"]),
        talked("t-collective", NOW, ["p-b1-sec"], ["p-b1-m1", "p-b1-m2"], mode="many_to_many"),
        talked("t-outsider", NOW, ["p-b2-sec"], ["p-b1-m1"]),  # branch-2's secretary sits on no committee of branch-1
        talked("t-talker", NOW, ["p-b1-m1"], ["p-b1-m2"]),
        talked("t-last-year", NOW - timedelta(days=365), ["p-b1-sec"], ["p-b1-m1"]),
    )
    judged = {j.talk.talk_id: (j.not_member_because, [(c.rule_id, c.counterpart_id) for c in j.credits]) for j in await w.explain_coverage("p-b1-m1", 2026)}
    assert judged == {
        "t-counts": (None, [("COV-MEMBER", "p-b1-sec")]),
        "t-collective": ("collective_not_counted", []),
        "t-outsider": ("no_committee_talker", []),
        "t-talker": ("not_a_talkee", []),
    }
    # what the explanation says counted is what the projection counted
    assert [c for c in w.credits("p-b1-m1") if c[0] == "COV-MEMBER" and c[4] == 2026] == [("COV-MEMBER", "p-b1-m1", "p-b1-sec", "branch-1", 2026)]
    assert await w.explain_coverage("nobody", 2026) is None


async def test_no_such_obligation_is_none(world_at):
    w = await world_at(NOW).city()
    assert await w.explain("nope") is None
