"""Alembic at start-up, for the journal and the collector's store alike.

Alembic takes a tenth of a second to import, which every start of the app, the command line
and the collector would pay. A database already at the newest revision is recognised with one
query instead, and Alembic is loaded only when there is something to migrate. Each user keeps
``head_revision`` equal to its newest migration script; a test of each checks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config


@dataclass(frozen=True)
class Migrations:
    scripts: Path  # the folder with env.py and versions/
    head_revision: str  # the newest script's revision

    def _config(self, connection: Connection | None = None) -> Config:
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(self.scripts))
        if connection is not None:
            config.attributes["connection"] = connection
        return config

    def head(self) -> str | None:
        """The newest migration script's revision, as Alembic reads it."""
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(self._config()).get_current_head()

    def current(self, connection: Connection) -> str | None:
        """The database's schema revision (None for a new, empty one)."""
        # Asking the catalogue, not selecting and catching: on PostgreSQL a failed SELECT
        # aborts the whole transaction.
        if not inspect(connection).has_table("alembic_version"):
            return None
        value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return None if value is None else str(value)

    def upgrade(self, connection: Connection) -> None:
        """Run the migrations the database lacks; one at head is left untouched (one query)."""
        if self.current(connection) != self.head_revision:
            from alembic import command

            command.upgrade(self._config(connection), "head")
