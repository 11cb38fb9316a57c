"""SPEC §2: who answers for a person, rule by rule, as a table (the pure rule on an in-memory view)."""

from datetime import UTC, datetime

import pytest

from compliance.domain.responsibility import NOW, PLACED, answer_at, escalation_target, placed_by
from tests.unit.small_view import view

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)

CASES = [
    # (why, person, own org, extra seats (org, person, role), secretary overrides, expected (kind, person, org), vacancies)
    ("1. ordinary member -> own branch secretary", "m", "branch", [], {}, ("person", "s-branch", "branch"), ()),
    ("2. committee member -> that organisation's secretary", "cm", "branch", [("branch", "cm", "committee_member")], {}, ("person", "s-branch", "branch"), ()),
    ("2. deputy -> that organisation's secretary", "d", "branch", [("branch", "d", "deputy_secretary")], {}, ("person", "s-branch", "branch"), ()),
    ("2. committee member of the town, member of a branch", "cm", "branch", [("town", "cm", "committee_member")], {}, ("person", "s-town", "town"), ()),
    ("3. secretary -> the parent's secretary", "s-branch", "branch", [], {}, ("person", "s-town", "town"), ()),
    ("4. vacant branch seat moves one level up", "m", "branch", [], {"branch": None}, ("person", "s-town", "town"), ("branch",)),
    ("4. two vacant seats move two levels up", "m", "branch", [], {"branch": None, "town": None}, ("person", "s-county", "county"), ("branch", "town")),
    ("4. the root secretary falls to operators", "s-city", "city", [], {}, ("operators", None, "city"), ()),
    ("4. a vacant root falls to operators", "s-county", "county", [], {"city": None}, ("operators", None, "city"), ("city",)),
    ("5. seats at two levels: the higher decides", "cm", "branch", [("branch", "cm", "committee_member"), ("town", "cm", "committee_member")], {}, ("person", "s-town", "town"), ()),
    ("5. a secretary below and a committee seat above: the higher", "s-branch", "branch", [("county", "s-branch", "committee_member")], {}, ("person", "s-county", "county"), ()),
    ("5. equal depth: a seat above one's own organisation first", "x", "branch", [("branch-2", "x", "committee_member"), ("branch", "x", "committee_member")], {}, ("person", "s-branch", "branch"), ()),
]  # fmt: skip


@pytest.mark.parametrize("person, own_org, extra, seats, expected, vacancies", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_who_answers(person, own_org, extra, seats, expected, vacancies):
    v = view(seats, extra, {person: own_org})
    answer = answer_at(v.person(person), v.seats_of(person), AT, v)
    assert (answer.kind, answer.person_id, answer.org_id) == expected
    assert answer.vacant == vacancies


def test_REQ_the_leader_asked_answers_while_seated_above_the_member():
    v = view(extra=[("county", "leader", "committee_member")], people={"m": "branch"})
    assert answer_at(v.person("m"), v.seats_of("m"), AT, v, leader_id="leader").person_id == "leader"
    elsewhere = view(extra=[("branch-2", "leader", "committee_member")], people={"m": "branch"})
    assert answer_at(elsewhere.person("m"), elsewhere.seats_of("m"), AT, elsewhere, leader_id="leader").person_id == "s-branch"


@pytest.mark.parametrize(
    "seats, expected",
    [({}, ("person", "s-town")), ({"town": None}, ("person", "s-county")), ({"town": None, "county": None, "city": None}, ("operators", None))],
    ids=["to the parent's secretary", "past a vacant parent", "to the operators"],
)
def test_escalation_goes_to_the_nearest_filled_seat_above(seats, expected):
    v = view(seats, people={"m": "branch"})
    answer = answer_at(v.person("m"), v.seats_of("m"), AT, v)
    target = escalation_target(answer, "m", NOW, v)
    assert (target.kind, target.person_id) == expected


CHAINS = {"branch": {"branch", "town", "county", "city"}, "town": {"town", "county", "city"}}


@pytest.mark.parametrize(
    "extra, expected",
    [
        ([], set()),
        ([("branch", "x", "committee_member")], set()),
        ([("branch", "x", "committee_member"), ("branch-2", "x", "committee_member")], CHAINS["branch"] | {"branch-2"}),
        ([("town", "x", "committee_member"), ("branch", "x", "deputy_secretary")], CHAINS["branch"]),
    ],
    ids=["no seat", "one seat: nothing to choose", "seats in two branches", "a seat above one's own branch"],
)
def test_the_organisations_whose_place_chose_between_a_persons_seats(extra, expected):
    """Rule 5 reads where each seat sits: a move or a late registration of any organisation above
    them (or above the person's own) may change which decides, so the obligation keeps them marked."""
    v = view(extra=extra, people={"x": "branch"})
    assert placed_by(v.person("x"), v.seats_of("x"), v) == {PLACED + org for org in expected}
