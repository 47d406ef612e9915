"""Fixtures for the page tests: the real ``earshot-collector serve`` with a viewer and entries.

The viewer is made with the real ``add-viewer`` command and the entries are sent through the
device API, as the desktop sends them (helpers in tests/browser/site.py). Pages are fetched with
``requests`` over loopback, signed in through the real sign-in form.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser import site
from tests.browser.site import Site
from tests.collector_server import running_collector

DAY = timedelta(days=1)
LONG_TEXT = "long " * 2000  # 10,000 characters, the most an entry may hold


def seed() -> list[dict[str, Any]]:
    """Entries of every sort a page must show safely, oldest first."""
    now = site.NOW
    return [
        site.entry(
            created_at=now - 9 * DAY,
            text="Waited twenty minutes for a refund, nobody at the desk.",
            tags=["refund", "queue"],
            contact="+49 30 1234567",
            follow_up=True,
        ),
        site.entry(
            created_at=now - 8 * DAY,
            site="Hamburg Hafen",
            station="phone",
            staff="Ben",
            text="Parcel arrived crushed; customer wants a call back.",
            tags=["delivery"],
            contact='=HYPERLINK("http://evil.example","call me")',
            follow_up=True,
        ),
        site.entry(
            created_at=now - 7 * DAY,
            site="Hamburg Hafen",
            kind="praise",
            sentiment="positive",
            text="Loved the new opening hours on Saturday.",
            tags=["hours"],
            idea="Open on Sundays in December too.",
        ),
        site.entry(
            created_at=now - 6 * DAY,
            staff=None,
            anonymous=True,
            kind="suggestion",
            sentiment="neutral",
            text="Could the shop offer oat milk with the coffee?",
            tags=["coffee"],
        ),
        site.entry(
            created_at=now - 5 * DAY,
            staff=None,
            kind="question",
            sentiment=None,
            text="Asked whether gift cards work online.",
            tags=["giftcard"],
        ),
        site.entry(
            created_at=now - 4 * DAY,
            kind="other",
            text="\u202eRTL override مرحبا بالعالم 👩🏽‍🚒 emoji",
            tags=["<b>odd</b>"],
            idea="<img src=x onerror=alert(2)>",
        ),
        site.entry(created_at=now - 3 * DAY, text=LONG_TEXT, tags=["long"]),
        site.entry(
            created_at=now - 2 * DAY,
            text='<script>alert("pwned")</script> and =1+2',
            tags=["script"],
            follow_up=True,
            contact="@SUM(A1:A9)",
        ),
    ]


def _start(folder: Path, database: str | None = None) -> Iterator[Site]:
    with running_collector(folder, database=database) as collector:
        collector.add_viewer(site.VIEWER, site.PASSWORD)
        entries = seed()
        site.post_entries(collector, entries)
        yield Site(collector, entries)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One seeded collector (SQLite) for the tests of a module that only read."""
    yield from _start(tmp_path_factory.mktemp("collector"))


@pytest.fixture
def own(tmp_path: Path, database: str) -> Iterator[Site]:
    """A seeded collector of this test's own, on SQLite and on PostgreSQL."""
    yield from _start(tmp_path / "collector", database)


@pytest.fixture(scope="module")
def viewer(shared: Site) -> requests.Session:
    return shared.viewer()
