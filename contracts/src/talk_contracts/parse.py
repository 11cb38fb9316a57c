"""Reading events from the outside world: validation with errors a person can act on."""

from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from talk_contracts.catalogue import CATALOGUE, EventType
from talk_contracts.envelope import CloudEvent


@dataclass(frozen=True)
class ParsedEvent:
    envelope: CloudEvent
    kind: EventType
    data: BaseModel

    @property
    def id(self) -> str:
        return self.envelope.id

    @property
    def key(self) -> str:
        return self.kind.key_of(self.data)


class EventRejected(ValueError):
    """An event that does not meet the contract; `errors` name each problem and where it is."""

    def __init__(self, errors: list[dict[str, str]], event_id: str | None = None):
        self.errors = errors
        self.event_id = event_id
        super().__init__("; ".join(f"{e['loc']}: {e['msg']}" for e in errors))


def _errors(exc: ValidationError, prefix: str = "") -> list[dict[str, str]]:
    out = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in (prefix, *err["loc"]) if p != "")
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        out.append({"loc": loc or "(event)", "msg": msg})
    return out


def parse_event(raw: Any) -> ParsedEvent:
    """Validate one structured-mode CloudEvent (already JSON-decoded) against the catalogue."""
    if not isinstance(raw, dict):
        raise EventRejected([{"loc": "(event)", "msg": "an event must be a JSON object"}])
    event_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    try:
        envelope = CloudEvent.model_validate(raw)
    except ValidationError as exc:
        raise EventRejected(_errors(exc), event_id) from None
    kind = CATALOGUE.get(envelope.type)
    if kind is None:
        known = ", ".join(sorted(CATALOGUE))
        raise EventRejected([{"loc": "type", "msg": f"unknown event type {envelope.type!r}; known: {known}"}], event_id)
    try:
        data = kind.model.model_validate(envelope.data)
    except ValidationError as exc:
        raise EventRejected(_errors(exc, "data"), event_id) from None
    if envelope.subject is not None and envelope.subject != kind.key_of(data):
        raise EventRejected(
            [{"loc": "subject", "msg": f"subject {envelope.subject!r} differs from data.{kind.key_field}"}], event_id
        )
    return ParsedEvent(envelope=envelope, kind=kind, data=data)


def parse_event_bytes(value: bytes | None) -> ParsedEvent:
    """Validate one Kafka message value."""
    if not value:
        raise EventRejected([{"loc": "(message)", "msg": "empty message"}])
    try:
        raw = orjson.loads(value)  # a third of json's time: a replay decodes every event of the year
    except orjson.JSONDecodeError as exc:
        raise EventRejected([{"loc": "(message)", "msg": f"not JSON: {exc}"}]) from None
    return parse_event(raw)
