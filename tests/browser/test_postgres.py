"""The same pages on a PostgreSQL store (its own search and paging code): filter, search,
export and a call-back, in one pass through a real Chromium."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from earshot_sync.collector.web.render import STATE_LABELS
from tests.browser.conftest import Site, new_context, sign_in, start_site
from tests.browser.test_reading import ENTRY, download, shown_texts
from tests.collector_server import start_postgres


@pytest.fixture(scope="module")
def pg_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    server = start_postgres()
    try:
        yield from start_site(tmp_path_factory.mktemp("pg"), server.create_database())
    finally:
        server.stop()


def test_filter_search_export_and_call_back_on_postgresql(browser: Browser, pg_site: Site) -> None:
    context = new_context(browser, pg_site.url, timezone_id="Europe/Berlin")
    try:
        page = context.new_page()
        sign_in(page)
        expect(page.locator(ENTRY)).to_have_count(len(pg_site.entries))

        page.get_by_label("Kind").select_option("complaint")
        page.get_by_label("Site").select_option("Hamburg Hafen")
        page.get_by_role("button", name="Show").click()
        expect(page.locator(ENTRY)).to_have_count(2)

        for words, expected in (("oat milk", "Could the shop"), ("giftcard", "Asked whether")):
            page.goto("/")
            search = page.get_by_label("Search words")
            search.fill(words)
            search.press("Enter")
            expect(page.locator(ENTRY)).to_have_count(1)
            assert shown_texts(page)[0].startswith(expected)

        page.goto("/?site=Berlin+Mitte")
        rows = list(csv.DictReader(io.StringIO(download(page, "#export-csv"))))
        wanted = {e["id"] for e in pg_site.entries if e["site"] == "Berlin Mitte"}
        assert {row["id"] for row in rows} == wanted

        page.goto("/follow-up")
        queued = page.locator("#queue article.entry")
        expect(queued).to_have_count(3)
        queued.first.get_by_role("link", name="Open this entry").click()
        page.get_by_label("Note (what was said or done)").fill("Sorted on the phone.")
        page.get_by_role("button", name="Mark done").click()
        expect(page.locator("#call-back-state")).to_have_text(STATE_LABELS["resolved"])
        expect(page.locator("#history li")).to_contain_text(["Sorted on the phone."])
        page.goto("/follow-up")
        expect(queued).to_have_count(2)
    finally:
        context.close()
