"""Which entries to show: the filters of the log window and the exports."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, column, select, table, text, true

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


def filters(query: EntryQuery) -> ColumnElement[bool]:
    """Every condition of ``query`` except the words searched for."""
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
    return and_(true(), *conditions)


def where(query: EntryQuery) -> ColumnElement[bool]:
    """All of ``query`` as one condition on ``entries`` (the search as a sub-select)."""
    match = fts_match(query.search)
    if match is None:
        return filters(query)
    return and_(
        filters(query),
        entries.c.seq.in_(
            text("SELECT rowid FROM entries_fts WHERE entries_fts MATCH :match").bindparams(
                match=match
            )
        ),
    )


# The full-text index, for joins (created by the migrations, not declared in the schema).
entries_fts = table("entries_fts", column("rowid", Integer))


def keys_statement(query: EntryQuery) -> Select[Any]:
    """The row keys (``entries.seq``) of ``query``, newest first.

    A search is a join from the full-text index to ``entries``: SQLite then looks up only the
    matching rows, which for a word in most entries is about 3x faster than the sub-select.
    """
    match = fts_match(query.search)
    newest_first = (entries.c.created_at.desc(), entries.c.seq.desc())
    if match is None:
        return select(entries.c.seq).where(filters(query)).order_by(*newest_first)
    return (
        select(entries.c.seq)
        .select_from(entries_fts.join(entries, entries.c.seq == entries_fts.c.rowid))
        .where(text("entries_fts MATCH :match").bindparams(match=match))
        .where(filters(query))
        .order_by(*newest_first)
    )
