"""Notify's deliveries with a real SMTP server and a real HTTP receiver, on the real database."""

import email
import email.policy
import hashlib
import hmac
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from kernel.consumer import BatchConsumer
from notify.adapters import orm
from notify.application.dead_letters import replay_dead
from notify.application.digest import send_digests
from notify.bootstrap import bootstrap
from notify.config import NotifySettings
from tests.channels import HttpReceiver, SmtpServer

from .conftest import records

SECRET = "s3cret-webhook-signing-key"


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def receiver():
    server = HttpReceiver().start()
    yield server
    server.stop()


def settings_for(smtp: SmtpServer, receiver: HttpReceiver, **overrides) -> NotifySettings:
    return NotifySettings(
        NOTIFY_SMTP_HOST="127.0.0.1", NOTIFY_SMTP_PORT=smtp.port, NOTIFY_WEBHOOK_URL=receiver.url,
        NOTIFY_WEBHOOK_SECRET=SECRET, NOTIFY_SMTP_STARTTLS=False, NOTIFY_SMTP_TIMEOUT_S=2, **overrides,
    )  # fmt: skip


def event(type_name: str, data: dict) -> dict:
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "urn:test", "type": type_name,
            "time": datetime.now(UTC).isoformat(), "data": data}  # fmt: skip


class Notify:
    def __init__(self, sessions, settings: NotifySettings, ids: str):
        self.sessions, self.ids = sessions, ids
        notify = bootstrap(settings, sessions, rand=lambda: 1.0)
        self.unit_of_work = notify.unit_of_work
        self.consumer = BatchConsumer("notify-it", sessions, orm.applied_events, notify.handlers, notify.hooks, unit_of_work=notify.consumer_unit_of_work)
        self.worker = notify.worker

    async def person(self, name: str) -> str:
        pid = self.ids + name
        await self.consumer.handle(records([event("member.joined.v1", {"person_id": pid, "name": name, "org_id": "o", "status": "full", "email": f"{pid}@example.org", "phone": "13800000000"})]))
        return pid

    def opened(self, secretary: str, transition: str = "opened") -> dict:
        return event(f"obligation.{transition}.v1", {
            "obligation_id": self.ids + "ob-1", "rule_id": "M4", "subject_id": self.ids + "m", "responsible_id": secretary,
            "org_id": "o", "due_date": "2026-12-06", "status": "open", "trigger_event_id": "t"})  # fmt: skip

    async def outcomes(self) -> list[str]:
        async with self.sessions() as session:
            rows = await session.execute(select(orm.outbox.c.event_type).where(orm.outbox.c.key.like(self.ids + "%")).order_by(orm.outbox.c.id))
            return [r.event_type for r in rows]


def verify(request: dict) -> bool:
    timestamp = request["headers"]["X-Talks-Timestamp"]
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(request["headers"]["X-Talks-Signature"], f"sha256={expected}")


async def test_one_email_and_one_signed_webhook_per_alert_even_if_the_event_comes_three_times(sessions, ids, smtp, receiver):
    n = Notify(sessions, settings_for(smtp, receiver), ids)
    secretary = await n.person("sec")
    alert_event = n.opened(secretary)
    for _ in range(3):  # the same obligation event delivered three times
        await n.consumer.handle(records([alert_event], "compliance.obligations"))
    now = datetime.now(UTC)
    assert await n.worker.run_once(now) == 2
    assert await n.worker.run_once(now + timedelta(hours=1)) == 0
    [mail] = [m for m in smtp.messages if m["to"] == [f"{secretary}@example.org"]]
    message = email.message_from_string(mail["data"], policy=email.policy.default)
    assert message["Subject"] == "新的必谈任务" and "必谈任务" in message.get_content()
    assert message["Message-ID"].startswith("<")
    [hook] = [r for r in receiver.requests if r["json"]["person_id"] == secretary]
    assert verify(hook), "the receiver must be able to verify the signature"
    assert hook["json"]["text"].startswith("【谈心谈话提醒】")
    assert await n.outcomes() == ["alert.delivered.v1", "alert.delivered.v1"]
    # What leaves the system says there is a task and where to look; not who, not why (M4: a discipline case).
    outside = "【谈心谈话提醒】新的必谈任务。详情请登录谈心谈话工作台查看：http://127.0.0.1:8102"
    assert hook["json"]["text"] == outside and message.get_content().strip() == outside
    for secret in (ids + "m", "M4", "违反党规党纪"):
        assert secret not in message.get_content() + message["Subject"] and secret not in hook["body"].decode()
    async with sessions() as session:  # the inbox, behind sign-in, keeps the detail
        [inbox] = (await session.execute(select(orm.inbox.c.body).where(orm.inbox.c.person_id == secretary))).all()
    assert "M4" in inbox.body and ids + "m" in inbox.body


