"""Viewer accounts and sessions on a real store, SQLite and PostgreSQL: Argon2 hashes, tokens
kept only as hashes, absolute and idle expiry, CSRF tokens, throttling, hostile names."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

from earshot_sync.collector.accounts import (
    Accounts,
    BadName,
    UnknownViewer,
    ViewerExists,
    WeakPassword,
)
from earshot_sync.collector.store import Store

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


class CountingHasher(PasswordHasher):
    """A real Argon2 hasher, cheap enough for tests, that counts its checks."""

    def __init__(self, **options: Any) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1, **options)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    opened = Store.open(database)
    yield opened
    opened.close()


@pytest.fixture
def hasher() -> CountingHasher:
    return CountingHasher()


@pytest.fixture
def accounts(store: Store, hasher: CountingHasher) -> Accounts:
    made = Accounts(store, hasher=hasher)
    made.add_viewer("ana", PASSWORD, NOW)
    return made


def dump(database: str) -> str:
    """Everything in the viewers and sessions tables, as text."""
    engine = create_engine(database)
    try:
        with engine.connect() as connection:
            rows = [
                *connection.execute(text("SELECT * FROM viewers")),
                *connection.execute(text("SELECT * FROM sessions")),
            ]
    finally:
        engine.dispose()
    return repr(rows)


def test_a_viewer_signs_in_and_the_session_is_found_by_its_token(
    accounts: Accounts, database: str
) -> None:
    new = accounts.sign_in("ana", PASSWORD, NOW)
    assert new is not None
    assert new.viewer.name == "ana"
    assert new.expires_at == NOW + timedelta(hours=12)
    found = accounts.session(new.token, NOW + timedelta(minutes=5))
    assert found is not None
    assert found.viewer.name == "ana"
    assert found.csrf_token == new.csrf_token
    stored = dump(database)
    assert new.token not in stored  # only its SHA-256
    assert PASSWORD not in stored
    assert "$argon2id$" in stored
    assert new.token not in repr(new)
    assert new.csrf_token not in repr(found)


def test_wrong_passwords_unknown_and_hostile_names_get_none_with_the_same_work(
    accounts: Accounts, hasher: CountingHasher
) -> None:
    for name, password in [
        ("ana", "wrong password"),
        ("ana", ""),
        ("ANA", PASSWORD),
        ("bob", PASSWORD),
        ("", PASSWORD),
        ("a\x00na", PASSWORD),
        ("\ud800", PASSWORD),
        ("%", PASSWORD),
        ("' OR '1'='1", "' OR '1'='1"),
        ("x" * 10_000, PASSWORD),
        ("ana", "x" * 100_000),
        ("ana", "pass\x00word\ud800"),
    ]:
        before = hasher.verified
        assert accounts.sign_in(name, password, NOW) is None, name[:20]
        # One password check each, known name or not: timing does not tell who exists.
        assert hasher.verified == before + 1, name[:20]


def test_sessions_end_after_a_quiet_hour_and_at_twelve_hours_whatever_happens(
    accounts: Accounts,
) -> None:
    new = accounts.sign_in("ana", PASSWORD, NOW)
    assert new is not None
    assert accounts.session(new.token, NOW + timedelta(minutes=59)) is not None
    # Used at +59 min, so it lives on to +1 h 59 min ...
    alive = accounts.session(new.token, NOW + timedelta(minutes=118))
    assert alive is not None
    assert alive.idle_expires_at == NOW + timedelta(minutes=178)
    # ... and, used every 50 minutes, until the absolute end.
    moment = NOW + timedelta(minutes=118)
    while moment + timedelta(minutes=50) < NOW + timedelta(hours=12):
        moment += timedelta(minutes=50)
        assert accounts.session(new.token, moment) is not None
    assert accounts.session(new.token, NOW + timedelta(hours=12)) is None
    other = accounts.sign_in("ana", PASSWORD, NOW)
    assert other is not None
    assert accounts.session(other.token, NOW + timedelta(minutes=61)) is None
    # Once expired, it stays gone.
    assert accounts.session(other.token, NOW) is None


def test_sign_out_ends_only_that_session(accounts: Accounts) -> None:
    first = accounts.sign_in("ana", PASSWORD, NOW)
    second = accounts.sign_in("ana", PASSWORD, NOW)
    assert first is not None
    assert second is not None
    assert first.token != second.token
    accounts.sign_out(first.token)
    assert accounts.session(first.token, NOW) is None
    assert accounts.session(second.token, NOW) is not None
    accounts.sign_out("no such token")
    accounts.sign_out("")
    for token in ("", "x" * 10_000, "\x00", "\ud800", second.token + "x"):
        assert accounts.session(token, NOW) is None


def test_the_csrf_token_is_the_sessions_own(accounts: Accounts) -> None:
    first = accounts.sign_in("ana", PASSWORD, NOW)
    second = accounts.sign_in("ana", PASSWORD, NOW)
    assert first is not None
    assert second is not None
    session = accounts.session(first.token, NOW)
    assert session is not None
    assert session.csrf_token == first.csrf_token
    assert len(first.csrf_token) >= 40
    assert first.csrf_token not in (second.csrf_token, first.token)


def test_disabling_ends_sessions_and_sign_in(accounts: Accounts) -> None:
    new = accounts.sign_in("ana", PASSWORD, NOW)
    assert new is not None
    assert accounts.disable_viewer("ana", NOW)
    assert not accounts.disable_viewer("ana", NOW)  # already
    assert not accounts.disable_viewer("nobody", NOW)
    assert accounts.session(new.token, NOW) is None
    assert accounts.sign_in("ana", PASSWORD, NOW) is None
    (viewer,) = accounts.list_viewers()
    assert viewer.disabled
    assert viewer.disabled_at == NOW


def test_a_new_password_replaces_the_old_and_ends_sessions(accounts: Accounts) -> None:
    new = accounts.sign_in("ana", PASSWORD, NOW)
    assert new is not None
    accounts.set_password("ana", "a brand new secret", NOW)
    assert accounts.session(new.token, NOW) is None
    assert accounts.sign_in("ana", PASSWORD, NOW) is None
    assert accounts.sign_in("ana", "a brand new secret", NOW) is not None
    with pytest.raises(UnknownViewer):
        accounts.set_password("nobody", "a brand new secret", NOW)
    with pytest.raises(WeakPassword):
        accounts.set_password("ana", "short", NOW)


@pytest.mark.parametrize(
    ("name", "password", "error"),
    [
        ("", PASSWORD, BadName),
        ("   ", PASSWORD, BadName),
        ("x" * 201, PASSWORD, BadName),
        ("a\x00b", PASSWORD, BadName),
        ("a\nb", PASSWORD, BadName),
        ("\ud800", PASSWORD, BadName),
        ("bob", "short", WeakPassword),
        ("bob", " " * 12, WeakPassword),
        ("bob", "x" * 1025, WeakPassword),
        ("bob", "long enough\x00", WeakPassword),
        ("bob", "long enough\ud800", WeakPassword),
        ("ana", PASSWORD, ViewerExists),
        (" ana ", PASSWORD, ViewerExists),
    ],
)
def test_bad_names_and_passwords_are_refused_with_a_reason(
    accounts: Accounts, name: str, password: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        accounts.add_viewer(name, password, NOW)
    assert [viewer.name for viewer in accounts.list_viewers()] == ["ana"]


def test_names_in_any_script_work(accounts: Accounts) -> None:
    accounts.add_viewer(" Zoë 😀 فاطمة ", "pässwörd 😀 long", NOW)
    assert accounts.sign_in("Zoë 😀 فاطمة", "pässwörd 😀 long", NOW) is not None
    assert [viewer.name for viewer in accounts.list_viewers()] == ["Zoë 😀 فاطمة", "ana"]


def test_a_hash_made_with_weaker_parameters_is_upgraded_at_sign_in(
    store: Store, accounts: Accounts, database: str
) -> None:
    stronger = Accounts(store, hasher=PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    assert "t=1" in dump(database)
    assert stronger.sign_in("ana", PASSWORD, NOW) is not None
    assert "t=2" in dump(database)
    assert stronger.sign_in("ana", PASSWORD, NOW) is not None
