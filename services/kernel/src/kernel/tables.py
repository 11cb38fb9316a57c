"""The two tables every service has in its own schema: the outbox and the applied-event tracking."""

from sqlalchemy import BigInteger, Column, DateTime, Identity, LargeBinary, MetaData, Table, Text, func
from sqlalchemy.dialects.postgresql import JSONB


def outbox_table(metadata: MetaData) -> Table:
    """Events written in the same transaction as the state change that caused them."""
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("topic", Text, nullable=False),
        Column("key", Text, nullable=False),
        Column("event_id", Text, nullable=False),
        Column("event_type", Text, nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("headers", JSONB),  # Kafka headers, e.g. the reason of a dead letter
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


def applied_events_table(metadata: MetaData) -> Table:
    """One row per (consumer, event id) applied: committed with the change, so a redelivery is a no-op."""
    return Table(
        "applied_events",
        metadata,
        Column("consumer", Text, primary_key=True),
        Column("event_id", Text, primary_key=True),
        Column("applied_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
