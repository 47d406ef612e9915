"""Viewer accounts and their sessions, for the collector's pages.

Passwords are kept only as Argon2id hashes (argon2-cffi). A session is server-side: the browser
holds a random token and the store only its SHA-256 (as for device tokens, see auth.py), so a
stolen database opens no session. A session ends at an absolute time and after a quiet spell.

Checking a password costs Argon2's memory (64 MiB) and CPU on purpose, so only a few checks run
at once (``checks``): a flood of sign-ins gets "busy" instead of the machine's memory, and the
device API keeps its threads. Wrong passwords are throttled per name and address (throttle.py).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, RowMapping, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from earshot_sync.collector import schema
from earshot_sync.collector.storable import storable
from earshot_sync.collector.store import Store
from earshot_sync.collector.throttle import SignInThrottle

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MAX_NAME = 200
TOKEN_BYTES = 32
# Password checks at once, and how long a sign-in waits for its turn before "busy".
CHECKS = 2
CHECK_WAIT_SECONDS = 0.5
# last_seen_at is written at most this often: a page that refreshes itself every few seconds
# must not turn every request into a write that waits for ingest's lock.
_SEEN_EVERY = timedelta(seconds=60)


class ViewerExists(ValueError):
    pass


class Busy(RuntimeError):
    """Every password check is taken: try again in a moment."""


class SignInWait(Exception):
    """Too many wrong passwords for this name from this address: wait until ``until``."""

    def __init__(self, until: datetime) -> None:
        super().__init__("too many wrong passwords")
        self.until = until


class UnknownViewer(LookupError):
    pass


class WeakPassword(ValueError):
    """The password is not acceptable; the message says why, in plain words."""


class BadName(ValueError):
    """The viewer name is not acceptable; the message says why, in plain words."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def check_name(name: str) -> str:
    """The name as it will be kept (trimmed); BadName with the reason otherwise."""
    name = name.strip()
    if not name:
        raise BadName("A viewer name cannot be empty.")
    if len(name) > MAX_NAME:
        raise BadName(f"A viewer name is at most {MAX_NAME} characters.")
    if not storable(name) or any(unicodedata.category(char) == "Cc" for char in name):
        raise BadName("A viewer name cannot contain control characters.")
    return name


def check_password(password: str) -> None:
    """WeakPassword with the reason, or nothing when the password will do."""
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"A password needs at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise WeakPassword(f"A password is at most {MAX_PASSWORD} characters.")
    if not password.strip():
        raise WeakPassword("A password cannot be only spaces.")
    if not storable(password):
        raise WeakPassword("A password cannot contain a NUL or an unpaired surrogate character.")


@dataclass(frozen=True)
class Viewer:
    id: int
    name: str
    created_at: datetime
    disabled_at: datetime | None

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None


@dataclass(frozen=True)
class NewSession:
    token: str = field(repr=False)  # for the cookie; never stored, never logged
    csrf_token: str = field(repr=False)
    expires_at: datetime  # the absolute end
    viewer: Viewer


@dataclass(frozen=True)
class Session:
    viewer: Viewer
    csrf_token: str = field(repr=False)  # put into forms; guard.check_form checks it
    created_at: datetime
    expires_at: datetime  # the absolute end
    idle_expires_at: datetime  # the end if nothing more happens


