"""The audit becomes a hash chain: audit_log replaces content_reads, whose rows are carried over in
their order and chained (talks.domain.audit_chain), so the history before the upgrade is verified too.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

from kernel.migrations import migrating_schema

from talks.domain.audit_chain import GENESIS, entry_hash

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    s = migrating_schema()
    log = op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Text),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.Text, nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
        schema=s,
    )
    op.create_index("ix_talks_audit_log_subject", "audit_log", ["subject"], schema=s)
    old = op.get_bind().execute(sa.text(f'SELECT talk_id, reader_id, granted, basis, "at" FROM "{s}".content_reads ORDER BY id')).all()
    rows, prev = [], GENESIS
    for seq, r in enumerate(old, start=1):
        entry = {"seq": seq, "at": r.at, "actor_id": r.reader_id, "action": "read", "subject": r.talk_id, "granted": r.granted, "basis": r.basis}
        entry |= {"prev_hash": prev, "hash": entry_hash(prev, entry)}
        rows.append(entry)
        prev = entry["hash"]
    if rows:
        op.bulk_insert(log, rows)
    op.drop_table("content_reads", schema=s)


def downgrade() -> None:
    s = migrating_schema()
    op.create_table(
        "content_reads",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("talk_id", sa.Text, nullable=False, index=True),
        sa.Column("reader_id", sa.Text),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=s,
    )
    op.execute(f'INSERT INTO "{s}".content_reads (talk_id, reader_id, granted, basis, "at") '
               f'SELECT subject, actor_id, granted, basis, "at" FROM "{s}".audit_log WHERE action = \'read\' ORDER BY seq')  # fmt: skip
    op.drop_table("audit_log", schema=s)
