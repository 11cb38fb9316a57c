"""Who may read a record's content, and who may record a talk (SPEC §4). Pure."""

from collections.abc import Mapping

from talk_contracts import COMMITTEE_ROLES as COMMITTEE

# Rule ids a talker needs standing for: a committee seat in the talkee's organisation or above it.
NEEDS_STANDING = frozenset({"COV-MEMBER", "COV-SECRETARY", "COV-COMMITTEE", "M1", "M2", "M3", "M4", "M5", "M6",
                            "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"})  # fmt: skip


def content_access(
    reader_id: str | None,
    talker_ids: list[str],
    talkee_ids: list[str],
    talkee_orgs: Mapping[str, str],
    parent_of: Mapping[str, str | None],
    secretary_of: Mapping[str, str | None],
    auditors: frozenset[str],
) -> str | None:
    """The basis on which the reader may read the content, or None: the participants, each talkee's
    secretary and that secretary's parent (the parent organisation's secretary), and auditors."""
    if reader_id is None:
        return None
    if reader_id in talker_ids or reader_id in talkee_ids:
        return "participant"
    for talkee in talkee_ids:
        org = talkee_orgs.get(talkee)
        if org is None:
            continue
        if secretary_of.get(org) == reader_id:
            return "talkee's secretary"
        parent = parent_of.get(org)
        if parent is not None and secretary_of.get(parent) == reader_id:
            return "secretary's parent"
    if reader_id in auditors:
        return "auditor"
    return None


def has_standing(talker_seats: Mapping[str, str], talkee_chain: list[str]) -> bool:
    """A committee seat in the talkee's organisation or one above it."""
    return any(org in talkee_chain and role in COMMITTEE for org, role in talker_seats.items())


def chain(org_id: str | None, parent_of: Mapping[str, str | None]) -> list[str]:
    """The organisation and those above it, nearest first (a cycle in bad data ends the walk)."""
    out, seen = [], set()
    while org_id is not None and org_id not in seen:
        seen.add(org_id)
        out.append(org_id)
        org_id = parent_of.get(org_id)
    return out
