"""Obligations explain themselves: the triggering event's type and source, and every step each
obligation went through with its cause.

Revision ID: 0005

Obligations opened before this revision have no trigger type or source ('') and no history before
it: a replay of the log (`python -m compliance replay`) rebuilds both.
"""

import sqlalchemy as sa
from alembic import op

from kernel.migrations import migrating_schema

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    S = migrating_schema()
    op.add_column("obligations", sa.Column("trigger_type", sa.Text, nullable=False, server_default=""), schema=S)
    op.add_column("obligations", sa.Column("trigger_source", sa.Text, nullable=False, server_default=""), schema=S)
    op.create_table(
        "obligation_transitions",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("obligation_id", sa.Text, nullable=False, index=True),
        sa.Column("transition", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("rule_id", sa.Text, nullable=False),
        sa.Column("responsible_kind", sa.Text, nullable=False),
        sa.Column("responsible_id", sa.Text),
        sa.Column("responsible_org_id", sa.Text),
        sa.Column("previous_responsible_id", sa.Text),
        sa.Column("escalated_to_id", sa.Text),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("fulfilled_by", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("cause_kind", sa.Text, nullable=False),
        sa.Column("cause_event_id", sa.Text),
        sa.Column("cause_event_type", sa.Text),
        sa.Column("cause_source", sa.Text),
        sa.Column("cause_time", sa.DateTime(timezone=True)),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )


def downgrade() -> None:
    S = migrating_schema()
    op.drop_table("obligation_transitions", schema=S)
    op.drop_column("obligations", "trigger_source", schema=S)
    op.drop_column("obligations", "trigger_type", schema=S)
