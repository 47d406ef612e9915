"""The viewer pages: columns of ``current`` to filter and count on, tags, full-text search,
follow-ups, viewers and sessions.

``current`` is rebuilt with an integer key (SQLite's FTS5 needs a stable integer rowid) and its
new columns are back-filled from the documents already stored, with the function ingest uses
(columns.py), in batches so that a big store is never read into memory at once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import json

import sqlalchemy as sa
from alembic import op

from earshot_sync.collector.columns import current_columns, tag_keys

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BATCH = 2000
# The search text of an entry, the same expression in the index and in every query (reading.py):
# PostgreSQL uses an expression index only for the very expression it was built on. left() keeps
# a tsvector below its 1 MB limit whatever the tags hold.
PG_SEARCH_VECTOR = (
    "to_tsvector('simple'::regconfig, "
    "left(text || ' ' || coalesce(idea, '') || ' ' || tags, 60000))"
)

_SQLITE_SEARCH = [
    # External content: the index holds no copy of the text, it reads current's columns.
    "CREATE VIRTUAL TABLE current_search USING fts5(text, idea, tags, content='current', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    # Not 'rebuild': that would index every row, deleted ones too, which the triggers below
    # then never take out (they only forget rows they consider indexed).
    "INSERT INTO current_search(rowid, text, idea, tags) "
    "SELECT id, text, idea, tags FROM current WHERE NOT deleted",
    # Deleted entries are never searched, so they are kept out of the index.
    "CREATE TRIGGER current_search_insert AFTER INSERT ON current WHEN NOT new.deleted BEGIN "
    "INSERT INTO current_search(rowid, text, idea, tags) "
    "VALUES (new.id, new.text, new.idea, new.tags); END",
    "CREATE TRIGGER current_search_unindex AFTER UPDATE ON current WHEN NOT old.deleted BEGIN "
    "INSERT INTO current_search(current_search, rowid, text, idea, tags) "
    "VALUES ('delete', old.id, old.text, old.idea, old.tags); END",
    "CREATE TRIGGER current_search_reindex AFTER UPDATE ON current WHEN NOT new.deleted BEGIN "
    "INSERT INTO current_search(rowid, text, idea, tags) "
    "VALUES (new.id, new.text, new.idea, new.tags); END",
    "CREATE TRIGGER current_search_delete AFTER DELETE ON current WHEN NOT old.deleted BEGIN "
    "INSERT INTO current_search(current_search, rowid, text, idea, tags) "
    "VALUES ('delete', old.id, old.text, old.idea, old.tags); END",
]


def _current_table(name: str) -> sa.Table:
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.String(36), nullable=False),
        sa.Column("revision", sa.BigInteger, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("device_name", sa.String(200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("utc_offset_minutes", sa.Integer, nullable=False),
        sa.Column("site", sa.String(200), nullable=False),
        sa.Column("station", sa.String(200), nullable=False),
        sa.Column("staff", sa.String(200), nullable=True),
        sa.Column("anonymous", sa.Boolean, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("sentiment", sa.String(20), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("idea", sa.Text, nullable=True),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("contact", sa.Text, nullable=True),
        sa.Column("follow_up", sa.Boolean, nullable=False),
        sa.UniqueConstraint("entry_id", name="uq_current_entry_id"),
    )


def _naive_utc(moment: object) -> object:
    # SQLite keeps naive UTC (store.UtcDateTime); this script writes through plain Core.
    if op.get_bind().dialect.name == "sqlite" and hasattr(moment, "tzinfo"):
        return moment.replace(tzinfo=None)  # type: ignore[attr-defined]
    return moment


def _copy(new: sa.Table, tags: sa.Table) -> None:
    bind = op.get_bind()
    old = sa.table(
        "current",
        sa.column("entry_id", sa.String),
        sa.column("revision", sa.BigInteger),
        sa.column("document", sa.Text),
        sa.column("device_name", sa.String),
        sa.column("received_at", sa.DateTime(timezone=True)),
    )
    last = ""
    while True:
        rows = bind.execute(
            sa.select(old).where(old.c.entry_id > last).order_by(old.c.entry_id).limit(_BATCH)
        ).all()
        if not rows:
            return
        values: list[dict[str, object]] = []
        tag_rows: list[dict[str, object]] = []
        for entry_id, entry_revision, document, device_name, received_at in rows:
            parsed = json.loads(document)
            # Only the columns this revision of the schema has: a field declared later (and
            # its column) is back-filled by the migration that adds it.
            columns = {
                name: value for name, value in current_columns(parsed).items() if name in new.c
            }
            columns["created_at"] = _naive_utc(columns["created_at"])
            values.append(
                {
                    "entry_id": entry_id,
                    "revision": entry_revision,
                    "document": document,
                    "device_name": device_name,
                    "received_at": received_at,
                    **columns,
                }
            )
            tag_rows.extend(
                {"entry_id": entry_id, "tag": tag, "created_at": columns["created_at"]}
                for tag in tag_keys(parsed)
            )
        bind.execute(new.insert(), values)
        if tag_rows:
            bind.execute(tags.insert(), tag_rows)
        last = rows[-1][0]


def upgrade() -> None:
    _rebuild_current(op.get_bind().dialect.name)
    _create_follow_ups()
    _create_viewers()


def _rebuild_current(dialect: str) -> None:
    """``current`` with an integer key and the columns to filter on, back-filled; its tags
    one per row; its indexes and its full-text search."""
    new = _current_table("current_0002")
    new.create(op.get_bind())
    entry_tags = op.create_table(
        "entry_tags",
        sa.Column("entry_id", sa.String(36), primary_key=True),
        sa.Column("tag", sa.String(100), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    _copy(new, entry_tags)
    op.drop_index("ix_current_received_at", table_name="current")
    op.drop_table("current")
    op.rename_table("current_0002", "current")
    if dialect == "postgresql":
        # Names as a new store has them (a renamed table keeps its old constraint names).
        op.execute("ALTER TABLE current RENAME CONSTRAINT current_0002_pkey TO current_pkey")
        op.execute("ALTER SEQUENCE current_0002_id_seq RENAME TO current_id_seq")
    op.create_index("ix_current_received_at", "current", ["received_at"])
    op.create_index(
        "ix_current_created_at",
        "current",
        ["created_at", "entry_id", "deleted", "kind", "sentiment", "site"],
    )
    op.create_index("ix_current_site_created_at", "current", ["site", "created_at", "entry_id"])
    op.create_index("ix_current_station", "current", ["station"])
    op.create_index(
        "ix_current_follow_up_created_at", "current", ["follow_up", "created_at", "entry_id"]
    )
    op.create_index("ix_entry_tags_tag", "entry_tags", ["tag", "entry_id"])
    op.create_index("ix_entry_tags_created_at", "entry_tags", ["created_at", "tag"])
    if dialect == "sqlite":
        for statement in _SQLITE_SEARCH:
            op.execute(statement)
    else:
        op.execute(f"CREATE INDEX ix_current_search ON current USING gin ({PG_SEARCH_VECTOR})")


def _create_follow_ups() -> None:
    """Each call-back's state, and the history of who marked it and when."""
    op.create_table(
        "follow_ups",
        sa.Column("entry_id", sa.String(36), primary_key=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
    )
    op.create_index("ix_follow_ups_state", "follow_ups", ["state"])
    op.create_table(
        "follow_up_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.String(36), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("viewer_name", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_follow_up_events_entry_id", "follow_up_events", ["entry_id", "id"])


def _create_viewers() -> None:
    """The people who read the pages, and their sessions."""
    op.create_table(
        "viewers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_sign_ins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_failed_sign_in_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("viewer_id", sa.Integer, nullable=False),
        sa.Column("csrf_secret", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sessions_viewer_id", "sessions", ["viewer_id"])
    op.create_index("ix_sessions_expires_at", "sessions", ["expires_at"])


def downgrade() -> None:
    raise NotImplementedError("the collector's store is only ever migrated forward")
