"""The first journal: entries, revisions, drafts, meta and the full-text index.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("saved_at", sa.String(27), nullable=False),
        sa.UniqueConstraint("uuid", "revision", name="uq_revisions_uuid_revision"),
    )
    op.create_table(
        "entries",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(27), nullable=False),
        sa.Column("utc_offset_minutes", sa.Integer, nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("site", sa.String(100), nullable=False),
        sa.Column("station", sa.String(100), nullable=False),
        sa.Column("staff", sa.String(100)),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("sentiment", sa.String(20)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("contact", sa.String(200)),
        sa.Column("follow_up", sa.Boolean, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("revised_at", sa.String(27), nullable=False),
        sa.Column("sync_state", sa.String(20), nullable=False),
        sa.Column("sync_note", sa.Text),
        sa.Column("outbox_order", sa.Integer, sa.ForeignKey("revisions.id"), nullable=False),
    )
    op.create_index("ix_entries_created", "entries", ["created_at", "seq"])
    op.create_index("ix_entries_outbox", "entries", ["sync_state", "outbox_order"])
    op.create_table(
        "drafts",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("saved_at", sa.String(27), nullable=False),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(50), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    # External-content FTS5 index over the words, kept in step by triggers.
    # https://www.sqlite.org/fts5.html#external_content_tables
    op.execute(
        "CREATE VIRTUAL TABLE entries_fts USING fts5("
        "text, tags, content='entries', content_rowid='seq', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER entries_fts_ai AFTER INSERT ON entries BEGIN "
        "INSERT INTO entries_fts(rowid, text, tags) VALUES (new.seq, new.text, new.tags); END"
    )
    op.execute(
        "CREATE TRIGGER entries_fts_ad AFTER DELETE ON entries BEGIN "
        "INSERT INTO entries_fts(entries_fts, rowid, text, tags) "
        "VALUES ('delete', old.seq, old.text, old.tags); END"
    )
    # Only a change of the words touches the index: sync-state updates stay cheap.
    op.execute(
        "CREATE TRIGGER entries_fts_au AFTER UPDATE OF text, tags ON entries BEGIN "
        "INSERT INTO entries_fts(entries_fts, rowid, text, tags) "
        "VALUES ('delete', old.seq, old.text, old.tags); "
        "INSERT INTO entries_fts(rowid, text, tags) VALUES (new.seq, new.text, new.tags); END"
    )


def downgrade() -> None:
    for trigger in ("entries_fts_au", "entries_fts_ad", "entries_fts_ai"):
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP TABLE entries_fts")
    op.drop_table("meta")
    op.drop_table("drafts")
    op.drop_index("ix_entries_outbox", "entries")
    op.drop_index("ix_entries_created", "entries")
    op.drop_table("entries")
    op.drop_table("revisions")
