"""The monthly huddle digest for viewers over HTTP: /digest (the page), /digest.pdf (the file
for the wall) and /digest.css, on the real ``earshot-collector serve`` with entries sent through
the device API. Only a signed-in viewer gets them; a mistake in the month or site is a message
(400), never an error page."""

from __future__ import annotations

import contextlib
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests

from earshot_sync.collector.digest import Month
from tests.browser import site
from tests.collector.web.html import text
from tests.collector_server import Collector, running_collector
from tests.system import require

PATHS = ["/digest", "/digest.pdf?month=2026-10&site=Berlin+Mitte", "/digest.css"]
OCTOBER = {"month": "2026-10", "site": "Berlin Mitte"}
QUEUE = (
    "The queue at the till was far too long at lunchtime today.",
    "Long queue at the till again, only one till was open at lunchtime.",
    "The queue at lunchtime was too long, the customer left without paying.",
)
UTC_ZONE = ZoneInfo("UTC")
IDEA = "Open a second till from noon to two."


def at(day: int, month: int = 10, hour: int = 12) -> str:
    return datetime(2026, month, day, hour, tzinfo=UTC).isoformat()


def seed() -> list[dict[str, Any]]:
    """Berlin Mitte: 4 complaints and 1 praise in October, 2 complaints in September; Köln Dom:
    one question in October."""
    entries = [
        site.entry(created_at=at(day), text=said, tags=["queue"], idea=IDEA if day == 6 else None)
        for day, said in zip((6, 13, 20), QUEUE, strict=True)
    ]
    entries += [
        site.entry(
            created_at=at(21),
            text="Refund took three weeks; please call her back.",
            tags=["refund"],
            contact="Frau Weber, 030 1234",
            follow_up=True,
        ),
        site.entry(
            created_at=at(22),
            kind="praise",
            sentiment="positive",
            text="Lovely help finding the right size.",
            tags=["help"],
        ),
        site.entry(created_at=at(10, month=9), text="Too few baskets by the door."),
        site.entry(created_at=at(11, month=9), text="The lift was broken again."),
        site.entry(
            created_at=at(15),
            site="Köln Dom",
            kind="question",
            sentiment="neutral",
            text="Do you sell gift cards for the cafe?",
            tags=["giftcard"],
        ),
    ]
    return entries


@contextlib.contextmanager
def started(folder: Path, database: str | None = None) -> Iterator[Collector]:
    with running_collector(folder, database=database) as collector:
        collector.add_viewer(site.VIEWER, site.PASSWORD)
        site.post_entries(collector, seed())
        yield collector


@pytest.fixture(scope="module")
def collector(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collector]:
    with started(tmp_path_factory.mktemp("digest")) as running:
        yield running


@pytest.fixture(scope="module")
def viewer(collector: Collector) -> requests.Session:
    return site.signed_in(collector)


def get(session: requests.Session, collector: Collector, path: str, **params: str) -> Any:
    return session.get(collector.url + path, params=params, allow_redirects=False, timeout=120)


def digest_text(page: str) -> str:
    """The text of the digest alone (not the form around it)."""
    assert 'id="digest"' in page, "the page shows no digest"
    return text(page.split('id="digest"', 1)[1])


# Who may see it


@pytest.mark.parametrize("path", PATHS)
def test_signed_out_is_sent_to_sign_in(collector: Collector, path: str) -> None:
    answer = requests.get(collector.url + path, allow_redirects=False, timeout=30)
    assert answer.status_code == 303
    target = urlsplit(answer.headers["Location"])
    assert target.path == "/sign-in"
    assert parse_qs(target.query)["next"] == [path]
    assert answer.content == b""


