"""A batch at the edge, judged as a whole against the registry's state (pure): the invariants each
registry event must keep, the C rules about ordinary members refused, and — in order — what gets
published: each event, with what the registry publishes itself as its consequence."""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from registry.domain.consequences import consequences
from registry.domain.invariants import Breach, Snapshot, apply, violation
from registry.domain.rule_scope import out_of_scope


@dataclass
class Outcome:
    breaches: list[Breach] = field(default_factory=list)  # a 409: the registry's rules
    refused: list[tuple[int, str, str]] = field(default_factory=list)  # a 422: (index, event id, why)
    warnings: list[tuple[int, str, str]] = field(default_factory=list)  # accepted, with (index, event id, what was skipped)
    # What to publish, in order: (index of the event, None for the event itself or a consequence's data)
    published: list[tuple[int, BaseModel | None]] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.breaches and not self.refused


def judge(events: list[tuple[str, BaseModel, datetime]], state: Snapshot, tz: ZoneInfo) -> Outcome:
    """`events`: (event id, data, time) in batch order; `state` is advanced in place."""
    out = Outcome()
    for index, (event_id, data, at) in enumerate(events):
        if problem := violation(data, state):
            out.breaches.append(Breach(index, event_id, *problem))
            continue
        refused, skipped = out_of_scope(data, at, state, tz)
        if refused:
            out.refused.append((index, event_id, refused))
            continue
        out.warnings += [(index, event_id, why) for why in skipped]
        follows = consequences(data, state)
        for derived in follows.before:
            apply(derived, at, state)
            out.published.append((index, derived))
        apply(data, at, state)
        out.published.append((index, None))
        for derived in follows.after:
            apply(derived, at, state)
            out.published.append((index, derived))
    return out
