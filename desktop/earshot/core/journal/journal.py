"""The journal: where an entry is durable the moment :meth:`Journal.save` returns.

SQLite in WAL mode with ``synchronous=FULL``: a commit has reached the disk before it returns,
so a kill -9 or a power cut after saving loses nothing. Every write runs in a
``BEGIN IMMEDIATE`` transaction, so two processes (the app and ``earshot sync``) never
interleave a read-modify-write.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
import uuid
from array import array
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.pool import ConnectionPoolEntry

from earshot.core.codec import to_dict
from earshot.core.entry import Entry, EntryInput, SyncState, new_entry, revise, tombstone
from earshot.core.journal import migrate
from earshot.core.journal.errors import JournalError, friendly_errors
from earshot.core.journal.query import EntryQuery, keys_statement, where
from earshot.core.journal.rows import entry_columns, entry_from_row
from earshot.core.journal.schema import drafts, entries, meta, revisions
from earshot.core.journal.timefmt import to_db
from earshot_sync.outbox import Mark

DEFAULT_BUSY_TIMEOUT_MS = 5_000


@dataclass(frozen=True)
class StoredEntry:
    """An entry as the journal holds it: its newest revision and where it is in the outbox."""

    entry: Entry
    sync_state: SyncState
    sync_note: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def _stored_from_row(row: Row[Any]) -> StoredEntry:
    return StoredEntry(entry_from_row(row._mapping), SyncState(row.sync_state), row.sync_note)


# save() runs on every entry a person records, so it talks to the driver directly with SQL
# compiled once from the tables above (named parameters, so the values stay dicts): building and
# compiling SQLAlchemy statements on each call was two thirds of its time (docs/benchmarks.md).
_NAMED = sqlite_dialect.dialect(paramstyle="named")
_DELETE_DRAFT = str(
    drafts.delete().where(drafts.c.name == bindparam("name")).compile(dialect=_NAMED)
)
_CURRENT_REVISION = str(
    select(entries.c.revision).where(entries.c.uuid == bindparam("uuid")).compile(dialect=_NAMED)
)


@functools.cache
def _insert_sql(table: Table, keys: tuple[str, ...]) -> str:
    return str(insert(table).compile(dialect=_NAMED, column_keys=list(keys)))


@functools.cache
def _update_entry_sql(keys: tuple[str, ...]) -> str:
    statement = update(entries).where(entries.c.uuid == bindparam("key_uuid"))
    return str(statement.compile(dialect=_NAMED, column_keys=list(keys)))


def _outgoing(payload: str, *, anonymous: bool) -> dict[str, Any]:
    """The wire payload saved with a revision, as it goes out.

    The app never saves a name with an anonymous entry, but a hand-edited or damaged file may
    mark the row anonymous while its saved payload names someone: the row is what the log
    shows, so the entry goes out anonymously too, without the name.
    """
    document: dict[str, Any] = json.loads(payload)
    if anonymous:
        document |= {"staff": None, "anonymous": True}
    return document


class RevisionConflict(JournalError):
    """Someone else saved a newer revision of this entry first."""


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not pysqlite, say when a transaction begins (see the "begin" hook).
        # https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#serializable-isolation-savepoints-transactional-ddl
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


class Journal:
    """The entries of this PC. Open with :meth:`open`; safe to share between threads."""

    def __init__(self, engine: Engine, path: Path) -> None:
        self._engine = engine
        self.path = path
        self.device_id = self._device_id()

    @classmethod
    def open(cls, path: Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Journal:
        """Open (creating if needed) and migrate the journal at ``path``."""
        with friendly_errors(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            # hide_parameters: a database error's message and traceback never show the values
            # bound to a statement (a customer's words, a staff name). It does not cover SQL
            # logging: at DEBUG SQLAlchemy logs whole result rows, so nothing may set the
            # "sqlalchemy.engine" logger below WARNING (SQLAlchemy sets its loggers to WARNING
            # when imported; the desktop app configures no logging at all).
            engine = create_engine(f"sqlite+pysqlite:///{path}", hide_parameters=True)
            _configure_sqlite(engine, busy_timeout_ms)
            try:
                with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
                    migrate.upgrade(conn)
                    conn.commit()
            except BaseException:
                engine.dispose()
                raise
            # The journal's files are new directory entries: make them durable too.
            fsync_directory(path.parent)
            return cls(engine, path)

    def close(self) -> None:
        self._engine.dispose()

    # -- transactions ---------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with (
            friendly_errors(self.path),
            self._engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn,
            conn.begin(),
        ):
            yield conn

    @contextmanager
    def _write_raw(self) -> Iterator[sqlite3.Cursor]:
        """Like :meth:`_write` (BEGIN IMMEDIATE, one transaction), on the bare driver."""
        with friendly_errors(self.path):
            pooled = self._engine.raw_connection()
            try:
                connection = pooled.driver_connection
                assert isinstance(connection, sqlite3.Connection)
                cursor = connection.execute("BEGIN IMMEDIATE")
                try:
                    yield cursor
                    cursor.execute("COMMIT")
                except BaseException:
                    # A failed COMMIT may have ended the transaction already; a rollback that
                    # fails too must not hide the error that brought us here.
                    if connection.in_transaction:
                        with contextlib.suppress(sqlite3.Error):
                            connection.rollback()
                    raise
            finally:
                pooled.close()

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with friendly_errors(self.path), self._engine.connect() as conn, conn.begin():
            yield conn

    def _device_id(self) -> str:
        with self._write() as conn:
            value = conn.execute(select(meta.c.value).where(meta.c.key == "device_id")).scalar()
            if value is None:
                value = str(uuid.uuid4())
                conn.execute(insert(meta).values(key="device_id", value=value))
            return str(value)

    # -- entries --------------------------------------------------------------------------

    def record(
        self,
        data: EntryInput,
        *,
        site: str,
        stations: Sequence[str] | None = None,
        now: datetime | None = None,
        clear_draft: str | None = None,
    ) -> Entry:
        """Validate what was typed, make it a new entry and save it durably.

        ``clear_draft`` names a draft to drop in the same transaction: the entry and its draft
        are never both there (a crash in between would bring the words back to be saved twice).
        """
        entry = new_entry(data, device_id=self.device_id, site=site, stations=stations, now=now)
        self.save(entry, clear_draft=clear_draft)
        return entry

    def save(self, entry: Entry, *, clear_draft: str | None = None) -> None:
        """Store ``entry`` (a first revision, or the next revision of a stored one) and queue it.

        Returns only after the commit has reached the disk. Raises :class:`RevisionConflict`
        if the journal does not hold exactly the previous revision.
        """
        key = str(entry.id)
        # What can be done before the transaction is, so the write lock is held briefly.
        revision_values = {
            "uuid": key,
            "revision": entry.revision,
            "payload": json.dumps(to_dict(entry), ensure_ascii=False),
        }
        values = entry_columns(entry) | {
            "sync_state": SyncState.QUEUED.value,
            "sync_note": None,
            "outbox_order": 0,  # the revision's id, known once it is inserted
        }
        expected = None if entry.revision == 1 else entry.revision - 1
        with self._write_raw() as cursor:
            revision_values["saved_at"] = to_db(_now())
            if clear_draft is not None:
                cursor.execute(_DELETE_DRAFT, {"name": clear_draft})
            row = cursor.execute(_CURRENT_REVISION, {"uuid": key}).fetchone()
            current = None if row is None else row[0]
            if current != expected:
                raise RevisionConflict(
                    "This entry was changed somewhere else in the meantime. Close it and open "
                    "it again to see the newest version; nothing was lost."
                )
            cursor.execute(_insert_sql(revisions, tuple(revision_values)), revision_values)
            values["outbox_order"] = cursor.lastrowid
            if current is None:
                cursor.execute(_insert_sql(entries, tuple(values)), values)
            else:
                cursor.execute(_update_entry_sql(tuple(values)), values | {"key_uuid": key})

    def edit(
        self, entry_id: uuid.UUID, data: EntryInput, *, stations: Sequence[str] | None = None
    ) -> Entry:
        stored = self.require(entry_id)
        revised = revise(stored.entry, data, stations=stations)
        self.save(revised)
        return revised

    def delete(self, entry_id: uuid.UUID) -> Entry:
        """Delete as a tombstone revision, so the collector learns of it too."""
        stored = self.require(entry_id)
        gone = tombstone(stored.entry)
        self.save(gone)
        return gone

    def get(self, entry_id: uuid.UUID) -> StoredEntry | None:
        with self._read() as conn:
            row = conn.execute(select(entries).where(entries.c.uuid == str(entry_id))).first()
        return None if row is None else _stored_from_row(row)

    def require(self, entry_id: uuid.UUID) -> StoredEntry:
        stored = self.get(entry_id)
        if stored is None:
            raise JournalError(f"There is no entry {entry_id} on this PC.")
        return stored

    def history(self, entry_id: uuid.UUID) -> list[dict[str, Any]]:
        """Every revision ever saved of an entry, oldest first, as saved."""
        with self._read() as conn:
            rows = conn.execute(
                select(revisions.c.payload)
                .where(revisions.c.uuid == str(entry_id))
                .order_by(revisions.c.revision)
            ).scalars()
            return [json.loads(payload) for payload in rows]

    # -- reading many ---------------------------------------------------------------------

    def count(self, query: EntryQuery = EntryQuery()) -> int:
        # select_from: a query with no filter (deleted ones included) names no column, and
        # without a FROM, COUNT(*) would count one row of nothing.
        statement = select(func.count()).select_from(entries).where(where(query))
        with self._read() as conn:
            return int(conn.execute(statement).scalar_one())

    def page(self, query: EntryQuery, offset: int, limit: int) -> list[StoredEntry]:
        """Rows ``offset`` to ``offset + limit`` of ``query``, newest first.

        The keys are found on the covering index ``ix_entries_log`` alone (time order plus
        every filter column), then only the page's rows are read, so a page deep in a million
        entries costs an index walk, not a table walk. A search is better read by
        :meth:`keys` once and :meth:`by_keys` per page: here every page would redo the match.
        """
        newest_first = (entries.c.created_at.desc(), entries.c.seq.desc())
        with self._read() as conn:
            keys = (
                select(entries.c.seq)
                .where(where(query))
                .order_by(*newest_first)
                .limit(limit)
                .offset(offset)
                .subquery()
            )
            rows = conn.execute(
                select(entries).where(entries.c.seq.in_(select(keys.c.seq))).order_by(*newest_first)
            ).all()
        return [_stored_from_row(row) for row in rows]

    def keys(self, query: EntryQuery) -> array[int]:
        """The row keys of ``query``'s entries, newest first, 8 bytes each.

        For a search, reading page after page by offset would redo the full-text match for
        every page; the log reads the matching keys once and each page by its keys
        (:meth:`by_keys`). A key is only good until the next :meth:`keys`; never store it.
        """
        with self._read() as conn:
            return array("q", (int(key) for key in conn.execute(keys_statement(query)).scalars()))

    def by_keys(self, keys: Sequence[int]) -> list[StoredEntry]:
        """The entries with these row keys, in the order given (a key since gone is left out)."""
        if not keys:
            return []
        with self._read() as conn:
            rows = conn.execute(select(entries).where(entries.c.seq.in_(list(keys)))).all()
        found = {row.seq: row for row in rows}
        return [_stored_from_row(found[key]) for key in keys if key in found]

    def iter_entries(
        self, query: EntryQuery = EntryQuery(), chunk: int = 1000
    ) -> Iterator[StoredEntry]:
        """All entries of ``query``, newest first, read in chunks (for exports)."""
        last: tuple[str, int] | None = None
        while True:
            statement = select(entries).where(where(query))
            if last is not None:
                created, seq = last
                # The plain "created_at <= last" lets SQLite seek on the index to where the
                # last chunk ended; with only the OR below it scanned from the newest entry
                # for every chunk (measured: a 1,000,000-entry export went quadratic).
                statement = statement.where(entries.c.created_at <= created).where(
                    (entries.c.created_at < created) | (entries.c.seq < seq)
                )
            statement = statement.order_by(entries.c.created_at.desc(), entries.c.seq.desc())
            with self._read() as conn:
                rows = conn.execute(statement.limit(chunk)).all()
            for row in rows:
                yield _stored_from_row(row)
            if len(rows) < chunk:
                return
            last = (rows[-1].created_at, rows[-1].seq)

    def status(self) -> dict[SyncState, int]:
        """How many entries are in each sync state (every state is present, maybe with 0)."""
        with self._read() as conn:
            rows = conn.execute(
                select(entries.c.sync_state, func.count()).group_by(entries.c.sync_state)
            ).all()
        counts = {state: 0 for state in SyncState}
        for state, number in rows:
            counts[SyncState(state)] = int(number)
        return counts

    def waiting(self) -> int:
        """Entries not yet acknowledged by the collector (queued or on their way)."""
        counts = self.status()
        return counts[SyncState.QUEUED] + counts[SyncState.SENDING]

    def attention(self) -> int:
        """Entries the collector refused, which a person must look at."""
        return self.status()[SyncState.NEEDS_ATTENTION]

    # -- the outbox -----------------------------------------------------------------------

    def claim_batch(self, limit: int) -> list[dict[str, Any]]:
        """The wire payloads of the oldest queued revisions (as :meth:`save` stored them with
        the revision), marked *sending* in the same transaction."""
        with self._write() as conn:
            rows = conn.execute(
                select(entries.c.seq, entries.c.anonymous, revisions.c.payload)
                .join(revisions, revisions.c.id == entries.c.outbox_order)
                .where(entries.c.sync_state == SyncState.QUEUED.value)
                .order_by(entries.c.outbox_order)
                .limit(limit)
            ).all()
            if rows:
                conn.execute(
                    update(entries)
                    .where(entries.c.seq.in_([row.seq for row in rows]))
                    .values(sync_state=SyncState.SENDING.value)
                )
        return [_outgoing(row.payload, anonymous=bool(row.anonymous)) for row in rows]

    def mark(self, marks: Sequence[Mark]) -> int:
        """Record what the collector said of each revision; returns how many entries changed.

        A mark for an older revision than the journal's newest is ignored: the newest
        revision still has to be sent.
        """
        if not marks:
            return 0
        # One statement, many parameter sets: a drain of thousands of results costs one
        # compiled UPDATE instead of thousands (this was 60% of the sender's time).
        statement = (
            update(entries)
            .where(entries.c.uuid == bindparam("key_uuid"))
            .where(entries.c.revision == bindparam("key_revision"))
            .values(sync_state=bindparam("new_state"), sync_note=bindparam("new_note"))
        )
        parameters = [
            {
                "key_uuid": mark.entry_id,
                "key_revision": mark.revision,
                "new_state": (
                    SyncState.SENT if mark.acknowledged else SyncState.NEEDS_ATTENTION
                ).value,
                "new_note": None if mark.acknowledged else mark.note,
            }
            for mark in marks
        ]
        with self._write() as conn:
            return conn.execute(statement, parameters).rowcount

    def release_sending(self) -> int:
        """Put entries left *sending* (a failed request, a crash) back in the queue."""
        with self._write() as conn:
            return conn.execute(
                update(entries)
                .where(entries.c.sync_state == SyncState.SENDING.value)
                .values(sync_state=SyncState.QUEUED.value)
            ).rowcount

    def requeue_attention(self) -> int:
        """Give entries that needed attention another try (after a new token, say)."""
        with self._write() as conn:
            return conn.execute(
                update(entries)
                .where(entries.c.sync_state == SyncState.NEEDS_ATTENTION.value)
                .values(sync_state=SyncState.QUEUED.value, sync_note=None)
            ).rowcount

    # -- drafts ---------------------------------------------------------------------------

    def save_draft(self, name: str, payload: Mapping[str, Any]) -> None:
        document = json.dumps(dict(payload), ensure_ascii=False)
        with self._write() as conn:
            existing = conn.execute(select(drafts.c.name).where(drafts.c.name == name)).scalar()
            values = {"payload": document, "saved_at": to_db(_now())}
            if existing is None:
                conn.execute(insert(drafts).values(name=name, **values))
            else:
                conn.execute(update(drafts).where(drafts.c.name == name).values(values))

    def load_draft(self, name: str) -> dict[str, Any] | None:
        with self._read() as conn:
            document = conn.execute(select(drafts.c.payload).where(drafts.c.name == name)).scalar()
        if document is None:
            return None
        loaded = json.loads(document)
        return loaded if isinstance(loaded, dict) else None

    def clear_draft(self, name: str) -> None:
        with self._write() as conn:
            conn.execute(drafts.delete().where(drafts.c.name == name))


def fsync_directory(path: Path) -> None:
    """Make a new file's directory entry durable (POSIX); a no-op where it cannot be done."""
    if os.name != "posix":
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
