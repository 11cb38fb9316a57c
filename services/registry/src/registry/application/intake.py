"""The integration edge: events from integrated systems, accepted all-or-nothing, each id once."""

from dataclasses import dataclass, replace

from kernel.logging import get_logger
from registry.application.ports import UnitOfWorkFactory
from registry.domain.invariants import Breach, check_batch, touched
from talk_contracts import EventRejected, ParsedEvent, parse_event

log = get_logger(__name__)

# Families that integrated systems hand in here. Talks, compliance and notify events are
# published by their own services only.
EDGE_FAMILIES = frozenset({"registry", "cadre", "discipline", "conduct"})


@dataclass(frozen=True)
class Rejection:
    index: int
    event_id: str | None
    errors: list[dict[str, str]]


class Refused(Exception):
    """The batch breaks an invariant of the registry: nothing of it is applied."""

    def __init__(self, breaches: list[Breach]):
        self.breaches = breaches
        super().__init__("; ".join(f"#{b.index} {b.rule}: {b.message}" for b in breaches))


@dataclass(frozen=True)
class Intake:
    accepted: list[str]
    duplicates: list[str]


def validate(items: list, correlation_id: str) -> tuple[list[ParsedEvent], list[Rejection]]:
    """Every item checked against the contract; the caller refuses the whole batch on any rejection."""
    events, rejections = [], []
    for index, item in enumerate(items):
        try:
            if isinstance(item, dict) and "correlationid" not in item:
                item = {**item, "correlationid": correlation_id}
            event = parse_event(item)
            if event.kind.family not in EDGE_FAMILIES:
                raise EventRejected(
                    [{"loc": "type", "msg": f"{event.envelope.type} is published by its own service, not accepted here"}],
                    event.id,
                )
        except EventRejected as exc:
            rejections.append(Rejection(index, exc.event_id, exc.errors))
            continue
        events.append(event)
    seen: dict[str, int] = {}
    for index, event in enumerate(events):
        if event.id in seen:
            rejections.append(Rejection(index, event.id, [{"loc": "id", "msg": "the same id twice in one batch"}]))
        seen[event.id] = index
    return events, rejections


async def accept(transaction: UnitOfWorkFactory, events: list[ParsedEvent]) -> Intake:
    """One transaction: record the ids, apply registry events to the registry, stage all for publishing."""
    async with transaction() as uow:
        # One intake at a time: the invariants are checked against a state no other batch is changing.
        await uow.lock_intake()
        fresh = await uow.accepted.record(events)
        new = [e for e in events if e.id in fresh]
        registry_events = [(i, e) for i, e in enumerate(events) if e.id in fresh and e.kind.family == "registry"]
        state = await uow.registry.snapshot(*touched([e.data for _, e in registry_events]))
        breaches = check_batch([(e.id, e.data) for _, e in registry_events], state)
        if breaches:  # the transaction rolls back: not even the ids are recorded
            raise Refused([replace(b, index=registry_events[b.index][0]) for b in breaches])
        for event in new:
            if event.kind.family == "registry":
                await uow.registry.apply(event)
        await uow.outbox.stage([e.envelope for e in new])
        await uow.commit()
    result = Intake(accepted=[e.id for e in new], duplicates=[e.id for e in events if e.id not in fresh])
    log.info("events accepted", accepted=len(result.accepted), duplicates=len(result.duplicates), first_ids=result.accepted[:5])
    return result
