"""The journal's tables, declared once; the migrations create them (see ``migrations/``).

``entries`` holds the newest revision of each entry and its place in the outbox.
``revisions`` keeps every revision ever saved, append-only: an edit never destroys words.
``entries_fts`` (FTS5, created by the migrations) indexes the words and ideas for search.
Times are stored as fixed-width ISO-8601 UTC text, so they sort as they read.
"""

from __future__ import annotations

from typing import Any

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
from sqlalchemy.types import TypeEngine

from earshot_sync.fields import FIELDS, EntryField, Shape

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

# The column of each declared field of an entry (earshot_sync.fields); the id's is "uuid".
COLUMN_NAMES: dict[str, str] = {field.name: field.name for field in FIELDS} | {"id": "uuid"}
_TYPES: dict[Shape, type[TypeEngine[Any]] | TypeEngine[Any]] = {
    Shape.ID: String(36),
    Shape.COUNT: Integer,
    Shape.TIME: String(27),
    Shape.OFFSET: Integer,
    Shape.TEXT: Text,
    Shape.CHOICE: String(20),
    Shape.TAGS: Text,  # a JSON list
    Shape.FLAG: Boolean,
}


def _entry_column(field: EntryField) -> Column[Any]:
    if field.shape in (Shape.LABEL, Shape.LINE):
        column_type: type[TypeEngine[Any]] | TypeEngine[Any] = String(field.max_length)
    else:
        column_type = _TYPES[field.shape]
    return Column(
        COLUMN_NAMES[field.name],
        column_type,
        nullable=field.nullable,
        unique=field.shape is Shape.ID,
        # A field added later (migration 0004: idea, anonymous) reads its default in old rows.
        server_default=false() if field.optional and field.shape is Shape.FLAG else None,
    )


entries = Table(
    "entries",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    *(_entry_column(field) for field in FIELDS),
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
