"""The feed over HTTP: newest first, hostile words shown as words, filters, paging, the live
fragment, and a plain message (never a 500) for whatever is typed into the address."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
import requests

from tests.browser import site
from tests.collector.web.conftest import LONG_TEXT, Site
from tests.collector.web.html import entry_ids, link, text


def ids_newest_first(entries: list[dict[str, object]]) -> list[str]:
    ordered = sorted(entries, key=lambda entry: str(entry["created_at"]), reverse=True)
    return [str(entry["id"]) for entry in ordered]


def test_feed_lists_newest_first(shared: Site, viewer: requests.Session) -> None:
    page = viewer.get(shared.url + "/", timeout=30)
    assert page.status_code == 200
    assert entry_ids(page.text) == ids_newest_first(shared.entries)


def test_hostile_text_is_shown_as_text(shared: Site, viewer: requests.Session) -> None:
    page = viewer.get(shared.url + "/", timeout=30).text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "<b>odd</b>" not in page
    assert "#&lt;b&gt;odd&lt;/b&gt;" in page
    words = text(page)
    assert '<script>alert("pwned")</script> and =1+2' in words
    assert "مرحبا بالعالم 👩🏽‍🚒 emoji" in words


def test_entry_page_shows_everything_escaped(shared: Site, viewer: requests.Session) -> None:
    hostile = shared.by_text("<script>")
    page = viewer.get(shared.url + f"/entries/{hostile['id']}", timeout=30)
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "@SUM(A1:A9)" in text(page.text)  # the contact, shown as written
    long = shared.by_text("long ")
    full = viewer.get(shared.url + f"/entries/{long['id']}", timeout=30)
    assert LONG_TEXT.strip() in text(full.text)  # all 10,000 characters, not cut


def test_feed_cuts_long_text(shared: Site, viewer: requests.Session) -> None:
    page = viewer.get(shared.url + "/", timeout=30).text
    assert LONG_TEXT.strip() not in text(page)
    assert "long long" in text(page)


def test_who_logged_it(shared: Site, viewer: requests.Session) -> None:
    anonymous = shared.by_text("Could the shop")
    nameless = shared.by_text("Asked whether")
    named = shared.by_text("Parcel arrived")
    for entry, expected in ((anonymous, "Anonymous"), (nameless, "no name given"), (named, "Ben")):
        page = viewer.get(shared.url + f"/entries/{entry['id']}", timeout=30).text
        assert f'id="entry-who">{expected}<' in page


def test_times_carry_the_instant(shared: Site, viewer: requests.Session) -> None:
    page = viewer.get(shared.url + "/", timeout=30).text
    newest = shared.by_text("<script>")
    moment = datetime.fromisoformat(newest["created_at"])
    assert f'datetime="{moment.astimezone(UTC).isoformat()}"' in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "praise"}, ["Loved the new"]),
        ({"site": "Hamburg Hafen"}, ["Loved the new", "Parcel arrived"]),
        ({"station": "phone"}, ["Parcel arrived"]),
        ({"sentiment": "neutral"}, ["Could the shop"]),
        ({"sentiment": "none"}, ["Asked whether"]),
        ({"tag": "giftcard"}, ["Asked whether"]),
        ({"q": "refund"}, ["Waited twenty"]),
        ({"q": "oat milk"}, ["Could the shop"]),
        ({"follow_up": "1"}, ["<script>", "Parcel arrived", "Waited twenty"]),
        ({"kind": "complaint", "site": "Hamburg Hafen"}, ["Parcel arrived"]),
    ],
)
def test_filters(
    shared: Site, viewer: requests.Session, query: dict[str, str], expected: list[str]
) -> None:
    page = viewer.get(shared.url + "/", params=query, timeout=30)
    assert page.status_code == 200
    assert entry_ids(page.text) == [str(shared.by_text(start)["id"]) for start in expected]


def test_date_filter_uses_the_viewers_zone(shared: Site) -> None:
    # Entries are at 12:00 UTC, N days before NOW (20 Nov). In Pacific/Kiritimati (UTC+14),
    # 12:00 UTC is 02:00 the next day: the 13 Nov entry (7 days before) is a 14 Nov one there.
    seven_days_before = shared.by_text("Loved the new")["id"]
    viewer = shared.viewer()
    day = {"from": "2026-11-13", "to": "2026-11-13"}
    in_utc = viewer.get(shared.url + "/", params=day, timeout=30)
    assert entry_ids(in_utc.text) == [seven_days_before]
    viewer.cookies.set("tz", "Pacific/Kiritimati")
    shifted = viewer.get(shared.url + "/", params=day, timeout=30)
    assert entry_ids(shifted.text) == [str(shared.by_text("Parcel arrived")["id"])]
    assert "Pacific/Kiritimati" in text(shifted.text)


@pytest.mark.parametrize("zone", ["../../etc/passwd", "Nowhere/City", "America", "x" * 500, ""])
def test_odd_time_zone_cookie_means_utc(shared: Site, zone: str) -> None:
    viewer = shared.viewer()
    viewer.cookies.set("tz", zone)
    page = viewer.get(shared.url + "/", timeout=30)
    assert page.status_code == 200
    assert "Times are shown in UTC" in text(page.text)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"kind": "rant"}, "There is no kind 'rant'"),
        ({"sentiment": "angry"}, "There is no mood"),
        ({"from": "2026-13-01"}, "is not a date"),
        ({"to": "yesterday"}, "is not a date"),
        ({"from": "2026-05-02", "to": "2026-05-01"}, "after the “to” date"),
        ({"to": "9999-12-31"}, "outside the calendar"),
        ({"from": "0001-01-01"}, "choose a date from 1900 to 2999"),
        ({"q": "x" * 5000}, "The search is too long"),
        ({"site": "s" * 300}, "too long"),
        ({"q": "a\x00b"}, "cannot be searched for"),
    ],
)
def test_bad_filters_get_a_message(
    shared: Site, viewer: requests.Session, query: dict[str, str], message: str
) -> None:
    page = viewer.get(shared.url + "/", params=query, timeout=30)
    assert page.status_code == 400
    assert message in text(page.text)
    assert entry_ids(page.text) == []
    # The form is still there to fix it.
    assert 'id="filters"' in page.text


@pytest.mark.parametrize("cursor", ["garbage", "x" * 1000, "2026-01-01", "%00", "😀"])
def test_bad_cursor_shows_the_newest_with_a_note(
    shared: Site, viewer: requests.Session, cursor: str
) -> None:
    page = viewer.get(shared.url + "/?cursor=" + quote(cursor), timeout=30)
    assert page.status_code == 200
    assert "damaged or too old" in text(page.text)
    assert entry_ids(page.text) == ids_newest_first(shared.entries)


def test_paging_with_the_older_link(own: Site) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    extra = [
        site.entry(created_at=base.replace(hour=hour, minute=minute), text=f"paged {hour}:{minute}")
        for hour in range(10)
        for minute in range(0, 60, 5)
    ]  # 120 more, all older than the seeded ones
    site.post_entries(own.collector, extra)
    viewer = own.viewer()
    seen: list[str] = []
    path: str | None = "/"
    pages = 0
    while path is not None:
        page = viewer.get(own.url + path, timeout=30)
        assert page.status_code == 200
        seen += entry_ids(page.text)
        path = link(page.text, "older")
        pages += 1
    assert pages == 3  # 128 entries, 50 a page
    assert seen == ids_newest_first(own.entries + extra)


def test_filters_survive_paging(own: Site) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    site.post_entries(
        own.collector,
        [site.entry(created_at=base.replace(minute=m), kind="praise") for m in range(55)]
        + [site.entry(created_at=base.replace(minute=m, second=1)) for m in range(55)],
    )
    viewer = own.viewer()
    first = viewer.get(own.url + "/", params={"kind": "praise"}, timeout=30).text
    older = link(first, "older")
    assert older is not None
    assert "kind=praise" in older
    second = viewer.get(own.url + older, timeout=30).text
    assert len(entry_ids(first)) + len(entry_ids(second)) == 56  # 55 + the seeded praise
    assert "Only those waiting" in text(second)  # the form is on every page


def test_live_fragment_has_only_newer_entries(own: Site) -> None:
    viewer = own.viewer()
    page = viewer.get(own.url + "/", timeout=30).text
    fragment_path = html.unescape(page.split('data-newer="', 1)[1].split('"', 1)[0])
    cursor = page.split('data-cursor="', 1)[1].split('"', 1)[0]
    empty = viewer.get(own.url + fragment_path, params={"than": cursor}, timeout=30)
    assert empty.status_code == 200
    assert entry_ids(empty.text) == []
    newer = [
        site.entry(created_at=site.NOW.replace(hour=13), text="<b>just now</b>"),
        site.entry(created_at=site.NOW.replace(hour=14), kind="praise", text="even newer"),
    ]
    site.post_entries(own.collector, newer)
    fresh = viewer.get(own.url + fragment_path, params={"than": cursor}, timeout=30)
    assert entry_ids(fresh.text) == [newer[1]["id"], newer[0]["id"]]
    assert "<b>just now" not in fresh.text
    praise_only = viewer.get(
        own.url + "/feed/newer", params={"than": cursor, "kind": "praise"}, timeout=30
    )
    assert entry_ids(praise_only.text) == [newer[1]["id"]]


def test_unknown_entry_is_a_plain_404(shared: Site, viewer: requests.Session) -> None:
    for entry_id in ("00000000-0000-4000-8000-000000000000", "x" * 500, "<script>"):
        page = viewer.get(shared.url + "/entries/" + quote(entry_id, safe=""), timeout=30)
        assert page.status_code == 404
        assert "There is no entry at this address" in text(page.text)
        assert "<script>" not in page.text


@pytest.mark.parametrize(
    ("referer", "href", "label"),
    [
        ("/?kind=praise&q=hours", "/?kind=praise&q=hours", "Back to the feed"),
        ("/follow-up?site=Berlin+Mitte", "/follow-up?site=Berlin+Mitte", "Back to the call-backs"),
        ("/trends", "/", "Back to the feed"),
        ("http://evil.example/?kind=praise", "/", "Back to the feed"),
        ("", "/", "Back to the feed"),
    ],
)
def test_back_goes_to_the_list_it_came_from(
    shared: Site, viewer: requests.Session, referer: str, href: str, label: str
) -> None:
    entry_id = shared.by_text("Loved the new")["id"]
    sent = shared.url + referer if referer.startswith("/") else referer
    page = viewer.get(
        shared.url + f"/entries/{entry_id}", headers={"Referer": sent}, timeout=30
    ).text
    assert link(page, "back") == href
    assert f"← {label}" in text(page)
