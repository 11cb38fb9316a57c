"""The pure parts of a what-if: a policy changed by operators' JSON, and outcomes summed over subtrees."""

import pytest

from compliance.domain.outcomes import roll_up, side_by_side, whole
from compliance.domain.policy import DEFAULT_POLICY, PolicyRefused, with_overrides


@pytest.mark.parametrize(
    ("overrides", "check"),
    [
        ({"due_days": {"M4": 5}}, lambda p: (p.due_days["M4"], p.due_days["C5"]) == (5, 7)),  # merged, not replaced
        ({"collective_talks_count": True}, lambda p: p.collective_talks_count is True),
        ({"meeting_reminder_days": [7]}, lambda p: p.meeting_reminder_days == (7,)),
        ({"escalate_after_days": 3}, lambda p: p.escalate_after_days == 3),
        ({}, lambda p: p == DEFAULT_POLICY),
    ],
)
def test_a_policy_takes_the_numbers_it_is_given(overrides, check):
    assert check(with_overrides(DEFAULT_POLICY, overrides))


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"due_dayz": {}}, "unknown policy numbers ['due_dayz']"),
        ({"time_zone": "UTC"}, "unknown policy numbers ['time_zone']"),  # the calendar is TIME_ZONE, not policy
        ({"due_days": {"M9": 5}}, "unknown rules ['M9']"),
        ({"due_days": {"M4": -1}}, "days of ['M4'] must be whole numbers"),
        ({"due_days": {"M4": "5"}}, "days of ['M4'] must be whole numbers"),
        ({"due_days": [5]}, "due_days is an object"),
        ({"collective_talks_count": "yes"}, "true or false"),
        ({"escalate_after_days": True}, "whole number"),
        ({"meeting_reminder_days": 7}, "a list of days"),
        ([1], "a JSON object"),
    ],
)
def test_a_policy_refuses_what_it_cannot_take_saying_what_is_wrong(overrides, says):
    with pytest.raises(PolicyRefused, match=says.replace("[", r"\[").replace("]", r"\]")):
        with_overrides(DEFAULT_POLICY, overrides)


TREE = {"city": None, "town": "city", "b1": "town", "b2": "town"}


def test_outcomes_sum_over_each_subtree_and_the_whole_city():
    per_org = {"b1": {"M4": {"late": 1}}, "b2": {"M4": {"late": 2}}, "town": {"C5": {"late": 1}}}
    summed = roll_up(per_org, TREE)
    assert summed["town"] == {"M4": {"late": 3}, "C5": {"late": 1}} and summed["city"] == summed["town"]
    assert summed["b1"] == {"M4": {"late": 1}}
    assert whole(per_org) == {"M4": {"late": 3}, "C5": {"late": 1}}


def test_a_subtrees_own_secretary_is_its_parents_to_cover():
    per_org = {"b1": {"COV-SECRETARY": {"covered": 1, "total": 1}}, "town": {"COV-SECRETARY": {"covered": 0, "total": 1}}}
    summed = roll_up(per_org, TREE, own_excluded=["COV-SECRETARY"])
    assert summed["b1"] == {} and summed["town"] == {"COV-SECRETARY": {"covered": 1, "total": 1}}
    assert summed["city"] == {"COV-SECRETARY": {"covered": 1, "total": 2}}


def test_side_by_side_gives_every_measure_of_either_with_the_change():
    rows = side_by_side("town", {"M4": {"late": 2}}, {"M4": {"late": 3}, "C5": {"late": 1}}, ("late",))
    assert [(r.rule_id, r.live, r.what_if, r.change) for r in rows] == [("C5", 0, 1, 1), ("M4", 2, 3, 1)]