async def test_a_batch_writes_its_alerts_together_each_once(sessions, ids, smtp, receiver):
    """One batch: the subject joins, two copies of one obligation event (different event ids, one
    idempotency key) and another secretary's obligation: two alerts, each with its deliveries once,
    the subject named even though they joined in the same batch."""
    n = Notify(sessions, settings_for(smtp, receiver), ids)
    first, second = await n.person("sec-1"), await n.person("sec-2")
    subject = event("member.joined.v1", {"person_id": ids + "m", "name": "张三", "org_id": "o", "status": "full"})
    again = n.opened(first)
    again["id"] = str(uuid.uuid4())
    other = n.opened(second)
    other["data"]["obligation_id"] = ids + "ob-2"
    await n.consumer.handle(records([subject, n.opened(first), again, other], "compliance.obligations"))
    async with sessions() as session:
        inbox = (await session.execute(select(orm.inbox.c.person_id, orm.inbox.c.body).where(orm.inbox.c.person_id.in_([first, second])))).all()
        deliveries = (await session.execute(select(orm.deliveries.c.person_id).where(orm.deliveries.c.person_id.in_([first, second])))).all()
    assert sorted(p for p, _ in inbox) == [first, second] and all("张三" in body for _, body in inbox)
    assert sorted(p for (p,) in deliveries) == [first, first, second, second]  # e-mail and webhook each
    assert await n.worker.run_once(datetime.now(UTC)) == 4  # and sent, leaving nothing due for the next test


async def test_with_smtp_down_alerts_retry_and_arrive_once_it_is_back(sessions, ids, smtp, receiver):
    n = Notify(sessions, settings_for(smtp, receiver), ids)
    secretary = await n.person("sec")
    smtp.stop()
    await n.consumer.handle(records([n.opened(secretary)], "compliance.obligations"))
    now = datetime.now(UTC)
    await n.worker.run_once(now)  # e-mail fails, webhook goes
    await n.worker.run_once(now + timedelta(seconds=2.5))  # back-off 2 s: second failure
    async with sessions() as session:
        [email] = (await session.execute(select(orm.deliveries).where(orm.deliveries.c.person_id == secretary, orm.deliveries.c.channel == "email"))).all()
    assert (email.status, email.attempts) == ("pending", 2) and "Error" in email.last_error
    assert email.next_attempt_at == now + timedelta(seconds=2.5) + timedelta(seconds=4)  # 2·2^(2−1), jitter at its top
    smtp.start()
    assert await n.worker.run_once(email.next_attempt_at) == 1
    assert len([m for m in smtp.messages if m["to"] == [f"{secretary}@example.org"]]) == 1


async def test_past_the_last_retry_alerts_wait_in_the_dead_letter_store_and_a_replay_delivers_once(sessions, ids, smtp, receiver):
    n = Notify(sessions, settings_for(smtp, receiver, NOTIFY_MAX_ATTEMPTS=2), ids)
    secretary = await n.person("sec")
    smtp.stop()
    await n.consumer.handle(records([n.opened(secretary)], "compliance.obligations"))
    now = datetime.now(UTC)
    await n.worker.run_once(now)
    await n.worker.run_once(now + timedelta(minutes=5))
    async with sessions() as session:
        [email] = (await session.execute(select(orm.deliveries).where(orm.deliveries.c.person_id == secretary, orm.deliveries.c.channel == "email"))).all()
    assert email.status == "dead"
    assert "alert.failed.v1" in await n.outcomes()
    smtp.start()
    assert await n.worker.run_once(now + timedelta(hours=1)) == 0  # the dead stay dead until replayed
    assert await replay_dead(n.unit_of_work, email.delivery_id, now + timedelta(hours=1)) == [email.delivery_id]
    assert await n.worker.run_once(now + timedelta(hours=1)) == 1
    assert await n.worker.run_once(now + timedelta(hours=2)) == 0
    assert len([m for m in smtp.messages if m["to"] == [f"{secretary}@example.org"]]) == 1


