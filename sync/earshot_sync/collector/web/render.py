"""HTML from Jinja2 templates, with every value escaped (entry text is written by strangers)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from earshot_sync.collector.follow_ups import MAX_NOTE
from earshot_sync.collector.reading import Cursor, FeedItem
from earshot_sync.collector.version import __version__
from earshot_sync.protocol import KINDS, SENTIMENTS

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

KIND_LABELS = {
    "praise": "Praise",
    "complaint": "Complaint",
    "suggestion": "Suggestion",
    "question": "Question",
    "other": "Other",
}
# The words of docs/vocabulary.md: "mood", "call-back", "contacted", "done".
SENTIMENT_LABELS = {"positive": "Positive", "neutral": "Neutral", "negative": "Negative"}
MOOD_LABELS = {**SENTIMENT_LABELS, "none": "No mood"}
STATE_LABELS = {
    "open": "Waiting for a call-back",
    "contacted": "Contacted",
    "resolved": "Done",
}
# A call-back's state as a badge in a list.
CALLBACK_LABELS = {
    "open": "Needs a call-back",
    "contacted": "Call-back: contacted",
    "resolved": "Call-back: done",
}
# In the feed a long entry is cut here; the entry's own page shows all of it.
FEED_TEXT_LIMIT = 600


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    """How a time reads without script: "Mon 3 Mar 2026, 14:05 CET" in the viewer's zone."""
    shown = moment.astimezone(zone)
    return f"{shown:%a} {shown.day} {shown:%b %Y, %H:%M} {shown.tzname() or zone.key}"


def local_date(moment: datetime, zone: ZoneInfo) -> str:
    shown = moment.astimezone(zone)
    return f"{shown.day} {shown:%b %Y}"


def shorten(text: str, limit: int = FEED_TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def cursor_of(item: FeedItem) -> str:
    """The keyset position of an item, for the live update to ask for what is newer."""
    return str(Cursor(item.created_at, item.entry_id))


def who(staff: str | None, anonymous: bool) -> str:
    if anonymous:
        return "Anonymous"
    return staff if staff else "no name given"


class Pages:
    def __init__(self, templates: Path = TEMPLATES) -> None:
        self._environment = Environment(
            loader=FileSystemLoader(templates),
            autoescape=True,
            auto_reload=False,  # the templates do not change while the collector runs
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._environment.globals.update(
            version=__version__,
            kind_labels=KIND_LABELS,
            mood_labels=MOOD_LABELS,
            sentiment_labels=SENTIMENT_LABELS,
            state_labels=STATE_LABELS,
            callback_labels=CALLBACK_LABELS,
            kinds=KINDS,
            sentiments=(*SENTIMENTS, "none"),
            max_note=MAX_NOTE,  # FollowUps.mark's own limit: the textarea stops where it does
        )
        self._environment.filters.update(
            local_time=local_time, local_date=local_date, shorten=shorten
        )
        self._environment.globals["who"] = who
        self._environment.globals["cursor_of"] = cursor_of

    def text(self, template: str, values: Mapping[str, Any]) -> str:
        return self._environment.get_template(template).render(values)

    def page(
        self,
        request: Request,
        template: str,
        values: Mapping[str, Any],
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> HTMLResponse:
        context = {"request_path": request.url.path, "viewer": None, "zone": None, **values}
        return HTMLResponse(
            self.text(template, context),
            status_code=status,
            headers={"Cache-Control": "no-store", **(headers or {})},
        )
