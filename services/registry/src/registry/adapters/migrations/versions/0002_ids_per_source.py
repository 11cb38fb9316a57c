"""Event ids unique per source: two integrated systems may both send id 42.

`accepted_events.event_id` is now the id the event travels under on the topics (derived from its
source and the sender's id); `sender_id` is the id the system sent, unique with its source. Events
accepted before keep their id on both sides (event_id = sender_id), and their source is what the
sender wrote then, not its credential's system: the intake treats such an id as a duplicate from any
system (adapters/repositories.py), so a late redelivery of one is not published again.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
S = "registry"


def upgrade() -> None:
    op.add_column("accepted_events", sa.Column("sender_id", sa.Text), schema=S)
    op.execute(f"UPDATE {S}.accepted_events SET sender_id = event_id")
    op.alter_column("accepted_events", "sender_id", nullable=False, schema=S)
    op.create_unique_constraint("accepted_events_source_sender_id", "accepted_events", ["source", "sender_id"], schema=S)


def downgrade() -> None:
    op.drop_constraint("accepted_events_source_sender_id", "accepted_events", schema=S)
    op.drop_column("accepted_events", "sender_id", schema=S)
