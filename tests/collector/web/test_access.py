"""Who may reach what, over HTTP, on the real collector: a signed-out browser sees only the
sign-in page, a device token opens no page, a viewer's session posts no entries, forms from
elsewhere are refused, the session cookie and the headers are strict, sessions expire.

The routes are read from ``create_app(...).routes`` itself, so a page added later is checked
without anyone remembering to list it here: anything that is not the device API or one of the
few public routes below is a viewer's page (GET) or a viewer's form (POST), and must refuse a
signed-out browser, a device token, a forged form and an expired session. The tests further
down (``shared``) check the answers in detail on a hand-picked list of addresses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount, Route

from earshot_sync.collector.app import create_app
from earshot_sync.collector.limits import Limits
from earshot_sync.collector.reading import Reader
from earshot_sync.collector.store import Store
from earshot_sync.protocol import ENTRIES_PATH, INFO_PATH, OPENAPI_PATH
from tests.browser import site
from tests.collector.web.conftest import Site
from tests.collector.web.html import entry_ids, text
from tests.collector.web.inprocess import Clock, add_viewer, serve_in_process
from tests.collector_server import Collector, running_collector

DEVICE_API = {("POST", ENTRIES_PATH), ("GET", INFO_PATH)}
# Routes anyone may reach: they hold no entry and change nothing a viewer owns.
PUBLIC = {
    ("GET", OPENAPI_PATH),
    ("GET", site.SIGN_IN_PATH),
    ("POST", site.SIGN_IN_PATH),
    ("MOUNT", "/static"),  # the pages' own CSS, script and icon
}
SESSION_COOKIE = "earshot_session"
TIMEOUT = 30


def app_routes(folder: Path) -> list[tuple[str, str]]:
    """(method, path template) of every route of the real app; mounts as ("MOUNT", path)."""
    store = Store.open(f"sqlite:///{folder / 'routes.sqlite3'}")
    try:
        app = create_app(store, Limits(max_entries=10, max_bytes=10_000))
    finally:
        store.close()
    found: list[tuple[str, str]] = []
    # iter_route_contexts also walks the routers included into the app (FastAPI >= 0.160
    # keeps them as one entry of app.routes each).
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            found.append(("MOUNT", route.path))
        elif context.path is not None and isinstance(route, Route | APIRoute):
            methods = sorted((context.methods or {"GET"}) - {"HEAD"})
            found += [(method, context.path) for method in methods]
        else:
            raise AssertionError(f"a route of a kind this test does not know: {route!r}")
    return found


@pytest.fixture(scope="module")
def routes(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str]]:
    return app_routes(tmp_path_factory.mktemp("routes"))


@pytest.fixture(scope="module")
def pages(routes: list[tuple[str, str]]) -> list[str]:
    found = [path for method, path in routes if method == "GET" and (method, path) not in PUBLIC]
    return [path for path in found if ("GET", path) not in DEVICE_API]


@pytest.fixture(scope="module")
def forms(routes: list[tuple[str, str]]) -> list[str]:
    found = [path for method, path in routes if method == "POST" and (method, path) not in PUBLIC]
    return [path for path in found if ("POST", path) not in DEVICE_API]


class Served:
    """A seeded collector on loopback with one viewer."""

    def __init__(self, collector: Collector, entries: list[dict[str, Any]]) -> None:
        self.collector = collector
        self.entries = entries
        self.url = collector.url

    @property
    def follow_up_entry(self) -> dict[str, Any]:
        return next(entry for entry in self.entries if entry["follow_up"])

    def concrete(self, template: str) -> str:
        """A path template with its parameters filled in with real values."""

        def value(match: re.Match[str]) -> str:
            name = match.group(1).split(":")[0]
            if name in ("entry_id", "id"):
                return str(self.follow_up_entry["id"])
            raise AssertionError(f"test_access does not know a value for {{{name}}} in {template}")

        return re.sub(r"\{([^}]+)\}", value, template)

    def state(self) -> tuple[str | None, int]:
        """The follow-up entry's state and how many changes its history holds."""
        store = Store.open(self.collector.database)
        try:
            detail = Reader(store).entry(self.follow_up_entry["id"])
        finally:
            store.close()
        assert detail is not None
        return detail.item.follow_up_state, len(detail.events)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with running_collector(tmp_path_factory.mktemp("collector")) as collector:
        collector.add_viewer(site.VIEWER, site.PASSWORD)
        entries = site.seed_entries()
        site.post_entries(collector, entries)
        yield Served(collector, entries)


