"""Indexes for the bulk lookups of a batch: obligations by trigger event, talks by participant.

Revision ID: 0002
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
S = "compliance"


def upgrade() -> None:
    op.create_index("ix_compliance_obligations_trigger_event_id", "obligations", ["trigger_event_id"], schema=S)
    op.create_index("talks_seen_talkees", "talks_seen", ["talkee_ids"], schema=S, postgresql_using="gin")
    op.create_index("talks_seen_talkers", "talks_seen", ["talker_ids"], schema=S, postgresql_using="gin")


def downgrade() -> None:
    for name in ("talks_seen_talkers", "talks_seen_talkees", "ix_compliance_obligations_trigger_event_id"):
        op.drop_index(name, schema=S)
