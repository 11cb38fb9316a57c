"""A year's outcomes per rule and organisation, summed over subtrees, and two of them side by side
(the what-if of issue 18: the live projection beside one replayed under another policy). Pure."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from compliance.domain.tree import chain

# What each obligation of the year came to (adapters.outcomes counts them):
MEASURES = (
    "opened",  # every trigger that opened an obligation (not those about a non-member or a non-committee member)
    "fulfilled_on_time",
    "fulfilled_late",
    "open_late",  # still open past its due date (overdue or escalated)
    "late",  # fulfilled late or still open past due
    "escalated",  # reached its escalation date while open (whatever happened after)
    "cancelled",
    "waived",
)
COVERAGE = ("covered", "total")  # per coverage rule: people or pairs covered, of those counted

Counts = dict[str, dict[str, int]]  # rule -> measure -> n
PerOrg = Mapping[str, Counts]  # organisation -> its own counts


def roll_up(per_org: PerOrg, parent_of: Mapping[str, str | None], *, own_excluded: Iterable[str] = ()) -> dict[str, Counts]:
    """Each organisation's counts with those of everything below it. Rules in `own_excluded` leave an
    organisation's own row out of its own subtree (COV-SECRETARY: a subtree's own secretary is its
    parent's to cover, as the API counts a subtree)."""
    excluded = set(own_excluded)
    out: dict[str, Counts] = {org: {} for org in parent_of}
    for org, counts in per_org.items():
        for at in chain(org, parent_of.get):
            for rule, measures in counts.items():
                if rule in excluded and at == org:
                    continue
                into = out.setdefault(at, {}).setdefault(rule, {})
                for measure, n in measures.items():
                    into[measure] = into.get(measure, 0) + n
    return out


def whole(per_org: PerOrg) -> Counts:
    """Every organisation's counts together: the whole city."""
    out: Counts = {}
    for counts in per_org.values():
        for rule, measures in counts.items():
            into = out.setdefault(rule, {})
            for measure, n in measures.items():
                into[measure] = into.get(measure, 0) + n
    return out


@dataclass(frozen=True)
class Row:
    """One number of the comparison: for an organisation's subtree (None: the whole city)."""

    org_id: str | None
    rule_id: str
    measure: str
    live: int
    what_if: int

    @property
    def change(self) -> int:
        return self.what_if - self.live


def side_by_side(org_id: str | None, live: Counts, what_if: Counts, measures: tuple[str, ...]) -> list[Row]:
    rules = sorted(set(live) | set(what_if))
    return [
        Row(org_id, rule, m, live.get(rule, {}).get(m, 0), what_if.get(rule, {}).get(m, 0))
        for rule in rules
        for m in measures
    ]
