"""The feed: entries newest first, filtered by the form, paged by keyset, and a fragment of
entries newer than the first one shown, which the page's script asks for every few seconds."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from earshot_sync.collector.reading import Cursor
from earshot_sync.collector.web.context import Web
from earshot_sync.collector.web.filters import parse_cursor, parse_filters
from earshot_sync.collector.web.guard import Viewer
from earshot_sync.collector.web.menus import menus
from earshot_sync.collector.web.viewers import viewer_required

PAGE_SIZE = 50
NEWER_LIMIT = 200
# "Newer than nothing": the feed was empty when the page was made.
_BEGINNING = Cursor(created_at=datetime.min.replace(tzinfo=UTC), entry_id="")


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    require = viewer_required(web)
    # The live poll: checks the session without counting as the viewer using the page.
    require_untouched = viewer_required(web, touch=False)

    @routes.get("/", response_class=HTMLResponse)
    def feed(request: Request, viewer: Annotated[Viewer, Depends(require)]) -> HTMLResponse:
        form = parse_filters(request.query_params, viewer.zone)
        cursor, cursor_problem = parse_cursor(request.query_params.get("cursor"))
        page = web.reader.feed(form.feed_filter, after=cursor, limit=PAGE_SIZE) if form.ok else None
        return web.pages.page(
            request,
            "feed.html",
            {
                "viewer": viewer,
                "zone": viewer.zone,
                "nav": "feed",
                "form": form,
                "menus": menus(web.reader.choices(), form),
                "page": page,
                "paged": cursor is not None,
                "notice": cursor_problem,
            },
            status=200 if form.ok else 400,
        )

    @routes.get("/feed/newer", response_class=HTMLResponse)
    def newer(
        request: Request, viewer: Annotated[Viewer, Depends(require_untouched)]
    ) -> HTMLResponse:
        form = parse_filters(request.query_params, viewer.zone)
        than, problem = parse_cursor(request.query_params.get("than"))
        if not form.ok or problem:
            return HTMLResponse("", status_code=400, headers={"Cache-Control": "no-store"})
        found = web.reader.newer(form.feed_filter, than=than or _BEGINNING, limit=NEWER_LIMIT)
        items = sorted(found, key=lambda item: (item.created_at, item.entry_id), reverse=True)
        html = web.pages.text(
            "_entries.html", {"items": items, "zone": viewer.zone, "viewer": viewer}
        )
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    return routes
