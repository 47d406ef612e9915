"""Which entries to show: the filters of the log window and the exports."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, text, true

from earshot.core.entry import Kind, SyncState
from earshot.core.journal.schema import entries
from earshot.core.journal.timefmt import to_db

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class EntryQuery:
    search: str = ""
    kinds: Sequence[Kind] = ()
    stations: Sequence[str] = ()
    staff: Sequence[str] = ()
    sync_states: Sequence[SyncState] = ()
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    follow_up: bool | None = None
    include_deleted: bool = False


def fts_match(search: str) -> str | None:
    """A safe FTS5 query for what a person typed: every word must appear, as a prefix.

    Quotes, stars and operators typed by a user never reach FTS5 as syntax, so a search box
    cannot raise a syntax error.
    """
    words = _WORD.findall(search)
    if not words:
        return None
    return " ".join('"' + word.replace('"', '""') + '"*' for word in words)


def where(query: EntryQuery) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    if not query.include_deleted:
        conditions.append(entries.c.deleted.is_(False))
    if query.kinds:
        conditions.append(entries.c.kind.in_([str(kind) for kind in query.kinds]))
    if query.stations:
        conditions.append(entries.c.station.in_(list(query.stations)))
    if query.staff:
        conditions.append(entries.c.staff.in_(list(query.staff)))
    if query.sync_states:
        conditions.append(entries.c.sync_state.in_([str(state) for state in query.sync_states]))
    if query.since is not None:
        conditions.append(entries.c.created_at >= to_db(query.since))
    if query.until is not None:
        conditions.append(entries.c.created_at < to_db(query.until))
    if query.follow_up is not None:
        conditions.append(entries.c.follow_up.is_(query.follow_up))
    match = fts_match(query.search)
    if match is not None:
        conditions.append(
            entries.c.seq.in_(
                text("SELECT rowid FROM entries_fts WHERE entries_fts MATCH :match").bindparams(
                    match=match
                )
            )
        )
    return and_(true(), *conditions)
