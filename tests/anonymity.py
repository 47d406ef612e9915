"""For the tests of "don't record my name": a name nobody else uses, and where to look for it.

``NAME`` is set as the default staff name of the PC in those tests; if any byte of it turns up
where an anonymous entry went, the entry was not anonymous. Search case-insensitively: the
full-text index keeps words in lower case, split at the hyphen ("zebulon", "quince").

For the collector's pages (the browser tests), :func:`post_anonymous_and_named` puts one entry
of each kind into a running collector through the real protocol.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from earshot_sync.protocol import ENTRIES_PATH
from tests.wire import make_entry

NAME = "Zebulon-Quince"
# What of the name a search for it must not find: the whole, and the word the index would keep.
_NEEDLES = (NAME.lower().encode("utf-8"), b"zebulon")


def sqlite_files(database: Path) -> list[Path]:
    """A SQLite database file and the files beside it that hold its pages (WAL, rollback)."""
    candidates = [
        database,
        *(database.with_name(database.name + end) for end in ("-wal", "-journal")),
    ]
    return [path for path in candidates if path.exists()]


def has_name(data: bytes | str, name: str = NAME) -> bool:
    """Whether ``data`` holds ``name`` (or, for :data:`NAME`, the word the index would keep)."""
    raw = (data.encode("utf-8") if isinstance(data, str) else data).lower()
    needles = _NEEDLES if name == NAME else (name.lower().encode("utf-8"),)
    return any(needle in raw for needle in needles)


def files_with_name(paths: Iterable[Path], name: str = NAME) -> list[str]:
    """The names of the files among ``paths`` whose bytes hold ``name``."""
    return [path.name for path in paths if has_name(path.read_bytes(), name)]


def wire_entry(**changes: Any) -> dict[str, Any]:
    """A valid wire entry with a new id (site "Leeds Market", station "counter"), anonymous."""
    defaults: dict[str, Any] = {
        "utc_offset_minutes": 0,
        "device_id": "pc-anonymity",
        "site": "Leeds Market",
        "staff": None,
        "text": "The new rule about breaks came without a word to us.",
        "tags": ["rules"],
        "idea": "Ask the counter before changing a rule.",
        "anonymous": True,
    }
    return make_entry(**(defaults | changes))


def post_anonymous_and_named(url: str, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Post one anonymous entry and one logged by :data:`NAME` to the collector at ``url``.

    Returns (anonymous, named) as sent; both are ``stored`` or this raises.
    """
    anonymous = wire_entry()
    named = wire_entry(
        staff=NAME,
        anonymous=False,
        idea=None,
        kind="praise",
        sentiment="positive",
        text="Thank you for carrying the boxes to my car.",
        tags=["help"],
    )
    answer = requests.post(
        url + ENTRIES_PATH,
        json={"sent_at": datetime.now(UTC).isoformat(), "entries": [anonymous, named]},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    answer.raise_for_status()
    statuses = [result["status"] for result in answer.json()["results"]]
    if statuses != ["stored", "stored"]:
        raise RuntimeError(f"the collector did not store both entries: {statuses}")
    return anonymous, named
