"""SPEC §3.3–3.4: the life cycle by date, who talked with whom, and what consumers are told."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from compliance.domain.fulfilment import partners
from compliance.domain.obligations import Obligation, Talk, Trigger, announcements, new_obligation, obligation_id, stage_on
from compliance.domain.policy import DEFAULT_POLICY, Policy

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def m4(policy: Policy = DEFAULT_POLICY, **overrides) -> Obligation:
    ob = new_obligation(Trigger("m", ("M4", "C5"), date(2026, 3, 2), T0), "M4", "ev-1", policy)
    return replace(ob, **{"responsible_id": "sec", "responsible_org_id": "branch", "org_id": "branch", **overrides})


def test_M4_is_due_in_seven_days_from_its_date():
    assert m4().due_date == date(2026, 3, 9)


def test_due_days_are_configuration():
    assert m4(Policy(due_days=DEFAULT_POLICY.due_days | {"M4": 3})).due_date == date(2026, 3, 5)


def test_obligation_ids_are_deterministic_and_do_not_depend_on_which_rule_of_the_pair_applies():
    assert obligation_id(("M4", "C5"), "m", "ev-1") == obligation_id(("M4", "C5"), "m", "ev-1") != obligation_id(("M4", "C5"), "m", "ev-2")
    assert m4().obligation_id == new_obligation(Trigger("m", ("M4", "C5"), date(2026, 3, 2), T0), "C5", "ev-1", DEFAULT_POLICY).obligation_id


LIFE_CYCLE = [
    # due 2026-03-09: due soon from 03-06, overdue from 03-10 (the day after), escalated from 03-16
    ("open before due soon", date(2026, 3, 5), "open"),
    ("due soon three days before", date(2026, 3, 6), "due_soon"),
    ("still due soon on the due date", date(2026, 3, 9), "due_soon"),
    ("overdue the day after", date(2026, 3, 10), "overdue"),
    ("escalated seven days after", date(2026, 3, 16), "escalated"),
]


@pytest.mark.parametrize("today, stage", [c[1:] for c in LIFE_CYCLE], ids=[c[0] for c in LIFE_CYCLE])
def test_life_cycle_by_date(today, stage):
    assert stage_on(date(2026, 3, 9), today, DEFAULT_POLICY) == stage


def talk(mode="one_to_one", talkers=("sec",), talkees=("m",)) -> Talk:
    return Talk("t-1", T0, mode, frozenset(talkers), frozenset(talkees))


PARTNERS = [
    ("one to one", talk(), False, {"sec"}),
    ("two talkers with the subject alone", talk("one_to_many", ("sec", "dep")), False, {"sec", "dep"}),
    ("the subject among several talkees: no", talk("one_to_many", talkees=("m", "y")), False, set()),
    ("collective: no", talk("many_to_many"), False, set()),
    ("the subject as talker: only for a request", talk(talkers=("m",), talkees=("leader",)), True, {"leader"}),
    ("the subject as talker, no request: no", talk(talkers=("m",), talkees=("leader",)), False, set()),
]


@pytest.mark.parametrize("the_talk, either_way, expected", [c[1:] for c in PARTNERS], ids=[c[0] for c in PARTNERS])
def test_who_talked_with_the_subject_individually(the_talk, either_way, expected):
    assert partners(the_talk, "m", either_way) == expected


ANNOUNCED = [
    ("a new obligation is opened", None, m4(), ["opened"]),
    ("a late report passes every stage at once", None, m4(status="escalated", escalated_to_id="t"), ["opened", "due_soon", "overdue", "escalated"]),
    ("a new holder: reassigned", m4(), m4(responsible_id="new"), ["reassigned"]),
    ("reassigned, then overdue", m4(status="due_soon"), m4(status="overdue", responsible_id="new"), ["reassigned", "overdue"]),
    ("fulfilled", m4(), m4(status="fulfilled", fulfilled_by="t"), ["fulfilled"]),
    ("a trigger that opens nothing tells nobody", None, m4(status="cancelled", reason="not_member"), []),
    ("an open one cancelled by a correction is told", m4(), m4(status="cancelled", reason="not_member"), ["cancelled"]),
    ("a new escalation target is told", m4(status="escalated", escalated_to_id="a"), m4(status="escalated", escalated_to_id="b"), ["escalated"]),
    ("nothing public changed", m4(), m4(paths=("x",)), []),
]  # fmt: skip


@pytest.mark.parametrize("before, after, transitions", [c[1:] for c in ANNOUNCED], ids=[c[0] for c in ANNOUNCED])
def test_what_consumers_are_told(before, after, transitions):
    told = announcements(before, after)
    assert [t for t, _, _ in told] == transitions
    if told:
        assert told[-1][1] == after  # the last one carries the new state
