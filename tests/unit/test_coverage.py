"""SPEC §3.1: coverage credits and states."""

from datetime import UTC, date, datetime

import pytest

from compliance.domain.coverage import counts_towards_coverage, coverage_state, credits_of_talk
from compliance.domain.obligations import Talk
from compliance.domain.policy import DEFAULT_POLICY, Policy
from tests.unit.small_view import view

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


CREDITS = [
    # (why, talker, talkee, extra seats (org, person, role), expected credits)
    ("COV-MEMBER: the branch secretary with a member", "s-branch", "m", [], [("COV-MEMBER", "m", "s-branch", "branch")]),
    ("COV-MEMBER: a committee member with a member", "cm", "m", [("branch", "cm", "committee_member")], [("COV-MEMBER", "m", "cm", "branch")]),
    ("nothing: an ordinary member with a member", "x", "m", [], []),
    ("nothing: another branch's secretary", "s-branch-2", "m", [], []),
    ("COV-SECRETARY: the town secretary with the branch secretary", "s-town", "s-branch", [], [("COV-SECRETARY", "s-branch", "s-town", "branch")]),
    ("COV-COMMITTEE: two committee members of the branch", "s-branch", "cm", [("branch", "cm", "committee_member")],
     [("COV-MEMBER", "cm", "s-branch", "branch"), ("COV-COMMITTEE", "cm", "s-branch", "branch")]),
]  # fmt: skip


@pytest.mark.parametrize("talker, talkee, extra, expected", [c[1:] for c in CREDITS], ids=[c[0] for c in CREDITS])
def test_what_a_talk_counts_towards(talker, talkee, extra, expected):
    v = view(extra=extra, people={"m": "branch", "x": "branch"})
    held = Talk("t", datetime(2026, 3, 2, 2, 0, tzinfo=UTC), "one_to_one", frozenset({talker}), frozenset({talkee}))
    found = credits_of_talk(held, v, DEFAULT_POLICY)
    assert sorted((c.rule_id, c.person_id, c.counterpart_id, c.org_id) for c in found) == sorted(expected)
    assert all(c.year == 2026 for c in found)


@pytest.mark.parametrize(
    "mode, policy, counts",
    [("one_to_one", DEFAULT_POLICY, True), ("many_to_many", DEFAULT_POLICY, False), ("many_to_many", Policy(collective_talks_count=True), True)],
)
def test_collective_talks_count_only_by_policy(mode, policy, counts):
    held = Talk("t", datetime(2026, 3, 2, tzinfo=UTC), mode, frozenset({"a"}), frozenset({"b"}))
    assert counts_towards_coverage(held, policy) is counts
