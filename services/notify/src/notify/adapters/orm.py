"""Notify's tables (schema `notify`): who people are, and the in-app inbox."""

from sqlalchemy import Column, DateTime, Index, MetaData, Table, Text, func

from kernel.tables import applied_events_table, outbox_table

SCHEMA = "notify"
metadata = MetaData(schema=SCHEMA)
outbox = outbox_table(metadata)
applied_events = applied_events_table(metadata)

people = Table(
    "people",
    metadata,
    Column("person_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("email", Text),
    Column("phone", Text),
)

inbox = Table(
    "inbox",
    metadata,
    Column("alert_id", Text, primary_key=True),
    # obligation id + transition + recipient: the same alert is never written twice.
    Column("idempotency_key", Text, nullable=False, unique=True),
    Column("person_id", Text, nullable=False),
    Column("obligation_id", Text),
    Column("transition", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("read_at", DateTime(timezone=True)),
    Index("inbox_person_created", "person_id", "created_at"),
)
