"""Coverage for a year (COV-MEMBER, COV-SECRETARY, COV-COMMITTEE): who is covered, tallied per rule,
per organisation, and per branch of the tree. The API and the dashboard both read it from here, so
the page shows the numbers the API gives."""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from compliance.adapters.queries import committee_pair_rows, member_coverage_rows, secretary_coverage_rows
from compliance.domain.coverage import coverage_state
from compliance.domain.policy import Policy

RULES = ("COV-MEMBER", "COV-SECRETARY", "COV-COMMITTEE")


class Tally(BaseModel):
    total: int = 0
    covered: int = 0
    pending: int = 0
    at_risk: int = 0

    def add(self, state: str) -> None:
        self.total += 1
        setattr(self, state, getattr(self, state) + 1)


def empty() -> dict[str, Tally]:
    return {rule: Tally() for rule in RULES}


@dataclass
class Coverage:
    """Each rule's rows (people or pairs, each with `talks`, `target` and `state`)."""

    year: int
    rows: dict[str, list[dict]]

    def tallies(self) -> dict[str, Tally]:
        totals = empty()
        for rule, rows in self.rows.items():
            for row in rows:
                totals[rule].add(row["state"])
        return totals

    def by_org(self) -> dict[str, dict[str, Tally]]:
        found: dict[str, dict[str, Tally]] = {}
        for rule, rows in self.rows.items():
            for row in rows:
                found.setdefault(row["org_id"], empty())[rule].add(row["state"])
        return dict(sorted(found.items()))

    def by_branch(self, top_of: dict[str, str]) -> dict[str, dict[str, Tally]]:
        """Tallies per subtree, `top_of` naming the subtree each organisation is in. Counted as the
        API counts `org_id=<top>&subtree=true`: a subtree's own secretary is its parent's to cover."""
        found: dict[str, dict[str, Tally]] = {}
        for rule, rows in self.rows.items():
            for row in rows:
                top = top_of.get(row["org_id"])
                if top is None or (rule == "COV-SECRETARY" and row["org_id"] == top):
                    continue
                found.setdefault(top, empty())[rule].add(row["state"])
        return found


async def coverage(
    session: AsyncSession,
    policy: Policy,
    *,
    org_id: str | None,
    subtree: bool,
    year: int,
    today: date,
    person_id: str | None = None,
) -> Coverage:
    scope = {"org_id": org_id, "subtree": subtree, "year": year, "today": today}
    members = await member_coverage_rows(session, person_id=person_id, **scope)
    secretaries = await secretary_coverage_rows(session, **scope) if not person_id else []
    pairs = await committee_pair_rows(session, **scope) if not person_id else []

    # A city has some 200,000 members but few distinct (talks, next meeting): each is judged once.
    @lru_cache(maxsize=4096)
    def judged(talks: int, next_meeting: date | None) -> tuple[int, str]:
        state = coverage_state(talks, year, today, policy, next_meeting)
        return state.target, state.state

    rows: dict[str, list[dict]] = {}
    for rule, found in zip(RULES, (members, secretaries, pairs), strict=True):
        for row in found:
            row["target"], row["state"] = judged(row["talks"], row.get("next_meeting"))
        rows[rule] = found
    return Coverage(year, rows)
