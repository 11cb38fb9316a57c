"""A compliance projection fed events as its consumer feeds it, in memory or on PostgreSQL, for
table-driven rule tests: the same scenario runs on both (the in-memory view, and the bulk-loaded
rows of the real database)."""

import itertools
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from compliance.adapters.memory import MemoryUnitOfWork, memory_units
from compliance.application.explain import Explanation, TalkJudged, explain, explain_coverage
from compliance.application.lifecycle import advance
from compliance.application.messagebus import ComplianceBus
from compliance.application.waivers import waive
from compliance.domain.obligations import Obligation
from compliance.domain.policy import DEFAULT_POLICY, Policy
from devstack.demo import demo_city_events
from talk_contracts import parse_event

_ids = itertools.count()


def event(type_name: str, data: dict, at: datetime, event_id: str | None = None) -> dict:
    return {"specversion": "1.0", "id": event_id or f"ev-{next(_ids)}-{uuid.uuid4().hex[:6]}", "source": "urn:test",
            "type": type_name, "time": at.isoformat(), "data": data}  # fmt: skip


class MemoryWorld:
    """The projection in memory. `today` moves with `tick`; events default to `now`."""

    def __init__(self, now: datetime, policy: Policy = DEFAULT_POLICY, *, replaying: bool = False):
        self.now, self.policy = now, policy
        self.today = now.astimezone(policy.zone).date()
        self.uow = MemoryUnitOfWork(policy)
        self.bus = ComplianceBus(policy, lambda: self.today, replaying=replaying)  # replaying: as `python -m compliance replay` decides
        self._seen: set[str] = set()

    async def city(self, year: int = 2026, at: datetime | None = None) -> "MemoryWorld":
        events = demo_city_events(year=year)
        if at is not None:
            for e in events:
                e["time"] = at.isoformat()
        await self.apply(events)
        return self

    def build(self, item) -> dict:
        if isinstance(item, dict):
            return item
        type_name, data, *at = item
        return event(type_name, data, at[0] if at else self.now)

    async def given(self, *items) -> list[dict]:
        events = [self.build(i) for i in items]
        await self.apply(events)
        return events

    async def apply(self, events: Iterable[dict], batch: int = 10_000) -> None:
        events = list(events)
        for start in range(0, len(events), batch):
            parsed = [parse_event(e) for e in events[start : start + batch]]
            fresh = [p for p in parsed if p.envelope.type in self.bus.routes and p.id not in self._seen]
            self._seen |= {p.id for p in fresh}
            await self.bus.start_batch(self.uow, fresh)
            for p in fresh:
                await self.bus.handle(self.uow, p)
            await self.bus.finish_batch(self.uow)

    async def apply_in_batches(self, events: list[dict], sizes: list[int]) -> "MemoryWorld":
        """The events in batches of the sizes given, over and over."""
        start, turn = 0, 0
        while start < len(events):
            size = sizes[turn % len(sizes)]
            await self.apply(events[start : start + size])
            start, turn = start + size, turn + 1
        return self

    async def tick(self, day: date) -> None:
        self.today = day
        await advance(memory_units(self.uow), self.policy, day)

    async def waive(self, obligation_id: str, reason: str, at: datetime) -> Obligation:
        return await waive(memory_units(self.uow), self.policy, obligation_id, reason, at, self.today)

    async def explain(self, obligation_id: str) -> Explanation | None:
        return await explain(self.uow, obligation_id, self.policy)

    async def explain_coverage(self, person_id: str, year: int) -> list[TalkJudged] | None:
        return await explain_coverage(self.uow, person_id, year, self.policy)

    def obligations(self, subject: str | None = None) -> list[Obligation]:
        found = sorted(self.uow.rows.obligations._obligations.values(), key=lambda o: (o.subject_id, o.trigger_date, o.obligation_id))
        return [o for o in found if subject is None or o.subject_id == subject]

    def one(self, subject: str) -> Obligation:
        [ob] = self.obligations(subject)
        return ob

    def published(self, subject: str | None = None) -> list[str]:
        return [e.type for e in self.uow.published if subject is None or e.subject == subject]

    def published_data(self, type_name: str) -> list[dict]:
        return [e.data for e in self.uow.published if e.type == type_name]

    def dead_letters(self) -> list[tuple[str, str]]:
        """(key, reason) of what was dead-lettered."""
        return [(d.person_id, d.reason) for d in self.uow.dead_letters]

    def all_credits(self) -> list[tuple]:
        """(talk, rule, person, counterpart, organisation, year) of every talk."""
        return sorted(
            (talk_id, c.rule_id, c.person_id, c.counterpart_id, c.org_id, c.year)
            for talk_id, (_, credits) in self.uow.rows.talks._credits.items()
            for c in credits
        )

    def credits(self, person: str) -> list[tuple]:
        return sorted(c[1:] for c in self.all_credits() if person in (c[2], c[3]))

    def memberships(self) -> dict[str, tuple]:
        return {p: person.stretches for p, person in self.uow.rows.people._people.items() if person}

    def projection(self) -> dict:
        """What SPEC §6 says may not depend on the order of events: obligations (with status,
        responsible, due date, fulfilling talk), what each talk counts towards, memberships."""
        obligations = {
            ob.obligation_id: (ob.rule_id, ob.status, ob.responsible_kind, ob.responsible_id, ob.responsible_org_id,
                               ob.due_date, ob.fulfilled_by, ob.org_id, ob.reason, ob.escalated_to_id)
            for ob in self.obligations()
        }  # fmt: skip
        return {"obligations": obligations, "credits": self.all_credits(), "people": self.memberships()}


def talk(talk_id: str, held_at: datetime, talkers: list[str], talkees: list[str], mode: str = "one_to_one") -> tuple:
    return ("talk.recorded.v1", {"talk_id": talk_id, "held_at": held_at.isoformat(), "mode": mode, "kind": "regular",
                                 "talker_ids": talkers, "talkee_ids": talkees}, held_at)  # fmt: skip


def sanction(person: str, case_ref: str = "JJ-1", at: datetime | None = None, **extra) -> tuple:
    data = {"person_id": person, "case_ref": case_ref, "action": "sanction", "sanction": "warning", **extra}
    return ("discipline.action_recorded.v1", data, *([at] if at else []))


__all__ = ["MemoryWorld", "event", "talk", "sanction", "UTC", "timedelta"]
