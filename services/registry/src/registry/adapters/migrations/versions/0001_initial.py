"""Registry state: accepted event ids, organisations, members, role history.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

from kernel.migrations import create_kernel_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
S = "registry"


def upgrade() -> None:
    create_kernel_tables(S)
    op.create_table(
        "accepted_events",
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    op.create_table(
        "orgs",
        sa.Column("org_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("parent_id", sa.Text, index=True),
        sa.Column("dissolved_at", sa.DateTime(timezone=True)),
        schema=S,
    )
    op.create_table(
        "members",
        sa.Column("person_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("org_id", sa.Text, nullable=False, index=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("email", sa.Text),
        sa.Column("phone", sa.Text),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True)),
        sa.Column("left_reason", sa.Text),
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
    op.create_index("registry_roles_person", "roles", ["person_id"], schema=S)
    op.create_index("registry_roles_org", "roles", ["org_id"], schema=S)


def downgrade() -> None:
    for table in ("roles", "members", "orgs", "accepted_events", "applied_events", "outbox"):
        op.drop_table(table, schema=S)
