"""The monthly huddle digest: its month and time zone, its quotes, its page and PDF, its figures
read from a real store (SQLite and PostgreSQL), and ``earshot-collector digest``."""

from __future__ import annotations

import http.server
import io
import re
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from earshot_sync.collector import cli
from earshot_sync.collector.digest.figures import UnknownSite, build_digest
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
from earshot_sync.collector.digest.render import (
    pdf_from_html,
    render_html,
    render_pdf,
    stylesheet,
)
from earshot_sync.collector.follow_ups import FollowUps
from earshot_sync.collector.store import Store
from earshot_sync.protocol import ENTRIES_PATH
from tests.collector.conftest import batch, make_entry
from tests.collector_server import Collector
from tests.mounts import fill, make_read_only, tmpfs
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


def test_the_month_a_moment_falls_in_depends_on_the_zone() -> None:
    moment = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    assert Month.containing(moment, ZoneInfo("UTC")) == NOVEMBER
    assert Month.containing(moment, BERLIN) == Month(2026, 12)
    assert Month.containing(moment, BERLIN).previous() == NOVEMBER


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


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from(["queue ", "till ", "slow", ". ", "open ", "Ünï", "\n"]), max_size=20
        ).map("".join),
        max_size=12,
    ),
    st.randoms(use_true_random=False),
)
def test_quotes_are_the_same_whatever_the_order(texts: list[str], random: Any) -> None:
    entries = [said(f"id-{n:02d}", text) for n, text in enumerate(texts)]
    shuffled = list(entries)
    random.shuffle(shuffled)
    chosen = choose(entries, 3)
    assert choose(shuffled, 3) == chosen
    by_id = {entry.entry_id: entry.text.strip() for entry in entries}
    for quoted in chosen:
        assert by_id[quoted.entry_id].startswith(quoted.text)


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


def test_a_page_under_a_strict_content_security_policy_links_its_style_sheet() -> None:
    html = render_html(a_digest(a_site()), stylesheet_href="/static/digest.css")
    assert '<link rel="stylesheet" href="/static/digest.css">' in html
    assert "<style" not in html
    assert "style=" not in html
    assert "@page { size: A4" in stylesheet()
    assert "<style>" in render_html(a_digest(a_site()))


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
    return excerpt(sentence * 10, 230 + n)[0]


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


# The figures, read from a real store (SQLite and PostgreSQL)

ANA, BEN = "Ana", "Ben"  # staff names: never on the digest
DELETED_WORDS = "Deleted words must never be shown."
DECEMBER_WORDS = "December words, after midnight in Berlin."


def entry(when: str, **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "created_at": when,
        "site": "Berlin Mitte",
        "staff": ANA,
        "tags": [],
        "idea": None,
        "anonymous": False,
    }
    fields.update(changes)
    return make_entry(**fields)


