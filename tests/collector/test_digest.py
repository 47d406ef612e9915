"""The monthly huddle digest: its month and time zone, its quotes, its page and PDF, its figures
read from a real store (SQLite and PostgreSQL), and ``earshot-collector digest``."""

from __future__ import annotations

import http.server
import re
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from earshot_sync.collector.digest.model import (
    KINDS,
    CallBacks,
    Digest,
    Feelings,
    KindCount,
    SiteDigest,
    TagCount,
    Theme,
    Week,
)
from earshot_sync.collector.digest.month import BadMonth, BadTimeZone, Month, parse_time_zone
from earshot_sync.collector.digest.quotes import MAX_QUOTE, Quote, Said, choose, excerpt
from earshot_sync.collector.digest.render import pdf_from_html, render_html, render_pdf
from tests.system import require

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "digest"
BERLIN = ZoneInfo("Europe/Berlin")
NOVEMBER = Month(2026, 11)


# The month and its edges


def test_a_month_is_year_dash_month() -> None:
    assert Month.parse("2026-11") == NOVEMBER
    assert Month.parse(" 2026-3 ") == Month(2026, 3)
    assert str(Month(2026, 3)) == "2026-03"
    assert NOVEMBER.label == "November 2026"
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert Month(2026, 12).next() == Month(2027, 1)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("2026-13", "months go from 01 to 12"),
        ("2026-00", "months go from 01 to 12"),
        ("Nov", "for example 2026-11"),
        ("", "for example 2026-11"),
        ("2026-11-01", "for example 2026-11"),
        ("11-2026", "for example 2026-11"),
        ("０２０２-11", "for example 2026-11"),  # full-width digits (which \d would take)
        ("0000-01", "give a year from"),
        ("9999-12", "give a year from"),
    ],
)
def test_a_bad_month_says_what_to_type(typed: str, said: str) -> None:
    with pytest.raises(BadMonth, match=said):
        Month.parse(typed)


def test_month_edges_are_local_midnights_summer_time_included() -> None:
    assert NOVEMBER.start(BERLIN) == datetime(2026, 10, 31, 23, tzinfo=UTC)
    assert NOVEMBER.end(BERLIN) == datetime(2026, 11, 30, 23, tzinfo=UTC)
    # October 2026 in Berlin begins in summer time (UTC+2) and ends in winter time (UTC+1).
    assert Month(2026, 10).start(BERLIN) == datetime(2026, 9, 30, 22, tzinfo=UTC)
    assert Month(2026, 10).end(BERLIN) == datetime(2026, 10, 31, 23, tzinfo=UTC)
    assert NOVEMBER.start(ZoneInfo("UTC")) == datetime(2026, 11, 1, tzinfo=UTC)
    # Half-hour zones too.
    assert NOVEMBER.start(ZoneInfo("Asia/Kolkata")) == datetime(2026, 10, 31, 18, 30, tzinfo=UTC)


def test_weeks_of_a_month() -> None:
    assert NOVEMBER.weeks() == (
        (date(2026, 11, 1), date(2026, 11, 7)),
        (date(2026, 11, 8), date(2026, 11, 14)),
        (date(2026, 11, 15), date(2026, 11, 21)),
        (date(2026, 11, 22), date(2026, 11, 28)),
        (date(2026, 11, 29), date(2026, 11, 30)),
    )
    assert len(Month(2026, 2).weeks()) == 4
    assert Month(2028, 2).weeks()[-1] == (date(2028, 2, 29), date(2028, 2, 29))


@pytest.mark.parametrize("name", ["", "  ", "Europe/Berln", "../../etc/passwd", "/etc/localtime"])
def test_a_bad_time_zone_says_what_to_type(name: str) -> None:
    with pytest.raises(BadTimeZone, match="Europe/Berlin"):
        parse_time_zone(name)


def test_a_time_zone_by_name() -> None:
    assert parse_time_zone("Europe/Berlin") == BERLIN
    assert parse_time_zone("UTC").key == "UTC"


# Quotes


def test_a_short_text_is_quoted_whole_and_exactly() -> None:
    words = "  Die Schlange war viel zu lang —\tzwanzig Minuten!  "
    assert excerpt(words) == ("Die Schlange war viel zu lang —\tzwanzig Minuten!", False)


def test_a_long_text_is_quoted_by_whole_sentences() -> None:
    first = "The queue was far too long at lunchtime. "
    words = first * 4 + "x" * 300
    shown, cut = excerpt(words)
    assert cut
    assert shown == (first * 4).strip()


def test_a_long_sentence_is_cut_at_a_space_never_in_a_word() -> None:
    words = " ".join(["unbelievably"] * 40)
    shown, cut = excerpt(words)
    assert cut
    assert len(shown) <= MAX_QUOTE
    assert words.startswith(shown)
    assert words[len(shown)] == " "


