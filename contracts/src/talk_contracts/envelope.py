"""The CloudEvents 1.0 envelope in structured JSON mode, with our two extensions (SPEC §6) and the
distributed-tracing extension."""

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class CloudEvent(BaseModel):
    """One event as it travels on HTTP and Kafka.

    `data` is kept as a plain dict here; `contracts.parse` validates it against the model of
    its `type`. Unknown envelope attributes are refused rather than carried silently: an
    integration that sends one has misunderstood the contract.
    """

    model_config = ConfigDict(extra="forbid")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=200, description="Unique per source; duplicates change nothing")
    source: str = Field(min_length=1, max_length=500, description="URI-reference of the sending system")
    type: str = Field(min_length=1, description="Versioned type, e.g. member.joined.v1")
    time: AwareDatetime = Field(description="When it happened (may be in the past)")
    subject: str | None = Field(default=None, description="The person (or organisation) the event is about")
    dataschema: str | None = None
    datacontenttype: Literal["application/json"] | None = "application/json"
    correlationid: str | None = Field(default=None, description="Extension: the request this event belongs to")
    causationid: str | None = Field(default=None, description="Extension: the event that caused this one")
    # The CloudEvents distributed-tracing extension: the W3C trace context the event was made in.
    traceparent: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
        description="Extension (distributed tracing): W3C traceparent of the work that made the event",
    )  # fmt: skip
    tracestate: str | None = Field(default=None, max_length=512, description="Extension (distributed tracing): W3C tracestate")
    data: dict[str, Any]

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


def new_event(
    type_name: str,
    data: BaseModel,
    *,
    source: str,
    subject: str | None,
    time: datetime | None = None,
    correlationid: str | None = None,
    causationid: str | None = None,
) -> CloudEvent:
    """Build an event a service publishes itself, with a fresh id."""
    event_id = str(uuid.uuid4())
    return CloudEvent(
        id=event_id,
        source=source,
        type=type_name,
        time=time or datetime.now(UTC),
        subject=subject,
        dataschema=f"urn:talk-compliance:schema:{type_name}",
        correlationid=correlationid or event_id,
        causationid=causationid,
        data=data.model_dump(mode="json"),
    )
