"""A delivery remembers the trace context of the alert it carries: the channel's send continues the
trace that began with the event behind the alert (kernel.tracing).

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

from kernel.migrations import migrating_schema

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("traceparent", sa.Text), schema=migrating_schema())


def downgrade() -> None:
    op.drop_column("deliveries", "traceparent", schema=migrating_schema())
