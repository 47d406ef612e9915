"""The journal's schema migrations (``migrations/``), run at start-up on the open connection."""

from __future__ import annotations

from pathlib import Path

from earshot_sync.schema_migrations import Migrations

SCHEMA_HEAD = "0004"
MIGRATIONS = Migrations(Path(__file__).with_name("migrations"), SCHEMA_HEAD)
head = MIGRATIONS.head
current = MIGRATIONS.current
upgrade = MIGRATIONS.upgrade
