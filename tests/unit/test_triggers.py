"""SPEC §3.2: which rule each event calls for, one row per rule id."""

from datetime import UTC, date, datetime

import pytest

from compliance.domain.policy import DEFAULT_POLICY
from compliance.domain.responsibility import escalation_target
from compliance.domain.triggers import Trigger, absence_streak, rule_for, triggers_of
from talk_contracts import data as d

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
obs = lambda kind, **kw: d.ConductObservationRecorded(person_id="p", kind=kind, **kw)  # noqa: E731

CASES = [
    # (rule, event data, member rule, committee rule)
    ("M1", obs("vanguard_lacking"), "M1", "M1"),
    ("M2", obs("weak_org_concept"), "M2", "M2"),
    ("M3 arrears", d.DuesArrearsRecorded(person_id="p", months=3), "M3", "M3"),
    ("M3 appraisal basically qualified", d.AppraisalRated(person_id="p", year=2026, rating="basically_qualified"), "M3", "M3"),
    ("M3 appraisal unqualified", d.AppraisalRated(person_id="p", year=2026, rating="unqualified"), "M3", "M3"),
    *((f"M3 {k}", obs(k), "M3", "M3") for k in ("superstition", "unreasonable_petition", "mass_incident", "fighting", "gambling")),
    ("M4/C5 discipline", d.DisciplineActionRecorded(person_id="p", case_ref="c", action="criticism"), "M4", "C5"),
    ("M4/C3 adverse report", d.DisciplineAdverseReportReceived(person_id="p", case_ref="c"), "M4", "C3"),
    ("M5/C6 hardship", d.WelfareHardshipReported(person_id="p", kind="family"), "M5", "C6"),
    ("M6 commendation", d.HonoursCommendationAwarded(person_id="p", title="优秀党员"), "M6", "M6"),
    ("C1 job change", d.CadreJobChanged(person_id="p", change="retirement", effective_date=date(2026, 3, 2)), "C1", "C1"),
    ("C2 promotion", d.CadrePromoted(person_id="p", kind="reserve_listed", effective_date=date(2026, 3, 2)), "C2", "C2"),
    ("C4 ineffective performance", obs("ineffective_performance"), "C4", "C4"),
    ("C7 low spirit", obs("low_spirit"), "C7", "C7"),
    ("REQ request", d.TalkRequested(request_id="r", person_id="p", leader_id="l"), "REQ", "REQ"),
]


@pytest.mark.parametrize("data, member_rule, committee_rule", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_situation_calls_for_its_rule(data, member_rule, committee_rule):
    [trigger] = triggers_of(data, AT, DEFAULT_POLICY)
    assert trigger.subject_id == "p"
    assert rule_for(trigger, is_committee=False) == member_rule
    assert rule_for(trigger, is_committee=True) == committee_rule


@pytest.mark.parametrize(
    "data",
    [
        d.DuesArrearsRecorded(person_id="p", months=2),
        d.AppraisalRated(person_id="p", year=2026, rating="qualified"),
        d.MemberJoined(person_id="p", name="n", org_id="o", status="full"),
        d.TalkRecorded(talk_id="t", held_at=AT, mode="one_to_one", kind="regular", talker_ids=["a"], talkee_ids=["b"]),
    ],
    ids=["arrears under three months", "qualified rating", "a registry event", "a talk"],
)
def test_other_events_trigger_nothing(data):
    assert triggers_of(data, AT, DEFAULT_POLICY) == []


def test_c8_conflict_opens_one_obligation_per_party():
    triggers = triggers_of(obs("conflict", counterpart_ids=["q", "r", "q"]), AT, DEFAULT_POLICY)
    assert [(t.subject_id, t.rules) for t in triggers] == [("p", ("C8",)), ("q", ("C8",)), ("r", ("C8",))]


def test_cadre_changes_count_from_the_effective_date():
    [t] = triggers_of(d.CadreJobChanged(person_id="p", change="departure", effective_date=date(2026, 4, 1)), AT, DEFAULT_POLICY)
    assert t.at == datetime(2026, 4, 1, tzinfo=UTC)


def test_discipline_carries_its_case_for_retraction_and_req_its_leader():
    [t] = triggers_of(d.DisciplineActionRecorded(person_id="p", case_ref="JJ-9", action="sanction", sanction="warning"), AT, DEFAULT_POLICY)
    assert t.ref == "JJ-9"
    [r] = triggers_of(d.TalkRequested(request_id="r", person_id="p", leader_id="l"), AT, DEFAULT_POLICY)
    assert r.leader_id == "l"


@pytest.mark.parametrize(
    "history, triggered_at",
    [
        ([False, False, False], [2]),
        ([False, False, True, False, False], []),
        ([False, False, False, False, False, False], [2, 5]),
        ([True, True, True], []),
    ],
    ids=["three absences", "a presence breaks the streak", "six absences: twice", "always present"],
)
def test_m2_after_three_absences_in_a_row(history, triggered_at):
    streak, fired = 0, []
    for i, present in enumerate(history):
        streak, triggered = absence_streak(streak, present, DEFAULT_POLICY)
        if triggered:
            fired.append(i)
    assert fired == triggered_at


PARENT = {"city": None, "town": "city", "branch": "town"}


@pytest.mark.parametrize(
    "seats, expected",
    [
        ({"city": "c", "town": "t", "branch": "b"}, "t"),
        ({"city": "c", "town": None, "branch": "b"}, "c"),
        ({"city": None, "town": None, "branch": "b"}, None),
    ],
    ids=["to the parent's secretary", "past a vacant parent", "to the operators"],
)
def test_escalation_goes_to_the_parent_secretary(seats, expected):
    assert escalation_target("branch", "b", PARENT, seats) == expected


def test_rule_for_one_rule_ignores_roles():
    assert rule_for(Trigger("p", ("M6",), AT), is_committee=True) == "M6"
