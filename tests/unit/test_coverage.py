"""SPEC §3.1: coverage credits and states."""

from datetime import date

import pytest

from compliance.domain.coverage import Credit, counts_towards_coverage, coverage_state, credits_of_talk
from compliance.domain.policy import DEFAULT_POLICY, Policy

CASES = [
    ("one talk covers", 1, date(2026, 3, 1), None, "covered"),
    ("two talks cover", 2, date(2026, 12, 30), None, "covered"),
    ("none, most of the year left: pending", 0, date(2026, 3, 1), None, "pending"),
    ("none, 61 days left: pending", 0, date(2026, 10, 31), None, "pending"),
    ("none, 59 days left: at risk", 0, date(2026, 11, 2), None, "at_risk"),
    ("none, year over: at risk", 0, date(2027, 1, 5), None, "at_risk"),
    ("none, a meeting in 30 days: at risk", 0, date(2026, 5, 1), date(2026, 5, 31), "at_risk"),
    ("none, a meeting in 90 days: pending", 0, date(2026, 3, 1), date(2026, 5, 30), "pending"),
    ("covered before the meeting", 1, date(2026, 5, 1), date(2026, 5, 31), "covered"),
]


@pytest.mark.parametrize("talks, today, meeting, state", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_coverage_state(talks, today, meeting, state):
    result = coverage_state(talks, 2026, today, DEFAULT_POLICY, meeting)
    assert result.state == state
    assert result.target == 2


PARENT = {"town": "county", "b1": "town", "county": None}
CREDITS = [
    ("COV-MEMBER: the branch secretary with a member", "sec", "m", "b1", {"b1": "secretary"}, {}, [Credit("COV-MEMBER", "m", "sec", "b1")]),
    ("COV-MEMBER: a committee member with a member", "cm", "m", "b1", {"b1": "committee_member"}, {}, [Credit("COV-MEMBER", "m", "cm", "b1")]),
    ("nothing: an ordinary member with a member", "x", "m", "b1", {}, {}, []),
    ("nothing: another branch's secretary", "s2", "m", "b1", {"b2": "secretary"}, {}, []),
    ("COV-SECRETARY: the town secretary with the branch secretary", "ts", "sec", "b1", {"town": "secretary"}, {"b1": "secretary"},
     [Credit("COV-SECRETARY", "sec", "ts", "b1")]),
    ("COV-COMMITTEE: two committee members of the branch", "sec", "cm", "b1", {"b1": "secretary"}, {"b1": "committee_member"},
     [Credit("COV-MEMBER", "cm", "sec", "b1"), Credit("COV-COMMITTEE", "cm", "sec", "b1")]),
]  # fmt: skip


@pytest.mark.parametrize(
    "talker, talkee, talkee_org, talker_roles, talkee_roles, expected", [c[1:] for c in CREDITS], ids=[c[0] for c in CREDITS]
)
def test_what_a_talk_counts_towards(talker, talkee, talkee_org, talker_roles, talkee_roles, expected):
    assert credits_of_talk(talker, talkee, talkee_org, talker_roles, talkee_roles, PARENT) == expected


@pytest.mark.parametrize(
    "individual, policy, counts",
    [(True, DEFAULT_POLICY, True), (False, DEFAULT_POLICY, False), (False, Policy(collective_talks_count=True), True)],
)
def test_collective_talks_count_only_by_policy(individual, policy, counts):
    assert counts_towards_coverage(individual, policy) is counts
