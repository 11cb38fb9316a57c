"""What an alert says and to whom (SPEC §5). Pure; messages in Chinese; never any talk content."""

import uuid
from dataclasses import dataclass, field

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

OBLIGATION_BODY = "【谈心谈话提醒】{title}：请与{subject_name}同志开展谈心谈话（{rule_id}：{rule_name}），须于{due_date}前完成并记录。"
# What leaves the system (e-mail, the SMS / messaging gateway, a phone's lock screen): that there is a
# task, how urgent (the alert's title names no one), and where to look. The names and the reasons stay
# in the inbox, behind sign-in. Placeholders: {title} {workspace_url}.
OUTSIDE_BODY = "【谈心谈话提醒】{title}。详情请登录谈心谈话工作台查看：{workspace_url}"
OUTSIDE_PLACEHOLDERS = ("title", "workspace_url")


@dataclass(frozen=True)
class Templates:
    """Titles and bodies of every alert, in Chinese by default; operators override any of them
    (NOTIFY_TEMPLATES_FILE). Placeholders: {title} {subject_name} {rule_id} {rule_name} {due_date}
    {org_name} {since}. A template never receives talk content: there is none to give it."""

    titles: dict[str, str] = field(default_factory=lambda: {
        "opened": "新的必谈任务",
        "due_soon": "必谈任务即将到期",
        "overdue": "必谈任务已逾期",
        "escalated": "下级必谈任务逾期上报",
        "reassigned": "必谈任务已转交给您",
        "reassigned_away": "必谈任务已转交他人",
        "secretary_vacant": "下级党组织书记空缺",
        "meeting_approaching": "组织生活会前谈心谈话提醒",
        "follow_up_due": "整改措施即将到期",
        "follow_up_overdue": "整改措施已逾期",
        "digest": "谈心谈话每日提醒",
    })  # fmt: skip
    bodies: dict[str, str] = field(default_factory=lambda: {
        "opened": OBLIGATION_BODY,
        "due_soon": OBLIGATION_BODY,
        "overdue": OBLIGATION_BODY,
        "escalated": "【谈心谈话提醒】{title}：下级书记未按期与{subject_name}同志开展谈心谈话（{rule_id}：{rule_name}，应于{due_date}前完成），请督促落实。",
        "reassigned": OBLIGATION_BODY,
        "reassigned_away": "【谈心谈话提醒】{title}：与{subject_name}同志的谈心谈话（{rule_id}：{rule_name}）已转由他人负责。",
        "secretary_vacant": "【谈心谈话提醒】{org_name}书记空缺（自{since}起），其谈心谈话职责暂由上级承担，请尽快配齐书记。",
        "follow_up_due": "【谈心谈话提醒】{title}：您负责的整改措施须于{due_date}前完成。",
        "follow_up_overdue": "【谈心谈话提醒】{title}：您负责的整改措施已于{due_date}到期，请尽快完成。",
        "meeting_approaching": "【谈心谈话提醒】{title}：组织生活会将于{due_date}召开（还有{days}天），尚有{members}名党员、{secretaries}名下级党组织书记、{pairs}对班子成员未开展谈心谈话，请在会前完成。",
        "digest": "【谈心谈话提醒】{title}（{since}）：过去一天新提醒{new}条，未读{unread}条。\n{lines}",
    })  # fmt: skip

    outside: str = OUTSIDE_BODY  # the text external channels carry instead of the body

    def with_overrides(self, overrides: dict) -> "Templates":
        sections = set(overrides) - {"titles", "bodies", "outside"}
        keys = (set(overrides.get("titles", {})) | set(overrides.get("bodies", {}))) - set(self.titles)
        if unknown := sections | keys:
            raise ValueError(f"templates: unknown keys {sorted(unknown)}")
        merged = Templates(
            self.titles | overrides.get("titles", {}), self.bodies | overrides.get("bodies", {}), overrides.get("outside", self.outside)
        )
        for key in merged.bodies:
            merged.render(key, **dict.fromkeys(PLACEHOLDERS, "x"))  # a bad placeholder fails at start-up
        merged.outside_text("x", "x")
        return merged

    def outside_text(self, title: str, workspace_url: str) -> str:
        """What e-mail and the webhook say of an alert (see OUTSIDE_BODY): no name, no reason."""
        try:
            return self.outside.format(title=title, workspace_url=workspace_url)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"template 'outside': {exc!r}; placeholders are {list(OUTSIDE_PLACEHOLDERS)}") from None

    def render(self, key: str, **values: str) -> tuple[str, str]:
        title = self.titles[key]
        try:
            return title, self.bodies[key].format(title=title, **values)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"template {key!r}: {exc!r}; placeholders are {sorted(PLACEHOLDERS)}") from None


