"""A collector with a viewer and some entries, made the way people and desktops make them.

The viewer comes from the real ``earshot-collector add-viewer`` (password on standard input), the
entries from the real device API (``POST /api/v1/entries`` with a device token, as the desktop
sends them). Used by the browser tests, the access tests and the pages benchmark.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from earshot_sync.protocol import ENTRIES_PATH
from tests.collector_server import Collector
from tests.wire import make_entry

VIEWER = "Dana"
# A made-up password for a throwaway collector; not a secret of anything real.
PASSWORD = "listen-to-the-counter-2026"

SIGN_IN_PATH = "/sign-in"
# The hidden field that proves a form came from our page: the sign-in form's (there is no
# session yet) and every other form's.
SIGN_IN_TOKEN_FIELD = "form_token"
CSRF_FIELD = "csrf"

# One fixed moment the seeded entries count back from, so pages show the same thing every run.
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def entry(**changes: Any) -> dict[str, Any]:
    """A valid wire entry (a new id each time), made at ``NOW`` unless told, from till-3."""
    created = changes.pop("created_at", NOW)
    if isinstance(created, datetime):
        created = created.isoformat()
    changes.setdefault("revised_at", created)
    changes.setdefault("device_id", "till-3")
    return make_entry(created_at=created, **changes)


def post_entries(collector: Collector, entries: Iterable[Mapping[str, Any]]) -> None:
    """Send ``entries`` as one batch with the device token; every one must be stored."""
    sent = list(entries)
    answer = requests.post(
        collector.url + ENTRIES_PATH,
        json={"sent_at": datetime.now(UTC).isoformat(), "entries": sent},
        headers=collector.headers,
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    statuses = [result["status"] for result in answer.json()["results"]]
    assert statuses == ["stored"] * len(sent), answer.text


def seed_entries() -> list[dict[str, Any]]:
    """A small, varied feed: two sites, all kinds, a call-back or two, a hostile one."""
    day = timedelta(days=1)
    return [
        entry(
            created_at=NOW - 9 * day,
            site="Berlin Mitte",
            station="counter",
            kind="complaint",
            sentiment="negative",
            text="Waited twenty minutes for a refund, nobody at the desk.",
            tags=["refund", "queue"],
            contact="+49 30 1234567",
            follow_up=True,
        ),
        entry(
            created_at=NOW - 5 * day,
            site="Hamburg Hafen",
            station="phone",
            staff="Ben",
            kind="complaint",
            sentiment="negative",
            text="Parcel arrived crushed; customer wants a call back.",
            tags=["delivery", "damage"],
            contact="ben.customer@example.org",
            follow_up=True,
        ),
        entry(
            created_at=NOW - 4 * day,
            site="Hamburg Hafen",
            station="warehouse",
            staff="Ben",
            kind="praise",
            sentiment="positive",
            text="Loved the new opening hours on Saturday.",
            tags=["hours"],
        ),
        entry(
            created_at=NOW - 3 * day,
            site="Berlin Mitte",
            station="counter",
            staff=None,
            kind="suggestion",
            sentiment="neutral",
            text="Could the shop offer oat milk with the coffee?",
            tags=["coffee"],
        ),
        entry(
            created_at=NOW - 2 * day,
            site="Berlin Mitte",
            station="phone",
            kind="question",
            sentiment=None,
            text="Asked whether gift cards work online.",
            tags=["giftcard"],
        ),
        entry(
            created_at=NOW - day,
            site="Hamburg Hafen",
            station="counter",
            staff="Cleo",
            kind="complaint",
            sentiment="negative",
            text='<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">',
            tags=["odd"],
        ),
        # Sent last but older than the parcel: the call-back queue goes by when it was said.
        entry(
            created_at=NOW - 7 * day,
            site="Köln Dom",
            station="phone",
            staff="Dev",
            kind="question",
            sentiment="neutral",
            text="When are the bike racks coming back? Please ring her.",
            tags=["parking"],
            contact="Frau Weber, 0221 998877",
            follow_up=True,
        ),
    ]


def hidden_value(html: str, field: str = CSRF_FIELD) -> str:
    """The value of the form field ``field`` in a page (a hidden input)."""
    for tag in re.findall(r"<input[^>]*>", html):
        if re.search(rf'name="{re.escape(field)}"', tag):
            found = re.search(r'value="([^"]*)"', tag)
            if found:
                return found.group(1)
    raise AssertionError(f"the page has no form field {field!r}")


def signed_in(
    collector: Collector | str, name: str = VIEWER, password: str = PASSWORD
) -> requests.Session:
    """A ``requests`` session signed in through the real sign-in form (of a collector or a
    base URL)."""
    base = collector if isinstance(collector, str) else collector.url
    session = requests.Session()
    form = session.get(base + SIGN_IN_PATH, timeout=30)
    assert form.status_code == 200, form.status_code
    data = {"name": name, "password": password}
    data[SIGN_IN_TOKEN_FIELD] = hidden_value(form.text, SIGN_IN_TOKEN_FIELD)
    answer = session.post(
        base + SIGN_IN_PATH,
        data=data,
        headers={"Origin": base},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code in (302, 303), f"sign-in answered {answer.status_code}"
    return session


@dataclass
class Site:
    """A running collector with a viewer and the seeded entries (their wire documents)."""

    collector: Collector
    entries: list[dict[str, Any]]

    @property
    def url(self) -> str:
        return self.collector.url

    def by_text(self, start: str) -> dict[str, Any]:
        return next(entry for entry in self.entries if entry["text"].startswith(start))

    def viewer(self) -> requests.Session:
        """A ``requests`` session signed in as the seeded viewer."""
        return signed_in(self.collector)

    def post(
        self, session: requests.Session, path: str, data: dict[str, str], **headers: str
    ) -> requests.Response:
        """A form POST as a browser on this site sends it (Origin: this site)."""
        sent = {"Origin": self.url, **headers}
        return session.post(
            self.url + path, data=data, headers=sent, allow_redirects=False, timeout=30
        )