def test_one_enormous_word_is_kept_whole() -> None:
    word = "a" * 500
    assert excerpt(word) == (word, False)
    assert excerpt(word + " and more") == (word, True)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab .!?\n\tÄ…"), max_size=600), st.integers(5, 300))
def test_an_excerpt_is_the_start_of_the_words_and_ends_between_words(
    words: str, limit: int
) -> None:
    shown, cut = excerpt(words, limit)
    original = words.strip()
    assert original.startswith(shown)
    if cut:
        assert shown
        assert original[len(shown)].isspace()
        assert len(shown) <= limit or not any(c.isspace() for c in shown)
    else:
        assert shown == original


def said(entry_id: str, text: str, kind: str = "complaint", station: str = "counter") -> Said:
    return Said(entry_id, text, kind, station)


QUEUE = [
    said("e1", "The queue at the till was very long today."),
    said("e2", "Long queue again, only one till open at lunchtime."),
    said("e3", "Waited twenty minutes in the queue, one till open, long wait."),
    said("e4", "Parking was full."),
    said("e5", "The lunchtime queue was long and only one till was open."),
]


def test_the_quote_is_the_entry_that_says_what_the_others_say() -> None:
    chosen = choose(QUEUE, 1)
    assert [quote.entry_id for quote in chosen] == ["e5"]
    assert chosen[0] == Quote(
        "e5",
        "The lunchtime queue was long and only one till was open.",
        False,
        "complaint",
        "counter",
    )


def test_quotes_do_not_depend_on_the_order_the_entries_came_in() -> None:
    assert choose(QUEUE, 3) == choose(list(reversed(QUEUE)), 3)
    assert len(choose(QUEUE, 3)) == 3


def test_a_readable_sentence_comes_before_a_fragment() -> None:
    entries = [
        said("a1", "queue queue queue"),  # shares the most, but is no sentence
        said("a2", "There was a queue out of the door this morning."),
        said("a3", "queue"),
    ]
    assert choose(entries, 1)[0].entry_id == "a2"


def test_an_entry_quoted_for_one_theme_is_not_quoted_again() -> None:
    chosen = choose(QUEUE, 2, taken=["e5"])
    assert "e5" not in [quote.entry_id for quote in chosen]


def test_the_same_words_twice_are_quoted_once() -> None:
    same = "The coffee machine was broken again."
    entries = [said("s1", same), said("s2", same), said("s3", "The cakes were lovely today.")]
    assert [quote.entry_id for quote in choose(entries, 3)] == ["s1", "s3"]


def test_no_candidates_no_quotes() -> None:
    assert choose([], 2) == ()
    assert choose([said("w", "   ")], 2) == ()


# The page


def quote(entry_id: str, text: str, kind: str = "complaint", station: str = "counter") -> Quote:
    return Quote(entry_id, text, False, kind, station)


def a_site(name: str = "Berlin Mitte", **changes: object) -> SiteDigest:
    site = SiteDigest(
        site=name,
        kinds=tuple(KindCount(kind, 3 * n + 1, 2 * n) for n, kind in enumerate(KINDS)),
        weeks=tuple(Week(a, b, Feelings(3, 2, 4, 1)) for a, b in NOVEMBER.weeks()),
        feelings=Feelings(15, 10, 20, 5),
        feelings_last_month=Feelings(10, 5, 5, 0),
        top_tags=(TagCount("queue", 12, 5), TagCount("prices", 3, 0)),
        themes=(
            Theme("queue", None, 12, (quote("q1", "The queue was far too long at lunch."),)),
            Theme(None, "praise", 4, (quote("q2", "Lovely help with the boxes.", "praise"),)),
        ),
        ideas=(quote("i1", "Open a second till from noon to two.", station="phone"),),
        ideas_total=3,
        call_backs=CallBacks(asked=12, contacted=4, done=5),
    )
    return SiteDigest(**{**site.__dict__, **changes})


def a_digest(*sites: SiteDigest, site: str | None = None) -> Digest:
    return Digest(NOVEMBER, "Europe/Berlin", datetime(2026, 12, 2, 9, tzinfo=UTC), site, sites)


