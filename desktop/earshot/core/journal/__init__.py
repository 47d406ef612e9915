"""The local journal: entries, their revisions and the outbox, in SQLite through SQLAlchemy."""

from earshot.core.journal.errors import (
    JournalCorrupt,
    JournalError,
    JournalFull,
    JournalLocked,
    JournalReadOnly,
)
from earshot.core.journal.journal import Journal, StoredEntry
from earshot.core.journal.query import EntryQuery

__all__ = [
    "EntryQuery",
    "Journal",
    "JournalCorrupt",
    "JournalError",
    "JournalFull",
    "JournalLocked",
    "JournalReadOnly",
    "StoredEntry",
]
