"""Notify's tables (schema `notify`): who people are, and the in-app inbox."""

from sqlalchemy import ARRAY, Boolean, Column, DateTime, Index, Integer, MetaData, Table, Text, Time, func

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
    # Preferences: channels beyond the inbox, and quiet hours that hold non-urgent alerts.
    Column("channels", ARRAY(Text)),
    Column("quiet_start", Time),
    Column("quiet_end", Time),
    Column("digest", Boolean, nullable=False, server_default="false"),  # a daily summary by e-mail
)

# Who holds which role where, now (from role.* events): secretaries get the daily digest.
roles = Table(
    "roles",
    metadata,
    Column("org_id", Text, primary_key=True),
    Column("person_id", Text, primary_key=True),
    Column("role", Text, primary_key=True),
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

# One row per alert and channel beyond the inbox: the delivery's state, retried until sent or dead.
deliveries = Table(
    "deliveries",
    metadata,
    Column("delivery_id", Text, primary_key=True),  # alert id + channel: never two of the same
    Column("alert_id", Text, nullable=False),
    Column("person_id", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("status", Text, nullable=False),  # pending | sent | dead
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    Column("traceparent", Text),  # of the alert's cause: the send continues its trace
    Index("deliveries_due", "status", "next_attempt_at"),
)