def seed(store: Store) -> dict[str, dict[str, Any]]:
    """Two months at Berlin Mitte and one October entry at Hamburg; returns entries by name.

    Times are Berlin times. What each month holds (in Berlin days) is written in the tests.
    """
    now = datetime(2026, 12, 2, 8, tzinfo=UTC)
    store.add_device("pc-7", "0" * 64, now)
    device = store.devices()[0]
    e = {
        # November, week 1 (1-7)
        "n1": entry(
            "2026-11-01T00:30:00+01:00",
            tags=["Queue"],
            follow_up=True,
            contact="0171 555",
            text="The queue at the till was very long today.",
        ),
        "n2": entry(
            "2026-11-03T12:00:00+01:00",
            tags=["queue"],
            follow_up=True,
            contact="0171 556",
            idea="Open a second till from noon to two.",
            text="Long queue again, only one till open at lunchtime.",
        ),
        "n9": entry(
            "2026-11-01T00:00:00+01:00",
            kind="other",
            sentiment="neutral",
            text="Asked where the toilets are, at the stroke of midnight.",
        ),
        # week 2 (8-14)
        "n3": entry(
            "2026-11-09T12:00:00+01:00",
            tags=["queue", "prices"],
            follow_up=True,
            contact="0171 557",
            sentiment="neutral",
            station="phone",
            text="The lunchtime queue was long and only one till was open.",
        ),
        "n8": entry(
            "2026-11-10T09:00:00+01:00",
            kind="complaint",
            tags=["gift cards"],
            text="Do you sell gift cards? Nobody knew.",
        ),
        # week 3 (15-21)
        "n4": entry(
            "2026-11-16T12:00:00+01:00",
            tags=["queue"],
            staff=None,
            anonymous=True,
            idea="Let the phone team help at the till when it is busy.",
            text="Waited twenty minutes in the queue, one till open, long wait.",
        ),
        # week 4 (22-28)
        "n5": entry(
            "2026-11-22T10:00:00+01:00",
            kind="praise",
            sentiment="positive",
            staff=BEN,
            follow_up=True,
            contact="0171 559",
            text="Lovely help carrying the boxes to the car, thank you!",
        ),
        # week 5 (29-30)
        "n6": entry(
            "2026-11-29T18:00:00+01:00",
            kind="praise",
            sentiment="positive",
            station="bakery",
            text="The new bakery counter smells wonderful every morning.",
        ),
        "n7": entry(
            "2026-11-30T23:30:00+01:00",
            kind="suggestion",
            sentiment=None,
            tags=["prices"],
            idea="   ",
            text="Please put the prices on the shelf edge, not only on the packs.",
        ),
        "d1": entry(
            "2026-11-05T12:00:00+01:00",
            tags=["queue"],
            follow_up=True,
            contact="0171 558",
            idea="A deleted idea.",
            text=DELETED_WORDS,
        ),
        # December in Berlin (still November in UTC)
        "x1": entry("2026-12-01T00:10:00+01:00", tags=["queue"], text=DECEMBER_WORDS),
        # October (in Berlin; o1 is still September in UTC)
        "o1": entry("2026-10-01T00:30:00+02:00", tags=["queue"], text="October queue."),
        "o2": entry("2026-10-15T12:00:00+02:00", text="Too cold in the shop."),
        "o3": entry(
            "2026-10-31T23:30:00+01:00",
            kind="praise",
            sentiment="positive",
            text="Nice and friendly.",
        ),
        # September
        "s1": entry("2026-09-30T12:00:00+02:00", text="September words."),
        "h1": entry(
            "2026-10-20T12:00:00+02:00",
            site="Hamburg",
            kind="praise",
            sentiment="positive",
            text="Hamburg in October.",
        ),
    }
    assert all(s.acknowledged for s in store.ingest(list(e.values()), device, now, 0.0))
    # Call-backs, marked by a viewer: n1 contacted, n2 contacted and then done, n3 still
    # waiting (never marked). d1 and n5 are marked done too, but then d1 is deleted and n5's
    # call-back unticked: neither may count.
    follow_ups = FollowUps(store)
    for name, state in (
        ("n1", "contacted"),
        ("n2", "contacted"),
        ("n2", "resolved"),
        ("d1", "resolved"),
        ("n5", "resolved"),
    ):
        follow_ups.mark(e[name]["id"], state, "rang back", "Mia", now)
    # Later revisions: n8 turns out to be a question with no mood.
    revised = [
        e["n8"] | {"revision": 2, "kind": "question", "sentiment": None, "tags": ["Gift-Cards"]},
        e["d1"] | {"revision": 2, "deleted": True},
        e["n5"] | {"revision": 2, "follow_up": False, "contact": None},
    ]
    assert all(s.acknowledged for s in store.ingest(revised, device, now, 0.0))
    return e


@pytest.fixture
def seeded(database: str) -> Iterator[tuple[Store, dict[str, dict[str, Any]]]]:
    store = Store.open(database)
    try:
        yield store, seed(store)
    finally:
        store.close()


MADE = datetime(2026, 12, 2, 9, tzinfo=UTC)


