"""Bring the collector's store up to date with Alembic when a collector or a command starts.

Several collectors may start at once against one PostgreSQL database; the caller holds an
advisory lock around :func:`upgrade` so that only one of them migrates (see store.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

SCHEMA_HEAD = "0001"
_SCRIPTS = Path(__file__).with_name("migrations")


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str | None:
    """The newest migration script's revision, as Alembic reads it."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def current(connection: Connection) -> str | None:
    """The store's schema revision (None for a new, empty database)."""
    # Asking the catalogue, not selecting and catching: on PostgreSQL a failed SELECT would
    # abort the whole transaction.
    if not inspect(connection).has_table("alembic_version"):
        return None
    value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)


def upgrade(connection: Connection) -> None:
    """Run the migrations the store lacks; a store at head is left untouched (one query)."""
    if current(connection) != SCHEMA_HEAD:
        from alembic import command

        command.upgrade(_config(connection), "head")