def _no_entry_in(served: Served, body: str, asked: str = "") -> None:
    """Nothing of any entry in ``body`` (an id is allowed only where the request ``asked``
    for it, e.g. in a link back to the same address)."""
    for entry in served.entries:
        if entry["id"] not in asked:
            assert entry["id"] not in body
        assert entry["text"][:30] not in body
        assert entry["contact"] is None or entry["contact"] not in body


def _goes_to_sign_in(answer: requests.Response) -> None:
    assert answer.status_code in (302, 303, 307), answer.status_code
    assert answer.headers["location"].split("?")[0].endswith(site.SIGN_IN_PATH)


# The route list itself.


def test_every_route_is_known_as_device_api_public_page_or_form(
    routes: list[tuple[str, str]], pages: list[str], forms: list[str]
) -> None:
    methods = {method for method, _ in routes}
    assert methods <= {"GET", "POST", "MOUNT"}, f"a method nobody checks here: {methods}"
    mounts = {route for route in routes if route[0] == "MOUNT"}
    assert mounts <= PUBLIC, f"a mounted app nobody checks here: {mounts}"
    assert set(routes) >= DEVICE_API
    # The public list names routes that exist (a renamed sign-in page must not stay public).
    assert ("GET", site.SIGN_IN_PATH) in routes
    assert ("POST", site.SIGN_IN_PATH) in routes
    # The pages the issue asks for are there, so the checks below really cover them.
    assert {"/", "/trends", "/follow-up"} <= set(pages), pages
    assert any("csv" in path for path in pages)
    assert any("jsonl" in path for path in pages)
    assert any("{" in path for path in pages), "no page for one entry"
    assert forms, "no viewer form (follow-up, sign-out) found"


# Signed out.


