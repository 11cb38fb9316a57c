"""The organisation tree (SPEC §2): any depth, one parent each. Pure; the tree itself comes from
the view. The tree is not versioned: a move applies to every date (see decisions.org_moved)."""

from collections.abc import Callable
from dataclasses import dataclass

MAX_DEPTH = 64  # a cycle in bad data cannot make a walk run away


@dataclass(frozen=True)
class Org:
    org_id: str
    parent_id: str | None
    name: str
    kind: str


ParentOf = Callable[[str], str | None]


def chain(org_id: str | None, parent_of: ParentOf) -> list[str]:
    """The organisation and its ancestors, nearest first."""
    out: list[str] = []
    while org_id is not None and org_id not in out and len(out) < MAX_DEPTH:
        out.append(org_id)
        org_id = parent_of(org_id)
    return out


def depth(org_id: str, parent_of: ParentOf) -> int:
    """0 at the root."""
    return len(chain(org_id, parent_of)) - 1
