"""HTTP routes of notify (SPEC §8): the in-app inbox, preferences, and the dead-letter store."""

from datetime import UTC, datetime, time
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import func, select, update

from notify.adapters import orm
from notify.application.delivery import replay_dead

router = APIRouter(prefix="/v1", tags=["notify"])


class AlertOut(BaseModel):
    alert_id: str
    person_id: str
    obligation_id: str | None
    transition: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


@router.get("/inbox/{person_id}", response_model=list[AlertOut], summary="A person's alerts, newest first")
async def inbox(
    person_id: str,
    request: Request,
    response: Response,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[dict]:
    i = orm.inbox
    where = [i.c.person_id == person_id]
    if unread:
        where.append(i.c.read_at.is_(None))
    async with request.app.state.runtime.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(i).where(*where))
        unread_count = await session.scalar(select(func.count()).select_from(i).where(i.c.person_id == person_id, i.c.read_at.is_(None)))
        rows = await session.execute(select(i).where(*where).order_by(i.c.created_at.desc(), i.c.alert_id).limit(limit).offset(offset))
    response.headers["X-Total-Count"] = str(total)
    response.headers["X-Unread-Count"] = str(unread_count)
    return [dict(r._mapping) for r in rows]


@router.post("/inbox/{person_id}/{alert_id}/read", response_model=AlertOut, summary="Mark an alert read")
async def mark_read(person_id: str, alert_id: str, request: Request) -> dict:
    i = orm.inbox
    async with request.app.state.runtime.sessions() as session, session.begin():
        row = (
            await session.execute(
                update(i)
                .where(i.c.person_id == person_id, i.c.alert_id == alert_id)
                .values(read_at=func.coalesce(i.c.read_at, func.now()))
                .returning(*i.c)
            )
        ).first()
    if row is None:
        raise HTTPException(404, f"no alert {alert_id!r} in the inbox of {person_id!r}")
    return dict(row._mapping)


class PreferencesIn(BaseModel):
    channels: list[Literal["email", "webhook"]] = Field(description="channels beyond the inbox")
    quiet_start: time | None = Field(None, description="e.g. 22:00 — non-urgent alerts wait until quiet_end")
    quiet_end: time | None = None
    digest: bool = Field(False, description="a daily summary by e-mail (secretaries)")

    @model_validator(mode="after")
    def _both_or_neither(self) -> "PreferencesIn":
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("quiet_start and quiet_end: give both or neither")
        return self


@router.put("/people/{person_id}/preferences", summary="A person's channels and quiet hours")
async def set_preferences(person_id: str, prefs: PreferencesIn, request: Request) -> dict:
    p = orm.people
    async with request.app.state.runtime.sessions() as session, session.begin():
        updated = await session.execute(
            update(p).where(p.c.person_id == person_id).values(channels=prefs.channels, quiet_start=prefs.quiet_start, quiet_end=prefs.quiet_end, digest=prefs.digest).returning(p.c.person_id)
        )
        if updated.first() is None:
            raise HTTPException(404, f"no person {person_id!r} known to notify")
    return {"person_id": person_id, **prefs.model_dump(mode="json")}


class DeadLetterOut(BaseModel):
    delivery_id: str
    alert_id: str
    person_id: str
    channel: str
    attempts: int
    last_error: str | None
    created_at: datetime
    title: str


@router.get("/dead-letters", response_model=list[DeadLetterOut], tags=["operations"], summary="Alerts given up after the last retry")
async def dead_letters(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict]:
    dl = orm.deliveries
    async with request.app.state.runtime.sessions() as session:
        rows = await session.execute(
            select(dl, orm.inbox.c.title).join(orm.inbox, orm.inbox.c.alert_id == dl.c.alert_id)
            .where(dl.c.status == "dead").order_by(dl.c.created_at).limit(limit)
        )  # fmt: skip
    return [dict(r._mapping) for r in rows]


@router.post("/dead-letters/replay", tags=["operations"], summary="Send every dead alert again")
async def replay_all(request: Request) -> dict:
    return {"replayed": await replay_dead(request.app.state.runtime.sessions, None, datetime.now(UTC))}


@router.post("/dead-letters/{delivery_id}/replay", tags=["operations"], summary="Send one dead alert again")
async def replay_one(delivery_id: str, request: Request) -> dict:
    replayed = await replay_dead(request.app.state.runtime.sessions, delivery_id, datetime.now(UTC))
    if not replayed:
        raise HTTPException(404, f"no dead delivery {delivery_id!r}")
    return {"replayed": replayed}
