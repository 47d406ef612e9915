"""The reader behind the viewer pages, on entries posted to the real collector over HTTP, on
SQLite and PostgreSQL: feed pages, filters, hostile search text, revisions and tombstones, the
follow-up queue, trends, choices and export; and that the reader writes nothing (marking a
call-back is tested in test_follow_ups.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from earshot_sync.collector.reading import (
    Cursor,
    FeedFilter,
    FeedItem,
    Reader,
    search_terms,
)
from earshot_sync.collector.store import Device, Store
from earshot_sync.protocol import ENTRIES_PATH, decode_results
from tests.collector.conftest import batch, make_entry
from tests.collector_server import Collector

T0 = datetime(2026, 10, 20, 9, 0, tzinfo=UTC)


def post(collector: Collector, *entries: dict[str, Any]) -> None:
    answer = requests.post(
        collector.url + ENTRIES_PATH, json=batch(*entries), headers=collector.headers, timeout=60
    )
    assert answer.status_code == 200, answer.text
    results = decode_results(answer.content, list(entries))
    assert [r.status.value for r in results] == ["stored"] * len(entries), results


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


@pytest.fixture
def reader(collector: Collector) -> Iterator[Reader]:
    store = Store.open(collector.database)
    yield Reader(store)
    store.close()


def ids(items: tuple[FeedItem, ...] | list[FeedItem]) -> list[str]:
    return [item.entry_id for item in items]


def test_feed_pages_newest_first_by_cursor_without_gaps_or_repeats(
    collector: Collector, reader: Reader
) -> None:
    # Two entries share a time: the id breaks the tie, and paging neither skips nor repeats.
    entries = [make_entry(created_at=at(n)) for n in range(7)]
    entries.append(make_entry(created_at=at(3)))
    post(collector, *entries)
    expected = [
        e["id"] for e in sorted(entries, key=lambda e: (e["created_at"], e["id"]), reverse=True)
    ]
    seen: list[str] = []
    after: Cursor | None = None
    pages = 0
    while True:
        page = reader.feed(FeedFilter(), after=after, limit=3)
        seen.extend(ids(page.items))
        pages += 1
        if page.next_cursor is None:
            break
        # The cursor goes through a URL and back.
        after = Cursor.parse(str(page.next_cursor))
        assert after == page.next_cursor
    assert seen == expected
    assert pages == 3
    newest = reader.feed(FeedFilter(), limit=1).items[0]
    assert newest.created_at == T0 + timedelta(minutes=6)
    assert newest.created_at.tzinfo is not None


def test_a_feed_item_carries_what_was_heard(collector: Collector, reader: Reader) -> None:
    entry = make_entry(
        created_at=at(0),
        utc_offset_minutes=-300,
        site="Leeds",
        station="phone",
        staff=None,
        kind="suggestion",
        sentiment=None,
        text="Could you open at seven?",
        tags=["Hours", "opening"],
        contact="+44 113 000",
        follow_up=True,
    )
    post(collector, entry)
    (item,) = reader.feed(FeedFilter()).items
    assert item.entry_id == entry["id"]
    assert (item.site, item.station, item.staff, item.kind, item.sentiment) == (
        "Leeds",
        "phone",
        None,
        "suggestion",
        None,
    )
    assert item.utc_offset_minutes == -300
    assert item.tags == ("Hours", "opening")
    assert item.contact == "+44 113 000"
    assert item.follow_up
    assert item.follow_up_state == "open"
    # Sent by a desktop that does not know the newer fields: no idea, not anonymous.
    assert item.idea is None
    assert item.anonymous is False
    assert item.device_name
    assert item.received_at.tzinfo is not None


def test_an_idea_and_anonymity_are_read_and_the_idea_is_searched(
    collector: Collector, reader: Reader
) -> None:
    post(
        collector,
        make_entry(staff=None, anonymous=True, idea="Put a bell at the returns desk"),
        make_entry(text="Nothing to add"),
    )
    (item,) = reader.feed(FeedFilter(search="bell")).items
    assert item.idea == "Put a bell at the returns desk"
    assert item.anonymous is True
    assert item.staff is None


def test_filters_each_narrow_the_feed(collector: Collector, reader: Reader) -> None:
    a = make_entry(
        created_at=at(0),
        site="Berlin",
        station="counter",
        kind="praise",
        sentiment="positive",
        tags=["Staff"],
        text="Lovely service today",
    )
    b = make_entry(
        created_at=at(10),
        site="Hamburg",
        station="phone",
        kind="complaint",
        sentiment="negative",
        tags=["queue", "lunch"],
        text="Waited forever",
    )
    c = make_entry(
        created_at=at(20),
        site="Berlin",
        station="phone",
        kind="question",
        sentiment=None,
        tags=[],
        text="Do you deliver on Sundays?",
    )
    post(collector, a, b, c)

    def found(**options: Any) -> set[str]:
        return set(ids(reader.feed(FeedFilter(**options)).items))

    assert found() == {a["id"], b["id"], c["id"]}
    assert found(sites=("Berlin",)) == {a["id"], c["id"]}
    assert found(sites=("Berlin", "Hamburg")) == {a["id"], b["id"], c["id"]}
    assert found(stations=("phone",)) == {b["id"], c["id"]}
    assert found(kinds=("complaint", "praise")) == {a["id"], b["id"]}
    assert found(sentiments=("negative",)) == {b["id"]}
    assert found(sentiments=("none",)) == {c["id"]}
    assert found(sentiments=("positive", "none")) == {a["id"], c["id"]}
    assert found(tag="staff") == {a["id"]}  # tags are matched whatever their case
    assert found(tag="STAFF") == {a["id"]}
    assert found(tag="nope") == set()
    assert found(since=T0 + timedelta(minutes=10)) == {b["id"], c["id"]}
    assert found(until=T0 + timedelta(minutes=10)) == {a["id"]}
    assert found(search="deliver sunday") == {c["id"]}  # every word, as a word's beginning
    assert found(search="SERVICE") == {a["id"]}
    assert found(search="lunch") == {b["id"]}  # tags are searched too
    assert found(sites=("Berlin",), stations=("phone",), search="deliver") == {c["id"]}
    assert found(sites=("Nowhere",)) == set()


def test_a_newer_revision_replaces_columns_tags_and_search_and_a_tombstone_hides_it(
    collector: Collector, reader: Reader
) -> None:
    first = make_entry(text="The coffee machine is broken", tags=["coffee"])
    post(collector, first)
    second = first | {"revision": 2, "text": "The tea machine is broken", "tags": ["tea"]}
    post(collector, second)
    (item,) = reader.feed(FeedFilter()).items
    assert (item.revision, item.text, item.tags) == (2, "The tea machine is broken", ("tea",))
    assert ids(reader.feed(FeedFilter(search="coffee")).items) == []
    assert ids(reader.feed(FeedFilter(search="tea")).items) == [first["id"]]
    assert ids(reader.feed(FeedFilter(tag="coffee")).items) == []
    assert ids(reader.feed(FeedFilter(tag="tea")).items) == [first["id"]]
    # A late copy of revision 1 changes nothing.
    answer = requests.post(
        collector.url + ENTRIES_PATH, json=batch(first), headers=collector.headers, timeout=60
    )
    assert answer.json()["results"][0]["status"] == "duplicate"
    assert reader.feed(FeedFilter(search="tea")).items[0].revision == 2
    detail = reader.entry(first["id"])
    assert detail is not None
    assert detail.revision_count == 2
    tombstone = second | {"revision": 3, "deleted": True}
    post(collector, tombstone)
    assert reader.feed(FeedFilter()).items == ()
    assert reader.feed(FeedFilter(search="tea")).items == ()
    assert reader.feed(FeedFilter(tag="tea")).items == ()
    assert reader.entry(first["id"]) is None
    assert list(reader.export(FeedFilter())) == []
    assert "tea" not in reader.choices().tags


HOSTILE = [
    '"',
    '""',
    "'",
    "a\"b'c",
    "queue OR lunch",
    "NOT queue",
    "queue AND",
    "NEAR(queue lunch)",
    "text:queue",
    "{text idea}: queue",
    "*",
    "queue*",
    "^queue",
    "(",
    ")",
    "-queue",
    "queue & !lunch | x:*",
    "'; DROP TABLE current; --",
    "%",
    "%%",
    "_",
    "50%_off",
    "\\",
    "\\\\' \\\"",
    "a\x00b",
    "\x00",
    "x" * 10_000,
    "queue " * 2000,
    "صف طويل جدا",
    "🙂",
    "🙂 queue",
    "\u202equeue\u202c",
    "\ud800",
]


@pytest.mark.parametrize("search", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_search_text_is_never_an_error_nor_syntax(
    collector: Collector, reader: Reader, search: str
) -> None:
    post(
        collector,
        make_entry(text="A long queue at lunch", tags=["queue"]),
        make_entry(text="He wanted 50% off_now, C:\\temp \"quoted\" 'single'"),
        make_entry(text="صف طويل جدا في المساء"),
    )
    items = reader.feed(FeedFilter(search=search)).items
    terms = search_terms(search)
    if not terms:
        assert items == ()  # nothing searchable (only signs or emoji) finds nothing, not all
    for item in items:
        haystack = f"{item.text} {item.idea or ''} {' '.join(item.tags)}".lower()
        assert all(term.lower() in haystack for term in terms), (search, item.text)
    # The same text in every other reader that takes a filter.
    reader.follow_up_queue(FeedFilter(search=search))
    reader.trends(
        FeedFilter(search=search), start=date(2026, 1, 1), end=date(2027, 1, 1), tz=ZoneInfo("UTC")
    )
    list(reader.export(FeedFilter(search=search)))
    assert len(reader.feed(FeedFilter()).items) == 3  # and the table is still there


def test_searching_finds_words_by_their_beginning_through_punctuation(
    collector: Collector, reader: Reader
) -> None:
    wanted = make_entry(text='He wanted 50% off_now, C:\\temp "quoted"', tags=[])
    arabic = make_entry(text="صف طويل جدا في المساء", tags=[])
    post(collector, wanted, arabic, make_entry(text="Unrelated", tags=[]))
    for search in ("50%", "off_now", "OFF", "c:\\temp", '"quoted"', "quot", "'; now --"):
        assert ids(reader.feed(FeedFilter(search=search)).items) == [wanted["id"]], search
    assert ids(reader.feed(FeedFilter(search="طويل")).items) == [arabic["id"]]
    assert ids(reader.feed(FeedFilter(search="% _ \\")).items) == []


def test_the_live_update_gives_what_is_newer_in_order_without_gaps(
    collector: Collector, reader: Reader
) -> None:
    old = make_entry(created_at=at(0))
    post(collector, old)
    top = reader.feed(FeedFilter()).items[0]
    newer = [make_entry(created_at=at(n)) for n in range(1, 6)]
    post(collector, *newer)
    than = Cursor(top.created_at, top.entry_id)
    first = reader.newer(FeedFilter(), than=than, limit=3)
    assert ids(first) == [e["id"] for e in reversed(newer[:3])]  # the oldest 3, newest first
    than = Cursor(first[0].created_at, first[0].entry_id)
    rest = reader.newer(FeedFilter(), than=than, limit=3)
    assert ids(rest) == [e["id"] for e in reversed(newer[3:])]
    assert reader.newer(FeedFilter(), than=Cursor(rest[0].created_at, rest[0].entry_id)) == ()


@pytest.mark.parametrize(
    "text", ["", "garbage", "12_", "_abc", "1_ABC", "99999999999999999999999_a", "1_a;b", "x_y"]
)
def test_a_cursor_from_a_url_is_checked(text: str) -> None:
    assert Cursor.parse(text) is None


def test_trends_count_per_local_day_across_a_clock_change(
    collector: Collector, reader: Reader
) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # Summer time ends on 25 October 2026 at 03:00 local (01:00 UTC).
    moments = [
        (datetime(2026, 10, 24, 23, 30, tzinfo=berlin), "praise", "positive", "A", ["q"]),
        (datetime(2026, 10, 25, 0, 0, tzinfo=berlin), "complaint", "negative", "A", ["q", "w"]),
        (datetime(2026, 10, 25, 23, 59, tzinfo=berlin), "complaint", None, "B", ["w"]),
        (datetime(2026, 10, 26, 0, 0, tzinfo=berlin), "question", "neutral", "B", []),
        (datetime(2026, 10, 26, 12, 0, tzinfo=berlin), "question", "neutral", "B", ["w"]),
        (datetime(2026, 10, 27, 0, 0, tzinfo=berlin), "praise", "positive", "A", []),  # out
    ]
    entries = [
        make_entry(created_at=m.isoformat(), kind=k, sentiment=s, site=site, tags=tags)
        for m, k, s, site, tags in moments
    ]
    gone = make_entry(created_at=moments[1][0].isoformat(), kind="other")
    post(collector, *entries, gone)
    post(collector, gone | {"revision": 2, "deleted": True})
    trends = reader.trends(
        FeedFilter(), start=date(2026, 10, 24), end=date(2026, 10, 27), tz=berlin
    )
    assert trends.days == (date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26))
    assert trends.kinds_per_day["praise"] == (1, 0, 0)
    assert trends.kinds_per_day["complaint"] == (0, 2, 0)
    assert trends.kinds_per_day["question"] == (0, 0, 2)
    assert trends.kinds_per_day["other"] == (0, 0, 0)
    assert trends.kinds_per_day["suggestion"] == (0, 0, 0)
    assert trends.sentiments_per_day["negative"] == (0, 1, 0)
    assert trends.sentiments_per_day["none"] == (0, 1, 0)
    assert trends.sentiments_per_day["neutral"] == (0, 0, 2)
    assert trends.total == 5
    assert trends.per_site == (("B", 3), ("A", 2))
    assert trends.top_tags == (("w", 3), ("q", 2))
    # In UTC the days cut elsewhere.
    utc = reader.trends(
        FeedFilter(), start=date(2026, 10, 24), end=date(2026, 10, 27), tz=ZoneInfo("UTC")
    )
    assert utc.kinds_per_day["complaint"] == (1, 1, 0)
    # A filter narrows trends as it narrows the feed.
    only_b = reader.trends(
        FeedFilter(sites=("B",)), start=date(2026, 10, 24), end=date(2026, 10, 27), tz=berlin
    )
    assert only_b.total == 3
    assert only_b.per_site == (("B", 3),)
    half_hour = reader.trends(
        FeedFilter(), start=date(2026, 10, 24), end=date(2026, 10, 27), tz=ZoneInfo("Asia/Kolkata")
    )
    assert half_hour.total == 6 - 1  # 27 Oct 00:00 Berlin is 27 Oct 04:30 in India: out
    assert (
        reader.trends(
            FeedFilter(), start=date(2026, 10, 27), end=date(2026, 10, 24), tz=berlin
        ).days
        == ()
    )


def test_choices_list_sites_stations_and_recent_tags(collector: Collector, reader: Reader) -> None:
    post(
        collector,
        make_entry(site="Berlin", station="counter", tags=["Queue", "price"]),
        make_entry(site="Aachen", station="phone", tags=["queue"]),
        make_entry(site="Berlin", station="web", tags=[]),
    )
    choices = reader.choices()
    assert choices.sites == ("Aachen", "Berlin")
    assert choices.stations == ("counter", "phone", "web")
    assert choices.tags == ("queue", "price")


def test_export_streams_every_match_across_batches(collector: Collector, reader: Reader) -> None:
    entries = [make_entry(created_at=at(n), site="X" if n % 2 else "Y") for n in range(1200)]
    for start in range(0, len(entries), 500):
        post(collector, *entries[start : start + 500])
    exported = list(reader.export(FeedFilter(sites=("X",))))
    assert len(exported) == 600
    assert len({item.entry_id for item in exported}) == 600
    assert [item.created_at for item in exported] == sorted(
        (item.created_at for item in exported), reverse=True
    )


@pytest.mark.parametrize("value", ["a\x00b", "\ud800", "%", "_", "'", "x" * 5000, "🙂"])
def test_hostile_filter_values_match_nothing_and_never_fail(
    collector: Collector, reader: Reader, value: str
) -> None:
    post(collector, make_entry())
    for f in (
        FeedFilter(sites=(value,)),
        FeedFilter(stations=(value,)),
        FeedFilter(kinds=(value,)),
        FeedFilter(sentiments=(value,)),
        FeedFilter(tag=value),
    ):
        assert reader.feed(f).items == ()
        assert reader.follow_up_queue(f).items == ()
        assert (
            reader.trends(f, start=date(2026, 1, 1), end=date(2027, 1, 1), tz=ZoneInfo("UTC")).total
            == 0
        )
    assert reader.entry(value) is None


def test_trends_and_the_queue_take_a_tag_and_follow_up_filter(
    collector: Collector, reader: Reader
) -> None:
    post(
        collector,
        make_entry(created_at=at(0), tags=["queue", "lunch"], follow_up=True),
        make_entry(created_at=at(1), tags=["price"], follow_up=True),
    )
    trends = reader.trends(
        FeedFilter(tag="queue", needs_follow_up=True),
        start=date(2026, 10, 20),
        end=date(2026, 10, 21),
        tz=ZoneInfo("UTC"),
    )
    assert trends.total == 1
    assert trends.top_tags == (("lunch", 1), ("queue", 1))
    assert len(reader.follow_up_queue(FeedFilter(tag="price")).items) == 1


def test_top_tags_follow_the_current_revision_and_its_time(
    collector: Collector, reader: Reader
) -> None:
    moved = make_entry(created_at="2026-10-01T10:00:00+00:00", tags=["moved"])
    stays = make_entry(created_at="2026-10-01T11:00:00+00:00", tags=["stays", "Gone"])
    post(collector, moved, stays)
    post(
        collector,
        moved | {"revision": 2, "created_at": "2026-10-05T10:00:00+00:00"},
        stays | {"revision": 2, "tags": ["stays"]},
    )
    first = reader.trends(
        FeedFilter(), start=date(2026, 10, 1), end=date(2026, 10, 2), tz=ZoneInfo("UTC")
    )
    assert first.top_tags == (("stays", 1),)
    assert first.total == 1
    fifth = reader.trends(
        FeedFilter(), start=date(2026, 10, 5), end=date(2026, 10, 6), tz=ZoneInfo("UTC")
    )
    assert fifth.top_tags == (("moved", 1),)
    # The same through the filtered path.
    filtered = reader.trends(
        FeedFilter(kinds=("complaint",)),
        start=date(2026, 10, 1),
        end=date(2026, 10, 6),
        tz=ZoneInfo("UTC"),
    )
    assert filtered.top_tags == (("moved", 1), ("stays", 1))


def test_short_words_match_whole_words_and_longer_ones_their_beginnings(
    collector: Collector, reader: Reader
) -> None:
    # "a" as a beginning would match nearly every entry (the costliest search there is).
    alone = make_entry(text="Got a refund", tags=[])
    apple = make_entry(text="Apple pie was cold", tags=[])
    ab = make_entry(text="The ab test screen froze", tags=[])
    post(collector, alone, apple, ab)

    def found(search: str) -> set[str]:
        return set(ids(reader.feed(FeedFilter(search=search)).items))

    assert found("a") == {alone["id"]}
    assert found("ab") == {ab["id"]}
    assert found("app") == {apple["id"]}
    assert found("APP COLD") == {apple["id"]}
    assert found("fro") == {ab["id"]}


def test_accents_and_case_in_search_on_each_database(collector: Collector, reader: Reader) -> None:
    # What docs/pages.md says: case never matters (on PostgreSQL whatever its locale; the test
    # server runs under the C locale); accents are ignored on SQLite only.
    cafe = make_entry(text="Der Café war zu voll", tags=[])
    uber = make_entry(text="Über die Kasse gestolpert", tags=[])
    post(collector, cafe, uber)

    def found(search: str) -> set[str]:
        return set(ids(reader.feed(FeedFilter(search=search)).items))

    for typed in ("über", "Über", "ÜBER", "übe"):
        assert found(typed) == {uber["id"]}, typed
    assert found("café") == {cafe["id"]}
    assert found("CAFÉ") == {cafe["id"]}
    if collector.database.startswith("sqlite"):
        assert found("cafe") == {cafe["id"]}
        assert found("uber") == {uber["id"]}
    else:
        assert found("cafe") == set()
        assert found("uber") == set()


def test_the_tag_filter_pages_in_time_order_within_dates(
    collector: Collector, reader: Reader
) -> None:
    tagged = [make_entry(created_at=at(n), tags=["Card", "till"]) for n in range(5)]
    tagged.append(make_entry(created_at=at(2), tags=["card"]))
    post(collector, *tagged, make_entry(created_at=at(3), tags=["cash"]))
    f = FeedFilter(tag="CARD", since=T0 + timedelta(minutes=1), until=T0 + timedelta(minutes=4))
    expected = [
        e["id"]
        for e in sorted(tagged, key=lambda e: (e["created_at"], e["id"]), reverse=True)
        if at(1) <= e["created_at"] < at(4)
    ]
    seen: list[str] = []
    after: Cursor | None = None
    while True:
        page = reader.feed(f, after=after, limit=2)
        seen.extend(ids(page.items))
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert seen == expected
    newest = Cursor(T0 + timedelta(minutes=2), tagged[2]["id"])
    assert set(ids(reader.newer(f, than=newest))) == {
        e["id"] for e in tagged if at(2) <= e["created_at"] < at(4)
    } - {e["id"] for e in tagged if e["created_at"] == at(2) and e["id"] <= tagged[2]["id"]}


def test_trends_with_a_search_count_as_the_feed_finds_per_day(
    collector: Collector, reader: Reader
) -> None:
    entries = [
        make_entry(created_at=(T0 + timedelta(hours=10 * n)).isoformat(), text=word, kind=kind)
        for n, (word, kind) in enumerate(
            [("card failed", "complaint"), ("card ok", "praise"), ("cash", "praise")] * 3
        )
    ]
    post(collector, *entries)
    tz = ZoneInfo("Europe/Berlin")
    trends = reader.trends(
        FeedFilter(search="card", tag="queue"),
        start=date(2026, 10, 20),
        end=date(2026, 10, 25),
        tz=tz,
    )
    per_day = [
        sum(counts[position] for counts in trends.kinds_per_day.values())
        for position in range(len(trends.days))
    ]
    expected = [0] * len(trends.days)
    for e in entries:
        if "card" in e["text"]:
            day = datetime.fromisoformat(e["created_at"]).astimezone(tz).date()
            expected[(day - date(2026, 10, 20)).days] += 1
    assert per_day == expected
    assert trends.total == 6
    assert sum(trends.kinds_per_day["praise"]) == 3
    assert trends.top_tags == (("queue", 6),)


def test_filters_read_their_index_in_order_on_sqlite(tmp_path: Path) -> None:
    # PostgreSQL's plans depend on its statistics (bench/ checks them on a big store).
    from sqlalchemy import event

    store = Store.open(f"sqlite:///{tmp_path / 'plans.db'}")
    try:
        entry = make_entry(follow_up=True, contact="0170", station="till 2", tags=["card"])
        store.ingest([entry], Device(1, "till-1", T0, None, None, None), T0, 0.0)
        reader = Reader(store)
        with store.read() as connection:
            engine = connection.engine
        statements: list[tuple[str, Any]] = []

        def keep(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            if statement.startswith("SELECT"):
                statements.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", keep)
        assert ids(reader.feed(FeedFilter(stations=("till 2",))).items) == [entry["id"]]
        assert ids(reader.feed(FeedFilter(tag="card")).items) == [entry["id"]]
        assert ids(reader.follow_up_queue(FeedFilter()).items) == [entry["id"]]
        event.remove(engine, "before_cursor_execute", keep)
        assert len(statements) == 3
        with store.read() as connection:
            for statement, parameters in statements:
                plan = " / ".join(
                    row[-1]
                    for row in connection.exec_driver_sql(
                        "EXPLAIN QUERY PLAN " + statement, parameters
                    )
                )
                # Sorted per page is what made a station's pages slow with many entries.
                assert "TEMP B-TREE" not in plan, plan
                assert "INDEX" in plan, plan
    finally:
        store.close()


def test_the_reader_writes_nothing(tmp_path: Path) -> None:
    # Every public method, called on a SQLite store whose every statement is watched: marking
    # a call-back is FollowUps' job, and a page that only reads must never wait for a writer.
    from sqlalchemy import event

    store = Store.open(f"sqlite:///{tmp_path / 'read-only.db'}")
    try:
        entry = make_entry(created_at=at(1), follow_up=True, contact="0170", tags=["card"])
        store.ingest([entry], Device(1, "till-1", T0, None, None, None), T0, 0.0)
        reader = Reader(store)
        f = FeedFilter(search="card", tag="card", needs_follow_up=True)
        first = Cursor(T0, "0")
        calls: dict[str, Callable[[], object]] = {
            "feed": lambda: reader.feed(f, after=Cursor(T0 + timedelta(days=1), "f")),
            "newer": lambda: reader.newer(f, than=first),
            "export": lambda: list(reader.export(f)),
            "entry": lambda: reader.entry(entry["id"]),
            "choices": reader.choices,
            "trends": lambda: reader.trends(
                f, start=date(2026, 10, 19), end=date(2026, 10, 22), tz=ZoneInfo("Europe/Berlin")
            ),
            "follow_up_queue": lambda: reader.follow_up_queue(f, after=first),
        }
        # A method added to Reader is added here too, and so checked.
        public = {name for name in dir(Reader) if not name.startswith("_")}
        assert public == set(calls)
        with store.read() as connection:
            engine = connection.engine
        statements: list[str] = []

        def keep(_c: Any, _cursor: Any, statement: str, *_: Any) -> None:
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", keep)
        try:
            ran = {}
            for name, call in calls.items():
                before = len(statements)
                call()
                ran[name] = len(statements) - before
        finally:
            event.remove(engine, "before_cursor_execute", keep)
        assert all(ran.values()), ran  # each call reached the database
        writes = [
            statement
            for statement in statements
            if statement.lstrip().split(None, 1)[0].upper()
            in {"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"}
        ]
        assert writes == []
    finally:
        store.close()
