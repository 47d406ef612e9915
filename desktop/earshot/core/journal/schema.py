"""The journal's tables, declared once; the migrations create them (see ``migrations/``).

``entries`` holds the newest revision of each entry and its place in the outbox.
``revisions`` keeps every revision ever saved, append-only: an edit never destroys words.
``entries_fts`` (FTS5, created by the migrations) indexes the words and ideas for search.
Times are stored as fixed-width ISO-8601 UTC text, so they sort as they read.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData()

revisions = Table(
    "revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uuid", String(36), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("payload", Text, nullable=False),  # the whole entry as JSON
    Column("saved_at", String(27), nullable=False),
    UniqueConstraint("uuid", "revision", name="uq_revisions_uuid_revision"),
)

entries = Table(
    "entries",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("uuid", String(36), nullable=False, unique=True),
    Column("revision", Integer, nullable=False),
    Column("created_at", String(27), nullable=False),
    Column("utc_offset_minutes", Integer, nullable=False),
    Column("device_id", String(64), nullable=False),
    Column("site", String(100), nullable=False),
    Column("station", String(100), nullable=False),
    Column("staff", String(100)),
    Column("kind", String(20), nullable=False),
    Column("sentiment", String(20)),
    Column("text", Text, nullable=False),
    Column("tags", Text, nullable=False),  # JSON list
    Column("contact", String(200)),
    Column("follow_up", Boolean, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("revised_at", String(27), nullable=False),
    # Migration 0004: "your idea", and "don't record my name" (then staff is null).
    Column("idea", Text),
    Column("anonymous", Boolean, nullable=False, server_default=false()),
    # The outbox: the newest revision's way to the collector.
    Column("sync_state", String(20), nullable=False),
    Column("sync_note", Text),
    Column("outbox_order", Integer, ForeignKey("revisions.id"), nullable=False),
)

Index("ix_entries_created", entries.c.created_at, entries.c.seq)
Index("ix_entries_outbox", entries.c.sync_state, entries.c.outbox_order)
# The log window's filters and order in one covering index (migration 0002).
Index(
    "ix_entries_log",
    entries.c.created_at,
    entries.c.seq,
    entries.c.deleted,
    entries.c.kind,
    entries.c.station,
    entries.c.staff,
    entries.c.sync_state,
    entries.c.follow_up,
)

drafts = Table(
    "drafts",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("payload", Text, nullable=False),
    Column("saved_at", String(27), nullable=False),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", Text, nullable=False),
)