def test_signed_out_every_page_and_export_redirects_to_sign_in(
    served: Served, pages: list[str]
) -> None:
    for template in pages:
        answer = requests.get(
            served.url + served.concrete(template), allow_redirects=False, timeout=TIMEOUT
        )
        _goes_to_sign_in(answer)
        _no_entry_in(served, answer.text)
        # Followed from another site (a link in mail): a page that asks again, still no data.
        answer = requests.get(
            served.url + served.concrete(template),
            headers={"Sec-Fetch-Site": "cross-site"},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert answer.status_code in (200, 303), answer.status_code
        _no_entry_in(served, answer.text, asked=served.concrete(template))


def test_signed_out_forms_change_nothing(served: Served, forms: list[str]) -> None:
    before = served.state()
    for template in forms:
        answer = requests.post(
            served.url + served.concrete(template),
            data={"state": "resolved", "note": "signed out"},
            headers={"Origin": served.url},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert answer.status_code in (302, 303, 401, 403), (template, answer.status_code)
    assert served.state() == before


# A device token.


def test_device_token_reaches_no_page_export_or_form(
    served: Served, pages: list[str], forms: list[str]
) -> None:
    device = served.collector.headers
    for template in pages:
        answer = requests.get(
            served.url + served.concrete(template),
            headers=device,
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        _goes_to_sign_in(answer)
        _no_entry_in(served, answer.text)
        # The token where a session cookie goes is no session either.
        answer = requests.get(
            served.url + served.concrete(template),
            cookies={SESSION_COOKIE: served.collector.token},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        _goes_to_sign_in(answer)
    before = served.state()
    for template in forms:
        answer = requests.post(
            served.url + served.concrete(template),
            data={"state": "resolved", "note": "a device"},
            headers={**device, "Origin": served.url},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert answer.status_code in (302, 303, 401, 403), (template, answer.status_code)
    assert served.state() == before


# A viewer.


def test_viewer_reaches_every_page(served: Served, pages: list[str]) -> None:
    # The other side of the refusals above: the same requests with a session do get through.
    session = site.signed_in(served.collector)
    for template in pages:
        answer = session.get(
            served.url + served.concrete(template), allow_redirects=False, timeout=TIMEOUT
        )
        assert answer.status_code == 200, (template, answer.status_code)


def test_viewer_cannot_post_entries_or_read_the_device_api(served: Served) -> None:
    session = site.signed_in(served.collector)
    token = session.cookies.get(SESSION_COOKIE)
    assert token
    new = site.entry(text="Posted by a viewer, which must not work.")
    for headers in ({}, {"Authorization": f"Bearer {token}"}):
        answer = session.post(
            served.url + ENTRIES_PATH,
            json={"sent_at": datetime.now(UTC).isoformat(), "entries": [new]},
            headers={**headers, "Origin": served.url},
        )
        assert answer.status_code == 401
        assert session.get(served.url + INFO_PATH, headers=headers).status_code == 401
    stored = {entry["id"] for entry in served.collector.entries()}
    assert new["id"] not in stored


# Forms from elsewhere.


def _follow_up_form(served: Served, forms: list[str]) -> str:
    candidates = [path for path in forms if "follow" in path and "{" in path]
    assert candidates, forms
    return served.url + served.concrete(candidates[0])


def test_a_form_without_its_token_or_from_another_site_is_refused(
    served: Served, forms: list[str]
) -> None:
    session = site.signed_in(served.collector)
    page = session.get(served.url + served.concrete("/entries/{entry_id}"))
    token = site.hidden_value(page.text)
    target = _follow_up_form(served, forms)
    before = served.state()
    attempts: list[tuple[dict[str, str], dict[str, str]]] = [
        ({"Origin": served.url}, {}),  # no token
        ({"Origin": served.url}, {"csrf": "0" * 64}),  # a wrong token
        ({"Origin": "http://evil.example"}, {"csrf": token}),  # another site
        ({"Referer": "http://evil.example/page"}, {"csrf": token}),
        ({}, {"csrf": token}),  # no Origin, no Referer
    ]
    for headers, extra in attempts:
        answer = session.post(
            target,
            data={"state": "contacted", "note": "forged", **extra},
            headers=headers,
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert answer.status_code == 403, (headers, answer.status_code)
        assert "forged" not in answer.text
    assert served.state() == before
    # Every viewer form refuses a POST without its token, not only the follow-up one.
    for template in forms:
        answer = session.post(
            served.url + served.concrete(template),
            data={"state": "contacted", "note": "forged"},
            headers={"Origin": served.url},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert answer.status_code == 403, (template, answer.status_code)
    assert served.state() == before
    # The same form, sent properly, works: the refusals above were about the forgery.
    answer = session.post(
        target,
        data={"state": "contacted", "note": "called", "csrf": token},
        headers={"Origin": served.url},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert answer.status_code in (200, 302, 303), answer.status_code
    assert served.state() == ("contacted", before[1] + 1)


# The session cookie.


def test_a_form_token_of_another_session_is_refused(served: Served, forms: list[str]) -> None:
    first = site.signed_in(served.collector)
    second = site.signed_in(served.collector)
    page = first.get(served.url + served.concrete("/entries/{entry_id}"), timeout=TIMEOUT)
    before = served.state()
    answer = second.post(
        _follow_up_form(served, forms),
        data={"state": "resolved", "note": "borrowed", "csrf": site.hidden_value(page.text)},
        headers={"Origin": served.url},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert answer.status_code == 403
    assert served.state() == before


def test_sign_in_form_from_another_site_or_without_its_token_is_refused(served: Served) -> None:
    for headers, with_token in (
        ({"Origin": "http://evil.example"}, True),
        ({"Origin": served.url}, False),
    ):
        session = requests.Session()
        form = session.get(served.url + site.SIGN_IN_PATH, timeout=TIMEOUT)
        data = {"name": site.VIEWER, "password": site.PASSWORD}
        if with_token:
            data[site.SIGN_IN_TOKEN_FIELD] = site.hidden_value(form.text, site.SIGN_IN_TOKEN_FIELD)
        answer = session.post(
            served.url + site.SIGN_IN_PATH,
            data=data,
            headers=headers,
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert answer.status_code == 403, headers
        assert SESSION_COOKIE not in session.cookies
        if with_token:
            assert "another site" in text(answer.text)


# Expiry, driven through the app's clock: the real app served over loopback in this process.


def test_sessions_end_after_an_idle_hour_and_after_twelve_hours(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    add_viewer(url)
    clock = Clock(datetime(2026, 11, 20, 8, 0, tzinfo=UTC))
    store = Store.open(url)
    try:
        app = create_app(store, Limits(max_entries=10, max_bytes=100_000), clock)
        with serve_in_process(app) as base:

            def feed(session: requests.Session) -> requests.Response:
                return session.get(base + "/", allow_redirects=False, timeout=TIMEOUT)

            session = site.signed_in(base)
            assert feed(session).status_code == 200
            # Quiet for just under an hour, twice: each visit keeps the session alive.
            for _ in range(2):
                clock.now += timedelta(minutes=59)
                assert feed(session).status_code == 200
            clock.now += timedelta(minutes=61)
            _goes_to_sign_in(feed(session))

            # Signed in again and busy all day: the session still ends after twelve hours.
            session = site.signed_in(base)
            started = clock.now
            while clock.now < started + timedelta(hours=12) - timedelta(minutes=30):
                assert feed(session).status_code == 200
                clock.now += timedelta(minutes=30)
            clock.now = started + timedelta(hours=12, minutes=1)
            _goes_to_sign_in(feed(session))
            # An expired session's form is not accepted either.
            answer = session.post(
                base + "/sign-out",
                data={"csrf": "x"},
                headers={"Origin": base},
                allow_redirects=False,
                timeout=TIMEOUT,
            )
            _goes_to_sign_in(answer)
    finally:
        store.close()


# The answers in detail, on one seeded collector (tests/collector/web/conftest.py).

PAGES = [
    "/",
    "/?kind=praise&q=coffee",
    "/trends",
    "/follow-up",
    "/entries/00000000-0000-4000-8000-000000000000",
    "/export.csv",
    "/export.jsonl",
    "/feed/newer",
    "/digest",
    "/digest.pdf?month=2026-11",
    "/digest.css",
]


@pytest.mark.parametrize("path", PAGES)
def test_signed_out_browser_is_sent_to_sign_in(shared: Site, path: str) -> None:
    answer = requests.get(shared.url + path, allow_redirects=False, timeout=30)
    assert answer.status_code == 303
    target = urlsplit(answer.headers["Location"])
    assert target.path == "/sign-in"
    wanted = parse_qs(target.query).get("next", ["/"])[0]
    # Back to where the viewer was headed (a fragment of the feed sends them to the feed).
    assert wanted == ("/" if path == "/feed/newer" else path)
    assert "ended" not in parse_qs(target.query)  # no session was there to end
    assert answer.content == b""


def test_device_token_still_sends(shared: Site) -> None:
    answer = requests.get(shared.url + INFO_PATH, headers=shared.collector.headers, timeout=30)
    assert answer.status_code == 200


def test_sign_in_page_and_static_files_are_open(shared: Site) -> None:
    page = requests.get(shared.url + "/sign-in", timeout=30)
    assert page.status_code == 200
    assert "Sign in" in text(page.text)
    for path in ("/static/earshot.css", "/static/earshot.js"):
        assert requests.get(shared.url + path, timeout=30).status_code == 200


def test_no_interactive_api_pages(shared: Site) -> None:
    for path in ("/docs", "/redoc"):
        assert requests.get(shared.url + path, timeout=30).status_code == 404


def test_session_cookie_is_strict(shared: Site) -> None:
    session = requests.Session()
    form = session.get(shared.url + "/sign-in", timeout=30)
    answer = session.post(
        shared.url + "/sign-in",
        data={
            "name": site.VIEWER,
            "password": site.PASSWORD,
            "form_token": site.hidden_value(form.text, "form_token"),
            "next": "/trends?kind=praise",
        },
        headers={"Origin": shared.url},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/trends?kind=praise"
    cookie = next(
        value
        for name, value in answer.raw.headers.items()
        if name.lower() == "set-cookie" and value.startswith("earshot_session=")
    )
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes
    assert "samesite=strict" in attributes
    assert "path=/" in attributes
    assert "secure" not in attributes  # plain http on loopback; https would add it


@pytest.mark.parametrize(
    "wanted",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", ""],
)
def test_sign_in_never_leaves_the_site(shared: Site, wanted: str) -> None:
    session = requests.Session()
    form = session.get(shared.url + "/sign-in", params={"next": wanted}, timeout=30)
    answer = session.post(
        shared.url + "/sign-in",
        data={
            "name": site.VIEWER,
            "password": site.PASSWORD,
            "form_token": site.hidden_value(form.text, "form_token"),
            "next": wanted,
        },
        headers={"Origin": shared.url},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/"


def test_wrong_password_is_refused_with_a_message(shared: Site) -> None:
    session = requests.Session()
    form = session.get(shared.url + "/sign-in", timeout=30)
    answer = session.post(
        shared.url + "/sign-in",
        data={
            "name": site.VIEWER,
            "password": "not-the-password",
            "form_token": site.hidden_value(form.text, "form_token"),
        },
        headers={"Origin": shared.url},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 401
    assert "do not match" in text(answer.text)
    assert "not-the-password" not in answer.text
    assert "earshot_session" not in session.cookies
    assert session.get(shared.url + "/", allow_redirects=False, timeout=30).status_code == 303


def test_sign_out_ends_the_session(shared: Site) -> None:
    viewer = shared.viewer()
    stolen = viewer.cookies.get("earshot_session")
    page = viewer.get(shared.url + "/", timeout=30)
    refused = shared.post(viewer, "/sign-out", {"csrf": "guess"})
    assert refused.status_code == 403
    assert viewer.get(shared.url + "/", allow_redirects=False, timeout=30).status_code == 200
    answer = shared.post(viewer, "/sign-out", {"csrf": site.hidden_value(page.text)})
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/sign-in"
    # The old cookie is dead on the server, not only forgotten by this browser.
    replay = requests.get(
        shared.url + "/", cookies={"earshot_session": stolen}, allow_redirects=False, timeout=30
    )
    assert replay.status_code == 303
    # A browser that still holds an ended session is told why it must sign in again.
    assert replay.headers["Location"] == "/sign-in?ended=1"
    assert "earshot_session=" in replay.headers["Set-Cookie"]  # the dead cookie is dropped
    notice = requests.get(shared.url + replay.headers["Location"], timeout=30)
    assert "You were signed out" in text(notice.text)


def test_made_up_session_cookie_is_not_a_session(shared: Site) -> None:
    for value in ("x", "a" * 5000, "\u00e9t\u00e9"):
        answer = requests.get(
            shared.url + "/",
            headers={"Cookie": f"earshot_session={value}"},
            allow_redirects=False,
            timeout=30,
        )
        assert answer.status_code == 303


def test_security_headers(shared: Site, viewer: requests.Session) -> None:
    for answer in (
        viewer.get(shared.url + "/", timeout=30),
        requests.get(shared.url + "/sign-in", timeout=30),
    ):
        policy = answer.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "same-origin"
        assert answer.headers["Cache-Control"] == "no-store"
        # No inline script anywhere: every <script> loads a file of this site.
        assert "<script>" not in answer.text
        assert 'src="/static/earshot.js' in answer.text


def test_hsts_only_over_https(shared: Site) -> None:
    # Over plain http the header would mean nothing (and a browser ignores it there).
    plain = requests.get(shared.url + "/sign-in", timeout=30)
    assert "Strict-Transport-Security" not in plain.headers
    # Behind a TLS proxy on this host (uvicorn trusts X-Forwarded-Proto from loopback).
    for path in ("/sign-in", "/", "/static/earshot.js"):
        https = requests.get(
            shared.url + path,
            headers={"X-Forwarded-Proto": "https"},
            allow_redirects=False,
            timeout=30,
        )
        assert https.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_link_from_another_site_asks_again_from_this_one(shared: Site) -> None:
    # SameSite=Strict keeps the cookie off a link clicked in mail or chat; the page asks the
    # browser to come again from this site (which sends it) instead of demanding a new sign-in.
    answer = requests.get(
        shared.url + "/?kind=praise",
        headers={"Sec-Fetch-Site": "cross-site"},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 200
    assert '<meta http-equiv="refresh" content="0; url=/?kind=praise">' in answer.text
    assert entry_ids(answer.text) == []
    # Coming again from this site without a session: the sign-in page, as always.
    again = requests.get(
        shared.url + "/?kind=praise",
        headers={"Sec-Fetch-Site": "same-origin"},
        allow_redirects=False,
        timeout=30,
    )
    assert again.status_code == 303


def test_session_cookie_is_secure_over_https(shared: Site) -> None:
    # Behind a TLS proxy on this host (uvicorn trusts X-Forwarded-Proto from loopback), the
    # page came over https, so the cookie must never travel over plain http.
    https = {"X-Forwarded-Proto": "https"}
    form = requests.get(shared.url + "/sign-in", headers=https, timeout=30)
    form_cookie = form.raw.headers["set-cookie"]
    assert "secure" in [part.strip().lower() for part in form_cookie.split(";")]
    token = site.hidden_value(form.text, "form_token")
    answer = requests.post(
        shared.url + "/sign-in",
        data={"name": site.VIEWER, "password": site.PASSWORD, "form_token": token},
        headers={
            **https,
            "Origin": shared.url.replace("http://", "https://"),
            # A Secure cookie is not sent over this plain loopback hop by requests: by hand.
            "Cookie": form_cookie.split(";", 1)[0],
        },
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 303
    cookies = [value for name, value in answer.raw.headers.items() if name.lower() == "set-cookie"]
    session_cookie = next(value for value in cookies if value.startswith("earshot_session="))
    assert "secure" in [part.strip().lower() for part in session_cookie.split(";")]


def test_too_many_wrong_passwords_are_told_plainly(shared: Site) -> None:
    shared.collector.add_viewer("Eve", "a-long-enough-password-1")
    session = requests.Session()
    for password in ["wrong-1"] * 6 + ["a-long-enough-password-1"]:
        form = session.get(shared.url + "/sign-in", timeout=30)
        answer = session.post(
            shared.url + "/sign-in",
            data={
                "name": "Eve",
                "password": password,
                "form_token": site.hidden_value(form.text, "form_token"),
            },
            headers={"Origin": shared.url},
            allow_redirects=False,
            timeout=30,
        )
    # Even the right password waits (from this computer), and the page says until when.
    # The same for names nobody has: tests/collector/web/test_sign_in_limits.py.
    assert answer.status_code == 429
    assert "too many wrong passwords for this name from this computer" in text(answer.text)
    assert "Wait until" in text(answer.text)
    assert "earshot_session" not in session.cookies


def test_sign_in_without_cookies_says_so(shared: Site) -> None:
    form = requests.get(shared.url + "/sign-in", timeout=30)
    answer = requests.post(  # a browser that refused the form's cookie
        shared.url + "/sign-in",
        data={
            "name": site.VIEWER,
            "password": site.PASSWORD,
            "form_token": site.hidden_value(form.text, "form_token"),
        },
        headers={"Origin": shared.url},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 403
    assert "Allow cookies for this site" in text(answer.text)


@pytest.mark.parametrize(
    ("name", "password"),
    [("Da\x00na", site.PASSWORD), (site.VIEWER, "pass\x00word"), ("n" * 5000, "x" * 5000)],
)
def test_odd_sign_in_values_are_a_wrong_password(own: Site, name: str, password: str) -> None:
    session = requests.Session()
    form = session.get(own.url + "/sign-in", timeout=30)
    answer = session.post(
        own.url + "/sign-in",
        data={
            "name": name,
            "password": password,
            "form_token": site.hidden_value(form.text, "form_token"),
        },
        headers={"Origin": own.url},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 401
    assert "do not match" in text(answer.text)
