"""SPEC §2: the responsible secretary, rule by rule, as a table."""

import pytest

from compliance.domain.responsibility import is_committee_member, responsible_secretary

# city ─ county ─ town ─ branch
PARENT = {"city": None, "county": "city", "town": "county", "branch": "town"}
SEATS = {"city": "s-city", "county": "s-county", "town": "s-town", "branch": "s-branch"}

CASES = [
    # (why, person, own org, roles {org: role}, secretary seats overrides, expected responsible, expected org, vacancies)
    ("1. ordinary member -> own branch secretary", "m", "branch", {}, {}, "s-branch", "branch", ()),
    ("2. committee member -> that organisation's secretary", "cm", "branch", {"branch": "committee_member"}, {}, "s-branch", "branch", ()),
    ("2. deputy -> that organisation's secretary", "d", "branch", {"branch": "deputy_secretary"}, {}, "s-branch", "branch", ()),
    ("2. committee member of the town, member of a branch", "cm", "branch", {"town": "committee_member"}, {}, "s-town", "town", ()),
    ("3. secretary -> the parent's secretary", "s-branch", "branch", {"branch": "secretary"}, {}, "s-town", "town", ()),
    ("4. vacant branch seat moves one level up", "m", "branch", {}, {"branch": None}, "s-town", "town", ("branch",)),
    ("4. two vacant seats move two levels up", "m", "branch", {}, {"branch": None, "town": None}, "s-county", "county", ("branch", "town")),
    ("4. never responsible for oneself (seat held by the subject)", "m", "branch", {}, {"branch": "m"}, "s-town", "town", ()),
    ("4. the root secretary falls to operators", "s-city", "city", {"city": "secretary"}, {}, None, None, ()),
    ("4. a vacant root falls to operators", "s-county", "county", {"county": "secretary"}, {"city": None}, None, None, ("city",)),
]


@pytest.mark.parametrize(
    "person, own_org, roles, seats, expected, expected_org, vacancies",
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_responsible_secretary(person, own_org, roles, seats, expected, expected_org, vacancies):
    result = responsible_secretary(person, own_org, roles, PARENT, SEATS | seats)
    assert result.responsible_id == expected
    assert result.org_id == expected_org
    assert result.vacant_org_ids == vacancies
    assert result.falls_to_operators == (expected is None)


@pytest.mark.parametrize(
    "roles, committee",
    [({}, False), ({"b": "committee_member"}, True), ({"b": "deputy_secretary"}, True), ({"b": "secretary"}, True)],
)
def test_m_or_c_by_roles(roles, committee):
    assert is_committee_member(roles) is committee