def test_the_figures_of_a_seeded_month(seeded: tuple[Store, dict[str, dict[str, Any]]]) -> None:
    store, e = seeded
    digest = build_digest(store, NOVEMBER, tz=BERLIN, now=MADE)
    assert digest.time_zone == "Europe/Berlin"
    assert [site.site for site in digest.sites] == ["Berlin Mitte", "Hamburg"]
    berlin, hamburg = digest.sites
    assert [(k.kind, k.this_month, k.last_month, k.change) for k in berlin.kinds] == [
        ("praise", 2, 1, 1),
        ("complaint", 4, 2, 2),
        ("suggestion", 1, 0, 1),
        ("question", 1, 0, 1),
        ("other", 1, 0, 1),
    ]
    assert (berlin.total, berlin.total_last_month) == (9, 3)
    assert [w.feelings for w in berlin.weeks] == [
        Feelings(positive=0, neutral=1, negative=2, unsaid=0),  # n1, n2, n9
        Feelings(positive=0, neutral=1, negative=0, unsaid=1),  # n3, n8 (no mood now)
        Feelings(positive=0, neutral=0, negative=1, unsaid=0),  # n4
        Feelings(positive=1, neutral=0, negative=0, unsaid=0),  # n5
        Feelings(positive=1, neutral=0, negative=0, unsaid=1),  # n6, n7
    ]
    assert berlin.feelings == Feelings(positive=2, neutral=2, negative=3, unsaid=2)
    assert berlin.feelings_last_month == Feelings(positive=1, neutral=0, negative=2, unsaid=0)
    assert berlin.top_tags == (
        TagCount("queue", 4, 1),
        TagCount("prices", 2, 0),
        TagCount("gift-cards", 1, 0),
    )
    assert berlin.call_backs == CallBacks(asked=3, contacted=1, done=1)
    assert (berlin.call_backs.called_back, berlin.call_backs.waiting) == (2, 1)
    assert berlin.ideas_total == 2
    assert sorted(idea.text for idea in berlin.ideas) == sorted([e["n2"]["idea"], e["n4"]["idea"]])
    # Themes: the top tags, and the kinds of the entries with no tag, the most heard first.
    assert [(t.tag, t.kind, t.count) for t in berlin.themes] == [
        ("queue", None, 4),
        ("prices", None, 2),
        (None, "praise", 2),
    ]
    texts = {name: item["text"] for name, item in e.items()}
    queue = {texts[n] for n in ("n1", "n2", "n3", "n4")}
    prices = {texts[n] for n in ("n3", "n7")}
    praise = {texts[n] for n in ("n5", "n6")}
    for theme, words in zip(berlin.themes, (queue, prices, praise), strict=True):
        assert theme.quotes, theme
        assert all(q.text in words and not q.cut for q in theme.quotes), theme
    quoted = [q.entry_id for t in berlin.themes for q in t.quotes]
    assert len(quoted) == len(set(quoted)), "an entry is quoted once"
    assert hamburg.empty
    assert hamburg.total_last_month == 1
    # The same store gives the same digest.
    assert build_digest(store, NOVEMBER, tz=BERLIN, now=MADE) == digest


def test_days_count_in_the_time_zone_asked_for(
    seeded: tuple[Store, dict[str, dict[str, Any]]],
) -> None:
    store, _ = seeded
    # In UTC, n1 and n9 fall in October, x1 in November, o1 in September.
    berlin = build_digest(store, NOVEMBER, site="Berlin Mitte", now=MADE).sites[0]
    assert (berlin.total, berlin.total_last_month) == (8, 4)
    assert (
        build_digest(store, NOVEMBER, tz=BERLIN, site="Berlin Mitte", now=MADE).sites[0].total == 9
    )


def test_one_site_and_its_spelling(seeded: tuple[Store, dict[str, dict[str, Any]]]) -> None:
    store, _ = seeded
    digest = build_digest(store, NOVEMBER, tz=BERLIN, site="  berlin   MITTE ", now=MADE)
    assert digest.site == "Berlin Mitte"
    assert [site.site for site in digest.sites] == ["Berlin Mitte"]
    with pytest.raises(UnknownSite, match="'Berlin Mitte', 'Hamburg'"):
        build_digest(store, NOVEMBER, site="Paris", now=MADE)