def plain(html: str) -> str:
    """The page's words, as a person reads them."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_page_says_the_figures_in_plain_words() -> None:
    page = plain(render_html(a_digest(a_site())))
    assert "What customers told us" in page
    assert "Berlin Mitte · November 2026" in page
    assert "Complaints 4 2 +2" in page
    assert "Praise 1 0 +1" in page
    assert "All entries 35 20 +15" in page
    assert "How customers felt" in page
    assert "Nov 15 10 20 5 30% positive, 40% negative" in page
    assert "12 customers asked us to call back · 9 called back (4 contacted, 5 done) · 3 still" in (
        page
    )
    assert "“The queue was far too long at lunch.” complaint · counter" in page
    assert "3 ideas this month; 1 of them here" in page
    assert "Open a second till from noon to two. complaint · phone" in page
    for jargon in ("sentiment", "polarity", "follow-up", "follow_up", "resolved", "tombstone"):
        assert jargon not in page.lower()


def test_what_people_wrote_is_escaped() -> None:
    hostile = '<script>alert(1)</script><img src="http://example.invalid/x.png">'
    site = a_site(
        name=hostile,
        themes=(Theme(hostile, None, 1, (quote("h", hostile),)),),
        top_tags=(TagCount(hostile, 1, 0),),
        ideas=(quote("i", hostile, station=hostile),),
    )
    html = render_html(a_digest(site))
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html


def test_the_page_links_nothing_outside() -> None:
    html = render_html(a_digest(a_site(), a_site("Hamburg")))
    for outside in ("http:", "https:", "//", "src=", "url(", "@import", "<link"):
        assert outside not in html.replace("</", "<"), outside
    assert 'href="digest.pdf"' in render_html(a_digest(a_site()), pdf_href="digest.pdf")


def test_an_empty_month_says_nothing_was_heard() -> None:
    assert "Nothing was heard in November 2026." in plain(render_html(a_digest()))
    assert "Nothing was heard in November 2026 at Hamburg." in plain(
        render_html(a_digest(site="Hamburg"))
    )
    quiet = a_site(
        "Hamburg",
        kinds=tuple(KindCount(kind, 0, 1 if kind == "praise" else 0) for kind in KINDS),
    )
    page = plain(render_html(a_digest(quiet)))
    assert "Nothing was heard at Hamburg in November 2026." in page
    assert "In October 2026: 1 entry." in page


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback web server that records every request made to it."""
    asked: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_error(404)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", asked
    server.shutdown()
    server.server_close()


def test_the_pdf_fetches_nothing(http_server: tuple[str, list[str]], tmp_path: Path) -> None:
    url, asked = http_server
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for the digest")
    html = (
        f'<html><head><link rel="stylesheet" href="{url}/style.css">'
        f"<style>@import url({url}/imported.css); @font-face {{ font-family: X; "
        f"src: url({url}/font.woff) }}</style></head>"
        f'<body><img src="{url}/image.png"><img src="{secret.as_uri()}">Hello</body></html>'
    )
    pdf = pdf_from_html(html)
    assert pdf.startswith(b"%PDF")
    assert asked == []


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(
        [require("pdfinfo", "poppler-utils"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]


def pdf_text(pdf: Path) -> str:
    text = subprocess.run(
        [require("pdftotext", "poppler-utils"), "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return " ".join(text.split())


def png_of(pdf: Path, name: str) -> list[Path]:
    """Each page as a PNG in test-output/digest/ (kept to look at), checked to be not blank."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for old in OUTPUT.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(
        [require("pdftoppm", "poppler-utils"), "-png", "-r", "60", str(pdf), str(OUTPUT / name)],
        check=True,
    )
    pages = sorted(OUTPUT.glob(f"{name}-*.png"))
    for page in pages:
        assert inked_share(page) > 0.01, f"{page} is blank"
    return pages


def inked_share(png: Path) -> float:
    """The share of a page's pixels that are not white (Pillow comes with WeasyPrint)."""
    from PIL import Image

    with Image.open(png) as image:
        gray = image.convert("L")
        histogram = gray.histogram()
    return 1 - sum(histogram[240:]) / sum(histogram)


def long_words(n: int) -> str:
    sentence = "The queue went right round the shop and out of the door for ages. "
    return (sentence * 10)[: 230 + n]


def test_a_crowded_site_still_fits_one_page_and_each_site_gets_its_own(tmp_path: Path) -> None:
    crowded = a_site(
        "Berlin Mitte",
        top_tags=tuple(TagCount(f"tag-{n}-" + "x" * 55, 99, 98) for n in range(5)),
        themes=tuple(
            Theme(
                f"theme {n}",
                None,
                50,
                (quote(f"q{n}a", long_words(n)), quote(f"q{n}b", long_words(n + 5))),
            )
            for n in range(3)
        ),
        ideas=tuple(quote(f"i{n}", long_words(n)) for n in range(4)),
    )
    pdf = tmp_path / "crowded.pdf"
    pdf.write_bytes(render_pdf(a_digest(crowded, a_site("Hamburg"), a_site("Köln"))))
    assert pdf_pages(pdf) == 3
    text = pdf_text(pdf)
    assert text.count("What customers told us") == 3
    for where in ("Berlin Mitte · November 2026", "Hamburg · November 2026", "Köln"):
        assert where in text
    assert len(png_of(pdf, "crowded")) == 3
