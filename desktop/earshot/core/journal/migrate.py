"""Bring a journal's schema up to date with Alembic, at start-up, on the open connection.

Alembic takes a tenth of a second to import, which every start of the app and of the command
line would pay. A journal already at :data:`SCHEMA_HEAD` is recognised with one query instead,
and Alembic is loaded only when there is something to migrate. A test keeps the constant equal
to the newest migration script.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, exc, text

if TYPE_CHECKING:
    from alembic.config import Config

SCHEMA_HEAD = "0003"
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
    """The journal's schema revision (None for a new, empty journal)."""
    try:
        value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except exc.OperationalError as error:
        if "no such table" in str(error):
            return None
        raise
    return None if value is None else str(value)


def upgrade(connection: Connection) -> None:
    """Run the migrations a journal lacks; a journal at head is left untouched."""
    if current(connection) != SCHEMA_HEAD:
        from alembic import command

        command.upgrade(_config(connection), "head")
