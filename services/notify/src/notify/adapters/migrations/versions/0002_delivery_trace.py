"""A delivery remembers the trace context of the alert it carries: the channel's send continues the
trace that began with the event behind the alert (kernel.tracing).

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _schema() -> str:
    return op.get_context().config.attributes["schema"]  # where this migration runs


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("traceparent", sa.Text), schema=_schema())


def downgrade() -> None:
    op.drop_column("deliveries", "traceparent", schema=_schema())
