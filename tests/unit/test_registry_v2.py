"""The registry publishes what consumers used to infer, and refuses C rules about ordinary members
(SPEC §3.2, §3.5, v2): a batch judged against its state, one row per case."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from registry.domain.batch import judge
from registry.domain.invariants import Member, Org, Seat, Snapshot
from talk_contracts import data as d

TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
BEFORE = datetime(2026, 1, 1, tzinfo=UTC)


def city() -> Snapshot:
    return Snapshot(
        orgs={"town": Org(None), "b1": Org("town")},
        members={"sec": Member("b1"), "cm": Member("b1"), "m": Member("b1"), "new": Member("b1")},
        member_counts={"b1": 4},
        seats=[Seat("b1", "sec", "secretary", BEFORE), Seat("b1", "cm", "committee_member", BEFORE), Seat("town", "sec", "committee_member", BEFORE)],
    )


def published(outcome) -> list[str]:
    return [f"{type(data).__name__}:{getattr(data, 'person_id', '')}:{getattr(data, 'org_id', '')}" if data else "the event" for _, data in outcome.published]


CONSEQUENCES = [
    ("a new secretary: the displaced one's seat ends first", d.RoleAssigned(org_id="b1", person_id="new", role="secretary"),
     ["RoleEnded:sec:b1", "the event"]),
    ("a second committee seat displaces nobody", d.RoleAssigned(org_id="b1", person_id="new", role="committee_member"), ["the event"]),
    ("a secretary who dies: every seat ends", d.MemberLeft(person_id="sec", reason="deceased"),
     ["the event", "RoleEnded:sec:b1", "RoleEnded:sec:town"]),
    ("an expulsion: membership ends, then the seats", d.DisciplineActionRecorded(person_id="cm", case_ref="JJ", action="sanction", sanction="expulsion"),
     ["the event", "MemberLeft:cm:", "RoleEnded:cm:b1"]),
    ("a warning ends nothing", d.DisciplineActionRecorded(person_id="cm", case_ref="JJ", action="sanction", sanction="warning"), ["the event"]),
]  # fmt: skip


@pytest.mark.parametrize("data, expected", [c[1:] for c in CONSEQUENCES], ids=[c[0] for c in CONSEQUENCES])
def test_what_the_registry_publishes_itself(data, expected):
    outcome = judge([("e", data, AT)], city(), TZ)
    assert outcome.accepted
    assert published(outcome) == expected


def test_a_secretary_who_left_holds_no_seat_for_the_rest_of_the_batch():
    state = city()
    outcome = judge([("a", d.MemberLeft(person_id="sec", reason="deceased"), AT), ("b", d.RoleAssigned(org_id="b1", person_id="new", role="secretary"), AT)], state, TZ)
    assert published(outcome) == ["the event", "RoleEnded:sec:b1", "RoleEnded:sec:town", "the event"]  # nobody left to displace


obs = lambda person, kind, **kw: d.ConductObservationRecorded(person_id=person, kind=kind, **kw)  # noqa: E731

SCOPE = [
    ("C7 about an ordinary member: refused", obs("m", "low_spirit"), "C7"),
    ("C7 about a committee member", obs("cm", "low_spirit"), None),
    ("C4 about a secretary", obs("sec", "ineffective_performance"), None),
    ("C7 about someone the registry does not know: compliance judges it later", obs("stranger", "low_spirit"), None),
    ("C2 about an ordinary member: refused", d.CadrePromoted(person_id="m", kind="promotion", effective_date=date(2026, 3, 2)), "C2"),
    ("M1 about anyone", obs("m", "vanguard_lacking"), None),
]  # fmt: skip


@pytest.mark.parametrize("data, refused_rule", [c[1:] for c in SCOPE], ids=[c[0] for c in SCOPE])
def test_C_rules_about_ordinary_members_are_refused(data, refused_rule):
    outcome = judge([("e", data, AT)], city(), TZ)
    assert [why.split(" ")[0] for _, _, why in outcome.refused] == ([refused_rule] if refused_rule else [])


def test_C1_a_seat_left_on_the_effective_date_counts():
    state = city()
    state.seats = [Seat("b1", "m", "committee_member", BEFORE, datetime(2026, 3, 1, 16, 0, tzinfo=UTC))]  # until 00:00 on 2 March in Beijing
    retiring = d.CadreJobChanged(person_id="m", change="retirement", effective_date=date(2026, 3, 2))
    assert judge([("e", retiring, AT)], state, TZ).refused == []
    state.seats = [Seat("b1", "m", "committee_member", BEFORE, datetime(2026, 3, 1, 16, 0, tzinfo=UTC) - timedelta(days=2))]
    assert len(judge([("e", retiring, AT)], state, TZ).refused) == 1


def test_C8_an_ordinary_counterpart_is_skipped_and_reported():
    outcome = judge([("e", obs("cm", "conflict", counterpart_ids=["m", "sec"]), AT)], city(), TZ)
    assert outcome.accepted
    assert [why.split(":")[1].split(" ")[1] for _, _, why in outcome.warnings] == ["m"]
