"""Marking a call-back contacted or done: the one thing the viewer pages write about an entry.

Kept apart from reading.py so that the reader only reads. A mark changes three things in one
transaction: the entry's state in ``follow_ups``, the queue's marker ``current.open_follow_up``
and the history in ``follow_up_events``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from earshot_sync.collector import schema
from earshot_sync.collector.columns import MAX_LABEL
from earshot_sync.collector.store import Store

FOLLOW_UP_STATES = ("open", "contacted", "resolved")
MAX_NOTE = 2000


class UnknownEntry(LookupError):
    """No (live) entry has this id."""


class BadFollowUp(ValueError):
    """A follow-up change that cannot be made; the message says why, in plain words."""


_current = schema.current
_follow_ups = schema.follow_ups


class FollowUps:
    def __init__(self, store: Store) -> None:
        self._store = store

    def mark(self, entry_id: str, state: str, note: str, viewer: str, now: datetime) -> None:
        """Set an entry's follow-up state; UnknownEntry, BadFollowUp."""
        if state not in FOLLOW_UP_STATES:
            raise BadFollowUp(f"A follow-up is {', '.join(FOLLOW_UP_STATES)}; not {state!r}.")
        note = note.strip()
        if len(note) > MAX_NOTE:
            raise BadFollowUp(f"The note is longer than {MAX_NOTE} characters; shorten it.")
        if "\x00" in note or "\x00" in viewer:
            raise BadFollowUp("The note contains a character that cannot be kept (NUL).")
        c = _current.c
        with self._store.write() as connection:
            asked = connection.execute(
                select(c.follow_up).where(c.entry_id == entry_id, c.deleted.is_(False))
            ).first()
            if asked is None:
                raise UnknownEntry(entry_id)
            if not asked[0]:
                raise BadFollowUp("This entry did not ask for a call-back.")
            values = {"state": state, "updated_at": now, "updated_by": viewer[:MAX_LABEL]}
            insert = self._store.insert(_follow_ups)
            connection.execute(
                insert.values(entry_id=entry_id, **values).on_conflict_do_update(
                    index_elements=[_follow_ups.c.entry_id], set_=values
                )
            )
            # The queue's marker, in the same transaction as the state it follows.
            connection.execute(
                update(_current)
                .where(c.entry_id == entry_id)
                .values(open_follow_up=state != "resolved")
            )
            connection.execute(
                schema.follow_up_events.insert().values(
                    entry_id=entry_id,
                    state=state,
                    note=note,
                    viewer_name=viewer[:MAX_LABEL],
                    at=now,
                )
            )
