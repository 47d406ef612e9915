"""The call-back queue: customers who asked to be called back and are not done yet, oldest
first, so the one who has waited longest is at the top."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from earshot_sync.collector.web.context import Web
from earshot_sync.collector.web.filters import parse_cursor, parse_filters
from earshot_sync.collector.web.guard import Viewer, wanted_url
from earshot_sync.collector.web.menus import menus
from earshot_sync.collector.web.viewers import viewer_required

PAGE_SIZE = 50


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    require = viewer_required(web)

    @routes.get("/follow-up", response_class=HTMLResponse)
    def queue(request: Request, viewer: Annotated[Viewer, Depends(require)]) -> HTMLResponse:
        form = parse_filters(request.query_params, viewer.zone)
        cursor, cursor_problem = parse_cursor(request.query_params.get("cursor"))
        page = (
            web.reader.follow_up_queue(form.feed_filter, after=cursor, limit=PAGE_SIZE)
            if form.ok
            else None
        )
        return web.pages.page(
            request,
            "follow_up.html",
            {
                "viewer": viewer,
                "zone": viewer.zone,
                "nav": "follow-up",
                "form": form,
                "menus": menus(web.reader.choices(), form),
                "page": page,
                "paged": cursor is not None,
                "notice": cursor_problem,
                "here": wanted_url(request),
            },
            status=200 if form.ok else 400,
        )

    return routes