class Accounts:
    def __init__(
        self,
        store: Store,
        *,
        hasher: PasswordHasher | None = None,
        lifetime: timedelta = timedelta(hours=12),
        idle: timedelta = timedelta(hours=1),
        throttle: SignInThrottle | None = None,
        checks: int = CHECKS,
    ) -> None:
        self._store = store
        self._hasher = hasher or PasswordHasher()
        self._lifetime = lifetime
        self._idle = idle
        self._throttle = throttle or SignInThrottle()
        self._checks = threading.BoundedSemaphore(checks)

        self._dummy_hash: str | None = None

    def _dummy(self) -> str:
        # A hash made with this hasher's own parameters, for names nobody has: verifying
        # against it costs what a real check costs, so timing does not tell who exists.
        if self._dummy_hash is None:
            self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored, password.encode("utf-8", "surrogatepass"))
        except (VerificationError, InvalidHashError):
            return False

    # Viewers

    def add_viewer(self, name: str, password: str, now: datetime) -> None:
        """ViewerExists (also for a name that differs only in capitals), WeakPassword, BadName."""
        name = check_name(name)
        check_password(password)
        password_hash = self._hasher.hash(password)
        try:
            with self._store.write() as connection:
                # Names are told apart by people, not by capitals: "Ana" and "ana" would be
                # two accounts whose call-back history reads the same. Viewers are a handful,
                # so their names are read and compared here (casefold, which knows more than
                # SQL's lower() does on SQLite); the unique index covers exact equality only.
                folded = name.casefold()
                names = connection.execute(select(schema.viewers.c.name)).scalars()
                if any(existing.casefold() == folded for existing in names):
                    raise ViewerExists(name)
                connection.execute(
                    schema.viewers.insert().values(
                        name=name, password_hash=password_hash, created_at=now
                    )
                )
        except IntegrityError as error:
            raise ViewerExists(name) from error

    def set_password(self, name: str, password: str, now: datetime) -> None:
        """UnknownViewer, WeakPassword; ends the viewer's sessions (and any sign-in lock)."""
        check_password(password)
        password_hash = self._hasher.hash(password)
        viewers = schema.viewers
        with self._store.write() as connection:
            viewer_id = self._id(connection, name)
            if viewer_id is None:
                raise UnknownViewer(name)
            connection.execute(
                update(viewers)
                .where(viewers.c.id == viewer_id)
                .values(password_hash=password_hash, failed_sign_ins=0, last_failed_sign_in_at=None)
            )
            self._end_sessions(connection, viewer_id)
        self._throttle.forget_name(name)

    def disable_viewer(self, name: str, now: datetime) -> bool:
        """False if there is no such viewer (or it was disabled); ends its sessions."""
        viewers = schema.viewers
        with self._store.write() as connection:
            viewer_id = self._id(connection, name)
            if viewer_id is None:
                return False
            done = connection.execute(
                update(viewers)
                .where(viewers.c.id == viewer_id, viewers.c.disabled_at.is_(None))
                .values(disabled_at=now)
            )
            self._end_sessions(connection, viewer_id)
            return done.rowcount == 1

    def list_viewers(self) -> list[Viewer]:
        viewers = schema.viewers
        with self._store.read() as connection:
            rows = connection.execute(select(viewers).order_by(viewers.c.name))
            return [_viewer(row._mapping) for row in rows]

    def _id(self, connection: Connection, name: str) -> int | None:
        if not storable(name):
            return None
        viewers = schema.viewers
        found = connection.execute(
            select(viewers.c.id).where(viewers.c.name == name.strip())
        ).scalar()
        return None if found is None else int(found)

    def _end_sessions(self, connection: Connection, viewer_id: int) -> None:
        sessions = schema.sessions
        connection.execute(delete(sessions).where(sessions.c.viewer_id == viewer_id))

    # Signing in and out

    def _row(self, name: str) -> RowMapping | None:
        if not storable(name):
            return None
        viewers = schema.viewers
        with self._store.read() as connection:
            row = connection.execute(select(viewers).where(viewers.c.name == name.strip())).first()
        return None if row is None else row._mapping

    def sign_in(
        self, name: str, password: str, now: datetime, source: str = ""
    ) -> NewSession | None:
        """None for a wrong name or password or a disabled viewer.

        ``source`` is the client's address. Busy when every password check is taken,
        SignInWait after too many wrong passwords for this name from this source: the same
        for every name, whether a viewer has it or not.
        """
        if not self._checks.acquire(timeout=CHECK_WAIT_SECONDS):
            raise Busy("every password check is taken")
        try:
            return self._sign_in(name, password, now, source)
        finally:
            self._checks.release()

    def _sign_in(self, name: str, password: str, now: datetime, source: str) -> NewSession | None:
        name = name[: MAX_NAME * 2]
        until = self._throttle.begin(name, source, now)
        if until is not None:
            raise SignInWait(until)
        row = self._row(name)
        if row is None or len(password) > MAX_PASSWORD:
            # A hash made with the same parameters: an unknown name costs what a real one does.
            self._verify(self._dummy(), password[:MAX_PASSWORD])
            return None
        if not self._verify(row["password_hash"], password):
            return None
        self._throttle.succeeded(name, source)
        if row["disabled_at"] is not None:
            return None
        values: dict[str, Any] = {}
        if self._hasher.check_needs_rehash(row["password_hash"]):
            values["password_hash"] = self._hasher.hash(password)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        csrf = secrets.token_urlsafe(TOKEN_BYTES)
        expires_at = now + self._lifetime
        sessions = schema.sessions
        with self._store.write() as connection:
            if values:
                viewers = schema.viewers
                connection.execute(
                    update(viewers).where(viewers.c.id == row["id"]).values(**values)
                )
            # Housekeeping while we write anyway: sessions that can no longer be used.
            connection.execute(
                delete(sessions).where(
                    or_(sessions.c.expires_at <= now, sessions.c.last_seen_at <= now - self._idle)
                )
            )
            connection.execute(
                sessions.insert().values(
                    token_hash=_hash(token),
                    viewer_id=row["id"],
                    csrf_secret=csrf,
                    created_at=now,
                    expires_at=expires_at,
                    last_seen_at=now,
                )
            )
        return NewSession(token, csrf, expires_at, _viewer(row))

    def session(self, token: str, now: datetime, *, touch: bool = True) -> Session | None:
        """None when unknown, expired, or the viewer is disabled.

        ``touch`` slides the idle expiry: a page the viewer asked for. The feed's own poll for
        new entries does not (touch=False), or an open tab would never be idle.
        """
        if not token or len(token) > 200:
            return None
        sessions, viewers = schema.sessions, schema.viewers
        key = _hash(token)
        with self._store.read() as connection:
            found = connection.execute(
                select(
                    sessions.c.csrf_secret,
                    sessions.c.created_at.label("session_created_at"),
                    sessions.c.expires_at,
                    sessions.c.last_seen_at,
                    viewers,
                )
                .join(viewers, viewers.c.id == sessions.c.viewer_id)
                .where(sessions.c.token_hash == key)
            ).first()
        if found is None:
            return None
        row = found._mapping
        if row["disabled_at"] is not None:
            return None
        if now >= row["expires_at"] or now >= row["last_seen_at"] + self._idle:
            self.sign_out(token)
            return None
        last_seen: datetime = row["last_seen_at"]
        if touch and now - last_seen >= _SEEN_EVERY:
            last_seen = now
            with self._store.write() as connection:
                connection.execute(
                    update(sessions).where(sessions.c.token_hash == key).values(last_seen_at=now)
                )
        return Session(
            viewer=_viewer(row),
            csrf_token=row["csrf_secret"],
            created_at=row["session_created_at"],
            expires_at=row["expires_at"],
            idle_expires_at=min(row["expires_at"], last_seen + self._idle),
        )

    def sign_out(self, token: str) -> None:
        if not token or len(token) > 200:
            return
        sessions = schema.sessions
        with self._store.write() as connection:
            connection.execute(delete(sessions).where(sessions.c.token_hash == _hash(token)))


def _viewer(row: RowMapping) -> Viewer:
    return Viewer(
        id=int(row["id"]),
        name=row["name"],
        created_at=row["created_at"],
        disabled_at=row["disabled_at"],
    )
