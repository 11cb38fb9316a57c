"""Notify's alert texts and the talks service's record validation."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from notify.domain.alerts import obligation_alert
from talks.domain.records import TalkRecordIn, check_not_in_future


def test_an_alert_is_identified_by_obligation_transition_and_recipient():
    a = obligation_alert(obligation_id="o1", transition="opened", recipient_id="s", rule_id="M4", subject_name="李明", due_date="2026-03-09")
    b = obligation_alert(obligation_id="o1", transition="opened", recipient_id="s", rule_id="M4", subject_name="李明", due_date="2026-03-09")
    c = obligation_alert(obligation_id="o1", transition="overdue", recipient_id="s", rule_id="M4", subject_name="李明", due_date="2026-03-09")
    assert a == b and a.alert_id != c.alert_id
    assert "李明" in a.body and "M4" in a.body and "2026-03-09" in a.body


def test_operators_can_change_templates_and_bad_ones_fail_at_start():
    from notify.domain.alerts import DEFAULT_TEMPLATES

    custom = DEFAULT_TEMPLATES.with_overrides({"titles": {"opened": "请谈话"}, "bodies": {"opened": "{title}：{subject_name}，{due_date}前"}})
    alert = obligation_alert(obligation_id="o", transition="opened", recipient_id="s", rule_id="M4", subject_name="李明", due_date="2026-03-09", templates=custom)
    assert (alert.title, alert.body) == ("请谈话", "请谈话：李明，2026-03-09前")
    with pytest.raises(ValueError, match="placeholders"):
        DEFAULT_TEMPLATES.with_overrides({"bodies": {"opened": "{content}"}})
    with pytest.raises(ValueError, match="unknown keys"):
        DEFAULT_TEMPLATES.with_overrides({"titles": {"nonsense": "x"}})
    # what leaves the system may be reworded, but it is given no name and no reason to use
    assert DEFAULT_TEMPLATES.with_overrides({"outside": "{title}：{workspace_url}"}).outside_text("新的必谈任务", "https://w") == "新的必谈任务：https://w"
    with pytest.raises(ValueError, match="workspace_url"):
        DEFAULT_TEMPLATES.with_overrides({"outside": "{subject_name}"})


def test_a_follow_up_reminder_names_no_text():
    from notify.domain.alerts import follow_up_alert

    alert = follow_up_alert(follow_up_id="f1", stage="due", owner_id="o", due_date="2026-03-09")
    assert alert.person_id == "o" and alert.title == "整改措施即将到期" and "2026-03-09" in alert.body


RECORD = {
    "held_at": "2026-03-02T10:00:00+08:00", "place": "支部活动室", "mode": "one_to_one", "kind": "regular",
    "talker_ids": ["s"], "talkee_ids": ["m"], "content": "谈话内容",
}  # fmt: skip

INVALID = [
    ("blank content", {"content": "   "}, "content"),
    ("talking with oneself", {"talkee_ids": ["s"]}, "themselves"),
    ("one-to-one with two talkees", {"talkee_ids": ["m", "n"]}, "one_to_one"),
    ("must-talk without rule ids", {"kind": "must_talk"}, "rule ids"),
    ("unknown rule id", {"rule_ids": ["M9"]}, "rule_ids"),
    ("unknown field", {"colour": "red"}, "colour"),
]


@pytest.mark.parametrize("change, message", [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_records_are_refused(change, message):
    with pytest.raises(ValidationError, match=message):
        TalkRecordIn.model_validate(RECORD | change)


def test_a_talk_in_the_future_is_refused():
    now = datetime(2026, 3, 2, tzinfo=UTC)
    check_not_in_future(now + timedelta(minutes=1), now)
    with pytest.raises(ValueError, match="in the future"):
        check_not_in_future(now + timedelta(hours=1), now)


@pytest.mark.parametrize(
    "transition, expected",
    [
        ("opened", [("sec", "opened")]),
        ("overdue", [("sec", "overdue")]),
        ("escalated", [("parent", "escalated")]),
        ("reassigned", [("sec", "reassigned"), ("old", "reassigned_away")]),
        ("fulfilled", []),
        ("cancelled", []),
    ],
)
def test_who_hears_of_a_transition(transition, expected):
    from notify.domain.alerts import recipients

    assert recipients(transition, "sec", "parent", "old") == expected


def test_REQ_C5_a_reassignment_to_the_same_holder_alerts_nobody():
    """(v2) a corrected rule (M4 → C5) keeps the holder: nobody is told of a hand-over."""
    from notify.domain.alerts import recipients

    assert recipients("reassigned", "sec", None, "sec") == []
    assert recipients("opened", None, None, None) == []  # the operators' own: the dashboard shows it


def test_COV_MEMBER_the_meeting_reminder_says_what_is_missing_and_is_sent_once_per_stage():
    from notify.domain.alerts import meeting_alert

    alert = meeting_alert(meeting_id="mt", days_before=14, recipient_id="sec", date="2026-06-30", members=3, secretaries=1, pairs=2)
    assert "2026-06-30" in alert.body and "3名党员" in alert.body and "1名下级党组织书记" in alert.body and "2对班子成员" in alert.body
    assert alert.idempotency_key == "meeting:mt:14:sec"
    assert meeting_alert(meeting_id="mt", days_before=3, recipient_id="sec", date="x", members=0, secretaries=0, pairs=0).idempotency_key != alert.idempotency_key
