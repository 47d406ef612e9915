"""Indexes the viewer pages' filters walk in order, an "open call-back" marker, and a repair of
SQLite's search index.

- ``current(station, created_at, entry_id)`` and ``current(kind, created_at, entry_id)``: a
  station or kind filter reads its entries newest first from the index instead of sorting them.
- ``entry_tags(tag, created_at, entry_id)``: the tag filter is driven from the tag's rows, in
  time order, instead of probing the tags of every entry.
- ``current.open_follow_up``: true while an entry asked for a call-back, is not deleted and its
  follow-up is not resolved (kept by ingest and by marking a follow-up), indexed with the time,
  so the queue never walks the resolved call-backs.
- Migration 0002 (before its fix) filled SQLite's search index with a 'rebuild', which indexed
  deleted entries too; the triggers never take those out, so their words matched and the index
  was malformed once such an entry came back. It is emptied and refilled from live rows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_index("ix_current_station", table_name="current")
    op.create_index(
        "ix_current_station_created_at", "current", ["station", "created_at", "entry_id"]
    )
    op.create_index("ix_current_kind_created_at", "current", ["kind", "created_at", "entry_id"])
    op.drop_index("ix_entry_tags_tag", table_name="entry_tags")
    op.create_index("ix_entry_tags_tag_created_at", "entry_tags", ["tag", "created_at", "entry_id"])

    op.add_column(
        "current",
        sa.Column("open_follow_up", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.execute(
        "UPDATE current SET open_follow_up = true WHERE follow_up AND NOT deleted AND NOT EXISTS "
        "(SELECT 1 FROM follow_ups WHERE follow_ups.entry_id = current.entry_id "
        "AND follow_ups.state = 'resolved')"
    )
    op.drop_index("ix_current_follow_up_created_at", table_name="current")
    op.create_index(
        "ix_current_open_follow_up_created_at",
        "current",
        ["open_follow_up", "created_at", "entry_id"],
    )

    if dialect == "sqlite":
        op.execute("INSERT INTO current_search(current_search) VALUES ('delete-all')")
        op.execute(
            "INSERT INTO current_search(rowid, text, idea, tags) "
            "SELECT id, text, idea, tags FROM current WHERE NOT deleted"
        )


def downgrade() -> None:
    raise NotImplementedError("the collector's store is only ever migrated forward")
