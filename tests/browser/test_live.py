"""The feed updates by itself: an entry a desktop sends appears without a reload, and only in
the views whose filters it matches."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import Browser, expect

from tests.browser import site
from tests.browser.conftest import Site, new_context, sign_in

# The page asks for newer entries every 10 seconds; allow a few rounds on a busy machine.
LIVE_TIMEOUT_MS = 45_000


def test_a_new_entry_appears_by_itself_in_the_views_it_matches(
    browser: Browser, own_site: Site
) -> None:
    context = new_context(browser, own_site.url, timezone_id="Europe/Berlin")
    try:
        everything = context.new_page()
        sign_in(everything)
        expect(everything.locator("article.entry")).to_have_count(len(own_site.entries))
        hamburg = context.new_page()
        hamburg.goto("/?site=Hamburg+Hafen")
        expect(hamburg.locator("article.entry")).to_have_count(3)
        # A mark on each document: a reload would lose it.
        for page in (everything, hamburg):
            page.evaluate("window.__same_document = true")

        now = datetime.now(UTC)
        berlin_new = site.entry(
            created_at=now, site="Berlin Mitte", text="Just now: the card reader at till 2 died."
        )
        hamburg_new = site.entry(
            created_at=now, site="Hamburg Hafen", text="Just now: no paper bags left in Hamburg."
        )
        site.post_entries(own_site.collector, [berlin_new, hamburg_new])

        first = everything.locator("article.entry").first
        expect(everything.locator("article.entry")).to_have_count(
            len(own_site.entries) + 2, timeout=LIVE_TIMEOUT_MS
        )
        expect(first).to_contain_text("Just now")
        expect(everything.locator("#live-status")).to_contain_text("2 new entries")

        expect(hamburg.locator("article.entry").first).to_contain_text(
            "no paper bags left", timeout=LIVE_TIMEOUT_MS
        )
        expect(hamburg.locator("article.entry")).to_have_count(4)
        expect(hamburg.get_by_text("card reader at till 2")).to_have_count(0)
        for page in (everything, hamburg):
            assert page.evaluate("window.__same_document") is True
    finally:
        context.close()
