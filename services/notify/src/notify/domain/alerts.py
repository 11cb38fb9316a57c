"""What an alert says and to whom (SPEC §5). Pure; messages in Chinese; never any talk content."""

import uuid
from dataclasses import dataclass

_NAMESPACE = uuid.UUID("0b7e2f4c-9d1a-4e55-8c3b-2a6f1e9d7c40")

RULE_NAMES = {
    "COV-MEMBER": "年度谈心谈话全覆盖（党员）",
    "COV-SECRETARY": "年度谈心谈话全覆盖（下级党组织书记）",
    "COV-COMMITTEE": "班子成员之间必谈",
    "M1": "先锋模范作用发挥不明显",
    "M2": "组织观念淡薄",
    "M3": "党性意识不强",
    "M4": "违反党规党纪或法律法规",
    "M5": "思想情绪波动、生活困难",
    "M6": "受到表彰奖励",
    "C1": "工作变动（离任、退休、岗位调整）",
    "C2": "提拔任用、列为后备干部",
    "C3": "党员群众有不良反映",
    "C4": "履职尽责不到位",
    "C5": "违规违纪、受到通报批评、组织处理或处分",
    "C6": "本人或家庭生活困难",
    "C7": "精神不振、纪律松弛",
    "C8": "与其他干部存在矛盾或重大分歧",
    "REQ": "党员主动要求谈话",
}

TRANSITION_TITLES = {
    "opened": "新的必谈任务",
    "due_soon": "必谈任务即将到期",
    "overdue": "必谈任务已逾期",
    "escalated": "下级必谈任务逾期上报",
    "reassigned": "必谈任务已转交给您",
    "reassigned_away": "必谈任务已转交他人",
}


def recipients(transition: str, responsible_id: str | None, escalated_to_id: str | None, previous_id: str | None) -> list[tuple[str, str]]:
    """Who hears of a transition, and as which alert (SPEC §5): the responsible secretary; on an
    escalation the parent's secretary; on a reassignment the new holder and the previous one."""
    if transition == "escalated":
        return [(escalated_to_id, "escalated")] if escalated_to_id else []
    out = [(responsible_id, transition)] if responsible_id and transition in TRANSITION_TITLES else []
    if transition == "reassigned" and previous_id and previous_id != responsible_id:
        out.append((previous_id, "reassigned_away"))
    return out


@dataclass(frozen=True)
class Alert:
    alert_id: str
    idempotency_key: str
    person_id: str
    obligation_id: str | None
    transition: str
    title: str
    body: str


def idempotency_key(obligation_id: str, transition: str, recipient_id: str) -> str:
    return f"{obligation_id}:{transition}:{recipient_id}"


def obligation_alert(
    *, obligation_id: str, transition: str, recipient_id: str, rule_id: str, subject_name: str, due_date: str
) -> Alert | None:
    """The alert for an obligation's transition, or None when the transition alerts nobody."""
    title = TRANSITION_TITLES.get(transition)
    if title is None:
        return None
    key = idempotency_key(obligation_id, transition, recipient_id)
    body = (
        f"【谈心谈话提醒】{title}：请与{subject_name}同志开展谈心谈话"
        f"（{rule_id}：{RULE_NAMES.get(rule_id, rule_id)}），须于{due_date}前完成并记录。"
    )
    return Alert(
        alert_id=str(uuid.uuid5(_NAMESPACE, key)),
        idempotency_key=key,
        person_id=recipient_id,
        obligation_id=obligation_id,
        transition=transition,
        title=title,
        body=body,
    )


def vacancy_alert(*, org_id: str, org_name: str, recipient_id: str, since: str) -> Alert:
    """To the parent's secretary: a subordinate organisation has no secretary (SPEC §2, §5)."""
    key = f"vacant:{org_id}:{since}:{recipient_id}"
    return Alert(
        alert_id=str(uuid.uuid5(_NAMESPACE, key)),
        idempotency_key=key,
        person_id=recipient_id,
        obligation_id=None,
        transition="secretary_vacant",
        title="下级党组织书记空缺",
        body=f"【谈心谈话提醒】{org_name}书记空缺（自{since}起），其谈心谈话职责暂由上级承担，请尽快配齐书记。",
    )
