"""The collector's store: SQLAlchemy Core over SQLite (default) or PostgreSQL (shared).

Deduplication is an atomic ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` on the primary key
(entry id, revision), sent as multi-row statements in the batch's one transaction. What it did
not insert was already there, and its stored digest says whether the repeat is a ``duplicate``
(same content) or a ``conflict``. There is no check-then-insert, so two requests, threads or
collector processes racing on the same entry still leave one row.

Rows are written in (entry id, revision) order, all revisions before the ``current`` rows and the
device row last: every transaction takes its row locks in the same order, so concurrent batches
on PostgreSQL wait for each other instead of deadlocking.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    RowMapping,
    Table,
    TypeDecorator,
    create_engine,
    event,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from earshot_sync.collector import migrate, schema
from earshot_sync.collector.columns import current_columns, tag_keys
from earshot_sync.protocol import ResultStatus, content_digest, wire_entry

log = logging.getLogger(__name__)

# Entry ids per "IN (...)" lookup: well under SQLite's 32,766 bound parameters.
_CHUNK = 500
# Any constant will do: it names the lock that serialises migrations across processes.
_SCHEMA_LOCK = 0x45415253  # "EARS"
# The execution option that makes _sqlite_begin start a write transaction; PostgreSQL ignores it.
_SQLITE_BEGIN = "earshot_sqlite_begin"


class DeviceExists(ValueError):
    pass


@dataclass(frozen=True)
class Device:
    id: int
    name: str
    created_at: datetime
    last_contact_at: datetime | None
    clock_skew_seconds: float | None
    revoked_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class StoredEntry:
    """One entry as the collector holds it: the newest revision, with where it came from."""

    document: dict[str, Any]
    device_name: str
    received_at: datetime


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both dialects (SQLite has no time zones; it stores naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        moment = _utc(value)
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else _utc(value)


# The tables declare plain DateTime; storing goes through UtcDateTime everywhere.
for _table in schema.metadata.tables.values():
    for _column in _table.columns:
        if isinstance(_column.type, DateTime):
            _column.type = UtcDateTime()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # An acknowledged entry must survive a power cut: FULL syncs the WAL on every commit.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # Let SQLAlchemy's "begin" event issue BEGIN IMMEDIATE instead of pysqlite's own BEGIN.
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Connection) -> None:
    # A write transaction takes the write lock at BEGIN (IMMEDIATE): a deferred one that reads
    # and then writes can fail with "database is locked" at once instead of waiting
    # (SQLAlchemy's pysqlite docs, "Serializable isolation / Savepoints / Transactional DDL").
    # Reads stay deferred: in WAL mode they never block a writer, so a long export or a token
    # lookup does not stall ingest. Writes ask with the execution option, as in Store._write.
    mode = connection.get_execution_options().get(_SQLITE_BEGIN, "")
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


class Store:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        dialect = engine.dialect.name
        if dialect == "postgresql":
            self._insert = postgresql.insert
        elif dialect == "sqlite":
            self._insert = sqlite.insert  # type: ignore[assignment]
        else:
            raise ValueError(f"the collector stores in SQLite or PostgreSQL, not {dialect}")

    @classmethod
    def open(cls, url: str) -> Store:
        """Open (and create, if new) the store at the SQLAlchemy ``url``."""
        if not url.startswith(("sqlite", "postgresql")):
            raise ValueError(
                "the collector stores in SQLite or PostgreSQL; give a URL like "
                "postgresql+psycopg://user@host/database"
            )
        # hide_parameters: a database error or SQL logging at DEBUG never puts an entry's
        # content (a staff name, a customer's words) into the collector's log.
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
        store = cls(engine)
        store._migrate()
        return store

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def insert(self, table: Table) -> postgresql.Insert:
        """An INSERT with ``on_conflict_do_*`` for this store's dialect (the two are alike)."""
        return self._insert(table)

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading (reading.py, accounts.py); on SQLite a deferred transaction,
        which in WAL mode never blocks ingest."""
        with self._engine.connect() as connection:
            yield connection

    def write(self) -> contextlib.AbstractContextManager[Connection]:
        """A write transaction, committed at the end of the block (follow_ups.py, accounts.py)."""
        return self._write()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction (BEGIN IMMEDIATE on SQLite), committed at the end of the block."""
        with (
            self._engine.connect().execution_options(**{_SQLITE_BEGIN: "IMMEDIATE"}) as connection,
            connection.begin(),
        ):
            yield connection

    def _migrate(self) -> None:
        with self._write() as connection:
            if self.dialect == "postgresql":
                # Several collectors may start at once against one database; migrations are
                # serialised (PostgreSQL DDL is transactional; the lock ends with the transaction).
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK}
                )
            migrate.upgrade(connection)

    # Devices

    def add_device(self, name: str, token_hash: str, now: datetime) -> None:
        try:
            with self._write() as connection:
                connection.execute(
                    schema.devices.insert().values(name=name, token_hash=token_hash, created_at=now)
                )
        except IntegrityError as error:
            raise DeviceExists(name) from error

    def pair_device(self, name: str, token_hash: str, now: datetime) -> None:
        """Give ``name`` this token, replacing (and un-revoking) any it had: the pairing of a
        collector started on loopback for the app, which makes a new token at every start."""
        devices = schema.devices
        with self._write() as connection:
            replaced = connection.execute(
                update(devices)
                .where(devices.c.name == name)
                .values(token_hash=token_hash, revoked_at=None)
            ).rowcount
            if not replaced:
                connection.execute(
                    devices.insert().values(name=name, token_hash=token_hash, created_at=now)
                )

    def revoke_device(self, name: str, now: datetime) -> bool:
        """Revoke ``name``'s token; False if there is no such device (or it was revoked)."""
        devices = schema.devices
        with self._write() as connection:
            done = connection.execute(
                update(devices)
                .where(devices.c.name == name, devices.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            return done.rowcount == 1

    def devices(self) -> list[Device]:
        with self._engine.connect() as connection:
            rows = connection.execute(select(schema.devices).order_by(schema.devices.c.name))
            return [_device(row._mapping) for row in rows]

    def device_by_token_hash(self, token_hash: str) -> Device | None:
        devices = schema.devices
        with self._engine.connect() as connection:
            row = connection.execute(
                select(devices).where(devices.c.token_hash == token_hash)
            ).first()
        return None if row is None else _device(row._mapping)

    def touch_device(self, device_id: int, now: datetime) -> None:
        with self._write() as connection:
            self._touch(connection, device_id, now, None)

    def _touch(
        self, connection: Connection, device_id: int, now: datetime, skew: float | None
    ) -> None:
        values: dict[str, Any] = {"last_contact_at": now}
        if skew is not None:
            values["clock_skew_seconds"] = skew
        connection.execute(
            update(schema.devices).where(schema.devices.c.id == device_id).values(**values)
        )

    # Entries

    def ingest(
        self,
        entries: Sequence[Mapping[str, Any]],
        device: Device,
        now: datetime,
        clock_skew_seconds: float,
    ) -> list[ResultStatus]:
        """Store valid wire ``entries`` in one transaction; one status per entry, in order."""
        keyed = [(str(entry["id"]), int(entry["revision"])) for entry in entries]
        digests = [content_digest(entry) for entry in entries]
        first: dict[tuple[str, int], int] = {}
        for position, key in enumerate(keyed):
            first.setdefault(key, position)
        new_rows = [
            {
                "entry_id": key[0],
                "revision": key[1],
                "digest": digests[position],
                "document": _document(entries[position]),
                "device_name": device.name,
                "received_at": now,
            }
            for key, position in sorted(first.items())
        ]
        with self._write() as connection:
            inserted = self._insert_revisions(connection, new_rows)
            stored_digest = {key: digests[first[key]] for key in inserted}
            stored_digest.update(
                self._stored_digests(connection, [key for key in first if key not in inserted])
            )
            self._advance_current(connection, [row for row in new_rows if _key(row) in inserted])
            self._touch(connection, device.id, now, clock_skew_seconds)
        statuses: list[ResultStatus] = []
        for position, key in enumerate(keyed):
            if key in inserted and first[key] == position:
                statuses.append(ResultStatus.STORED)
            elif stored_digest[key] == digests[position]:
                statuses.append(ResultStatus.DUPLICATE)
            else:
                log.warning(
                    "conflict: entry %s revision %d from device %r differs from the stored one",
                    key[0],
                    key[1],
                    device.name,
                )
                statuses.append(ResultStatus.CONFLICT)
        return statuses

    def _insert_revisions(
        self, connection: Connection, rows: list[dict[str, Any]]
    ) -> set[tuple[str, int]]:
        if not rows:
            return set()
        revisions = schema.revisions
        statement = (
            self._insert(revisions)
            .on_conflict_do_nothing(index_elements=[revisions.c.entry_id, revisions.c.revision])
            .returning(revisions.c.entry_id, revisions.c.revision)
        )
        # An executemany: SQLAlchemy's "insertmanyvalues" sends it as multi-row INSERTs with the
        # statement compiled once, and RETURNING gives the rows that were really inserted.
        return {(row[0], row[1]) for row in connection.execute(statement, rows)}

    def _stored_digests(
        self, connection: Connection, keys: list[tuple[str, int]]
    ) -> dict[tuple[str, int], str]:
        revisions = schema.revisions
        wanted = set(keys)
        found: dict[tuple[str, int], str] = {}
        ids = sorted({key[0] for key in keys})
        for start in range(0, len(ids), _CHUNK):
            rows = connection.execute(
                select(revisions.c.entry_id, revisions.c.revision, revisions.c.digest).where(
                    revisions.c.entry_id.in_(ids[start : start + _CHUNK])
                )
            )
            for entry_id, revision, digest in rows:
                if (entry_id, revision) in wanted:
                    found[(entry_id, revision)] = digest
        missing = wanted - found.keys()
        if missing:
            # ON CONFLICT DO NOTHING skipped them, so they exist: this would be a store bug.
            raise RuntimeError(f"{len(missing)} revisions neither inserted nor found")
        return found

    def _advance_current(self, connection: Connection, rows: list[dict[str, Any]]) -> None:
        """Make each entry's newest revision current, with its columns and tags; an older one
        arriving late changes nothing."""
        newest: dict[str, dict[str, Any]] = {}
        for row in rows:  # sorted by (entry id, revision): the last one per id is the newest
            newest[row["entry_id"]] = row
        if not newest:
            return
        documents = {entry_id: json.loads(row["document"]) for entry_id, row in newest.items()}
        current = schema.current
        values = [
            {
                "entry_id": row["entry_id"],
                "revision": row["revision"],
                "document": row["document"],
                "device_name": row["device_name"],
                "received_at": row["received_at"],
                **current_columns(documents[row["entry_id"]]),
            }
            for row in newest.values()
        ]
        for value in values:
            # The follow-up queue's marker (schema.current); a resolved one is closed below.
            value["open_follow_up"] = value["follow_up"] and not value["deleted"]
        insert = self._insert(current)
        excluded = insert.excluded
        statement = insert.on_conflict_do_update(
            index_elements=[current.c.entry_id],
            set_={name: excluded[name] for name in values[0] if name != "entry_id"},
            where=current.c.revision < excluded.revision,
        )
        # A plain executemany, no RETURNING: with RETURNING, SQLAlchemy renders one long
        # multi-row statement per batch that psycopg parses anew each time (a third of the
        # ingest time on PostgreSQL with these 22 columns); psycopg pipelines a short one.
        connection.execute(statement, values)
        # Which rows did advance: the revisions written here are new to the store, so current
        # holds one of them only if this upsert put it there.
        advanced = sorted(
            entry_id
            for entry_id, revision in self._current_revisions(connection, sorted(newest))
            if revision == newest[entry_id]["revision"]
        )
        created = {row["entry_id"]: row["created_at"] for row in values}
        self._replace_tags(connection, advanced, documents, created)
        opened = [row["entry_id"] for row in values if row["open_follow_up"]]
        self._keep_resolved_closed(connection, sorted(set(opened) & set(advanced)))

    def _keep_resolved_closed(self, connection: Connection, entry_ids: list[str]) -> None:
        """A new revision of an entry whose call-back was resolved does not reopen it."""
        current = schema.current
        follow_ups = schema.follow_ups
        for start in range(0, len(entry_ids), _CHUNK):
            resolved = select(follow_ups.c.entry_id).where(
                follow_ups.c.entry_id.in_(entry_ids[start : start + _CHUNK]),
                follow_ups.c.state == "resolved",
            )
            connection.execute(
                update(current).where(current.c.entry_id.in_(resolved)).values(open_follow_up=False)
            )

    def _current_revisions(
        self, connection: Connection, entry_ids: list[str]
    ) -> Iterator[tuple[str, int]]:
        current = schema.current
        for start in range(0, len(entry_ids), _CHUNK):
            rows = connection.execute(
                select(current.c.entry_id, current.c.revision).where(
                    current.c.entry_id.in_(entry_ids[start : start + _CHUNK])
                )
            )
            # Not Result.tuples(): SQLAlchemy 2.1 deprecates it (a Row is a tuple already).
            yield from ((entry_id, revision) for entry_id, revision in rows)

    def _replace_tags(
        self,
        connection: Connection,
        entry_ids: list[str],
        documents: Mapping[str, Any],
        created: Mapping[str, datetime],
    ) -> None:
        entry_tags = schema.entry_tags
        for start in range(0, len(entry_ids), _CHUNK):
            chunk = entry_ids[start : start + _CHUNK]
            connection.execute(entry_tags.delete().where(entry_tags.c.entry_id.in_(chunk)))
        tag_rows = [
            {"entry_id": entry_id, "tag": tag, "created_at": created[entry_id]}
            for entry_id in entry_ids
            for tag in tag_keys(documents[entry_id])
        ]
        if tag_rows:
            connection.execute(entry_tags.insert(), tag_rows)

    def current_entries(
        self, since: datetime | None = None, include_deleted: bool = False
    ) -> Iterator[StoredEntry]:
        """The newest revision of each entry, oldest arrival first."""
        current = schema.current
        query = select(current.c.document, current.c.device_name, current.c.received_at)
        if since is not None:
            query = query.where(current.c.received_at >= since)
        if not include_deleted:
            query = query.where(current.c.deleted.is_(False))
        query = query.order_by(current.c.received_at, current.c.entry_id)
        with self._engine.connect() as connection:
            for document, device_name, received_at in connection.execution_options(
                yield_per=1000
            ).execute(query):
                yield StoredEntry(json.loads(document), device_name, received_at)

    def revisions(self) -> list[dict[str, Any]]:
        """Every revision held, as stored (for tests and audits), by (entry id, revision)."""
        revisions = schema.revisions
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(revisions).order_by(revisions.c.entry_id, revisions.c.revision)
            )
            return [dict(row._mapping) for row in rows]

    def count_revisions(self) -> int:
        with self._engine.connect() as connection:
            return int(
                connection.execute(select(func.count()).select_from(schema.revisions)).scalar_one()
            )


def _key(row: Mapping[str, Any]) -> tuple[str, int]:
    return (row["entry_id"], row["revision"])


def _document(entry: Mapping[str, Any]) -> str:
    # Only the protocol's fields are kept, as sent (an optional one left out stays out):
    # unknown extras are neither stored nor digested.
    return json.dumps(wire_entry(entry), ensure_ascii=False, separators=(",", ":"))


def _device(row: RowMapping) -> Device:
    return Device(
        id=row["id"],
        name=row["name"],
        created_at=row["created_at"],
        last_contact_at=row["last_contact_at"],
        clock_skew_seconds=row["clock_skew_seconds"],
        revoked_at=row["revoked_at"],
    )
