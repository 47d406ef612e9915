"""The collector's pages with a million entries: feed, filtered search, trends, call-back queue.

A store is seeded through the collector's own ``Store.ingest`` in big transactions (so every
column, tag row and search index the collector keeps is filled exactly as ingest fills it), then
the real ``earshot-collector serve`` is started on it and each page is fetched over HTTP with a
signed-in viewer's session, as a browser would. Each figure is the median of several fetches
after one warm-up fetch. The baseline, measured in the same run on the same store, is a bare
``SELECT ... ORDER BY created_at DESC LIMIT 50`` straight to the database: the least any page
listing 50 entries could cost. Beside it, the floor of any page over HTTP (a signed-in page that
looks up one entry that is not there) shows what serving a page costs before its own queries.
The store is SQLite, and PostgreSQL too when it is installed.

``run("small", folder)`` seeds a few thousand entries (``make test`` runs it once to keep this
working); ``run("full", folder)`` seeds 1,000,000.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests
from tests.browser import site
from tests.collector_server import PostgresServer, running_collector, start_postgres

from bench.figures import Figure, median, ms, ratio, summary
from earshot_sync.collector.store import Store

SIZES = {"small": 3_000, "full": 1_000_000}
REPEATS = {"small": 3, "full": 11}
# Entries per Store.ingest call (one transaction each).
CHUNK = 20_000
# "Well under a second" (issue 6): the aim for every page at a million entries.
AIM_MS = 1000.0
BASELINE_NAME = "bare SELECT newest 50"
FLOOR_NAME = "a signed-in page with no entry (404)"

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAYS = 400  # the seeded entries spread over this many days before NOW

SITES = [
    "Berlin Mitte",
    "Hamburg Hafen",
    "München Ost",
    "Köln Dom",
    "Leipzig Süd",
    "Dresden Neustadt",
    "Bremen Nord",
    "Hannover Mitte",
    "Stuttgart West",
    "Frankfurt Zeil",
    "Nürnberg Altstadt",
    "Essen Rüttenscheid",
]
STATIONS = ["counter", "phone", "warehouse", "delivery"]
KINDS = ["complaint", "praise", "suggestion", "question", "other"]
SENTIMENTS = ["negative", "neutral", "positive", None]
TAGS = [
    "queue",
    "refund",
    "delivery",
    "damage",
    "price",
    "staff",
    "hours",
    "parking",
    "coffee",
    "app",
    "giftcard",
    "returns",
    "stock",
    "cleanliness",
    "music",
    "toilets",
    "wifi",
    "card-payment",
    "loyalty",
    "website",
]
SUBJECTS = [
    "the queue at the till",
    "the parcel",
    "the refund",
    "the opening hours",
    "the coffee",
    "the new app",
    "the gift card",
    "the price of milk",
    "the staff at the counter",
    "the returns desk",
    "the car park",
    "the loyalty points",
    "the delivery driver",
    "the shelves",
    "the website",
]
VERDICTS = [
    "was far too slow",
    "was really friendly",
    "did not work at all",
    "was better than last time",
    "should be cheaper",
    "was confusing",
    "made their day",
    "was broken again",
    "took three weeks",
    "could open earlier",
]
# A word about three entries in a hundred contain: what the filtered search looks for.
RARE_WORD = "umbrella"

# The filtered search: one site, one kind, a word typed in the search box.
SEARCH_SITE = SITES[0]
SEARCH_KIND = "complaint"


def _entries(count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    """``count`` valid wire entries spread over DAYS days before NOW, in no particular order."""
    span = DAYS * 24 * 3600
    for number in range(count):
        created = (NOW - timedelta(seconds=rng.randrange(span))).isoformat()
        follow_up = rng.random() < 0.03
        text = f"Customer said {rng.choice(SUBJECTS)} {rng.choice(VERDICTS)}."
        if rng.random() < 0.03:
            text += f" They left their {RARE_WORD} behind."
        yield {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "revision": 1,
            "created_at": created,
            "utc_offset_minutes": 60,
            "device_id": f"till-{number % 40}",
            "site": rng.choice(SITES),
            "station": rng.choice(STATIONS),
            "staff": rng.choice(["Ana", "Ben", "Cleo", "Dev", None]),
            "kind": rng.choice(KINDS),
            "sentiment": rng.choice(SENTIMENTS),
            "text": text,
            "tags": rng.sample(TAGS, rng.randrange(0, 3)),
            "contact": "+49 30 1234567" if follow_up else None,
            "follow_up": follow_up,
            "deleted": False,
            "revised_at": created,
        }


def seed(url: str, count: int) -> float:
    """Fill the store at ``url`` with ``count`` entries; the seconds it took."""
    started = time.perf_counter()
    store = Store.open(url)
    try:
        store.add_device("bench-seeder", "0" * 64, NOW)
        device = next(found for found in store.devices() if found.name == "bench-seeder")
        rng = random.Random(6)  # noqa: S311 (made-up entries, not secrets)
        chunk: list[dict[str, Any]] = []
        for entry in _entries(count, rng):
            chunk.append(entry)
            if len(chunk) == CHUNK:
                store.ingest(chunk, device, NOW, 0.0)
                chunk = []
        if chunk:
            store.ingest(chunk, device, NOW, 0.0)
    finally:
        store.close()
    return time.perf_counter() - started


def _bare_select(url: str) -> Callable[[], object]:
    """The baseline: the 50 newest entries' columns a feed shows, straight from the database
    (on the index the feed pages by)."""
    query = (
        "SELECT entry_id, created_at, site, station, staff, kind, sentiment, text, tags "
        "FROM current WHERE NOT deleted ORDER BY created_at DESC, entry_id DESC LIMIT 50"
    )
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        return lambda: connection.execute(query).fetchall()
    import psycopg

    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    pg = psycopg.connect(conninfo, autocommit=True)
    return lambda: pg.execute(query).fetchall()


def _fetch(
    session: requests.Session, url: str, expect: str, status: int = 200
) -> Callable[[], object]:
    def fetch() -> object:
        answer = session.get(url, timeout=120, allow_redirects=False)
        # A refusal or an empty result would be quick and meaningless: check what came back.
        if answer.status_code != status or expect not in answer.text:
            raise RuntimeError(f"GET {url} answered {answer.status_code} without {expect!r}")
        return answer.content

    return fetch


def _samples(action: Callable[[], object], repeats: int) -> list[float]:
    action()  # warm-up: the first fetch also fills caches a person's second visit would find
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


PAGE_NAMES = (
    "feed, first page",
    "filtered search (site + kind + words)",
    "trends, 30 days",
    "call-back queue",
)


def _timed_figure(name: str, samples: list[float], **more: Any) -> Figure:
    """A figure in milliseconds: the median of ``samples`` (seconds), with p95 and p99."""
    spread = summary(samples)
    return Figure(
        name=name,
        unit="ms",
        value=ms(spread["median"]),
        median=ms(spread["median"]),
        p95=ms(spread["p95"]),
        p99=ms(spread["p99"]),
        runs=len(samples),
        **more,
    )


def pages(base: str) -> dict[str, tuple[str, str]]:
    """The page URLs to time and a text each must hold, by figure name."""
    search = urlencode({"site": SEARCH_SITE, "kind": SEARCH_KIND, "q": RARE_WORD})
    last_day = NOW.date()
    trends = urlencode(
        {"from": (last_day - timedelta(days=29)).isoformat(), "to": last_day.isoformat()}
    )
    urls = (f"{base}/", f"{base}/?{search}", f"{base}/trends?{trends}", f"{base}/follow-up")
    entry = '<article class="entry"'
    expects = (entry, entry, "<svg", entry)
    return {
        name: (url, expect) for name, url, expect in zip(PAGE_NAMES, urls, expects, strict=True)
    }


def measure(url: str, label: str, count: int, repeats: int, workdir: Path) -> list[Figure]:
    seconds = seed(url, count)
    figures = [
        Figure(
            name=f"{label}: seed {count:,} entries through Store.ingest",
            unit="entries/s",
            value=count / seconds,
            notes=f"{seconds:.0f} s",
        )
    ]
    with running_collector(workdir, database=url) as collector:
        collector.add_viewer(site.VIEWER, site.PASSWORD)
        session = site.signed_in(collector)
        baseline_samples = _samples(_bare_select(url), repeats)
        baseline = ms(median(baseline_samples))
        figures.append(_timed_figure(f"{label}: {BASELINE_NAME}", baseline_samples))
        _say(figures[0])
        _say(figures[-1])
        # The floor of any page over HTTP: the session looked up, one entry looked up by its
        # key (there is none), the page drawn. What a page costs above this is its own work.
        floor = _fetch(session, f"{collector.url}/entries/none", "No such entry", status=404)
        figures.append(_timed_figure(f"{label}: {FLOOR_NAME}", _samples(floor, repeats)))
        _say(figures[-1])
        for name, (page_url, expect) in pages(collector.url).items():
            samples = _samples(_fetch(session, page_url, expect), repeats)
            value = ms(median(samples))
            figures.append(
                _timed_figure(
                    f"{label}: {name}",
                    samples,
                    baseline=baseline,
                    baseline_name=BASELINE_NAME,
                    ratio=ratio(value, baseline),
                    aim=f"< {AIM_MS:.0f} ms at {count:,} entries",
                    met=value < AIM_MS,
                    notes="HTTP GET with a signed-in session, whole page read",
                )
            )
            _say(figures[-1])
    return figures


def _say(figure: Figure) -> None:
    # A full run takes many minutes: show each figure as it is measured (the runner keeps
    # standard output for its own report).
    print(f"  {figure.name}: {figure.value:,.1f} {figure.unit}", file=sys.stderr, flush=True)


def postgres_installed() -> bool:
    return any(Path("/usr/lib/postgresql").glob("*/bin/initdb"))


@contextlib.contextmanager
def _postgres() -> Iterator[PostgresServer]:
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


def run(size: str, workdir: Path) -> list[Figure]:
    count, repeats = SIZES[size], REPEATS[size]
    figures = measure(
        f"sqlite:///{workdir / 'pages.sqlite3'}", "SQLite", count, repeats, workdir / "sqlite"
    )
    if postgres_installed():
        with _postgres() as server:
            figures += measure(
                server.create_database("pages"), "PostgreSQL", count, repeats, workdir / "pg"
            )
    return figures
