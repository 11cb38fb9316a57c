"""The compliance projection: organisations, members, roles, obligations, coverage, held triggers.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

from kernel.migrations import create_kernel_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
S = "compliance"


def upgrade() -> None:
    create_kernel_tables(S)
    op.create_table(
        "orgs",
        sa.Column("org_id", sa.Text, primary_key=True),
        sa.Column("parent_id", sa.Text, index=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        schema=S,
    )
    op.create_table(
        "members",
        sa.Column("person_id", sa.Text, primary_key=True),
        sa.Column("org_id", sa.Text, nullable=False, index=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True)),
        schema=S,
    )
    op.create_table(
        "roles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("org_id", sa.Text, nullable=False),
        sa.Column("person_id", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True)),
        schema=S,
    )
    op.create_index("roles_person", "roles", ["person_id"], schema=S)
    op.create_index("roles_org_role", "roles", ["org_id", "role"], schema=S)
    op.create_table(
        "obligations",
        sa.Column("obligation_id", sa.Text, primary_key=True),
        sa.Column("rule_id", sa.Text, nullable=False),
        sa.Column("subject_id", sa.Text, nullable=False, index=True),
        sa.Column("responsible_id", sa.Text, index=True),
        sa.Column("responsible_org_id", sa.Text),
        sa.Column("org_id", sa.Text, nullable=False, index=True),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("status", sa.Text, nullable=False, index=True),
        sa.Column("trigger_event_id", sa.Text, nullable=False),
        sa.Column("triggered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trigger_ref", sa.Text, index=True),
        sa.Column("escalated_to_id", sa.Text),
        sa.Column("fulfilled_by", sa.Text),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    op.create_table(
        "coverage_credits",
        sa.Column("talk_id", sa.Text, primary_key=True),
        sa.Column("rule_id", sa.Text, primary_key=True),
        sa.Column("person_id", sa.Text, primary_key=True),
        sa.Column("counterpart_id", sa.Text, primary_key=True),
        sa.Column("org_id", sa.Text, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.create_index("coverage_rule_person_year", "coverage_credits", ["rule_id", "person_id", "year"], schema=S)
    op.create_table(
        "meetings",
        sa.Column("meeting_id", sa.Text, primary_key=True),
        sa.Column("org_id", sa.Text, nullable=False, index=True),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        schema=S,
    )
    op.create_table(
        "held_events",
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("person_id", sa.Text, primary_key=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("reported_at", sa.DateTime(timezone=True)),
        schema=S,
    )
    op.create_table(
        "vacancies",
        sa.Column("org_id", sa.Text, primary_key=True),
        sa.Column("since", sa.Date, nullable=False),
        schema=S,
    )
    op.create_table(
        "talks_seen",
        sa.Column("talk_id", sa.Text, primary_key=True),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mode", sa.Text, nullable=False),
        sa.Column("talker_ids", sa.ARRAY(sa.Text), nullable=False),
        sa.Column("talkee_ids", sa.ARRAY(sa.Text), nullable=False),
        schema=S,
    )
    op.create_table(
        "attendance_streaks",
        sa.Column("person_id", sa.Text, primary_key=True),
        sa.Column("absences", sa.Integer, nullable=False),
        schema=S,
    )


def downgrade() -> None:
    for table in ("vacancies", "attendance_streaks", "talks_seen", "held_events", "meetings", "coverage_credits", "obligations", "roles", "members", "orgs", "applied_events", "outbox"):
        op.drop_table(table, schema=S)
