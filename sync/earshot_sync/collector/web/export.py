"""CSV and JSON Lines of any filtered view, streamed: the reader hands out entries in batches
and each is written as it comes, so a million entries never sit in memory at once."""

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from earshot_sync.collector.columns import SHOWN
from earshot_sync.collector.reading import FeedItem
from earshot_sync.collector.web.context import Web
from earshot_sync.collector.web.filters import parse_filters
from earshot_sync.collector.web.guard import Viewer
from earshot_sync.collector.web.viewers import viewer_required
from earshot_sync.spreadsheet import csv_cell

# The columns in the order downloads have always had them (a spreadsheet may read by position):
# each field the pages show (columns.SHOWN), then the collector's own. A new field goes in by
# hand; tests/test_entry_fields.py names it when it is missing here.
COLUMNS: tuple[str, ...] = (
    "id",
    "created_at",
    "utc_offset_minutes",
    "site",
    "station",
    "staff",
    "anonymous",
    "kind",
    "sentiment",
    "text",
    "idea",
    "tags",
    "contact",
    "follow_up",
    "follow_up_state",
    "device_name",
    "received_at",
)
# Rows per chunk sent to the client: fewer, larger writes than one per row.
_ROWS_PER_CHUNK = 200


def _plain(value: Any) -> Any:
    """A FeedItem's value as JSON has it."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def as_row(item: FeedItem) -> dict[str, Any]:
    return (
        {"id": item.entry_id}
        | {name: _plain(getattr(item, name)) for name in SHOWN}
        | {
            "follow_up_state": item.follow_up_state,
            "device_name": item.device_name,
            "received_at": item.received_at.isoformat(),
        }
    )


def csv_chunks(items: Iterable[FeedItem]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for count, item in enumerate(items, start=1):
        row = as_row(item)
        # csv_cell: a customer's "=HYPERLINK(...)" must stay text in a spreadsheet.
        writer.writerow([csv_cell(row[column]) for column in COLUMNS])
        if count % _ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def jsonl_chunks(items: Iterable[FeedItem]) -> Iterator[str]:
    lines: list[str] = []
    for item in items:
        lines.append(json.dumps(as_row(item), ensure_ascii=False) + "\n")
        if len(lines) == _ROWS_PER_CHUNK:
            yield "".join(lines)
            lines.clear()
    yield "".join(lines)


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    require = viewer_required(web)

    def export(request: Request, viewer: Viewer, suffix: str) -> Response:
        form = parse_filters(request.query_params, viewer.zone)
        if not form.ok:
            return web.pages.page(
                request,
                "message.html",
                {
                    "viewer": viewer,
                    "zone": viewer.zone,
                    "nav": "",
                    "title": "This download could not be made",
                    "message": " ".join(form.problems),
                    "back": form.link("/"),
                },
                status=400,
            )
        today = web.clock().astimezone(viewer.zone).date().isoformat()
        items = web.reader.export(form.feed_filter)
        chunks, media = (
            (csv_chunks(items), "text/csv; charset=utf-8")
            if suffix == "csv"
            else (jsonl_chunks(items), "application/x-ndjson; charset=utf-8")
        )
        return StreamingResponse(
            chunks,
            media_type=media,
            headers={
                "Content-Disposition": f'attachment; filename="earshot-{today}.{suffix}"',
                "Cache-Control": "no-store",
            },
        )

    @routes.get("/export.csv")
    def export_csv(request: Request, viewer: Annotated[Viewer, Depends(require)]) -> Response:
        return export(request, viewer, "csv")

    @routes.get("/export.jsonl")
    def export_jsonl(request: Request, viewer: Annotated[Viewer, Depends(require)]) -> Response:
        return export(request, viewer, "jsonl")

    return routes
