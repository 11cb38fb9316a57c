"""Talk records and their follow-up measures.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

from kernel.migrations import create_kernel_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
S = "talks"


def upgrade() -> None:
    create_kernel_tables(S)
    op.create_table(
        "talks",
        sa.Column("talk_id", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.Text, nullable=False),
        sa.Column("mode", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("talker_ids", sa.ARRAY(sa.Text), nullable=False),
        sa.Column("talkee_ids", sa.ARRAY(sa.Text), nullable=False),
        sa.Column("rule_ids", sa.ARRAY(sa.Text), nullable=False),
        sa.Column("topics", sa.ARRAY(sa.Text), nullable=False),
        sa.Column("content_encrypted", sa.LargeBinary, nullable=False),
        sa.Column("confidential", sa.Boolean, nullable=False),
        sa.Column("recorded_by", sa.Text),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("amendment_reason", sa.Text),
        schema=S,
    )
    op.create_table(
        "talk_versions",
        sa.Column("talk_id", sa.Text, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("place", sa.Text, nullable=False),
        sa.Column("topics", sa.ARRAY(sa.Text), nullable=False),
        sa.Column("content_encrypted", sa.LargeBinary, nullable=False),
        sa.Column("confidential", sa.Boolean, nullable=False),
        sa.Column("recorded_by", sa.Text),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.create_table(
        "follow_ups",
        sa.Column("follow_up_id", sa.Text, primary_key=True),
        sa.Column("talk_id", sa.Text, nullable=False, index=True),
        sa.Column("text_encrypted", sa.LargeBinary, nullable=False),
        sa.Column("owner_id", sa.Text, nullable=False, index=True),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.Column("due_published", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("overdue_published", sa.Boolean, nullable=False, server_default="false"),
        schema=S,
    )
    op.create_table(
        "talk_requests",
        sa.Column("request_id", sa.Text, primary_key=True),
        sa.Column("person_id", sa.Text, nullable=False, index=True),
        sa.Column("leader_id", sa.Text, nullable=False, index=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.Text),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        schema=S,
    )
    op.create_table(
        "meetings",
        sa.Column("meeting_id", sa.Text, primary_key=True),
        sa.Column("org_id", sa.Text, nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("scheduled_by", sa.Text),
        schema=S,
    )
    op.create_table("orgs", sa.Column("org_id", sa.Text, primary_key=True), sa.Column("parent_id", sa.Text), schema=S)
    op.create_table(
        "members",
        sa.Column("person_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text),
        sa.Column("org_id", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        schema=S,
    )
    op.create_table(
        "roles",
        sa.Column("org_id", sa.Text, primary_key=True),
        sa.Column("person_id", sa.Text, primary_key=True),
        sa.Column("role", sa.Text, primary_key=True),
        schema=S,
    )
    op.create_table(
        "content_reads",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("talk_id", sa.Text, nullable=False, index=True),
        sa.Column("reader_id", sa.Text),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    op.create_table(
        "obligations",
        sa.Column("obligation_id", sa.Text, primary_key=True),
        sa.Column("rule_id", sa.Text, nullable=False),
        sa.Column("subject_id", sa.Text, nullable=False, index=True),
        sa.Column("responsible_id", sa.Text),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("fulfilled_by", sa.Text),
        schema=S,
    )


def downgrade() -> None:
    for table in ("obligations", "talk_versions", "meetings", "talk_requests", "content_reads", "roles", "members", "orgs", "follow_ups", "talks", "applied_events", "outbox"):
        op.drop_table(table, schema=S)
