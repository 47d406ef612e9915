"""What can go wrong with the journal file, in words a new hire understands.

Every message ends by saying what happened to the user's work, because that is what they worry
about first. SQLite's own message is kept in ``detail`` for the log, never shown as the message.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import exc as sa_exc


class JournalError(Exception):
    """The journal could not do what was asked; ``str(error)`` is meant for the user."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class JournalLocked(JournalError):
    pass


class JournalReadOnly(JournalError):
    pass


class JournalFull(JournalError):
    pass


class JournalCorrupt(JournalError):
    pass


# Primary result codes, https://www.sqlite.org/rescode.html
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26
_KEPT = "Nothing you saved before has been changed."


def translate(error: sqlite3.Error, path: Path) -> JournalError:
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF
    detail = f"{type(error).__name__}: {error}"
    if code in (_BUSY, _LOCKED):
        return JournalLocked(
            "Another program is using Earshot's journal right now, so this could not be saved "
            f"yet. Wait a moment and try again. {_KEPT}",
            detail,
        )
    if code in (_READONLY, _CANTOPEN) or "readonly" in str(error):
        return JournalReadOnly(
            f"Earshot is not allowed to write in its folder ({path.parent}). Ask IT to give "
            f"this account write access to it. {_KEPT}",
            detail,
        )
    if code == _FULL or (code == _IOERR and "full" in str(error)):
        return JournalFull(
            f"The disk is full, so Earshot could not save. Ask IT to free some space. {_KEPT}",
            detail,
        )
    if code in (_CORRUPT, _NOTADB):
        return JournalCorrupt(
            f"Earshot's journal file is damaged ({path}). Earshot has not changed or deleted it. "
            "Ask IT for help; they can find how to recover it in the README.",
            detail,
        )
    return JournalError(
        f"Earshot could not use its journal ({path}): {error}. {_KEPT}",
        detail,
    )


@contextmanager
def friendly_errors(path: Path) -> Iterator[None]:
    """Turn SQLite's errors (bare or wrapped by SQLAlchemy) into :class:`JournalError`."""
    try:
        yield
    except sa_exc.DBAPIError as error:
        if isinstance(error.orig, sqlite3.Error):
            raise translate(error.orig, path) from error
        raise
    except sqlite3.Error as error:
        raise translate(error, path) from error
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise JournalFull(
                f"The disk is full, so Earshot could not save. Ask IT to free some space. {_KEPT}",
                str(error),
            ) from error
        raise JournalReadOnly(
            f"Earshot cannot use its folder ({path.parent}): {error.strerror}. Ask IT to check "
            f"that it exists and that this account may write in it. {_KEPT}",
            str(error),
        ) from error
