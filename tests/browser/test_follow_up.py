"""Call-backs in a real Chromium: the queue is oldest first; a viewer marks one contacted, then
done, with a note, and the entry keeps who did what and when."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Browser, Page, expect

from earshot_sync.collector.follow_ups import MAX_NOTE
from earshot_sync.collector.web.render import CALLBACK_LABELS, STATE_LABELS
from tests.browser.conftest import Site, new_context, sign_in

QUEUED = "#queue article.entry"
NOTE = "Note (what was said or done)"


def _recent(page: Page, selector: str) -> None:
    """The <time> at ``selector`` says a moment of the last few minutes (when it was marked)."""
    stamp = page.locator(selector).get_attribute("datetime")
    assert stamp is not None
    at = datetime.fromisoformat(stamp)
    assert at.tzinfo is not None
    assert abs(datetime.now(UTC) - at) < timedelta(minutes=10)


def test_queue_oldest_first_then_contacted_then_done_with_history(
    browser: Browser, own_site: Site
) -> None:
    context = new_context(browser, own_site.url, timezone_id="Europe/Berlin")
    try:
        page = context.new_page()
        sign_in(page)
        page.get_by_role("link", name="Call-backs").click()
        expect(page).to_have_url(re.compile(r"/follow-up$"))
        queued = page.locator(QUEUED)
        expect(queued).to_have_count(3)
        waiting = sorted(
            (e for e in own_site.entries if e["follow_up"]), key=lambda e: e["created_at"]
        )
        shown = [text.strip() for text in queued.locator(".said").all_inner_texts()]
        assert [text[:25] for text in shown] == [e["text"][:25] for e in waiting]
        # The contact is right there to call.
        expect(page.locator("#queue .queued").first).to_contain_text("+49 30 1234567")

        oldest = waiting[0]
        queued.first.get_by_role("link", name="Open this entry").click()
        expect(page).to_have_url(re.compile(rf"/entries/{oldest['id']}$"))
        expect(page.locator("#call-back-state")).to_have_text(STATE_LABELS["open"])
        expect(page.locator("#history")).to_have_count(0)

        page.get_by_label(NOTE).fill("Rang at 10, left a message.")
        page.get_by_role("button", name="Mark contacted").click()
        expect(page.locator("#saved")).to_be_visible()
        expect(page.locator("#call-back-state")).to_have_text(STATE_LABELS["contacted"])
        history = page.locator("#history li")
        expect(history).to_have_count(1)
        expect(history.nth(0)).to_contain_text(f"{STATE_LABELS['contacted']} by Dana")
        expect(history.nth(0)).to_contain_text("Rang at 10, left a message.")
        _recent(page, "#history li >> nth=0 >> time")

        # Contacted is not done: still in the queue, still first, marked as contacted.
        page.goto("/follow-up")
        expect(queued).to_have_count(3)
        expect(page.locator("#queue .queued").first).to_contain_text(CALLBACK_LABELS["contacted"])

        page.goto(f"/entries/{oldest['id']}")
        page.get_by_label(NOTE).fill("Refund sent; she is happy.")
        page.get_by_role("button", name="Mark done").click()
        expect(page.locator("#call-back-state")).to_have_text(STATE_LABELS["resolved"])
        expect(history).to_have_count(2)
        expect(history.nth(0)).to_contain_text("Rang at 10")
        expect(history.nth(1)).to_contain_text(f"{STATE_LABELS['resolved']} by Dana")
        expect(history.nth(1)).to_contain_text("Refund sent; she is happy.")
        _recent(page, "#history li >> nth=1 >> time")

        # Done leaves the queue; the next oldest is on top.
        page.goto("/follow-up")
        expect(queued).to_have_count(2)
        assert queued.first.locator(".said").inner_text().startswith(waiting[1]["text"][:25])
    finally:
        context.close()


def test_marking_from_the_queue_returns_to_the_queue(browser: Browser, own_site: Site) -> None:
    context = new_context(browser, own_site.url, timezone_id="Europe/Berlin")
    try:
        page = context.new_page()
        sign_in(page)
        page.goto("/follow-up")
        first = page.locator("#queue .queued").first
        first.get_by_label(NOTE).fill("Line busy.")
        first.get_by_role("button", name="Mark contacted").click()
        expect(page).to_have_url(re.compile(r"/follow-up$"))
        expect(page.locator("#queue .queued").first).to_contain_text(CALLBACK_LABELS["contacted"])
        expect(page.locator(QUEUED)).to_have_count(3)
    finally:
        context.close()


def test_a_note_that_is_too_long_is_refused_and_kept(browser: Browser, own_site: Site) -> None:
    entry = next(e for e in own_site.entries if e["follow_up"])
    context = new_context(browser, own_site.url, timezone_id="Europe/Berlin")
    try:
        page = context.new_page()
        sign_in(page)
        page.goto(f"/entries/{entry['id']}")
        # The textarea stops at MAX_NOTE characters; a hand-made request may not: no limit.
        note = page.get_by_label(NOTE)
        note.evaluate("element => element.removeAttribute('maxlength')")
        note.fill("x" * (MAX_NOTE + 100))
        page.get_by_role("button", name="Mark done").click()
        expect(page.get_by_role("alert")).to_contain_text("too long")
        expect(page.locator("#call-back-state")).to_have_text(STATE_LABELS["open"])
        # What was typed is still there to shorten (cut to what fits).
        expect(page.get_by_label(NOTE)).not_to_have_value("")
    finally:
        context.close()
