"""What-if runs started from the dashboard: progress, then the report.

Revision ID: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from kernel.migrations import migrating_schema

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "what_if_runs",
        sa.Column("run_id", sa.Text, primary_key=True),
        sa.Column("requested_by", sa.Text, nullable=False),
        sa.Column("policy", JSONB, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("stage", sa.Text),
        sa.Column("done", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("of", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("report", JSONB),
        sa.Column("error", sa.Text),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        schema=migrating_schema(),
    )


def downgrade() -> None:
    op.drop_table("what_if_runs", schema=migrating_schema())
