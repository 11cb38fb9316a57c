"""Coverage kept by the projection: who is counted per rule and year, and roll-ups per organisation.

Revision ID: 0004

The tables start empty: the leader counts each recent year whole once (adapters.rollups), and until
then coverage is counted from the projection as before.
"""

import sqlalchemy as sa
from alembic import op

from kernel.migrations import migrating_schema

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    S = migrating_schema()
    op.create_index("coverage_credits_year", "coverage_credits", ["year"], schema=S)
    op.create_table(
        "coverage_counted",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("rule_id", sa.Text, primary_key=True),
        sa.Column("person_id", sa.Text, primary_key=True),
        sa.Column("counterpart_id", sa.Text, primary_key=True),
        sa.Column("org_id", sa.Text, primary_key=True),
        sa.Column("talks", sa.Integer, nullable=False),
        schema=S,
    )
    op.create_index("coverage_counted_org", "coverage_counted", ["year", "rule_id", "org_id"], schema=S)
    op.create_table(
        "coverage_rollup",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("rule_id", sa.Text, primary_key=True),
        sa.Column("org_id", sa.Text, primary_key=True),
        sa.Column("talks", sa.Integer, primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
        schema=S,
    )
    op.create_table(
        "coverage_rollup_deltas",
        sa.Column("delta_id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("rule_id", sa.Text, nullable=False),
        sa.Column("org_id", sa.Text, nullable=False),
        sa.Column("talks", sa.Integer, nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        schema=S,
    )
    op.create_table(
        "coverage_years",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("as_current", sa.Boolean, nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )


def downgrade() -> None:
    S = migrating_schema()
    for table in ("coverage_years", "coverage_rollup_deltas", "coverage_rollup", "coverage_counted"):
        op.drop_table(table, schema=S)
    op.drop_index("coverage_credits_year", table_name="coverage_credits", schema=S)
