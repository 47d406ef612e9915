"""Viewer accounts and their sessions, for the collector's pages.

Passwords are kept only as Argon2id hashes (argon2-cffi). A session is server-side: the browser
holds a random token and the store only its SHA-256 (as for device tokens, see auth.py), so a
stolen database opens no session. A session ends at an absolute time and after a quiet spell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from argon2 import PasswordHasher

from earshot_sync.collector.store import Store

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MAX_NAME = 200


class ViewerExists(ValueError):
    pass


class UnknownViewer(LookupError):
    pass


class WeakPassword(ValueError):
    """The password is not acceptable; the message says why, in plain words."""


class BadName(ValueError):
    """The viewer name is not acceptable; the message says why, in plain words."""


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
    csrf_token: str = field(repr=False)  # put into forms; check what comes back with check_csrf
    created_at: datetime
    expires_at: datetime  # the absolute end
    idle_expires_at: datetime  # the end if nothing more happens

    def check_csrf(self, sent: str | None) -> bool:
        raise NotImplementedError


class Accounts:
    def __init__(
        self,
        store: Store,
        *,
        hasher: PasswordHasher | None = None,
        lifetime: timedelta = timedelta(hours=12),
        idle: timedelta = timedelta(hours=1),
        max_failures: int = 5,
        lockout: timedelta = timedelta(minutes=15),
    ) -> None:
        self._store = store
        self._hasher = hasher or PasswordHasher()
        self._lifetime = lifetime
        self._idle = idle
        self._max_failures = max_failures
        self._lockout = lockout

    def add_viewer(self, name: str, password: str, now: datetime) -> None:
        """ViewerExists, WeakPassword, BadName."""
        raise NotImplementedError

    def set_password(self, name: str, password: str, now: datetime) -> None:
        """UnknownViewer, WeakPassword; ends the viewer's sessions."""
        raise NotImplementedError

    def disable_viewer(self, name: str, now: datetime) -> bool:
        """False if there is no such viewer (or it was disabled); ends its sessions."""
        raise NotImplementedError

    def list_viewers(self) -> list[Viewer]:
        raise NotImplementedError

    def sign_in(self, name: str, password: str, now: datetime) -> NewSession | None:
        """None for a wrong name or password, a disabled viewer, or too many failures."""
        raise NotImplementedError

    def throttled_until(self, name: str, now: datetime) -> datetime | None:
        """When sign-in for ``name`` is allowed again after repeated failures (else None)."""
        raise NotImplementedError

    def session(self, token: str, now: datetime) -> Session | None:
        """None when unknown, expired, or the viewer is disabled; slides the idle expiry."""
        raise NotImplementedError

    def sign_out(self, token: str) -> None:
        raise NotImplementedError
