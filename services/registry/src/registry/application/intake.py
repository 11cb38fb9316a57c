"""The integration edge: events from integrated systems, accepted all-or-nothing, each id once."""

import uuid
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from kernel.logging import get_logger
from registry.application.ports import UnitOfWorkFactory
from registry.domain.batch import judge
from registry.domain.event_ids import published_id
from registry.domain.invariants import Breach, touched
from talk_contracts import CATALOGUE, CloudEvent, EventRejected, ParsedEvent, Source, parse_event

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


class Unprocessable(Exception):
    """Events the registry cannot accept as they stand (a 422): nothing of the batch is applied."""

    def __init__(self, rejections: list[Rejection]):
        self.rejections = rejections
        super().__init__("; ".join(f"#{r.index} {e['msg']}" for r in rejections for e in r.errors))


@dataclass(frozen=True)
class Intake:
    accepted: list[str]
    duplicates: list[str]
    warnings: list[dict] = field(default_factory=list)  # accepted, with a part skipped (C8 counterparts)
    published: list[CloudEvent] = field(default_factory=list)  # what the registry published itself as a consequence
    topic_ids: dict[str, str] = field(default_factory=dict)  # each accepted id → the id it travels under (see domain/event_ids)


_DERIVED = uuid.UUID("3c2b1a4e-8f7d-4e6c-9b5a-1d2e3f4a5b6c")


def derived_event(cause: CloudEvent, data: BaseModel) -> CloudEvent:
    """An event the registry publishes because of `cause` (as published): its id derived from the
    cause, so that a cause accepted once publishes it once."""
    type_name = next(t.type for t in CATALOGUE.values() if t.model is type(data) and t.family == "registry")
    kind = CATALOGUE[type_name]
    key = kind.key_of(data)
    return CloudEvent(
        id=str(uuid.uuid5(_DERIVED, f"{cause.id}|{type_name}|{data.model_dump_json()}")),
        source=Source.REGISTRY,
        type=type_name,
        time=cause.time,
        subject=key,
        dataschema=f"urn:talk-compliance:schema:{type_name}",
        correlationid=cause.correlationid,
        causationid=cause.id,
        traceparent=cause.traceparent,  # the consequence belongs to its cause's trace
        tracestate=cause.tracestate,
        data=data.model_dump(mode="json"),
    )


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


async def accept(transaction: UnitOfWorkFactory, events: list[ParsedEvent], tz: ZoneInfo) -> Intake:
    """One transaction: record the ids, judge the batch against the registry (its invariants, the C
    rules' scope), apply the registry's own events and their consequences, stage all for publishing."""
    async with transaction() as uow:
        # One intake at a time: the batch is judged against a state no other batch is changing.
        await uow.lock_intake()
        fresh = await uow.accepted.record(events)
        new = [(i, e) for i, e in enumerate(events) if e.id in fresh]
        state = await uow.registry.snapshot(*touched([e.data for _, e in new]))
        outcome = judge([(e.id, e.data, e.envelope.time) for _, e in new], state, tz)
        if outcome.breaches:  # the transaction rolls back: not even the ids are recorded
            raise Refused([Breach(new[b.index][0], b.event_id, b.rule, b.message) for b in outcome.breaches])
        if outcome.refused:
            raise Unprocessable([Rejection(new[i][0], event_id, [{"loc": "data.person_id", "msg": why}]) for i, event_id, why in outcome.refused])
        # As they travel on the topics: under ids unique in the whole system (domain/event_ids).
        topic_ids = {e.id: published_id(e.envelope.source, e.id) for _, e in new}
        staged, derived = [], []
        for i, data in outcome.published:
            cause = new[i][1]
            if data is None:  # the event itself, as it was validated at the edge
                event = replace(cause, envelope=cause.envelope.model_copy(update={"id": topic_ids[cause.id]}))
            else:  # a consequence, built from a validated model: no second validation
                envelope = derived_event(cause.envelope.model_copy(update={"id": topic_ids[cause.id]}), data)
                event = ParsedEvent(envelope, CATALOGUE[envelope.type], data)
                derived.append(envelope)
            if event.kind.family == "registry":
                await uow.registry.apply(event)
            staged.append(event.envelope)
        await uow.outbox.stage(staged)
        await uow.commit()
    warnings = [{"index": new[i][0], "id": event_id, "msg": why} for i, event_id, why in outcome.warnings]
    result = Intake([e.id for _, e in new], [e.id for e in events if e.id not in fresh], warnings, derived, topic_ids)
    log.info(
        "events accepted", accepted=len(result.accepted), duplicates=len(result.duplicates), published=len(derived),
        first_ids=result.accepted[:5],
    )  # fmt: skip
    return result
