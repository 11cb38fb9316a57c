"""A talk request remembers the id of its talk.requested event: its REQ obligation names it, and the
request closes when compliance says that obligation is fulfilled.

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
    op.add_column("talk_requests", sa.Column("event_id", sa.Text), schema=migrating_schema())
    op.create_index("ix_talks_talk_requests_event_id", "talk_requests", ["event_id"], schema=migrating_schema())


def downgrade() -> None:
    op.drop_index("ix_talks_talk_requests_event_id", "talk_requests", schema=migrating_schema())
    op.drop_column("talk_requests", "event_id", schema=migrating_schema())