PLACEHOLDERS = (
    "subject_name", "rule_id", "rule_name", "due_date", "org_name", "since", "new", "unread", "lines",
    "days", "members", "secretaries", "pairs",
)  # fmt: skip
DEFAULT_TEMPLATES = Templates()


OBLIGATION_ALERTS = frozenset({"opened", "due_soon", "overdue", "escalated", "reassigned"})


def recipients(transition: str, responsible_id: str | None, escalated_to_id: str | None, previous_id: str | None) -> list[tuple[str, str]]:
    """Who hears of a transition, and as which alert (SPEC §5): the responsible secretary; on an
    escalation the parent's secretary; on a reassignment the new holder and the previous one."""
    if transition == "escalated":
        return [(escalated_to_id, "escalated")] if escalated_to_id else []
    if transition == "reassigned" and previous_id == responsible_id:
        return []  # the same holder (a corrected rule, a move of the member within their reach)
    out = [(responsible_id, transition)] if responsible_id and transition in OBLIGATION_ALERTS else []
    if transition == "reassigned" and previous_id:
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


def _alert(key: str, recipient_id: str, kind: str, obligation_id: str | None, templates: Templates, **values: str) -> Alert:
    title, body = templates.render(kind, **(dict.fromkeys(PLACEHOLDERS, "") | values))
    return Alert(str(uuid.uuid5(_NAMESPACE, key)), key, recipient_id, obligation_id, kind, title, body)


def obligation_alert(
    *, obligation_id: str, transition: str, recipient_id: str, rule_id: str, subject_name: str, due_date: str,
    templates: Templates = DEFAULT_TEMPLATES,
) -> Alert:  # fmt: skip
    """The alert for an obligation's transition (see `recipients` for who gets which)."""
    return _alert(
        idempotency_key(obligation_id, transition, recipient_id), recipient_id, transition, obligation_id, templates,
        subject_name=subject_name, rule_id=rule_id, rule_name=RULE_NAMES.get(rule_id, rule_id), due_date=due_date,
    )  # fmt: skip


def vacancy_alert(*, org_id: str, org_name: str, recipient_id: str, since: str, templates: Templates = DEFAULT_TEMPLATES) -> Alert:
    """To the parent's secretary: a subordinate organisation has no secretary (SPEC §2, §5)."""
    return _alert(f"vacant:{org_id}:{since}:{recipient_id}", recipient_id, "secretary_vacant", None, templates, org_name=org_name, since=since)


def follow_up_alert(*, follow_up_id: str, stage: str, owner_id: str, due_date: str, templates: Templates = DEFAULT_TEMPLATES) -> Alert:
    """To the owner of a follow-up measure (整改措施) that is due or overdue; never its text."""
    return _alert(f"follow-up:{follow_up_id}:{stage}:{owner_id}", owner_id, f"follow_up_{stage}", None, templates, due_date=due_date)


def meeting_alert(
    *, meeting_id: str, days_before: int, recipient_id: str, date: str, members: int, secretaries: int, pairs: int,
    templates: Templates = DEFAULT_TEMPLATES,
) -> Alert:  # fmt: skip
    """To the organisation's secretary, 14 and 3 days before an organisational-life meeting (SPEC §3.6)."""
    return _alert(
        f"meeting:{meeting_id}:{days_before}:{recipient_id}", recipient_id, "meeting_approaching", None, templates,
        due_date=date, days=str(days_before), members=str(members), secretaries=str(secretaries), pairs=str(pairs),
    )  # fmt: skip


def digest_alert(*, person_id: str, day: str, new: list[str], unread: int, templates: Templates = DEFAULT_TEMPLATES) -> Alert:
    """A secretary's daily summary: the titles of the past day's alerts and how many are unread."""
    lines = "\n".join(f"· {title}" for title in new)
    return _alert(f"digest:{person_id}:{day}", person_id, "digest", None, templates, since=day, new=str(len(new)), unread=str(unread), lines=lines)