async def test_quiet_hours_hold_non_urgent_alerts_but_not_escalations(sessions, ids, smtp, receiver):
    n = Notify(sessions, settings_for(smtp, receiver), ids)
    secretary = await n.person("sec")
    # Quiet from an hour ago until three hours ahead in the service's zone, whatever the clock says now
    # (a fixed 00:00–23:59 window leaves less than an hour of quiet late in the Beijing evening).
    local = datetime.now(settings_for(smtp, receiver).zone)
    start, end = (local - timedelta(hours=1)).time(), (local + timedelta(hours=3)).time()
    async with sessions() as session, session.begin():
        await session.execute(orm.people.update().where(orm.people.c.person_id == secretary).values(
            channels=["email"], quiet_start=start, quiet_end=end))  # fmt: skip
    await n.consumer.handle(records([n.opened(secretary)], "compliance.obligations"))
    escalated = n.opened(secretary, "escalated")
    escalated["data"]["escalated_to_id"] = secretary
    await n.consumer.handle(records([escalated], "compliance.obligations"))
    async with sessions() as session:
        rows = (await session.execute(select(orm.deliveries).where(orm.deliveries.c.person_id == secretary))).all()
    by_alert = {r.delivery_id: r.next_attempt_at for r in rows}
    assert len(rows) == 2 and all(r.channel == "email" for r in rows)  # the webhook was not chosen
    held, urgent = sorted(by_alert.values())[::-1]
    assert held - urgent > timedelta(hours=1)  # the opened alert waits for the end of quiet hours


async def test_a_secretary_who_asked_gets_one_daily_digest_by_email(sessions, ids, smtp, receiver):
    settings = settings_for(smtp, receiver)
    n = Notify(sessions, settings, ids)
    secretary = await n.person("sec")
    await n.consumer.handle(records([event("role.assigned.v1", {"org_id": ids + "b", "person_id": secretary, "role": "secretary"})]))
    async with sessions() as session, session.begin():
        await session.execute(orm.people.update().where(orm.people.c.person_id == secretary).values(digest=True, channels=[]))
    await n.consumer.handle(records([n.opened(secretary)], "compliance.obligations"))
    morning = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    assert await send_digests(n.unit_of_work, settings, settings.templates(), morning - timedelta(hours=2)) == 0  # before 08:00
    assert await send_digests(n.unit_of_work, settings, settings.templates(), morning) >= 1
    assert await send_digests(n.unit_of_work, settings, settings.templates(), morning + timedelta(hours=3)) == 0  # once a day
    await n.worker.run_once(datetime.now(UTC) + timedelta(seconds=1))
    [mail] = [m for m in smtp.messages if m["to"] == [f"{secretary}@example.org"]]  # only the digest: no other channel chosen
    message = email.message_from_string(mail["data"], policy=email.policy.default)
    # the e-mail says a digest waits; the digest itself (what was new) is in the inbox, behind sign-in
    assert message["Subject"] == "谈心谈话每日提醒" and "请登录谈心谈话工作台查看" in message.get_content()
    async with sessions() as session:
        digest = (await session.execute(select(orm.inbox.c.body).where(orm.inbox.c.person_id == secretary, orm.inbox.c.transition == "digest"))).scalar_one()
    assert "新的必谈任务" in digest


async def test_a_follow_up_due_reminds_its_owner_once(sessions, ids, smtp, receiver):
    n = Notify(sessions, settings_for(smtp, receiver), ids)
    owner = await n.person("owner")
    due = event("follow_up.due.v1", {"talk_id": ids + "t", "follow_up_id": ids + "f", "owner_id": owner, "due_date": "2026-12-20"})
    for _ in range(2):
        await n.consumer.handle(records([due], "talks.events"))
    async with sessions() as session:
        alerts = (await session.execute(select(orm.inbox).where(orm.inbox.c.person_id == owner))).all()
    assert [(a.transition, a.title) for a in alerts] == [("follow_up_due", "整改措施即将到期")]
    assert "2026-12-20" in alerts[0].body
