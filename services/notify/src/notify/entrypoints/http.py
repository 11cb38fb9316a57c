"""HTTP routes of notify (SPEC §8): the in-app inbox, preferences, and the dead-letter store.

Each route maps the wire to one use case of notify/application and back; the use cases open their
units of work with the factory that notify.bootstrap.create_app put on the app's state.
"""

from datetime import UTC, datetime, time
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field, model_validator

from kernel.access import Operator, SignedIn
from kernel.http import Offset
from kernel.identity import Principal
from notify.application.dead_letters import list_dead_letters, replay_dead
from notify.application.inbox import mark_alert_read, read_inbox
from notify.application.ports import UnitOfWorkFactory
from notify.application.preferences import save_preferences
from notify.application.records import DeadLetter, InboxEntry

router = APIRouter(prefix="/v1", tags=["notify"])


def _unit_of_work(request: Request) -> UnitOfWorkFactory:
    return request.app.state.unit_of_work


UnitOfWorkDependency = Annotated[UnitOfWorkFactory, Depends(_unit_of_work)]
Caller = Annotated[Principal, SignedIn]  # the signed-in person (kernel.access)
OperatorCaller = Annotated[Principal, Operator]


def _own(caller: Principal, person_id: str) -> None:
    """An inbox and its preferences are their person's alone."""
    if caller.person_id != person_id:
        raise HTTPException(403, "one's own inbox and preferences only")


class AlertOut(InboxEntry):
    pass  # on the wire as the use case reads it


@router.get("/inbox/{person_id}", response_model=list[AlertOut], summary="A person's alerts, newest first")
async def inbox(
    person_id: str,
    response: Response,
    unit_of_work: UnitOfWorkDependency,
    caller: Caller,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> list[InboxEntry]:
    _own(caller, person_id)
    page = await read_inbox(unit_of_work, person_id, unread_only=unread, limit=limit, offset=offset)
    response.headers["X-Total-Count"] = str(page.total)
    response.headers["X-Unread-Count"] = str(page.unread)
    return page.alerts


@router.post("/inbox/{person_id}/{alert_id}/read", response_model=AlertOut, summary="Mark an alert read")
async def mark_read(person_id: str, alert_id: str, unit_of_work: UnitOfWorkDependency, caller: Caller) -> InboxEntry:
    _own(caller, person_id)
    alert = await mark_alert_read(unit_of_work, person_id, alert_id)
    if alert is None:
        raise HTTPException(404, f"no alert {alert_id!r} in the inbox of {person_id!r}")
    return alert


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
async def set_preferences(person_id: str, prefs: PreferencesIn, unit_of_work: UnitOfWorkDependency, caller: Caller) -> dict:
    _own(caller, person_id)
    if not await save_preferences(unit_of_work, person_id, **prefs.model_dump()):
        raise HTTPException(404, f"no person {person_id!r} known to notify")
    return {"person_id": person_id, **prefs.model_dump(mode="json")}


class DeadLetterOut(DeadLetter):
    pass  # on the wire as the use case reads it


@router.get("/dead-letters", response_model=list[DeadLetterOut], tags=["operations"], summary="Alerts given up after the last retry")
async def dead_letters(unit_of_work: UnitOfWorkDependency, _: OperatorCaller, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[DeadLetter]:
    return await list_dead_letters(unit_of_work, limit)


@router.post("/dead-letters/replay", tags=["operations"], summary="Send every dead alert again")
async def replay_all(unit_of_work: UnitOfWorkDependency, _: OperatorCaller) -> dict:
    return {"replayed": await replay_dead(unit_of_work, None, datetime.now(UTC))}


@router.post("/dead-letters/{delivery_id}/replay", tags=["operations"], summary="Send one dead alert again")
async def replay_one(delivery_id: str, unit_of_work: UnitOfWorkDependency, _: OperatorCaller) -> dict:
    replayed = await replay_dead(unit_of_work, delivery_id, datetime.now(UTC))
    if not replayed:
        raise HTTPException(404, f"no dead delivery {delivery_id!r}")
    return {"replayed": replayed}
