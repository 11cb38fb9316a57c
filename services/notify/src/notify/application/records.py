"""What notify's ports read back: plain records, so that no use case sees a database row.

Pydantic models, so that the HTTP routes answer with them as they are (entrypoints/http.py).
"""

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class InboxEntry(Record):
    """An alert as its recipient sees it in the in-app inbox."""

    alert_id: str
    person_id: str
    obligation_id: str | None
    transition: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


class DueDelivery(Record):
    """A delivery whose time has come, with the alert's title (what goes outside is the outside text
    made from it, never the inbox's body with its names)."""

    delivery_id: str
    alert_id: str
    person_id: str
    channel: str
    attempts: int
    obligation_id: str | None
    title: str
    alerted_at: datetime  # when the alert reached the inbox: the start of its delivery latency
    traceparent: str | None = None  # the trace of the event behind the alert (kernel.tracing)


class DeadLetter(Record):
    """A delivery given up after its last retry, waiting for an operator's replay."""

    delivery_id: str
    alert_id: str
    person_id: str
    channel: str
    attempts: int
    last_error: str | None
    created_at: datetime
    title: str
