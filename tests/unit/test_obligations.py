"""SPEC §3.2–3.3: opening M4/C5 and fulfilling obligations with talks."""

from datetime import UTC, date, datetime, timedelta

import pytest

from compliance.domain.obligations import Talk, fulfilled_by, obligation_id, open_obligation, stages_reached
from compliance.domain.policy import DEFAULT_POLICY, Policy
from compliance.domain.responsibility import Responsibility
from compliance.domain.triggers import Trigger

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def m4(policy=DEFAULT_POLICY, **overrides):
    ob = open_obligation(Trigger("m", ("M4", "C5"), T0), "M4", Responsibility("sec", "branch"), "branch", "ev-1", policy)
    return ob if not overrides else ob.__class__(**{**ob.__dict__, **overrides})


def test_m4_is_due_in_seven_days_on_the_responsible_secretary():
    ob = m4()
    assert (ob.rule_id, ob.responsible_id, ob.status, ob.org_id) == ("M4", "sec", "open", "branch")
    assert ob.due_date == date(2026, 3, 9)


def test_due_days_are_configuration():
    assert m4(Policy(due_days=DEFAULT_POLICY.due_days | {"M4": 3})).due_date == date(2026, 3, 5)


def test_obligation_ids_are_deterministic_for_replay():
    assert obligation_id("M4", "m", "ev-1") == obligation_id("M4", "m", "ev-1") != obligation_id("M4", "m", "ev-2")


def talk(at, mode="one_to_one", talkers=("sec",), talkees=("m",)):
    return Talk("t-1", at, mode, frozenset(talkers), frozenset(talkees))


FULFILMENT = [
    ("a talk within the due date fulfils", talk(T0 + timedelta(days=2)), "fulfilled"),
    ("a talk after the due date fulfils late", talk(T0 + timedelta(days=9)), "fulfilled_late"),
    ("a talk before the trigger does not", talk(T0 - timedelta(days=1)), None),
    ("a talk by someone else does not", talk(T0 + timedelta(days=1), talkers=("other",)), None),
    ("a talk with someone else does not", talk(T0 + timedelta(days=1), talkees=("x",)), None),
    ("a collective talk does not", talk(T0 + timedelta(days=1), mode="many_to_many"), None),
    ("one-to-many with the subject among talkees does", talk(T0 + timedelta(days=1), "one_to_many", talkees=("m", "y")), "fulfilled"),
]


@pytest.mark.parametrize("the_talk, expected", [c[1:] for c in FULFILMENT], ids=[c[0] for c in FULFILMENT])
def test_fulfilment(the_talk, expected):
    result = fulfilled_by(m4(), the_talk)
    assert (result.status if result else None) == expected
    if result:
        assert result.fulfilled_by == "t-1"


def test_a_closed_obligation_is_not_fulfilled_again():
    assert fulfilled_by(m4(status="cancelled"), talk(T0 + timedelta(days=1))) is None


LIFE_CYCLE = [
    # due 2026-03-09: due soon from 03-06, overdue from 03-09, escalated from 03-16
    ("open before due soon", "open", date(2026, 3, 5), []),
    ("due soon three days before", "open", date(2026, 3, 6), ["due_soon"]),
    ("overdue on the due date", "due_soon", date(2026, 3, 9), ["overdue"]),
    ("escalated seven days after", "overdue", date(2026, 3, 16), ["escalated"]),
    ("a late report passes every stage at once", "open", date(2026, 4, 1), ["due_soon", "overdue", "escalated"]),
    ("a reassigned obligation keeps its clock", "reassigned", date(2026, 3, 9), ["due_soon", "overdue"]),
    ("nothing after escalation", "escalated", date(2026, 5, 1), []),
    ("nothing once fulfilled", "fulfilled", date(2026, 5, 1), []),
]


@pytest.mark.parametrize("status, today, stages", [c[1:] for c in LIFE_CYCLE], ids=[c[0] for c in LIFE_CYCLE])
def test_life_cycle_stages(status, today, stages):
    assert stages_reached(m4(status=status), today, DEFAULT_POLICY) == stages


def test_a_requested_talk_may_be_held_either_way_round():
    req = m4(rule_id="REQ", responsible_id="leader")
    assert fulfilled_by(req, talk(T0 + timedelta(days=1), talkers=("m",), talkees=("leader",))).status == "fulfilled"
    assert fulfilled_by(m4(), talk(T0 + timedelta(days=1), talkers=("m",), talkees=("sec",))) is None
