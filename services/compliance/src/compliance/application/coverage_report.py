"""Coverage for a year (COV-MEMBER, COV-SECRETARY, COV-COMMITTEE): who is covered, tallied per rule,
per organisation, and per branch of the tree. The API and the dashboard both read it from here, so
the page shows the numbers the API gives."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Protocol

from compliance.domain.coverage import COMMITTEE, MEMBER, RULES, SECRETARY, coverage_state, uncovered_state
from compliance.domain.policy import Policy
from kernel import heap


class CoverageReader(Protocol):
    """The coverage questions the projection answers (adapters.queries.CoverageQueries)."""

    async def member_rows(self, *, org_id: str | None, subtree: bool, person_id: str | None, year: int, today: date) -> list[dict]: ...
    async def secretary_rows(self, *, org_id: str | None, subtree: bool, year: int, today: date) -> list[dict]: ...
    async def pair_rows(self, *, org_id: str | None, subtree: bool, year: int, today: date) -> list[dict]: ...
    async def counts(self, *, org_id: str | None, subtree: bool, year: int, today: date, covered_from: int) -> list[tuple]: ...
    async def branch_counts(self, *, parent_id: str | None, year: int, today: date) -> list[tuple] | None: ...


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


COUNTS = ("total", "covered", "pending", "at_risk")  # Tally's fields, in order


def empty() -> dict[str, Tally]:
    return {rule: Tally() for rule in RULES}


Counts = dict[str, int]  # a Tally as the answers write it: {"total": …, "covered": …, "pending": …, "at_risk": …}


_ZERO: Counts = dict.fromkeys(COUNTS, 0)


def _zeros() -> dict[str, Counts]:
    return {rule: _ZERO.copy() for rule in RULES}  # a copy: twice as fast as fromkeys, 10,000 times


def _add(into: Counts, counts: Counts) -> None:
    for name, n in counts.items():
        into[name] += n


@dataclass
class Counted:
    """Coverage counted: per rule in `totals`, and per organisation (in id order) and rule in
    `orgs`. Plain dicts, the answers' own shape: the whole city's answer counts 10,000
    organisations, and a model for each cost more than the query."""

    year: int
    totals: dict[str, Counts]
    orgs: dict[str, dict[str, Counts]]

    @classmethod
    def of(cls, year: int, judged: Iterable[tuple[str, str, str]]) -> "Counted":
        """From the people (and pairs) listed, judged: (rule, org_id, state) each, in one loop."""
        totals, found = _zeros(), {}
        for rule, org, state in judged:
            counts = found.get(org)
            if counts is None:
                counts = found[org] = _zeros()
            tally, total = counts[rule], totals[rule]
            tally["total"] += 1
            tally[state] += 1
            total["total"] += 1
            total[state] += 1
        return cls(year, totals, {org: found[org] for org in sorted(found)})

    @classmethod
    def per_org(cls, year: int, rows: Iterable[tuple], uncovered: Callable[[date | None], str]) -> "Counted":
        """From a row per organisation of (org_id, next_meeting, then each rule's total and how many
        of them are covered, in RULES' order), those not covered judged `uncovered(next_meeting)`.
        The three rules written out and the totals summed by column once the organisations are
        judged: the whole city's 10,000 took 31-36 ms as a loop over the rules, 21-26 ms so (and
        47-49 ms counted from the roll-up's 28,000 rows one by one, as before)."""
        found: dict[str, dict[str, Counts]] = {}
        judged: dict[str, list[tuple]] = {"pending": [], "at_risk": []}
        for org, next_meeting, member, members_covered, secretary, secretaries_covered, committee, pairs_covered in rows:
            rest = uncovered(next_meeting)
            judged[rest].append((member, members_covered, secretary, secretaries_covered, committee, pairs_covered))
            found[org] = {  # the state not covered is `rest` for everyone of the organisation: the last key wins
                MEMBER: {"total": member, "covered": members_covered, "pending": 0, "at_risk": 0, rest: member - members_covered},
                SECRETARY: {"total": secretary, "covered": secretaries_covered, "pending": 0, "at_risk": 0, rest: secretary - secretaries_covered},
                COMMITTEE: {"total": committee, "covered": pairs_covered, "pending": 0, "at_risk": 0, rest: committee - pairs_covered},
            }  # fmt: skip
        totals = _zeros()
        for rest, numbers in judged.items():
            columns = [sum(column) for column in zip(*numbers, strict=True)] or [0] * 6
            for rule, total, covered in zip(RULES, columns[::2], columns[1::2], strict=True):
                _add(totals[rule], {"total": total, "covered": covered, rest: total - covered})
        return cls(year, totals, {org: found[org] for org in sorted(found)})

    def tallies(self) -> dict[str, Tally]:
        return {rule: Tally(**c) for rule, c in self.totals.items()}

    def by_org(self) -> dict[str, dict[str, Tally]]:
        return {org: {rule: Tally(**c) for rule, c in counts.items()} for org, counts in self.orgs.items()}

    def by_branch(self, top_of: dict[str, str]) -> dict[str, dict[str, Tally]]:
        """Tallies per subtree, `top_of` naming the subtree each organisation is in. Counted as the
        API counts `org_id=<top>&subtree=true`: a subtree's own secretary is its parent's to cover."""
        found: dict[str, dict[str, Counts]] = {}
        for org, counts in self.orgs.items():
            top = top_of.get(org)
            for rule, c in counts.items():
                if top is None or c["total"] == 0 or (rule == "COV-SECRETARY" and org == top):
                    continue
                _add(found.setdefault(top, _zeros())[rule], c)
        return {top: {rule: Tally(**c) for rule, c in counts.items()} for top, counts in found.items()}


@dataclass
class Coverage:
    """Judged coverage: `rows` per rule (people or pairs), each with `org_id`, `talks`, `target`
    and `state`."""

    year: int
    rows: dict[str, list[dict]]

    def counted(self) -> Counted:
        return Counted.of(self.year, ((rule, row["org_id"], row["state"]) for rule, rows in self.rows.items() for row in rows))

    def tallies(self) -> dict[str, Tally]:
        return self.counted().tallies()

    def by_org(self) -> dict[str, dict[str, Tally]]:
        return self.counted().by_org()

    def by_branch(self, top_of: dict[str, str]) -> dict[str, dict[str, Tally]]:
        return self.counted().by_branch(top_of)


def _judge(policy: Policy, year: int, today: date) -> Callable[[int, date | None], tuple[int, str]]:
    """(target, state) of talks in the year by the pure rule, for an organisation whose next meeting
    is on the date given (if any). A city has some 200,000 members but few distinct (talks, next
    meeting): each is judged once."""

    @lru_cache(maxsize=4096)
    def state_of(talks: int, next_meeting: date | None) -> tuple[int, str]:
        state = coverage_state(talks, year, today, policy, next_meeting)
        return state.target, state.state

    return state_of


def _judged(found: dict[str, list[dict]], policy: Policy, year: int, today: date) -> Coverage:
    """Each row given its target and state by the pure rule."""
    state_of = _judge(policy, year, today)
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


async def coverage_counted(reader: CoverageReader, policy: Policy, *, org_id: str | None, subtree: bool, year: int, today: date) -> Counted:
    """The same, counted in the database: for tallies, when nobody needs to be listed. Each
    organisation's people come split into those covered and the rest, who are all pending or all at
    risk by the organisation's next meeting (domain.coverage.uncovered_state)."""
    rows = await reader.counts(org_id=org_id, subtree=subtree, year=year, today=today, covered_from=policy.coverage_min_talks)
    with heap.paused():  # the whole city: 10,000 organisations' tallies built at once (kernel.heap)
        return Counted.per_org(year, rows, lru_cache(maxsize=4096)(lambda next_meeting: uncovered_state(year, today, policy, next_meeting)))


async def coverage_of_branches(
    reader: CoverageReader, policy: Policy, *, parent_id: str | None, year: int, today: date
) -> tuple[dict[str, Tally], dict[str, dict[str, Tally]]] | None:
    """The dashboard's tree level: the tallies of the whole scope under `parent_id` (the whole tree
    without one) and of each child's subtree, as `Coverage.tallies` and `Coverage.by_branch` count
    them; summed per branch in the database from the roll-up. None when the year is not kept counted."""
    counted = await reader.branch_counts(parent_id=parent_id, year=year, today=today)
    if counted is None:
        return None
    state_of = _judge(policy, year, today)
    whole, branches = empty(), {}
    for rule, top, own, talks, next_meeting, n in counted:
        state = state_of(talks, next_meeting)[1]
        whole[rule].add(state, n)
        if top is None or (rule == "COV-SECRETARY" and own):  # a subtree's own secretary is its parent's to cover
            continue
        branches.setdefault(top, empty())[rule].add(state, n)
    return whole, branches
