"""The collector's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

``revisions`` keeps every revision ever received; its primary key (entry id, revision) is what
makes a repeat harmless: the insert that would make a second row does nothing instead.
``current`` holds the newest revision of each entry (a deleted one is a tombstone), so readers
need no "latest per group" query.

The Alembic migrations in ``migrations/`` create them when a collector or a command starts
(migrate.py); a change here needs a new migration, and a test compares the two.
"""

from __future__ import annotations

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
)

metadata = MetaData()

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
    # The wire entry's fields (protocol.ENTRY_FIELDS) as compact JSON text.
    Column("document", Text, nullable=False),
    Column("device_name", String(200), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Index("ix_revisions_received_at", "received_at"),
)

current = Table(
    "current",
    metadata,
    Column("entry_id", String(36), primary_key=True),
    Column("revision", BigInteger, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("document", Text, nullable=False),
    Column("device_name", String(200), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Index("ix_current_received_at", "received_at"),
)
