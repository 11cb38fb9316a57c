"""The talks service's tables (schema `talks`)."""

from sqlalchemy import BigInteger, Boolean, Column, Date, DateTime, Integer, LargeBinary, MetaData, Table, Text, func
from sqlalchemy.dialects.postgresql import ARRAY

from kernel.tables import applied_events_table, outbox_table

SCHEMA = "talks"
metadata = MetaData(schema=SCHEMA)
outbox = outbox_table(metadata)
applied_events = applied_events_table(metadata)

talks = Table(
    "talks",
    metadata,
    Column("talk_id", Text, primary_key=True),
    Column("version", Integer, nullable=False, default=1),
    Column("held_at", DateTime(timezone=True), nullable=False),
    Column("place", Text, nullable=False),
    Column("mode", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("talker_ids", ARRAY(Text), nullable=False),
    Column("talkee_ids", ARRAY(Text), nullable=False),
    Column("rule_ids", ARRAY(Text), nullable=False),
    Column("topics", ARRAY(Text), nullable=False),
    # The confidential part (content, problems, suggestions), encrypted (adapters/crypto.py).
    Column("content_encrypted", LargeBinary, nullable=False),
    Column("confidential", Boolean, nullable=False),
    Column("recorded_by", Text),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("amendment_reason", Text),  # legacy: reasons now travel encrypted in the content (application.amendments)
)

# Earlier versions of a record: an amendment never overwrites, it keeps the version it replaces.
talk_versions = Table(
    "talk_versions",
    metadata,
    Column("talk_id", Text, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("place", Text, nullable=False),
    Column("topics", ARRAY(Text), nullable=False),
    Column("content_encrypted", LargeBinary, nullable=False),
    Column("confidential", Boolean, nullable=False),
    Column("recorded_by", Text),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

follow_ups = Table(
    "follow_ups",
    metadata,
    Column("follow_up_id", Text, primary_key=True),
    Column("talk_id", Text, nullable=False, index=True),
    Column("text_encrypted", LargeBinary, nullable=False),  # the measure's text is content too
    Column("owner_id", Text, nullable=False, index=True),
    Column("due_date", Date, nullable=False),
    Column("completed_at", DateTime(timezone=True)),
    Column("due_published", Boolean, nullable=False, server_default="false"),
    Column("overdue_published", Boolean, nullable=False, server_default="false"),
)

# A member's request for a talk with a named leader (SPEC §五.3); closed by a talk between them.
talk_requests = Table(
    "talk_requests",
    metadata,
    Column("request_id", Text, primary_key=True),
    Column("person_id", Text, nullable=False, index=True),
    Column("leader_id", Text, nullable=False, index=True),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("closed_by", Text),  # the talk that met it
    Column("closed_at", DateTime(timezone=True)),
    # (v2) the talk.requested event: compliance's REQ obligation names it as its trigger
    Column("event_id", Text, index=True),
)

meetings = Table(
    "meetings",
    metadata,
    Column("meeting_id", Text, primary_key=True),
    Column("org_id", Text, nullable=False),
    Column("date", Date, nullable=False),
    Column("kind", Text, nullable=False),
    Column("scheduled_by", Text),
)

# Who belongs where and holds which seat, now: talks' own projection of registry.events, for
# validating records and deciding who may read their content.
orgs = Table("orgs", metadata, Column("org_id", Text, primary_key=True), Column("parent_id", Text))
members = Table(
    "members",
    metadata,
    Column("person_id", Text, primary_key=True),
    Column("name", Text),
    Column("org_id", Text, nullable=False),
    Column("active", Boolean, nullable=False),
)
roles = Table(
    "roles",
    metadata,
    Column("org_id", Text, primary_key=True),
    Column("person_id", Text, primary_key=True),
    Column("role", Text, primary_key=True),
)

# The audit, a hash chain (domain.audit_chain): every read of confidential data (content, versions,
# forms, dossiers), every write and every refusal, granted or not (SPEC §4; issue 14).
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_id", Text),
    Column("action", Text, nullable=False),
    Column("subject", Text, nullable=False, index=True),
    Column("granted", Boolean, nullable=False),
    Column("basis", Text, nullable=False),
    Column("prev_hash", Text, nullable=False),
    Column("hash", Text, nullable=False),
)

# Must-talk obligations as compliance publishes them (compliance.obligations), for the dossier.
obligations = Table(
    "obligations",
    metadata,
    Column("obligation_id", Text, primary_key=True),
    Column("rule_id", Text, nullable=False),
    Column("subject_id", Text, nullable=False, index=True),
    Column("responsible_id", Text),
    Column("due_date", Date, nullable=False),
    Column("status", Text, nullable=False),
    Column("fulfilled_by", Text),
)
