"""A viewer reads the feed in a real Chromium: sign in, filter, search, share, open, export.

These tests only read, so they share one seeded collector (``shared_site``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import SCREENSHOTS, Site, new_context, sign_in

ENTRY = "article.entry"  # one entry in the feed


def shown_texts(page: Page) -> list[str]:
    """The "what the customer said" of each entry on the page, top to bottom."""
    return [text.strip() for text in page.locator(f"{ENTRY} .said").all_inner_texts()]


def test_signed_out_sees_sign_in_and_a_wrong_password_says_so(
    context: BrowserContext, shared_site: Site
) -> None:
    page = context.new_page()
    page.goto("/trends")
    expect(page).to_have_url(re.compile(r"/sign-in"))
    sign_in(page, password="not the password at all")
    expect(page.get_by_role("alert")).to_contain_text("name and password do not match")
    expect(page).to_have_url(re.compile(r"/sign-in"))
    # What was typed as a password is not shown back or kept in the form.
    assert "not the password at all" not in page.content()
    expect(page.get_by_label("Password")).to_have_value("")
    assert not [c for c in context.cookies() if c["name"] == "earshot_session"]

    sign_in(page)
    # Signed in, the viewer lands where they were going.
    expect(page).to_have_url(re.compile(r"/trends"))
    page.goto("/")
    expect(page.locator(ENTRY)).to_have_count(len(shared_site.entries))


def test_feed_is_newest_first_with_who_where_and_what(page: Page, shared_site: Site) -> None:
    texts = shown_texts(page)
    newest_first = sorted(shared_site.entries, key=lambda e: e["created_at"], reverse=True)
    assert [t[:20] for t in texts] == [e["text"][:20] for e in newest_first]
    first = page.locator(ENTRY).filter(has_text="Parcel arrived crushed")
    for shown in ("Hamburg Hafen", "phone", "Ben", "Complaint", "delivery"):
        expect(first).to_contain_text(shown)


def test_filter_by_kind_and_site_and_the_shared_link_shows_the_same(
    page: Page, browser: Browser, shared_site: Site
) -> None:
    page.get_by_label("Kind").select_option("complaint")
    page.get_by_label("Site").select_option("Hamburg Hafen")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(ENTRY)).to_have_count(2)
    texts = shown_texts(page)
    assert any(t.startswith("Parcel arrived crushed") for t in texts)
    assert any(t.startswith("<script>") for t in texts)
    # The link the page offers for sharing this view (the "Copy link" button's).
    link = page.locator("#copy-link").get_attribute("data-link")
    assert link is not None
    assert "kind=complaint" in link
    shared = shared_site.url + link

    # A colleague opens the link in a browser of their own: after signing in, the same view.
    other = new_context(browser, shared_site.url, timezone_id="Europe/Lisbon")
    try:
        colleague = other.new_page()
        colleague.goto(shared)
        expect(colleague).to_have_url(re.compile(r"/sign-in"))
        sign_in(colleague)
        expect(colleague).to_have_url(shared)
        expect(colleague.locator(ENTRY)).to_have_count(2)
        assert sorted(shown_texts(colleague)) == sorted(texts)
        expect(colleague.get_by_label("Kind")).to_have_value("complaint")
        expect(colleague.get_by_label("Site")).to_have_value("Hamburg Hafen")
    finally:
        other.close()


def test_search_finds_words_in_what_was_said(page: Page) -> None:
    search = page.get_by_label("Search words")
    search.fill("oat milk")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"q=oat"))
    expect(page.locator(ENTRY)).to_have_count(1)
    assert shown_texts(page)[0].startswith("Could the shop offer oat milk")
    # Words from the tags are found too.
    search = page.get_by_label("Search words")
    search.fill("giftcard")
    search.press("Enter")
    expect(page.locator(ENTRY)).to_have_count(1)
    assert shown_texts(page)[0].startswith("Asked whether gift cards")
    search = page.get_by_label("Search words")
    search.fill("nothing-like-this-was-ever-said")
    search.press("Enter")
    expect(page.locator(ENTRY)).to_have_count(0)
    expect(page.locator("#no-entries")).to_contain_text("No entries match")


def test_open_an_entry(page: Page, shared_site: Site) -> None:
    wanted = shared_site.by_text("Waited twenty minutes")
    listed = page.locator(ENTRY).filter(has_text="Waited twenty minutes")
    listed.get_by_role("link", name="Open this entry").click()
    expect(page).to_have_url(re.compile(rf"/entries/{wanted['id']}"))
    main = page.locator("main")
    expect(main).to_contain_text(wanted["text"])
    for shown in ("Berlin Mitte", "counter", "Ana", "+49 30 1234567", "refund", "queue"):
        expect(main).to_contain_text(shown)


def test_script_in_an_entry_is_shown_as_text_and_runs_nothing(
    page: Page, shared_site: Site
) -> None:
    hostile = shared_site.by_text("<script>")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"dialog {dialog.message}"))
    page.reload()
    expect(
        page.locator(ENTRY).filter(has_text="<script>window.__pwned = 1</script>")
    ).to_have_count(1)
    assert page.evaluate("window.__pwned") is None
    page.goto(f"/entries/{hostile['id']}")
    expect(page.locator("main")).to_contain_text(hostile["text"])
    assert page.evaluate("window.__pwned") is None
    assert page.locator("main img").count() == 0
    assert errors == []


def test_times_are_shown_in_the_browsers_time_zone(browser: Browser, shared_site: Site) -> None:
    entry = shared_site.by_text("Loved the new opening hours")
    created = datetime.fromisoformat(entry["created_at"])
    for zone in ("Asia/Tokyo", "America/New_York"):
        context = new_context(browser, shared_site.url, timezone_id=zone)
        try:
            page = context.new_page()
            sign_in(page)
            expect(page.locator(ENTRY).first).to_be_visible()
            local = created.astimezone(ZoneInfo(zone))
            shown = page.locator(ENTRY).filter(has_text="Loved the new opening hours")
            expect(shown.locator("time")).to_contain_text(f"{local:%H:%M}")
            expect(page.locator("#zone-name")).to_have_text(zone)
            # The zone is remembered for the server too (dates in filters mean local days).
            page.reload()
            expect(page.locator("body")).to_have_attribute("data-tz", zone)
        finally:
            context.close()


def download(page: Page, link: str) -> str:
    with page.expect_download() as started:
        page.locator(link).click()
    download = started.value
    path = download.path()
    assert path is not None
    return path.read_text(encoding="utf-8")


def test_export_the_filtered_view_as_csv_and_json_lines(page: Page, shared_site: Site) -> None:
    page.goto("/?site=Berlin+Mitte")
    expect(page.locator(ENTRY)).to_have_count(3)
    wanted = {e["id"] for e in shared_site.entries if e["site"] == "Berlin Mitte"}

    rows = list(csv.DictReader(io.StringIO(download(page, "#export-csv"))))
    assert {row["id"] for row in rows} == wanted
    assert {row["site"] for row in rows} == {"Berlin Mitte"}
    oat = next(row for row in rows if row["text"].startswith("Could the shop"))
    assert oat["kind"] == "suggestion"

    lines = download(page, "#export-jsonl").splitlines()
    documents = [json.loads(line) for line in lines]
    assert {d["id"] for d in documents} == wanted
    refund = next(d for d in documents if d["text"].startswith("Waited twenty"))
    assert refund["tags"] == ["refund", "queue"]
    assert refund["follow_up"] is True


def test_screenshots_of_the_feed_and_trends(page: Page, shared_site: Site) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((shared_site.url, "data:"))
            else outside.append(request.url)
        ),
    )
    page.goto("/")
    expect(page.locator(ENTRY).first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "feed.png"), full_page=True)
    page.goto("/trends?from=2026-11-01&to=2026-11-21")
    expect(page.locator("svg").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "trends.png"), full_page=True)
    # Charts render without internet access: nothing was fetched from anywhere else.
    assert outside == []
    for name in ("feed.png", "trends.png"):
        assert (SCREENSHOTS / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_broken_address_gets_a_plain_message(page: Page) -> None:
    page.goto("/?kind=bogus&from=31-02-2026&q=" + "x" * 500)
    problems = page.locator("#filter-problems")
    expect(problems).to_contain_text("There is no kind 'bogus'")
    expect(problems).to_contain_text("is not a date")
    expect(problems).to_contain_text("The search is too long")
    expect(page.locator(ENTRY)).to_have_count(0)
    answer = page.goto("/entries/no-such-entry")
    assert answer is not None
    assert answer.status == 404
    expect(page.locator("h1")).to_have_text("No such entry")
    expect(page.locator("#message")).to_contain_text("no entry at this address")
