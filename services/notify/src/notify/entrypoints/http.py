"""HTTP routes of notify (SPEC §8): the in-app inbox."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import func, select, update

from notify.adapters import orm

router = APIRouter(prefix="/v1", tags=["notify"])


class AlertOut(BaseModel):
    alert_id: str
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
