"""Each organisation's ancestors, kept with the tree (adapters.ancestry), filled from the tree as it is.

Revision ID: 0007
"""

import sqlalchemy as sa
from alembic import op

from kernel.migrations import migrating_schema

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    schema = migrating_schema()
    op.create_table(
        "org_ancestry",
        sa.Column("ancestor_id", sa.Text, primary_key=True),  # '' above the roots
        sa.Column("org_id", sa.Text, primary_key=True),
        sa.Column("child_id", sa.Text, nullable=False),
        schema=schema,
    )
    op.create_index("ix_compliance_org_ancestry_org_id", "org_ancestry", ["org_id"], schema=schema)
    # Every organisation walked up its parents, as adapters.ancestry walks a changed subtree (the
    # walk bounded as kernel.tree bounds it, against a cycle in bad data).
    op.execute(f"""
        WITH RECURSIVE up(org_id, ancestor_id, child_id, depth) AS (
            SELECT org_id, parent_id, org_id, 1 FROM "{schema}".orgs
            UNION ALL
            SELECT up.org_id, p.parent_id, p.org_id, up.depth + 1
            FROM up JOIN "{schema}".orgs p ON p.org_id = up.ancestor_id WHERE up.depth < 64
        )
        INSERT INTO "{schema}".org_ancestry (ancestor_id, org_id, child_id)
        SELECT coalesce(ancestor_id, ''), org_id, child_id FROM up ON CONFLICT DO NOTHING
    """)


def downgrade() -> None:
    op.drop_table("org_ancestry", schema=migrating_schema())
