"""The collector's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

``revisions`` keeps every revision ever received; its primary key (entry id, revision) is what
makes a repeat harmless: the insert that would make a second row does nothing instead.
``current`` holds the newest revision of each entry (a deleted one is a tombstone), so readers
need no "latest per group" query.

The Alembic migrations in ``migrations/`` create them when a collector or a command starts
(migrate.py); a change here needs a new migration, and a test compares the two.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
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

from earshot_sync.collector.columns import MAX_LABEL
from earshot_sync.fields import BY_NAME, EntryField, Shape, collector_fields

metadata = MetaData()

# The column type of each shape of field in ``current``.
_CURRENT_TYPES: dict[Shape, type[TypeEngine[Any]] | TypeEngine[Any]] = {
    Shape.TIME: DateTime(timezone=True),
    Shape.OFFSET: Integer,
    Shape.LABEL: String(MAX_LABEL),
    Shape.LINE: Text,
    Shape.TEXT: Text,
    Shape.CHOICE: String(20),
    Shape.TAGS: Text,
    Shape.FLAG: Boolean,
}


def _current_column(field: EntryField) -> Column[Any]:
    return Column(field.name, _CURRENT_TYPES[field.shape], nullable=field.nullable)


devices = Table(
    "devices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    # SHA-256 of the token, hex; the token itself is never stored (see auth.py).
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_contact_at", DateTime(timezone=True), nullable=True),
    # sent_at of the device's last batch minus the server's clock when it arrived, in seconds:
    # positive means the device's clock is ahead.
    Column("clock_skew_seconds", Float, nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

revisions = Table(
    "revisions",
    metadata,
    Column("entry_id", String(36), primary_key=True),
    Column("revision", BigInteger, primary_key=True),
    Column("digest", String(64), nullable=False),
    # The wire entry's fields (protocol.wire_entry) as compact JSON text.
    Column("document", Text, nullable=False),
    Column("device_name", String(200), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Index("ix_revisions_received_at", "received_at"),
)

# The newest revision of each entry. Besides the document, the fields the viewer pages filter,
# sort and count on are kept as columns (written at ingest from the newest revision, back-filled
# by migration 0002), so that no reader parses JSON. An integer ``id`` is the row's stable key
# for SQLite's full-text index (FTS5 needs an integer rowid, and a table without an INTEGER
# PRIMARY KEY may renumber its rowids in a VACUUM).
current = Table(
    "current",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry_id", String(36), nullable=False),
    Column("revision", BigInteger, nullable=False),
    _current_column(BY_NAME["deleted"]),
    Column("document", Text, nullable=False),
    Column("device_name", String(200), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    # One column per field kept at the collector (earshot_sync.fields): the entry's time in
    # UTC, the offset of the PC's clock, the labels cut to MAX_LABEL characters (an index row
    # has a bound; the document keeps what was sent), the words, the tags as a JSON list as
    # sent (entry_tags has them one per row, lower-cased, for filters).
    *(_current_column(field) for field in collector_fields() if field.name != "deleted"),
    # follow_up, not deleted and the follow-up not resolved: the queue's rows (written by
    # ingest and by FollowUps.mark, back-filled by migration 0003).
    Column("open_follow_up", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("entry_id", name="uq_current_entry_id"),
    Index("ix_current_received_at", "received_at"),
    # Keyset paging newest first; with the columns trends count by, so that counting a month
    # reads this index alone, not the rows with their documents.
    Index(
        "ix_current_created_at", "created_at", "entry_id", "deleted", "kind", "sentiment", "site"
    ),
    Index("ix_current_site_created_at", "site", "created_at", "entry_id"),
    # A filter's entries newest first straight from the index, never sorted per page.
    Index("ix_current_station_created_at", "station", "created_at", "entry_id"),
    Index("ix_current_kind_created_at", "kind", "created_at", "entry_id"),
    Index("ix_current_open_follow_up_created_at", "open_follow_up", "created_at", "entry_id"),
)

# One row per tag of each entry's current revision, lower-cased (cut to MAX_TAG characters).
# The entry's time is repeated here so that the top tags of a month read one index range.
entry_tags = Table(
    "entry_tags",
    metadata,
    Column("entry_id", String(36), primary_key=True),
    Column("tag", String(100), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The tag filter walks one tag's entries in time order (and keyset pages on them).
    Index("ix_entry_tags_tag_created_at", "tag", "created_at", "entry_id"),
    Index("ix_entry_tags_created_at", "created_at", "tag"),
)

# The follow-up state of an entry that asked for a call-back; no row means "open".
follow_ups = Table(
    "follow_ups",
    metadata,
    Column("entry_id", String(36), primary_key=True),
    Column("state", String(20), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(200), nullable=False),
    Index("ix_follow_ups_state", "state"),
)

# Every change of a follow-up's state, with who made it and why: the history is kept.
follow_up_events = Table(
    "follow_up_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry_id", String(36), nullable=False),
    Column("state", String(20), nullable=False),
    Column("note", Text, nullable=False),
    Column("viewer_name", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_follow_up_events_entry_id", "entry_id", "id"),
)

# People who read the pages. The password is kept only as an Argon2 hash (accounts.py).
viewers = Table(
    "viewers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True), nullable=True),
    # Sign-in throttling: failures in a row since the last success, and when the last one was.
    Column("failed_sign_ins", Integer, nullable=False, server_default="0"),
    Column("last_failed_sign_in_at", DateTime(timezone=True), nullable=True),
)

# Server-side sessions. The browser holds the token; only its SHA-256 is stored here.
sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("viewer_id", Integer, nullable=False),
    # Put into forms and checked on every change (not a credential on its own).
    Column("csrf_secret", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The absolute end; the idle end is last_seen_at plus the idle timeout.
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Index("ix_sessions_viewer_id", "viewer_id"),
    Index("ix_sessions_expires_at", "expires_at"),
)

# Objects only one dialect has, made by migration 0002 and kept by triggers (SQLite) or an
# expression index (PostgreSQL): the full-text index. Comparisons of this metadata with a
# database (tests, autogenerate) leave them out with :func:`declared`.
SEARCH_TABLE = "current_search"  # SQLite FTS5, external content over current(text, idea, tags)
SEARCH_INDEX = "ix_current_search"  # PostgreSQL GIN over PG_SEARCH_VECTOR
# The expression of that index, the same in every query: PostgreSQL uses an expression index
# only for the very expression it was built on. left() keeps a tsvector below its 1 MB limit.
PG_SEARCH_VECTOR = (
    "to_tsvector('simple'::regconfig, "
    "left(text || ' ' || coalesce(idea, '') || ' ' || tags, 60000))"
)
_DIALECT_ONLY = frozenset({SEARCH_INDEX, SEARCH_TABLE}) | frozenset(
    f"{SEARCH_TABLE}_{suffix}" for suffix in ("data", "idx", "content", "docsize", "config")
)


def declared(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's ``include_name`` hook: False for the dialect-only search objects."""
    return name not in _DIALECT_ONLY