def test_a_month_with_nothing_heard(seeded: tuple[Store, dict[str, dict[str, Any]]]) -> None:
    store, _ = seeded
    digest = build_digest(store, Month(2026, 5), tz=BERLIN, now=MADE)
    assert digest.sites == ()
    assert digest.empty
    quiet = build_digest(store, Month(2026, 5), site="Hamburg", now=MADE)
    assert [site.site for site in quiet.sites] == ["Hamburg"]
    assert quiet.empty


def test_the_seeded_digest_as_a_pdf_on_the_wall(
    seeded: tuple[Store, dict[str, dict[str, Any]]], tmp_path: Path, database: str
) -> None:
    store, e = seeded
    digest = build_digest(store, NOVEMBER, tz=BERLIN, now=MADE)
    pdf = tmp_path / "digest.pdf"
    pdf.write_bytes(render_pdf(digest))
    assert pdf_pages(pdf) == 2  # one page per site
    name = "seeded-" + database.split(":", 1)[0].split("+", 1)[0]
    assert len(png_of(pdf, name)) == 2
    text = pdf_text(pdf)
    html = plain(render_html(digest))
    for words in (text, html):
        for theme in digest.sites[0].themes:
            for quoted in theme.quotes:
                assert quoted.text in words
        assert e["n2"]["idea"] in words
        assert e["n4"]["idea"] in words
        assert "Nothing was heard at Hamburg in November 2026." in words
        assert "All entries 9 3 +6" in words
        assert "3 customers asked us to call back · 2 called back (1 contacted, 1 done)" in words
        for never in (ANA, BEN, "Mia", "0171"):
            assert re.search(rf"\b{never}\b", words) is None, never
        for never in (DELETED_WORDS, DECEMBER_WORDS, "A deleted idea", "September"):
            assert never not in words


# earshot-collector digest


