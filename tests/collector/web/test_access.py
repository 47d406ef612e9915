"""Who may see what: a signed-out browser sees only the sign-in page, a device token opens no
page, a viewer's session posts no entries; the session cookie and the headers are strict."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from earshot_sync.protocol import ENTRIES_PATH, INFO_PATH
from tests.browser import site
from tests.collector.web.conftest import Site
from tests.collector.web.html import entry_ids, text

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


@pytest.mark.parametrize("path", PAGES)
def test_device_token_opens_no_page(shared: Site, path: str) -> None:
    answer = requests.get(
        shared.url + path, headers=shared.collector.headers, allow_redirects=False, timeout=30
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/sign-in")


def test_device_token_still_sends(shared: Site) -> None:
    answer = requests.get(shared.url + INFO_PATH, headers=shared.collector.headers, timeout=30)
    assert answer.status_code == 200


def test_viewer_session_cannot_post_entries_or_read_info(shared: Site) -> None:
    viewer = shared.viewer()
    posted = viewer.post(
        shared.url + ENTRIES_PATH,
        json={"sent_at": site.NOW.isoformat(), "entries": [site.entry()]},
        headers={"Origin": shared.url},
        timeout=30,
    )
    assert posted.status_code == 401
    assert viewer.get(shared.url + INFO_PATH, timeout=30).status_code == 401
    assert len(shared.collector.entries()) == len(shared.entries)


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


def test_sign_in_form_from_another_site_is_refused(shared: Site) -> None:
    session = requests.Session()
    form = session.get(shared.url + "/sign-in", timeout=30)
    answer = session.post(
        shared.url + "/sign-in",
        data={
            "name": site.VIEWER,
            "password": site.PASSWORD,
            "form_token": site.hidden_value(form.text, "form_token"),
        },
        headers={"Origin": "http://evil.example"},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 403
    assert "another site" in text(answer.text)
    assert "earshot_session" not in session.cookies


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
