"""The registry's invariants, one row per rule: the batch given, the breach expected."""

from datetime import UTC, datetime

import pytest

from registry.domain.invariants import Member, Org, Snapshot, check_batch
from talk_contracts import data as d

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def city() -> Snapshot:
    return Snapshot(
        orgs={"county": Org(None), "town": Org("county"), "b1": Org("town"), "b2": Org("town"), "old": Org("town", dissolved=True)},
        members={"m1": Member("b1"), "m2": Member("b1"), "gone": Member("b1", active=False)},
        member_counts={"b1": 2},
    )


def joined(person, org):
    return d.MemberJoined(person_id=person, name="n", org_id=org, status="full")


CASES = [
    ("a new member of a live branch", [joined("m9", "b2")], None),
    ("org.parent_unknown", [d.OrgRegistered(org_id="x", name="x", kind="branch", parent_id="nowhere")], "org.parent_unknown"),
    ("org.parent_unknown: a dissolved parent", [d.OrgRegistered(org_id="x", name="x", kind="branch", parent_id="old")], "org.parent_unknown"),
    ("org.already_registered elsewhere", [d.OrgRegistered(org_id="b1", name="b1", kind="branch", parent_id="county")], "org.already_registered"),
    ("re-registering in place is no breach", [d.OrgRegistered(org_id="b1", name="第一支部", kind="branch", parent_id="town")], None),
    ("org.cycle: under its own child", [d.OrgMoved(org_id="town", parent_id="b1")], "org.cycle"),
    ("org.cycle: under itself", [d.OrgMoved(org_id="town", parent_id="town")], "org.cycle"),
    ("a move within the tree", [d.OrgMoved(org_id="b1", parent_id="county")], None),
    ("org.has_members", [d.OrgDissolved(org_id="b1")], "org.has_members"),
    ("dissolving an empty branch", [d.OrgDissolved(org_id="b2")], None),
    ("dissolving after its members transferred out in the same batch",
     [d.MemberTransferred(person_id="m1", from_org_id="b1", to_org_id="b2"), d.MemberTransferred(person_id="m2", from_org_id="b1", to_org_id="b2"), d.OrgDissolved(org_id="b1")], None),
    ("org.unknown: joining a dissolved organisation", [joined("m9", "old")], "org.unknown"),
    ("member.one_organisation", [joined("m1", "b2")], "member.one_organisation"),
    ("rejoining after leaving", [joined("gone", "b2")], None),
    ("member.unknown: transferring a stranger", [d.MemberTransferred(person_id="zz", from_org_id="b1", to_org_id="b2")], "member.unknown"),
    ("member.wrong_organisation", [d.MemberTransferred(person_id="m1", from_org_id="b2", to_org_id="b1")], "member.wrong_organisation"),
    ("member.unknown: leaving twice", [d.MemberLeft(person_id="gone", reason="other")], "member.unknown"),
    ("member.unknown: a seat for a non-member", [d.RoleAssigned(org_id="b1", person_id="zz", role="secretary")], "member.unknown"),
    ("a seat for a member joining in the same batch", [joined("m9", "b2"), d.RoleAssigned(org_id="b2", person_id="m9", role="secretary")], None),
    ("org.unknown: a seat in an unknown organisation", [d.RoleAssigned(org_id="nowhere", person_id="m1", role="committee_member")], "org.unknown"),
]  # fmt: skip


@pytest.mark.parametrize("batch, rule", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invariant(batch, rule):
    breaches = check_batch([(f"e{i}", data, AT) for i, data in enumerate(batch)], city())
    assert [b.rule for b in breaches] == ([rule] if rule else [])


def test_every_breach_of_a_batch_is_named_with_its_index():
    breaches = check_batch([("a", joined("m1", "b2"), AT), ("b", joined("m8", "b2"), AT), ("c", d.OrgMoved(org_id="town", parent_id="b1"), AT)], city())
    assert [(b.index, b.event_id, b.rule) for b in breaches] == [(0, "a", "member.one_organisation"), (2, "c", "org.cycle")]
