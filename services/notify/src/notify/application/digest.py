"""The optional daily digest: one e-mail a day to each secretary who asked for it (SPEC §5)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from notify.adapters import orm
from notify.application.delivery import deliver
from notify.config import NotifySettings
from notify.domain.alerts import Templates, digest_alert


async def send_digests(sessions: async_sessionmaker, settings: NotifySettings, templates: Templates, now: datetime) -> int:
    """From the configured local hour on, each opted-in secretary with anything to report gets the
    day's digest, once (its idempotency key is the person and the day)."""
    local = now.astimezone(ZoneInfo(settings.timezone))
    if local.hour < settings.digest_hour:
        return 0
    p, i, r = orm.people, orm.inbox, orm.roles
    sent = 0
    async with sessions() as session, session.begin():
        secretaries = select(r.c.person_id).where(r.c.role == "secretary")
        people = (await session.execute(select(p.c.person_id).where(p.c.digest, p.c.person_id.in_(secretaries)))).scalars().all()
        for person_id in people:
            mine = [i.c.person_id == person_id, i.c.transition != "digest"]
            new = (await session.execute(select(i.c.title).where(*mine, i.c.created_at >= now - timedelta(days=1)).order_by(i.c.created_at))).scalars().all()
            unread = await session.scalar(select(func.count()).select_from(i).where(*mine, i.c.read_at.is_(None)))
            if not new and not unread:
                continue
            alert = digest_alert(person_id=person_id, day=local.date().isoformat(), new=list(new), unread=unread, templates=templates)
            sent += await deliver(session, alert, settings, only=("email",))
    return sent