@pytest.fixture
def seeded_sqlite(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = Store.open(url)
    try:
        seed(store)
    finally:
        store.close()
    return url


def digest_cli(url: str, *args: str) -> tuple[int, str]:
    err = io.StringIO()
    code = cli.main(["--database", url, "digest", *args], out=io.StringIO(), err=err)
    return code, err.getvalue()


def test_the_command_writes_html_and_pdf(seeded_sqlite: str, tmp_path: Path) -> None:
    html, pdf = tmp_path / "digest.html", tmp_path / "Digest.PDF"
    args = ("--month", "2026-11", "--tz", "Europe/Berlin")
    code, said = digest_cli(seeded_sqlite, *args, "-o", str(html))
    assert code == 0, said
    assert "Wrote the digest for November 2026" in said
    assert "All entries 9 3 +6" in plain(html.read_text(encoding="utf-8"))
    code, said = digest_cli(seeded_sqlite, *args, "--site", "hamburg", "-o", str(pdf))
    assert code == 0, said
    assert pdf_pages(pdf) == 1
    assert "Nothing was heard at Hamburg in November 2026." in pdf_text(pdf)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--month", "2026-13", "-o", "d.pdf"], "months go from 01 to 12"),
        (["--month", "last month", "-o", "d.pdf"], "for example 2026-11"),
        (["--month", "2026-11", "--tz", "Berlin", "-o", "d.pdf"], "like Europe/Berlin"),
        (["--month", "2026-11", "-o", "digest.docx"], "does not end in .pdf or .html"),
        (["--month", "2026-11"], "-o/--output"),
    ],
)
def test_a_mistyped_command_says_what_to_type(
    args: list[str], said: str, seeded_sqlite: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = digest_cli(seeded_sqlite, *args)
    assert code == 2
    assert said in capsys.readouterr().err


def test_an_unknown_site_names_the_sites(seeded_sqlite: str, tmp_path: Path) -> None:
    code, said = digest_cli(
        seeded_sqlite, "--month", "2026-11", "--site", "Paris", "-o", str(tmp_path / "d.pdf")
    )
    assert code == 1
    assert "No site called 'Paris'. The sites are: 'Berlin Mitte', 'Hamburg'." in said
    assert not (tmp_path / "d.pdf").exists()


def test_an_empty_month_still_makes_a_digest(seeded_sqlite: str, tmp_path: Path) -> None:
    pdf = tmp_path / "may.pdf"
    code, said = digest_cli(seeded_sqlite, "--month", "2026-05", "-o", str(pdf))
    assert code == 0
    assert "Nothing was heard in May 2026; the digest says so." in said
    assert pdf_pages(pdf) == 1
    assert "Nothing was heard in May 2026." in pdf_text(pdf)


def test_where_the_digest_cannot_be_written(seeded_sqlite: str, tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.pdf"
    folder.mkdir()
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for target, said in (
        (folder, "that is a folder"),
        (tmp_path / "missing" / "d.pdf", "there is no such folder"),
        (a_file / "d.pdf", "there is no such folder"),
    ):
        code, message = digest_cli(seeded_sqlite, "--month", "2026-11", "-o", str(target))
        assert code == 1
        assert f"Cannot write the digest to '{target}': {said}" in message


def test_a_read_only_or_full_disk_leaves_no_half_written_digest(
    seeded_sqlite: str, tmp_path: Path
) -> None:
    with tmpfs(tmp_path / "disk", "1m") as disk:
        fill(disk)
        code, said = digest_cli(seeded_sqlite, "--month", "2026-11", "-o", str(disk / "d.pdf"))
        assert code == 1
        assert "the disk is full" in said
        assert not (disk / "d.pdf").exists()
        make_read_only(disk)
        code, said = digest_cli(seeded_sqlite, "--month", "2026-11", "-o", str(disk / "d.pdf"))
        assert code == 1
        assert "it is read-only" in said


def test_the_real_collector_heard_it_and_the_command_prints_it(
    collector: Collector, tmp_path: Path
) -> None:
    """End to end: entries sent over HTTP to the running collector, the digest by its command."""
    words = "Every single trolley in the car park had a wobbly wheel."
    entries = [
        make_entry(created_at="2026-11-12T10:00:00+01:00", text=words, tags=["trolleys"]),
        make_entry(
            created_at="2026-11-13T10:00:00+01:00",
            staff=None,
            anonymous=True,
            kind="suggestion",
            sentiment="neutral",
            idea="Check the trolleys on Monday.",
            text="The trolleys need oil, they squeak.",
        ),
    ]
    answer = requests.post(
        collector.url + ENTRIES_PATH, json=batch(*entries), headers=collector.headers, timeout=30
    )
    assert answer.status_code == 200
    assert {r["status"] for r in answer.json()["results"]} == {"stored"}
    pdf = tmp_path / "digest-2026-11.pdf"
    done = collector.cli("digest", "--month", "2026-11", "--tz", "Europe/Berlin", "-o", str(pdf))
    assert "Wrote the digest for November 2026" in done.stderr
    assert pdf_pages(pdf) == 1
    text = pdf_text(pdf)
    assert words in text
    assert "Check the trolleys on Monday." in text
    assert re.search(r"\bAna\b", text) is None


def test_a_very_long_entry_is_quoted_by_its_first_sentences(database: str) -> None:
    store = Store.open(database)
    try:
        store.add_device("pc-7", "0" * 64, MADE)
        words = "Ünïcode queue story, told at length. " * 270  # nearly 10,000 characters
        long_one = entry("2026-11-12T10:00:00+01:00", tags=["long"], text=words.strip())
        assert store.ingest([long_one], store.devices()[0], MADE, 0.0) == ["stored"]
        site = build_digest(store, NOVEMBER, tz=BERLIN, now=MADE).sites[0]
    finally:
        store.close()
    (shown,) = site.themes[0].quotes
    assert shown.cut
    assert words.startswith(shown.text)
    assert shown.text.endswith("length.")
    assert len(shown.text) <= MAX_QUOTE
