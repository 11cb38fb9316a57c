"""What a signed-in caller may see of compliance (issue 14, one policy for every route):

- operators and auditors: the subtrees of the organisations their token scopes (`org_scope`);
- anyone else: the organisations where they sit on the committee today (a secretary sees their
  organisation's obligations, coverage and members; with `subtree`, the organisations below it), and
  the obligations they are responsible for, wherever those are (the subordinate secretaries they
  answer for).

Obligations name discipline cases (M4, C5 with the person's name): a request beyond the caller's
sight is a 403 that says what they may ask for, never a silently narrowed answer.
"""

from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from compliance.adapters.dashboard_queries import ObligationFilter, children, org_path, seats_of
from kernel.access import SignedIn, oversees, sees_org
from kernel.identity import Principal


@dataclass(frozen=True)
class Sight:
    caller: Principal
    seat_orgs: frozenset[str]
    request: Request

    @property
    def overseer(self) -> bool:
        return oversees(self.caller)

    async def sees_org(self, org_id: str) -> bool:
        """kernel.access.sees_org over compliance's tree (only an overseer needs the chain)."""
        chain = [org_id]
        if self.overseer:
            async with self.request.app.state.runtime.sessions() as session:
                chain = [o["org_id"] for o in reversed(await org_path(session, org_id))]
        return sees_org(self.caller, chain, self.seat_orgs)

    async def sees_everything(self) -> bool:
        """The whole city: an overseer whose scope holds every root."""
        if not self.overseer:
            return False
        async with self.request.app.state.runtime.sessions() as session:
            roots = await children(session, None)
        return all(r["org_id"] in self.caller.scope for r in roots)

    async def require_org(self, org_id: str | None) -> None:
        """An organisation (None: the whole city) the caller may see, or a 403."""
        if org_id is None:
            if not await self.sees_everything():
                raise HTTPException(403, "name an organisation you oversee or sit on (org_id); the whole city is for operators scoped to it")
        elif not await self.sees_org(org_id):
            raise HTTPException(403, f"{org_id!r} is outside what you oversee or sit on")

    async def require_person(self, person_id: str, orgs: set[str]) -> None:
        """One's own record, or (for an overseer) a person who belongs or sits in `orgs`, one of which
        lies within their scope; someone unknown here shows nothing, so only that they are unknown."""
        if person_id == self.caller.person_id:
            return
        if not self.overseer:
            raise HTTPException(403, "one's own seats only, or an operator's")
        for org_id in sorted(orgs):
            if await self.sees_org(org_id):
                return
        if orgs:
            raise HTTPException(403, f"{person_id!r} belongs and sits outside what you oversee")

    async def narrow(self, where: ObligationFilter) -> ObligationFilter:
        """The obligation filters within sight: an organisation the caller may see, or (for someone
        overseeing nothing) the obligations they are responsible for."""
        if where.org_id is not None:
            await self.require_org(where.org_id)
            return where
        if self.overseer:
            if await self.sees_everything():
                return where
            if len(self.caller.scope) == 1:
                return replace(where, org_id=next(iter(self.caller.scope)), subtree=True)
            raise HTTPException(403, "name one of the organisations you oversee (org_id)")
        if where.responsible_id not in (None, self.caller.person_id):
            raise HTTPException(403, "the obligations you are responsible for, or those of an organisation you sit on (org_id)")
        return replace(where, responsible_id=self.caller.person_id)


async def sight(request: Request, caller: Annotated[Principal, SignedIn]) -> Sight:
    seat_orgs: frozenset[str] = frozenset()
    if not oversees(caller):
        async with request.app.state.runtime.sessions() as session:
            seat_orgs = frozenset(s["org_id"] for s in (await seats_of(session, caller.person_id))["seats"])
    return Sight(caller, seat_orgs, request)


Seen = Annotated[Sight, Depends(sight)]
