"""The collector store's schema migrations (``migrations/``), run when a collector starts.

Several collectors may start at once against one PostgreSQL database; the caller holds an
advisory lock around :func:`upgrade` so that only one of them migrates (see store.py).
"""

from __future__ import annotations

from pathlib import Path

from earshot_sync.schema_migrations import Migrations

SCHEMA_HEAD = "0003"
MIGRATIONS = Migrations(Path(__file__).with_name("migrations"), SCHEMA_HEAD)
head = MIGRATIONS.head
current = MIGRATIONS.current
upgrade = MIGRATIONS.upgrade
