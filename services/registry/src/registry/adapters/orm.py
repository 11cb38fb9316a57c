"""The registry's own state (schema `registry`)."""

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, Table, Text, UniqueConstraint, func

from kernel.tables import applied_events_table, outbox_table

SCHEMA = "registry"
metadata = MetaData(schema=SCHEMA)
outbox = outbox_table(metadata)
applied_events = applied_events_table(metadata)

# Every event accepted at the edge. Ids are unique per source (two systems may both send id 42):
# `sender_id` is what the system sent, `event_id` the id the event travels under on the topics.
# A duplicate (source, sender_id) changes nothing.
accepted_events = Table(
    "accepted_events",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column("type", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("sender_id", Text, nullable=False),
    Column("accepted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("source", "sender_id", name="accepted_events_source_sender_id"),
)

orgs = Table(
    "orgs",
    metadata,
    Column("org_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("parent_id", Text, index=True),
    Column("dissolved_at", DateTime(timezone=True)),
)

members = Table(
    "members",
    metadata,
    Column("person_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("org_id", Text, nullable=False, index=True),
    Column("status", Text, nullable=False),
    Column("email", Text),
    Column("phone", Text),
    Column("joined_at", DateTime(timezone=True), nullable=False),
    Column("left_at", DateTime(timezone=True)),
    Column("left_reason", Text),
)

roles = Table(
    "roles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("org_id", Text, nullable=False),
    Column("person_id", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
    Column("until", DateTime(timezone=True)),
    Index("registry_roles_person", "person_id"),
    Index("registry_roles_org", "org_id"),
)
