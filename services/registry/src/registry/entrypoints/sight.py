"""What a signed-in caller may read of the registry (issue 14; the same sight as compliance's):
operators and auditors the subtrees of their token's `org_scope`; a committee member the
organisations where they sit today (with `subtree`, those below); a person their own record.
Names, phone numbers and e-mail addresses are behind it.

An organisation the registry does not know is a 404 for an overseer and a 403 for anyone else (it
is outside what they sit on, and whether it exists is not theirs to learn).
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from kernel.access import SignedIn
from kernel.identity import Principal
from registry.application.ports import RegistryReads

_MAX_DEPTH = 64  # a cycle in bad data ends the walk up


@dataclass(frozen=True)
class Sight:
    caller: Principal
    reads: RegistryReads

    @property
    def overseer(self) -> bool:
        return self.caller.has("operator") or self.caller.has("auditor")

    async def seat_orgs(self) -> set[str]:
        me = await self.reads.person(self.caller.person_id)
        return {r["org_id"] for r in (me or {}).get("roles", []) if r["until"] is None}

    async def chain(self, org_id: str) -> list[str] | None:
        """The organisation and those above it; None if unknown."""
        out: list[str] = []
        current: str | None = org_id
        while current is not None and len(out) < _MAX_DEPTH:
            found = await self.reads.org(current)
            if found is None:
                return None if not out else out
            out.append(current)
            current = found["parent_id"]
        return out

    async def require_org(self, org_id: str) -> None:
        if self.overseer:
            chain = await self.chain(org_id)
            if chain is None:
                raise HTTPException(404, f"no organisation {org_id!r}")
            if not set(chain) & self.caller.scope:
                raise HTTPException(403, f"{org_id!r} is outside the organisations you oversee")
        elif org_id not in await self.seat_orgs():
            raise HTTPException(403, f"{org_id!r} is not an organisation you sit on")

    async def require_person(self, person: dict) -> None:
        if person["person_id"] == self.caller.person_id:
            return
        await self.require_org(person["org_id"])


async def sight(request: Request, caller: Annotated[Principal, SignedIn]) -> Sight:
    return Sight(caller, request.app.state.ports.reads)


Seen = Annotated[Sight, Depends(sight)]
