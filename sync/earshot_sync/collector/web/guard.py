"""Who may see a page, and whether a form really came from one of our pages.

A viewer is whoever holds a live session cookie; an ``Authorization`` header (a device token)
is never looked at here. A form's POST must carry the CSRF token of the viewer's session AND an
Origin (or, failing that, Referer) naming this host: either alone would do today, both together
survive a browser quirk or a leaked page.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from starlette.requests import Request

SESSION_COOKIE = "earshot_session"
# The token that protects the sign-in form itself (there is no session yet): a random value in
# a cookie that the form must repeat (double submit).
SIGN_IN_COOKIE = "earshot_sign_in"
# Which entry was just marked from a list: shown once by the list, then dropped (a "flash"),
# so the list's address stays the same and a reload does not say it again.
SAVED_COOKIE = "earshot_saved"
# Longest session token we bother to look up; real ones are ~43 characters.
_MAX_TOKEN = 256


class SignInRequired(Exception):
    """No (live) session: the app answers with a redirect to the sign-in page."""

    def __init__(self, next_url: str, *, ended: bool = False) -> None:
        super().__init__("sign in first")
        self.next_url = next_url
        self.ended = ended  # a session cookie came, but its session is over


class Forbidden(Exception):
    """A form that did not come from our page (or an old one): a 403 page says what to do."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Viewer:
    """The signed-in person of a request, with their session's form token and time zone."""

    name: str
    zone: ZoneInfo
    token: str = field(repr=False)  # the session cookie's value
    csrf: str = field(repr=False)  # the session's form token, put into every form


def session_token(request: Request) -> str | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > _MAX_TOKEN:
        return None
    return token


def wanted_url(request: Request) -> str:
    """Where the viewer was headed: the path and query of this request (never another host)."""
    query = request.url.query
    return request.url.path + ("?" + query if query else "")


def sign_in_url(next_url: str, *, ended: bool = False, unsaved: bool = False) -> str:
    query = [] if next_url in ("", "/") else [("next", next_url)]
    if ended:
        query.append(("ended", "1"))
    if unsaved:
        query.append(("unsaved", "1"))
    return "/sign-in" + ("?" + urlencode(query) if query else "")


def page_sent_from(request: Request) -> str:
    """The page of this site a form was sent from (its Referer), else the feed.

    After signing in, a form's own address would be asked for with GET, which it does not
    answer: the viewer goes back to the page that has the form instead."""
    referer = request.headers.get("referer", "")
    try:
        parts = urlsplit(referer)
    except ValueError:
        return "/"
    if parts.netloc.lower() != request.headers.get("host", "").lower():
        return "/"
    return safe_next(parts.path + ("?" + parts.query if parts.query else ""))


def safe_next(candidate: str | None) -> str:
    """A local path to go to after sign-in; anything that could leave this site becomes "/"."""
    if not candidate or len(candidate) > 2000:
        return "/"
    if not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
        return "/"
    if any(ord(character) < 32 or character == "\\" for character in candidate):
        return "/"
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc:
        return "/"
    return candidate


def same_origin(request: Request) -> bool:
    """Does the Origin (or Referer) header name the host this request was sent to?"""
    host = request.headers.get("host", "").lower()
    source = request.headers.get("origin")
    if source is None or source == "null":
        source = request.headers.get("referer")
    if not host or not source:
        return False
    try:
        parts = urlsplit(source)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host


def check_form(request: Request, expected: str, sent: str) -> None:
    """Raise :class:`Forbidden` unless this POST came from one of our pages."""
    if not same_origin(request):
        raise Forbidden(
            "This form was sent from another site, or your browser did not say where it came "
            "from. Open the page on this site again and send the form from there."
        )
    if not expected:
        raise Forbidden(
            "Your browser did not send back the cookie this site set with the form. Allow "
            "cookies for this site, reload the page and try again."
        )
    if not sent or not hmac.compare_digest(expected.encode(), sent.encode()):
        raise Forbidden(
            "This form is out of date (you may have signed in again since you opened it). "
            "Go back, reload the page and try again."
        )
