"""Notify: people and the in-app inbox.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

from kernel.migrations import create_kernel_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
S = "notify"


def upgrade() -> None:
    create_kernel_tables(S)
    op.create_table(
        "people",
        sa.Column("person_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("email", sa.Text),
        sa.Column("phone", sa.Text),
        sa.Column("channels", sa.ARRAY(sa.Text)),
        sa.Column("quiet_start", sa.Time),
        sa.Column("quiet_end", sa.Time),
        sa.Column("digest", sa.Boolean, nullable=False, server_default="false"),
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
        "inbox",
        sa.Column("alert_id", sa.Text, primary_key=True),
        sa.Column("idempotency_key", sa.Text, nullable=False, unique=True),
        sa.Column("person_id", sa.Text, nullable=False),
        sa.Column("obligation_id", sa.Text),
        sa.Column("transition", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        schema=S,
    )
    op.create_index("inbox_person_created", "inbox", ["person_id", "created_at"], schema=S)
    op.create_table(
        "deliveries",
        sa.Column("delivery_id", sa.Text, primary_key=True),
        sa.Column("alert_id", sa.Text, nullable=False),
        sa.Column("person_id", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        schema=S,
    )
    op.create_index("deliveries_due", "deliveries", ["status", "next_attempt_at"], schema=S)


def downgrade() -> None:
    for table in ("deliveries", "inbox", "roles", "people", "applied_events", "outbox"):
        op.drop_table(table, schema=S)
