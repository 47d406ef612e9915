"""The monthly huddle digest in a real Chromium: choose a month and a site, see the digest in the
site's frame with its own style sheet (nothing refused by the Content-Security-Policy), download
the PDF, and a screenshot into test-output/screenshots/digest.png."""

from __future__ import annotations

import re

from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.conftest import SCREENSHOTS, Site

SHEET = "#digest"


def test_choose_a_month_and_a_site_and_print_it(page: Page, shared_site: Site) -> None:
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", on_console)
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((shared_site.url, "data:"))
            else outside.append(request.url)
        ),
    )

    page.goto("/digest?month=2026-11")
    expect(page.locator("#nav-digest")).to_have_attribute("aria-current", "page")
    # Three sites: the first is shown, and the page says so.
    expect(page.locator("#digest-notice")).to_contain_text("Berlin Mitte, the first of 3 sites")
    sheet = page.locator(SHEET)
    expect(sheet.locator(".where")).to_have_text("Berlin Mitte · November 2026")
    expect(sheet).to_contain_text("Waited twenty minutes for a refund")

    # The digest's style sheet applies inside the digest, and only there.
    heading_colour = sheet.locator("h1").evaluate("e => getComputedStyle(e).color")
    assert heading_colour == "rgb(31, 78, 121)"
    frame_heading = page.locator("h1.digest-title").evaluate("e => getComputedStyle(e).color")
    assert frame_heading != heading_colour
    paper = sheet.locator("article.page")
    box = paper.bounding_box()
    assert box is not None
    assert 780 < box["width"] < 810  # 210 mm on screen
    assert page.locator("header.top").evaluate("e => getComputedStyle(e).borderBottomWidth") != (
        "3px"
    )

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "digest.png"), full_page=True)
    assert (SCREENSHOTS / "digest.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # Another site, through the form.
    page.get_by_label("Site").select_option("Hamburg Hafen")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/digest\?month=2026-11&site=Hamburg\+Hafen$"))
    expect(sheet.locator(".where")).to_have_text("Hamburg Hafen · November 2026")
    expect(page.locator("#digest-notice")).to_have_count(0)

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Print this digest")).click()
    assert download.value.suggested_filename == "earshot-digest-2026-11-hamburg-hafen.pdf"
    assert download.value.path().read_bytes()[:5] == b"%PDF-"

    # Nothing refused by the policy (an inline style would be), nothing fetched from outside.
    assert problems == []
    assert outside == []

    # A typed month that is not one: a message, and the form to put it right.
    page.goto("/digest?month=2026-13")
    expect(page.get_by_role("alert")).to_contain_text("months go from 01 to 12")
    expect(page.locator(SHEET)).to_have_count(0)
    expect(page.get_by_label("Month")).to_be_visible()