@pytest.mark.parametrize("path", PATHS)
def test_a_device_token_opens_none_of_it(collector: Collector, path: str) -> None:
    answer = requests.get(
        collector.url + path, headers=collector.headers, allow_redirects=False, timeout=30
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/sign-in")
    assert b"%PDF" not in answer.content


# The page


def test_the_page_shows_the_months_counts_and_a_quote(
    collector: Collector, viewer: requests.Session
) -> None:
    answer = get(viewer, collector, "/digest", **OCTOBER)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    shown = digest_text(answer.text)
    assert "Berlin Mitte · October 2026" in shown
    # Kind, October, September, change.
    assert "Complaints 4 2 +2" in shown
    assert "Praise 1 0 +1" in shown
    assert "All entries 5 2 +3" in shown
    assert "queue 3 2" in shown  # the top tag, this month and last (tagged by default)
    assert any(f"“{said}”" in shown for said in QUEUE)
    assert IDEA in shown
    assert "1 customer asked us to call back" in shown
    # A wall poster names no one: no staff, no contact details.
    assert "Ana" not in shown
    assert "Weber" not in shown
    assert "Köln" not in shown  # another site's page is not here
    # The frame: the nav shows where we are, the form shows what was chosen.
    assert re.search(r'id="nav-digest"[^>]*aria-current="page"', answer.text)
    assert re.search(r'id="d-month"[^>]*value="2026-10"', answer.text)
    assert re.search(r'<option value="Berlin Mitte" selected>', answer.text)
    assert 'id="digest-notice"' not in answer.text
    pdf = re.search(r'<a href="([^"]+)">Print this digest', answer.text)
    assert pdf is not None
    assert pdf.group(1).replace("&amp;", "&") == "/digest.pdf?month=2026-10&site=Berlin+Mitte"


def test_by_default_last_month_and_the_first_site_and_it_says_so(
    collector: Collector, viewer: requests.Session
) -> None:
    before = Month.containing(datetime.now(UTC), UTC_ZONE).previous()
    answer = get(viewer, collector, "/digest")
    after = Month.containing(datetime.now(UTC), UTC_ZONE).previous()
    assert answer.status_code == 200
    month = re.search(r'id="d-month"[^>]*value="([^"]+)"', answer.text)
    assert month is not None
    assert month.group(1) in {str(before), str(after)}
    notice = text(answer.text.split('id="digest-notice"', 1)[1].split("</p>", 1)[0])
    assert "Berlin Mitte , the first of 2 sites" in notice
    assert "Every site" in notice
    assert 'id="site-0"' in answer.text
    assert 'id="site-1"' not in answer.text


def test_every_site_is_a_page_each(collector: Collector, viewer: requests.Session) -> None:
    answer = get(viewer, collector, "/digest", month="2026-10", site="")
    assert answer.status_code == 200
    shown = digest_text(answer.text)
    assert "Berlin Mitte · October 2026" in shown
    assert "Köln Dom · October 2026" in shown
    assert "Do you sell gift cards for the cafe?" in shown
    assert 'id="digest-notice"' not in answer.text
    assert '<option value="" selected>' in answer.text


def test_a_site_is_found_whatever_its_capitals(
    collector: Collector, viewer: requests.Session
) -> None:
    answer = get(viewer, collector, "/digest", month="2026-10", site="  berlin   MITTE ")
    assert answer.status_code == 200
    assert "Berlin Mitte · October 2026" in digest_text(answer.text)
    assert '<option value="Berlin Mitte" selected>' in answer.text


def test_days_are_counted_in_the_viewers_zone(collector: Collector) -> None:
    berlin = site.signed_in(collector)
    berlin.cookies.set("tz", "Europe%2FBerlin")
    answer = get(berlin, collector, "/digest", **OCTOBER)
    assert "days counted in Europe/Berlin time" in digest_text(answer.text)
    assert "Complaints 4 2 +2" in digest_text(answer.text)


def test_a_month_with_nothing_heard_says_so(collector: Collector, viewer: requests.Session) -> None:
    answer = get(viewer, collector, "/digest", month="2024-02", site="Köln Dom")
    assert answer.status_code == 200
    assert "Nothing was heard at Köln Dom in February 2024" in digest_text(answer.text)


# Safe for the page's Content-Security-Policy


def test_no_inline_style_or_script_and_the_policy_is_sent(
    collector: Collector, viewer: requests.Session
) -> None:
    answer = get(viewer, collector, "/digest", month="2026-10", site="")
    policy = answer.headers["Content-Security-Policy"]
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    page = answer.text
    assert not re.search(r"\sstyle\s*=", page, re.I)
    assert "<style" not in page.lower()
    assert not re.search(r"<script(?![^>]*\ssrc=)", page, re.I)
    assert re.search(r'<link rel="stylesheet" href="/digest\.css\?v=[^"]+">', page)
    assert page.count("<body") == 1
    assert page.count("</html>") == 1


def test_the_style_sheet_styles_only_the_digest(
    collector: Collector, viewer: requests.Session
) -> None:
    answer = get(viewer, collector, "/digest.css")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/css")
    css = answer.text
    assert ".digest-sheet h1 {" in css
    assert ".digest-sheet .page {" in css
    # No rule of the digest's own page reaches the site around it.
    assert not re.search(r"^\s*(html|body|h1|h2|table|header)\b", css, re.M)
    assert "@page" not in css


# The PDF


def test_the_pdf_is_a_download_with_the_customers_words(
    collector: Collector, viewer: requests.Session, tmp_path: Path
) -> None:
    answer = get(viewer, collector, "/digest.pdf", **OCTOBER)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert answer.headers["Content-Disposition"] == (
        'attachment; filename="earshot-digest-2026-10-berlin-mitte.pdf"'
    )
    pdf = tmp_path / "digest.pdf"
    pdf.write_bytes(answer.content)
    words = subprocess.run(
        [require("pdftotext", "poppler-utils"), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = " ".join(words.split())
    assert "Berlin Mitte" in flat
    assert any(said in flat for said in QUEUE)
    assert "Köln" not in flat


def test_the_pdfs_name_keeps_the_sites_letters(
    collector: Collector, viewer: requests.Session
) -> None:
    answer = get(viewer, collector, "/digest.pdf", month="2026-10", site="Köln Dom")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == (
        'attachment; filename="earshot-digest-2026-10-koln-dom.pdf"; '
        "filename*=UTF-8''earshot-digest-2026-10-k%C3%B6ln-dom.pdf"
    )
    every = get(viewer, collector, "/digest.pdf", month="2026-10", site="")
    assert every.content.startswith(b"%PDF")
    assert 'filename="earshot-digest-2026-10-all-sites.pdf"' in every.headers["Content-Disposition"]


# Mistakes


@pytest.mark.parametrize(
    ("month", "said"),
    [
        ("2026-13", "'2026-13' is not a month: months go from 01 to 12."),
        ("November", "'November' is not a month. Give the month as year-month, for example"),
        ("0001-01", "'0001-01' is too far away: give a year from 1971 to 9998."),
        ("9" * 5000, "That is not a month. Give the month as year-month, for example 2026-11."),
        ("2026-10\x00", "The address holds a character that no month or site has."),
    ],
)
@pytest.mark.parametrize("path", ["/digest", "/digest.pdf"])
def test_a_bad_month_is_a_message(
    collector: Collector, viewer: requests.Session, path: str, month: str, said: str
) -> None:
    answer = get(viewer, collector, path, month=month, site="Berlin Mitte")
    assert answer.status_code == 400
    assert answer.headers["Content-Type"].startswith("text/html")
    problem = text(answer.text.split('id="digest-problem"', 1)[1].split("</div>", 1)[0])
    assert said in problem
    assert 'id="digest"' not in answer.text
    assert len(answer.text) < 20_000  # a 5,000-character "month" is not echoed back whole


@pytest.mark.parametrize("path", ["/digest", "/digest.pdf"])
def test_an_unknown_site_is_a_message_naming_the_sites(
    collector: Collector, viewer: requests.Session, path: str
) -> None:
    answer = get(viewer, collector, path, month="2026-10", site="Nowhere")
    assert answer.status_code == 400
    assert "No site called 'Nowhere'. The sites are: 'Berlin Mitte', 'Köln Dom'." in text(
        answer.text
    )


@pytest.mark.parametrize(
    "name",
    ['<script>alert("x")</script>', "x" * 201, "Berlin\x00Mitte", "\u202eetiM nilreB"],
)
def test_a_hostile_site_is_a_message_never_an_error(
    collector: Collector, viewer: requests.Session, name: str
) -> None:
    for path in ("/digest", "/digest.pdf"):
        answer = get(viewer, collector, path, month="2026-10", site=name)
        assert answer.status_code == 400, path
        assert '<script>alert("x")' not in answer.text
        assert 'role="alert"' in answer.text


def test_the_page_on_postgresql_too(tmp_path: Path, postgres: Any) -> None:
    with started(tmp_path / "collector", postgres.create_database()) as collector:
        viewer = site.signed_in(collector)
        answer = get(viewer, collector, "/digest", **OCTOBER)
        assert answer.status_code == 200
        assert "Complaints 4 2 +2" in digest_text(answer.text)
        # PostgreSQL refuses a NUL in text: it must be stopped before it reaches the store.
        nul = get(viewer, collector, "/digest.pdf", month="2026-10", site="Berlin\x00")
        assert nul.status_code == 400
        pdf = get(viewer, collector, "/digest.pdf", **OCTOBER)
        assert pdf.content.startswith(b"%PDF")


def test_the_default_site_skips_one_whose_entries_were_all_deleted(tmp_path: Path) -> None:
    with running_collector(tmp_path / "collector") as collector:
        collector.add_viewer(site.VIEWER, site.PASSWORD)
        gone = site.entry(created_at=at(5), site="Aachen", text="Sent to the wrong site.")
        site.post_entries(collector, [gone, site.entry(created_at=at(6))])
        site.post_entries(
            collector, [{**gone, "revision": 2, "deleted": True, "revised_at": at(7)}]
        )
        viewer = site.signed_in(collector)
        answer = get(viewer, collector, "/digest", month="2026-10")
        assert answer.status_code == 200
        assert "Berlin Mitte · October 2026" in digest_text(answer.text)
        assert "Aachen" not in digest_text(answer.text)
        # Asked for by name, a site with nothing left is a message.
        named = get(viewer, collector, "/digest", month="2026-10", site="Aachen")
        assert named.status_code == 400
        assert "No site called 'Aachen'" in text(named.text)
