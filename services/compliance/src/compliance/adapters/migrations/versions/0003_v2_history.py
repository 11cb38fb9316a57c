"""SPEC v2: membership over time, obligations settled from facts, retractions kept.

Revision ID: 0003

Rows written before v2 are carried over as well as they can be (an obligation's trigger date is
its trigger's date in the deployment's calendar, its rules the pair its rule belongs to); a
projection rebuilt by `python -m compliance replay` is exact.
"""

import os

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from kernel.migrations import migrating_schema

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    schema = S = migrating_schema()
    zone = os.environ.get("TIME_ZONE", "Asia/Shanghai")  # the calendar of the rows written before v2
    op.create_table(
        "memberships",
        sa.Column("person_id", sa.Text, primary_key=True),
        sa.Column("since", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("org_id", sa.Text, nullable=False, index=True),
        sa.Column("until", sa.DateTime(timezone=True)),
        sa.Column("left_reason", sa.Text),
        schema=S,
    )
    op.execute(
        f'INSERT INTO "{schema}".memberships (person_id, since, org_id, until, left_reason) '
        f"SELECT person_id, joined_at, org_id, left_at, CASE WHEN left_at IS NULL THEN NULL ELSE 'other' END "
        f'FROM "{schema}".members'
    )
    op.create_table(
        "retractions",
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("ref", sa.Text, nullable=False, index=True),
        sa.Column("person_id", sa.Text),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    for column in (
        sa.Column("rules", sa.Text),
        sa.Column("trigger_date", sa.Date),
        sa.Column("leader_id", sa.Text),
        sa.Column("waived_at", sa.DateTime(timezone=True)),
        sa.Column("waived_reason", sa.Text),
        sa.Column("responsible_kind", sa.Text, nullable=False, server_default="person"),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("reason", sa.Text),
        sa.Column("paths", ARRAY(sa.Text), nullable=False, server_default="{}"),
    ):
        op.add_column("obligations", column, schema=S)
    op.execute(
        f'UPDATE "{schema}".obligations SET '
        "rules = CASE rule_id WHEN 'C5' THEN 'M4/C5' WHEN 'C3' THEN 'M4/C3' WHEN 'M4' THEN 'M4/C5' "
        "WHEN 'M5' THEN 'M5/C6' WHEN 'C6' THEN 'M5/C6' ELSE rule_id END, "
        f"trigger_date = (triggered_at AT TIME ZONE '{zone}')::date, "
        "responsible_kind = CASE WHEN responsible_id IS NULL THEN 'operators' ELSE 'person' END, "
        "closed_at = CASE WHEN status IN ('fulfilled', 'fulfilled_late', 'cancelled') THEN updated_at END, "
        "paths = array_remove(ARRAY[responsible_org_id, org_id], NULL)"
    )
    op.alter_column("obligations", "rules", nullable=False, schema=S)
    op.alter_column("obligations", "trigger_date", nullable=False, schema=S)
    op.create_index("obligations_closed_at", "obligations", ["closed_at"], schema=S)
    op.create_table(
        "obligation_paths",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("obligation_id", sa.Text, primary_key=True),
        schema=S,
    )
    op.execute(f'INSERT INTO "{schema}".obligation_paths SELECT DISTINCT unnest(paths), obligation_id FROM "{schema}".obligations')
    op.add_column("meetings", sa.Column("reminded_before", sa.Integer), schema=S)


def downgrade() -> None:
    S = migrating_schema()
    op.drop_column("meetings", "reminded_before", schema=S)
    op.drop_index("obligations_closed_at", "obligations", schema=S)
    op.drop_table("obligation_paths", schema=S)
    for name in ("paths", "reason", "closed_at", "responsible_kind", "waived_reason", "waived_at", "leader_id", "trigger_date", "rules"):
        op.drop_column("obligations", name, schema=S)
    op.drop_table("retractions", schema=S)
    op.drop_table("memberships", schema=S)
