"""The viewer's time zone: a ``tz`` cookie the page's script sets, UTC until it does.

The zone decides which instants a date filter ("from 3 March") covers and how times are shown
without script. A cookie is text anyone can send, so it is checked against the tz database; an
unknown or odd name means UTC, never an error.
"""

from __future__ import annotations

import re
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request

TZ_COOKIE = "tz"
UTC_ZONE = ZoneInfo("UTC")
# IANA names are letters, digits and _ + - / (e.g. America/Argentina/Buenos_Aires, Etc/GMT+5).
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+){0,3}")


def parse_zone(name: str | None) -> ZoneInfo:
    if not name or len(name) > 64 or not _NAME.fullmatch(name):
        return UTC_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # OSError: a name that is a folder of the tz database ("America") on some Pythons.
        return UTC_ZONE


def viewer_zone(request: Request) -> ZoneInfo:
    # The page's script writes the cookie with encodeURIComponent ("Asia%2FTokyo"); the cookie
    # parser hands it over as written.
    return parse_zone(unquote(request.cookies.get(TZ_COOKIE) or ""))
