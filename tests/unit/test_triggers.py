"""SPEC §3.2: which rule each event calls for, one row per rule id, and which of a pair the
subject's seats choose."""

from datetime import UTC, date, datetime, timedelta

import pytest

from compliance.domain.history import Person, Seat, Stretch
from compliance.domain.policy import DEFAULT_POLICY
from compliance.domain.triggers import absence_streak, choose_rule, triggers_of
from talk_contracts import data as d

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 on 2 March in Beijing
TZ = DEFAULT_POLICY.zone
obs = lambda kind, **kw: d.ConductObservationRecorded(person_id="p", kind=kind, **kw)  # noqa: E731
MEMBER = Person("p", "p", "full", (Stretch("b", datetime(2026, 1, 1, tzinfo=UTC)),))
COMMITTEE = [Seat("b", "p", "committee_member", datetime(2026, 1, 1, tzinfo=UTC))]

CASES = [
    # (rule, event data, the rule for an ordinary member (None: refused), for a committee member)
    ("M1", obs("vanguard_lacking"), "M1", "M1"),
    ("M2", obs("weak_org_concept"), "M2", "M2"),
    ("M3 arrears", d.DuesArrearsRecorded(person_id="p", months=3), "M3", "M3"),
    ("M3 appraisal basically qualified", d.AppraisalRated(person_id="p", year=2026, rating="basically_qualified"), "M3", "M3"),
    ("M3 appraisal unqualified", d.AppraisalRated(person_id="p", year=2026, rating="unqualified"), "M3", "M3"),
    *((f"M3 {k}", obs(k), "M3", "M3") for k in ("superstition", "unreasonable_petition", "mass_incident", "fighting", "gambling",
                                                 "dues_underpaid", "absent_from_activities", "duties_unfulfilled")),
    ("M4/C5 discipline", d.DisciplineActionRecorded(person_id="p", case_ref="c", action="criticism"), "M4", "C5"),
    ("M4/C5 rule violation", obs("rule_violation"), "M4", "C5"),
    ("M4/C3 adverse report", d.DisciplineAdverseReportReceived(person_id="p", case_ref="c"), "M4", "C3"),
    ("M5/C6 hardship", d.WelfareHardshipReported(person_id="p", kind="family"), "M5", "C6"),
    ("M5/C6 emotional fluctuation", obs("emotional_fluctuation"), "M5", "C6"),
    ("M6 commendation", d.HonoursCommendationAwarded(person_id="p", title="优秀党员"), "M6", "M6"),
    ("C1 job change", d.CadreJobChanged(person_id="p", change="retirement", effective_date=date(2026, 3, 2)), None, "C1"),
    ("C2 promotion", d.CadrePromoted(person_id="p", kind="reserve_listed", effective_date=date(2026, 3, 2)), None, "C2"),
    ("C4 ineffective performance", obs("ineffective_performance"), None, "C4"),
    ("C7 low spirit", obs("low_spirit"), None, "C7"),
    ("REQ request", d.TalkRequested(request_id="r", person_id="p", leader_id="l"), "REQ", "REQ"),
]  # fmt: skip


@pytest.mark.parametrize("data, member_rule, committee_rule", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_situation_calls_for_its_rule(data, member_rule, committee_rule):
    [trigger] = triggers_of(data, AT, DEFAULT_POLICY)
    assert trigger.subject_id == "p"
    rule, refused = choose_rule(trigger, MEMBER, [], TZ)
    assert (None if refused else rule) == member_rule
    assert choose_rule(trigger, MEMBER, COMMITTEE, TZ) == (committee_rule, False)


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


def test_C8_conflict_opens_one_obligation_per_party():
    triggers = triggers_of(obs("conflict", counterpart_ids=["q", "r", "q"]), AT, DEFAULT_POLICY)
    assert [(t.subject_id, t.rules) for t in triggers] == [("p", ("C8",)), ("q", ("C8",)), ("r", ("C8",))]


def test_C1_counts_from_its_effective_date_in_the_deployments_calendar():
    [t] = triggers_of(d.CadreJobChanged(person_id="p", change="departure", effective_date=date(2026, 4, 1)), AT, DEFAULT_POLICY)
    assert (t.day, t.at) == (date(2026, 4, 1), datetime(2026, 4, 1, tzinfo=TZ))


def test_M4_takes_the_local_date_of_its_time():
    [t] = triggers_of(d.DisciplineActionRecorded(person_id="p", case_ref="c", action="criticism"), datetime(2026, 3, 1, 16, 30, tzinfo=UTC), DEFAULT_POLICY)
    assert t.day == date(2026, 3, 2)  # 00:30 on 2 March in Beijing


@pytest.mark.parametrize(
    "seat_since, seat_until, committee",
    [
        (datetime(2026, 3, 1, 16, 30, tzinfo=UTC), None, True),  # taken on the effective date (Beijing)
        (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 1, 16, 30, tzinfo=UTC), True),  # held the day before, left that day
        (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 28, 16, 30, tzinfo=UTC), False),  # left two days before
    ],
    ids=["taken on the date", "held the day before", "left before that"],
)
def test_C1_C2_a_seat_held_the_day_before_or_taken_on_the_effective_date_counts(seat_since, seat_until, committee):
    [t] = triggers_of(d.CadrePromoted(person_id="p", kind="promotion", effective_date=date(2026, 3, 2)), AT, DEFAULT_POLICY)
    member = Person("p", "p", "full", (Stretch("b", datetime(2025, 1, 1, tzinfo=UTC)),))
    seats = [Seat("b", "p", "secretary", seat_since, seat_until)]
    assert choose_rule(t, member, seats, TZ) == ("C2", not committee)


def test_a_trigger_dated_before_the_registry_knew_the_person_takes_their_first_seats():
    [t] = triggers_of(d.DisciplineActionRecorded(person_id="p", case_ref="c", action="criticism"), AT - timedelta(days=30), DEFAULT_POLICY)
    loaded_later = Person("p", "p", "full", (Stretch("b", AT),))
    assert choose_rule(t, loaded_later, [Seat("b", "p", "committee_member", AT)], TZ) == ("C5", False)


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
def test_M2_after_three_absences_in_a_row(history, triggered_at):
    streak, fired = 0, []
    for i, present in enumerate(history):
        streak, triggered = absence_streak(streak, present, DEFAULT_POLICY)
        if triggered:
            fired.append(i)
    assert fired == triggered_at
