"""Who is responsible for talking with a person on a date (SPEC §2, "一级抓一级，分级负责").

Pure: the caller hands over the small part of the organisation tree that matters (the chain of
ancestors and who holds the secretary seat of each on the date).
"""

from collections.abc import Mapping
from dataclasses import dataclass

COMMITTEE_ROLES = frozenset({"secretary", "deputy_secretary", "committee_member"})


@dataclass(frozen=True)
class Responsibility:
    responsible_id: str | None  # None: it falls to the operators of the organisation department
    org_id: str | None  # the organisation whose secretary is responsible
    vacant_org_ids: tuple[str, ...] = ()  # seats found vacant on the way up

    @property
    def falls_to_operators(self) -> bool:
        return self.responsible_id is None


def starting_org(own_org_id: str, roles: Mapping[str, str], parent_of: Mapping[str, str | None]) -> str | None:
    """Rules 1–3: where the search for the responsible secretary begins.

    `roles` maps organisation id -> the person's role there (on the date).
    """
    secretary_of = [org for org, role in roles.items() if role == "secretary"]
    if secretary_of:
        return parent_of.get(secretary_of[0])  # 3. a secretary answers to the parent's secretary
    committee_of = [org for org, role in roles.items() if role in COMMITTEE_ROLES]
    if committee_of:
        return committee_of[0]  # 2. a committee member or deputy answers to that organisation's secretary
    return own_org_id  # 1. everyone else to their own organisation's secretary


def responsible_secretary(
    person_id: str,
    own_org_id: str,
    roles: Mapping[str, str],
    parent_of: Mapping[str, str | None],
    secretary_of: Mapping[str, str | None],
) -> Responsibility:
    """Rule 4: a vacant seat, or the result being the person, moves one level up; the root falls to operators."""
    vacant: list[str] = []
    org = starting_org(own_org_id, roles, parent_of)
    seen: set[str] = set()
    while org is not None and org not in seen:
        seen.add(org)
        holder = secretary_of.get(org)
        if holder is None:
            vacant.append(org)
        elif holder != person_id:
            return Responsibility(holder, org, tuple(vacant))
        org = parent_of.get(org)
    return Responsibility(None, None, tuple(vacant))


def is_committee_member(roles: Mapping[str, str]) -> bool:
    """Whether the subject gets the C rules (any committee role) rather than the M rules (SPEC §3.2)."""
    return any(role in COMMITTEE_ROLES for role in roles.values())


def escalation_target(
    responsible_org_id: str | None,
    responsible_id: str | None,
    parent_of: Mapping[str, str | None],
    secretary_of: Mapping[str, str | None],
) -> str | None:
    """SPEC §3.4: an overdue obligation goes up to the secretary of the parent organisation (vacant
    seats move further up); None when it falls to the operators."""
    org = parent_of.get(responsible_org_id) if responsible_org_id else None
    seen: set[str] = set()
    while org is not None and org not in seen:
        seen.add(org)
        holder = secretary_of.get(org)
        if holder is not None and holder != responsible_id:
            return holder
        org = parent_of.get(org)
    return None
