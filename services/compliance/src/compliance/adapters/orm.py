"""The compliance projection's tables (schema `compliance`). Only adapters import SQLAlchemy."""

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    func,
)  # fmt: skip
from sqlalchemy.dialects.postgresql import JSONB

from kernel.tables import applied_events_table, outbox_table

SCHEMA = "compliance"
metadata = MetaData(schema=SCHEMA)
outbox = outbox_table(metadata)
applied_events = applied_events_table(metadata)

orgs = Table(
    "orgs",
    metadata,
    Column("org_id", Text, primary_key=True),
    Column("parent_id", Text, index=True),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
)

# Each organisation with every organisation above it (`ancestor_id`; ABOVE_THE_ROOTS for the level
# above the roots, where the walk up reaches one) and that ancestor's child on the way down to it
# (`child_id`). Kept with the tree (adapters.ancestry), so a level of the dashboard's tree, or a
# subtree, is one index range instead of a walk down the tree (20-38 ms a request for a city).
ABOVE_THE_ROOTS = ""
org_ancestry = Table(
    "org_ancestry",
    metadata,
    Column("ancestor_id", Text, primary_key=True),
    Column("org_id", Text, primary_key=True, index=True),
    Column("child_id", Text, nullable=False),
)

# A person as the read side asks about them: where they belong now (or last), since when, and
# whether they have left. Their whole history is in `memberships`.
members = Table(
    "members",
    metadata,
    Column("person_id", Text, primary_key=True),
    Column("org_id", Text, nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("joined_at", DateTime(timezone=True), nullable=False),
    Column("left_at", DateTime(timezone=True)),
)

# (v2) Membership over time: one row per stretch [since, until) in one organisation (SPEC §3.1).
memberships = Table(
    "memberships",
    metadata,
    Column("person_id", Text, primary_key=True),
    Column("since", DateTime(timezone=True), primary_key=True),
    Column("org_id", Text, nullable=False, index=True),
    Column("until", DateTime(timezone=True)),
    Column("left_reason", Text),  # the membership itself ended here (not a transfer)
)

# Role history: a holding is current on a date when since <= date < until (until NULL: still held).
roles = Table(
    "roles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("org_id", Text, nullable=False),
    Column("person_id", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
    Column("until", DateTime(timezone=True)),
    Index("roles_person", "person_id"),
    Index("roles_org_role", "org_id", "role"),
)

# Obligations: what the trigger said, what an operator decided, and the state settled from the
# facts (see domain.obligations.Obligation).
obligations = Table(
    "obligations",
    metadata,
    Column("obligation_id", Text, primary_key=True),
    Column("rule_id", Text, nullable=False),
    Column("subject_id", Text, nullable=False, index=True),
    Column("responsible_id", Text, index=True),
    Column("responsible_org_id", Text),
    Column("org_id", Text, nullable=False, index=True),
    Column("due_date", Date, nullable=False),
    Column("status", Text, nullable=False, index=True),
    Column("trigger_event_id", Text, nullable=False, index=True),
    Column("triggered_at", DateTime(timezone=True), nullable=False),
    Column("trigger_ref", Text, index=True),
    Column("escalated_to_id", Text),
    Column("fulfilled_by", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # (v2)
    Column("rules", Text, nullable=False),  # the trigger's rules, e.g. "M4/C5"
    Column("trigger_date", Date, nullable=False),
    Column("leader_id", Text),
    Column("waived_at", DateTime(timezone=True)),
    Column("waived_reason", Text),
    Column("responsible_kind", Text, nullable=False, server_default="person"),
    Column("closed_at", DateTime(timezone=True)),
    Column("reason", Text),
    Column("paths", ARRAY(Text), nullable=False, server_default="{}"),
    Column("trigger_type", Text, nullable=False, server_default=""),  # the triggering event's type
    Column("trigger_source", Text, nullable=False, server_default=""),  # ... and the system it came from
    Index("obligations_closed_at", "closed_at"),
)

# What each obligation went through, as it was told (domain.obligations.Transition): an
# explanation's history. Appended in the batch's transaction; a batch tells the change from where an
# obligation stood before it, so two events of one batch make one step (caused by the later).
obligation_transitions = Table(
    "obligation_transitions",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("obligation_id", Text, nullable=False, index=True),
    Column("transition", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("rule_id", Text, nullable=False),
    Column("responsible_kind", Text, nullable=False),
    Column("responsible_id", Text),
    Column("responsible_org_id", Text),
    Column("previous_responsible_id", Text),
    Column("escalated_to_id", Text),
    Column("due_date", Date, nullable=False),
    Column("fulfilled_by", Text),
    Column("reason", Text),
    Column("cause_kind", Text, nullable=False),  # event | tick | waiver | batch
    Column("cause_event_id", Text),
    Column("cause_event_type", Text),
    Column("cause_source", Text),
    Column("cause_time", DateTime(timezone=True)),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# The obligations by each entry of their `paths` (View.obligations_through): a key per row, so that
# "the obligations read through these seats" is an index range however many obligations there are
# (an array overlap over the obligations table is a scan of all the open ones).
obligation_paths = Table(
    "obligation_paths",
    metadata,
    Column("key", Text, primary_key=True),
    Column("obligation_id", Text, primary_key=True),
)

# (v2) Retractions of cases, kept: an action read after its retraction is cancelled too.
retractions = Table(
    "retractions",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column("ref", Text, nullable=False, index=True),
    Column("person_id", Text),
    Column("at", DateTime(timezone=True), nullable=False),
)

# What each talk counts towards (see domain.coverage.Credit).
coverage_credits = Table(
    "coverage_credits",
    metadata,
    Column("talk_id", Text, primary_key=True),
    Column("rule_id", Text, primary_key=True),
    Column("person_id", Text, primary_key=True),
    Column("counterpart_id", Text, primary_key=True),
    Column("org_id", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("held_at", DateTime(timezone=True), nullable=False),
    Index("coverage_rule_person_year", "rule_id", "person_id", "year"),
    Index("coverage_credits_year", "year"),  # the latest year with talks: which years to keep counted
)

# Coverage kept by the projection (adapters.rollups), in the transaction that changes what it counts:
# every person and committee pair counted for a rule and year, with their talks ...
coverage_counted = Table(
    "coverage_counted",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("rule_id", Text, primary_key=True),
    Column("person_id", Text, primary_key=True),
    Column("counterpart_id", Text, primary_key=True),  # '' but for a committee pair
    Column("org_id", Text, primary_key=True),  # where they count (COV-MEMBER: where the member is placed)
    Column("talks", Integer, nullable=False),
    Index("coverage_counted_org", "year", "rule_id", "org_id"),
)
# ... and those rows counted per organisation: how many have had how many talks. A batch appends
# what it changed to the deltas (no counter row every instance updates); the leader folds
# them into the roll-up every few seconds. A reader sums both.
coverage_rollup = Table(
    "coverage_rollup",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("rule_id", Text, primary_key=True),
    Column("org_id", Text, primary_key=True),
    Column("talks", Integer, primary_key=True),
    Column("n", Integer, nullable=False),
)
coverage_rollup_deltas = Table(
    "coverage_rollup_deltas",
    metadata,
    Column("delta_id", BigInteger, Identity(), primary_key=True),
    Column("year", Integer, nullable=False),
    Column("rule_id", Text, nullable=False),
    Column("org_id", Text, nullable=False),
    Column("talks", Integer, nullable=False),
    Column("n", Integer, nullable=False),
)
# The years counted so: a year is read from its roll-up only once it was counted whole, and by the
# definition it has now (the current year counts today's members, a past one where each last was).
coverage_years = Table(
    "coverage_years",
    metadata,
    Column("year", Integer, primary_key=True),
    Column("as_current", Boolean, nullable=False),
    Column("counted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Organisational-life meetings (组织生活会): coverage falls due before them (SPEC §3.6).
meetings = Table(
    "meetings",
    metadata,
    Column("meeting_id", Text, primary_key=True),
    Column("org_id", Text, nullable=False, index=True),
    Column("date", Date, nullable=False),
    Column("kind", Text, nullable=False),
    Column("reminded_before", Integer),  # the fewest days before the meeting a reminder went out
)

# Triggers about a person the projection does not know yet: held, applied when the person arrives.
held_events = Table(
    "held_events",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column("person_id", Text, primary_key=True),
    Column("payload", Text, nullable=False),
    Column("held_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("reported_at", DateTime(timezone=True)),  # still unknown past the limit: reported once
)

# Secretary seats found vacant while resolving responsibility, reported once until filled.
vacancies = Table(
    "vacancies",
    metadata,
    Column("org_id", Text, primary_key=True),
    Column("since", Date, nullable=False),
)

# Absences from organisational life in a row, per person (M2 after three).
attendance_streaks = Table(
    "attendance_streaks",
    metadata,
    Column("person_id", Text, primary_key=True),
    Column("absences", Integer, nullable=False),
)

# Talks seen (metadata only): a trigger that arrives after the talk that meets it is fulfilled at once,
# so the projection does not depend on the order in which topics are read.
talks_seen = Table(
    "talks_seen",
    metadata,
    Column("talk_id", Text, primary_key=True),
    Column("held_at", DateTime(timezone=True), nullable=False),
    Column("mode", Text, nullable=False),
    Column("talker_ids", ARRAY(Text), nullable=False),
    Column("talkee_ids", ARRAY(Text), nullable=False),
)

# Who took part in which talk when: "the talks of these people since then" is a range scan of the key.
talk_participants = Table(
    "talk_participants",
    metadata,
    Column("person_id", Text, primary_key=True),
    Column("held_at", DateTime(timezone=True), primary_key=True),
    Column("talk_id", Text, primary_key=True),
)

# What-if runs started from the dashboard (entrypoints.what_if_http): their progress while the
# instance that took one replays the log, then the report. Not part of the projection.
what_if_runs = Table(
    "what_if_runs",
    metadata,
    Column("run_id", Text, primary_key=True),
    Column("requested_by", Text, nullable=False),
    Column("policy", JSONB, nullable=False),
    Column("year", Integer, nullable=False),
    Column("status", Text, nullable=False),  # running | done | failed
    Column("stage", Text),
    Column("done", BigInteger, nullable=False, server_default="0"),
    Column("of", BigInteger, nullable=False, server_default="0"),
    Column("report", JSONB),
    Column("error", Text),
    Column("started_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),  # the runner's heartbeat
    Column("finished_at", DateTime(timezone=True)),
)
