"""Lookups in bulk for a batch: obligations by trigger event, talks by participant.

Revision ID: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
S = "compliance"


def upgrade() -> None:
    op.create_index("ix_compliance_obligations_trigger_event_id", "obligations", ["trigger_event_id"], schema=S)
    op.create_table(
        "talk_participants",
        sa.Column("person_id", sa.Text, primary_key=True),
        sa.Column("held_at", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("talk_id", sa.Text, primary_key=True),
        schema=S,
    )
    schema = op.get_context().config.attributes["schema"]  # where this migration runs (a rebuild: elsewhere)
    op.execute(
        f'INSERT INTO "{schema}".talk_participants (person_id, held_at, talk_id) '
        f'SELECT DISTINCT p.person_id, t.held_at, t.talk_id FROM "{schema}".talks_seen t, '
        "unnest(t.talker_ids || t.talkee_ids) AS p(person_id) ON CONFLICT DO NOTHING"
    )


def downgrade() -> None:
    op.drop_table("talk_participants", schema=S)
    op.drop_index("ix_compliance_obligations_trigger_event_id", schema=S)
