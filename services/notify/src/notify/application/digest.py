"""The optional daily digest: one e-mail a day to each secretary who asked for it (SPEC §5)."""

from datetime import datetime, timedelta

from notify.application.alerting import deliver
from notify.application.ports import UnitOfWorkFactory
from notify.config import NotifySettings
from notify.domain.alerts import Templates, digest_alert

DIGEST = "digest"  # the digest's own alerts are neither in the next digest nor counted as unread there


async def send_digests(unit_of_work: UnitOfWorkFactory, settings: NotifySettings, templates: Templates, now: datetime) -> int:
    """From the configured local hour on, each opted-in secretary with anything to report gets the
    day's digest, once (its idempotency key is the person and the day)."""
    local = now.astimezone(settings.zone)
    if local.hour < settings.digest_hour:
        return 0
    sent = 0
    async with unit_of_work() as uow:
        for person_id in await uow.people.digest_subscribers(holding_role="secretary"):
            new = await uow.inbox.titles_since(person_id, now - timedelta(days=1), excluding=DIGEST)
            unread = await uow.inbox.count(person_id, unread_only=True, excluding=DIGEST)
            if not new and not unread:
                continue
            alert = digest_alert(person_id=person_id, day=local.date().isoformat(), new=new, unread=unread, templates=templates)
            sent += await deliver(uow, alert, settings, only=("email",))
    return sent
