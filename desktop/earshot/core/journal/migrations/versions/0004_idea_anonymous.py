"""An entry's "your idea" and "don't record my name": two columns, and the idea in the search.

``idea`` is what the person who heard the customer thinks the company could do (null when they
wrote none). ``anonymous`` is true when they chose not to record their name; such an entry's
``staff`` is always null (``earshot.core.entry.validate`` drops the name before it is stored).
Entries saved before this migration are not anonymous and have no idea.

The full-text index gains the idea, so a search finds the words in either field. It is
external-content, so it is made again with the new column and rebuilt from ``entries``, and its
triggers (which name the indexed columns) are made again with it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TRIGGERS = ("entries_fts_au", "entries_fts_ad", "entries_fts_ai")

# The index and its triggers, with the idea (upgrade) and without it, as 0003 left them
# (downgrade). Written out in full: SQL is easier to check than SQL put together.
_WITH_IDEA = (
    "CREATE VIRTUAL TABLE entries_fts USING fts5(text, tags, idea, content='entries', "
    "content_rowid='seq', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')",
    "CREATE TRIGGER entries_fts_ai AFTER INSERT ON entries BEGIN "
    "INSERT INTO entries_fts(rowid, text, tags, idea) "
    "VALUES (new.seq, new.text, new.tags, new.idea); END",
    "CREATE TRIGGER entries_fts_ad AFTER DELETE ON entries BEGIN "
    "INSERT INTO entries_fts(entries_fts, rowid, text, tags, idea) "
    "VALUES ('delete', old.seq, old.text, old.tags, old.idea); END",
    # Only a change of the words touches the index: sync-state updates stay cheap.
    "CREATE TRIGGER entries_fts_au AFTER UPDATE OF text, tags, idea ON entries BEGIN "
    "INSERT INTO entries_fts(entries_fts, rowid, text, tags, idea) "
    "VALUES ('delete', old.seq, old.text, old.tags, old.idea); "
    "INSERT INTO entries_fts(rowid, text, tags, idea) "
    "VALUES (new.seq, new.text, new.tags, new.idea); END",
)
_WITHOUT_IDEA = (
    "CREATE VIRTUAL TABLE entries_fts USING fts5(text, tags, content='entries', "
    "content_rowid='seq', tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')",
    "CREATE TRIGGER entries_fts_ai AFTER INSERT ON entries BEGIN "
    "INSERT INTO entries_fts(rowid, text, tags) VALUES (new.seq, new.text, new.tags); END",
    "CREATE TRIGGER entries_fts_ad AFTER DELETE ON entries BEGIN "
    "INSERT INTO entries_fts(entries_fts, rowid, text, tags) "
    "VALUES ('delete', old.seq, old.text, old.tags); END",
    "CREATE TRIGGER entries_fts_au AFTER UPDATE OF text, tags ON entries BEGIN "
    "INSERT INTO entries_fts(entries_fts, rowid, text, tags) "
    "VALUES ('delete', old.seq, old.text, old.tags); "
    "INSERT INTO entries_fts(rowid, text, tags) VALUES (new.seq, new.text, new.tags); END",
)


def _index(statements: tuple[str, ...]) -> None:
    """The full-text index and its triggers made again, and the index rebuilt from entries."""
    for trigger in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE entries_fts")
    for statement in statements:
        op.execute(statement)
    op.execute("INSERT INTO entries_fts(entries_fts) VALUES ('rebuild')")


def upgrade() -> None:
    op.add_column("entries", sa.Column("idea", sa.Text))
    op.add_column(
        "entries",
        sa.Column("anonymous", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    _index(_WITH_IDEA)


def downgrade() -> None:
    _index(_WITHOUT_IDEA)
    op.drop_column("entries", "anonymous")
    op.drop_column("entries", "idea")
