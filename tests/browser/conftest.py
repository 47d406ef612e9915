"""Fixtures for the browser tests: Debian's Chromium driven by Playwright, and a real collector.

The browser is the system's ``/usr/bin/chromium`` (Playwright never downloads one here). Each
launch gets a fresh, empty profile: Playwright's ``launch`` makes a temporary user-data folder of
its own and removes it at the end, so nothing from a person's Chromium profile leaks in. Each test
gets a new browser context (its own cookies, storage, time zone).

The collector is ``earshot-collector serve`` on loopback (tests/collector_server.py) with a viewer
made by ``add-viewer`` and entries sent through the device API (tests/browser/site.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.browser import site
from tests.browser.site import Site
from tests.collector_server import running_collector
from tests.system import require

# What Chromium needs to run headless in a container, and nothing that talks to Google.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"

# Long enough for a slow shared machine; a wait that ends earlier costs nothing.
TIMEOUT_MS = 20_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = require("chromium", "chromium")
    launched = playwright.chromium.launch(
        executable_path=chromium, args=CHROMIUM_ARGS, headless=True
    )
    yield launched
    launched.close()


def start_site(folder: Path, database: str | None = None) -> Iterator[Site]:
    """A seeded collector (SQLite in ``folder`` unless a ``database`` URL is given)."""
    with running_collector(folder, database=database) as collector:
        collector.add_viewer(site.VIEWER, site.PASSWORD)
        entries = site.seed_entries()
        site.post_entries(collector, entries)
        yield Site(collector, entries)


@pytest.fixture(scope="module")
def shared_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One seeded collector for the tests of a module that only read."""
    yield from start_site(tmp_path_factory.mktemp("collector"))


@pytest.fixture
def own_site(tmp_path: Path) -> Iterator[Site]:
    """A seeded collector of this test's own, for tests that change what it holds."""
    yield from start_site(tmp_path / "collector")


def new_context(browser: Browser, base_url: str, **options: Any) -> BrowserContext:
    context = browser.new_context(
        base_url=base_url,
        accept_downloads=True,
        locale="en-GB",
        viewport={"width": 1280, "height": 900},
        **options,
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


def sign_in(page: Page, name: str = site.VIEWER, password: str = site.PASSWORD) -> None:
    """Fill in and send the sign-in form the way a person does (opening it unless the page
    already shows it, which keeps where the viewer was going)."""
    if urlsplit(page.url).path != site.SIGN_IN_PATH:
        page.goto(site.SIGN_IN_PATH)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def context(browser: Browser, shared_site: Site) -> Iterator[BrowserContext]:
    opened = new_context(browser, shared_site.url, timezone_id="Europe/Berlin")
    yield opened
    opened.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A signed-in page on the shared site, looking at the feed."""
    opened = context.new_page()
    sign_in(opened)
    opened.wait_for_url(lambda url: not url.split("?")[0].endswith(site.SIGN_IN_PATH))
    return opened
