"""Coverage for a year (COV-MEMBER, COV-SECRETARY, COV-COMMITTEE): who is covered, tallied per rule,
per organisation, and per branch of the tree. The API and the dashboard both read it from here, so
the page shows the numbers the API gives."""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Protocol

from compliance.domain.coverage import coverage_state
from compliance.domain.policy import Policy

RULES = ("COV-MEMBER", "COV-SECRETARY", "COV-COMMITTEE")


class CoverageReader(Protocol):
    """The coverage questions the projection answers (adapters.queries.CoverageQueries)."""

    async def member_rows(self, *, org_id: str | None, subtree: bool, person_id: str | None, year: int, today: date) -> list[dict]: ...
    async def secretary_rows(self, *, org_id: str | None, subtree: bool, year: int, today: date) -> list[dict]: ...
    async def pair_rows(self, *, org_id: str | None, subtree: bool, year: int, today: date) -> list[dict]: ...
    async def counts(self, *, org_id: str | None, subtree: bool, year: int, today: date) -> dict[str, list[dict]]: ...
    async def branch_counts(self, *, parent_id: str | None, year: int, today: date) -> dict[str, list[dict]] | None: ...


@dataclass(slots=True)
class Tally:
    """How many people (or pairs) a rule counts, and in which state. A plain slotted class, not a
    model: a coverage answer with its lists holds three per organisation."""

    total: int = 0
    covered: int = 0
    pending: int = 0
    at_risk: int = 0

    def add(self, state: str, n: int = 1) -> None:
        self.total += n
        setattr(self, state, getattr(self, state) + n)

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTS}


COUNTS = ("total", "covered", "pending", "at_risk")  # Tally's fields, in order
_COLUMN = {state: COUNTS.index(state) for state in COUNTS[1:]}  # where counts_by_org adds a state


def empty() -> dict[str, Tally]:
    return {rule: Tally() for rule in RULES}


@dataclass
class Coverage:
    """Judged coverage: `rows` per rule (people or pairs, or counted groups of them), each with
    `org_id`, `talks`, `target`, `state`, and `n` when it stands for n people or pairs."""

    year: int
    rows: dict[str, list[dict]]

    def _judged(self):
        for rule, rows in self.rows.items():
            for row in rows:
                yield rule, row["org_id"], row["state"], row.get("n", 1)

    def tallies(self) -> dict[str, Tally]:
        totals = empty()
        for rule, _, state, n in self._judged():
            totals[rule].add(state, n)
        return totals

    def by_org(self) -> dict[str, dict[str, Tally]]:
        return {org: {rule: Tally(*c) for rule, c in counts.items()} for org, counts in self.counts_by_org().items()}

    def counts_by_org(self) -> dict[str, dict[str, list[int]]]:
        """Per organisation (sorted) and rule: [total, covered, pending, at_risk]. Plain lists in one
        loop: the whole city's answer counts 10,000 organisations' 30,000 groups."""
        found: dict[str, dict[str, list[int]]] = {}
        for rule, rows in self.rows.items():
            for row in rows:
                counts = found.get(row["org_id"])
                if counts is None:
                    counts = found[row["org_id"]] = {r: [0, 0, 0, 0] for r in RULES}
                n, tally = row.get("n", 1), counts[rule]
                tally[0] += n
                tally[_COLUMN[row["state"]]] += n
        return dict(sorted(found.items()))

    def by_branch(self, top_of: dict[str, str]) -> dict[str, dict[str, Tally]]:
        """Tallies per subtree, `top_of` naming the subtree each organisation is in. Counted as the
        API counts `org_id=<top>&subtree=true`: a subtree's own secretary is its parent's to cover."""
        found: dict[str, dict[str, Tally]] = {}
        for rule, org, state, n in self._judged():
            top = top_of.get(org)
            if top is None or (rule == "COV-SECRETARY" and org == top):
                continue
            found.setdefault(top, empty())[rule].add(state, n)
        return found


def _judged(found: dict[str, list[dict]], policy: Policy, year: int, today: date) -> Coverage:
    """Each row given its target and state by the pure rule."""

    # A city has some 200,000 members but few distinct (talks, next meeting): each is judged once.
    @lru_cache(maxsize=4096)
    def state_of(talks: int, next_meeting: date | None) -> tuple[int, str]:
        state = coverage_state(talks, year, today, policy, next_meeting)
        return state.target, state.state

    for rows in found.values():
        for row in rows:
            row["target"], row["state"] = state_of(row["talks"], row.get("next_meeting"))
    return Coverage(year, found)


async def coverage(
    reader: CoverageReader,
    policy: Policy,
    *,
    org_id: str | None,
    subtree: bool,
    year: int,
    today: date,
    person_id: str | None = None,
) -> Coverage:
    """Every person and pair in scope, judged."""
    scope = {"org_id": org_id, "subtree": subtree, "year": year, "today": today}
    members = await reader.member_rows(person_id=person_id, **scope)
    secretaries = await reader.secretary_rows(**scope) if not person_id else []
    pairs = await reader.pair_rows(**scope) if not person_id else []
    return _judged(dict(zip(RULES, (members, secretaries, pairs), strict=True)), policy, year, today)


async def coverage_counted(
    reader: CoverageReader, policy: Policy, *, org_id: str | None, subtree: bool, year: int, today: date
) -> Coverage:
    """The same, counted in the database: for tallies, when nobody needs to be listed."""
    counted = await reader.counts(org_id=org_id, subtree=subtree, year=year, today=today)
    return _judged(counted, policy, year, today)


async def coverage_of_branches(
    reader: CoverageReader, policy: Policy, *, parent_id: str | None, year: int, today: date
) -> tuple[dict[str, Tally], dict[str, dict[str, Tally]]] | None:
    """The dashboard's tree level: the tallies of the whole scope under `parent_id` (the whole tree
    without one) and of each child's subtree, as `Coverage.tallies` and `Coverage.by_branch` count
    them; summed per branch in the database from the roll-up. None when the year is not kept counted."""
    counted = await reader.branch_counts(parent_id=parent_id, year=year, today=today)
    if counted is None:
        return None
    judged = _judged(counted, policy, year, today)
    branches: dict[str, dict[str, Tally]] = {}
    for rule, rows in judged.rows.items():
        for row in rows:
            if row["top"] is None or (rule == "COV-SECRETARY" and row["own"]):  # a subtree's own secretary is its parent's to cover
                continue
            branches.setdefault(row["top"], empty())[rule].add(row["state"], row["n"])
    return judged.tallies(), branches
