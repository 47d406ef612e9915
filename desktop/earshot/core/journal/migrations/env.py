"""Alembic environment: always run by :mod:`earshot.core.journal.migrate` on an open connection."""

from alembic import context

from earshot.core.journal.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
