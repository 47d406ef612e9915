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


# Playwright has no way to hide a tab; the page is told so as a browser tells it.
_HIDE = """() => {
  Object.defineProperty(document, "hidden", { value: true, configurable: true });
  Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
  document.dispatchEvent(new Event("visibilitychange"));
}"""
_SHOW = """() => {
  Object.defineProperty(document, "hidden", { value: false, configurable: true });
  Object.defineProperty(document, "visibilityState", { value: "visible", configurable: true });
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_a_hidden_tab_does_not_ask_for_new_entries(browser: Browser, own_site: Site) -> None:
    context = new_context(browser, own_site.url)
    try:
        page = context.new_page()
        sign_in(page)
        polls: list[str] = []
        page.on(
            "request",
            lambda request: polls.append(request.url) if "/feed/newer" in request.url else None,
        )
        # Visible: it asks (every 10 seconds).
        with page.expect_request("**/feed/newer*", timeout=LIVE_TIMEOUT_MS):
            pass
        page.evaluate(_HIDE)
        asked = len(polls)
        # Three rounds of the timer while hidden: not one request.
        page.wait_for_timeout(31_000)
        assert len(polls) == asked, polls
        # Shown again: it asks at once, and goes on asking.
        with page.expect_request("**/feed/newer*", timeout=5_000):
            page.evaluate(_SHOW)
        with page.expect_request("**/feed/newer*", timeout=LIVE_TIMEOUT_MS):
            pass
    finally:
        context.close()
