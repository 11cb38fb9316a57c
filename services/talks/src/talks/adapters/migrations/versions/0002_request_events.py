"""A talk request remembers the id of its talk.requested event: its REQ obligation names it, and the
request closes when compliance says that obligation is fulfilled.

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
    op.add_column("talk_requests", sa.Column("event_id", sa.Text), schema=_schema())
    op.create_index("ix_talks_talk_requests_event_id", "talk_requests", ["event_id"], schema=_schema())


def downgrade() -> None:
    op.drop_index("ix_talks_talk_requests_event_id", "talk_requests", schema=_schema())
    op.drop_column("talk_requests", "event_id", schema=_schema())
