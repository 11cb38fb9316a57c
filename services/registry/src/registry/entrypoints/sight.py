"""What a signed-in caller may read of the registry (issue 14): the sight rule every service applies
(kernel.access.sees_org) over the registry's own tree — overseers the subtrees of their token's
`org_scope`, committee members the organisations where they sit today, a person their own record.
Names, phone numbers and e-mail addresses are behind it.

An organisation the registry does not know is a 404 for an overseer and a 403 for anyone else (it
is outside what they sit on, and whether it exists is not theirs to learn).
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from kernel.access import SignedIn, oversees, sees_org
from kernel.identity import Principal
from registry.application.ports import RegistryReads


@dataclass(frozen=True)
class Sight:
    caller: Principal
    reads: RegistryReads

    @property
    def overseer(self) -> bool:
        return oversees(self.caller)

    async def seat_orgs(self) -> set[str]:
        me = await self.reads.person(self.caller.person_id)
        return {r["org_id"] for r in (me or {}).get("roles", []) if r["until"] is None}

    async def require_org(self, org_id: str) -> None:
        if self.overseer:
            chain = await self.reads.chain(org_id)
            if not chain:
                raise HTTPException(404, f"no organisation {org_id!r}")
            seats: set[str] = set()
        else:
            chain, seats = [org_id], await self.seat_orgs()
        if not sees_org(self.caller, chain, seats):
            raise HTTPException(403, f"{org_id!r} is outside the organisations you oversee or sit on")

    async def require_person(self, person: dict) -> None:
        if person["person_id"] == self.caller.person_id:
            return
        await self.require_org(person["org_id"])


async def sight(request: Request, caller: Annotated[Principal, SignedIn]) -> Sight:
    return Sight(caller, request.app.state.ports.reads)


Seen = Annotated[Sight, Depends(sight)]
