"""Alembic environment, run by :mod:`earshot_sync.collector.migrate` on an open connection."""

from alembic import context

from earshot_sync.collector.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
