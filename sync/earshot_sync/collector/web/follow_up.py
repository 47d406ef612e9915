"""The call-back queue: customers who asked to be called back and are not done yet, oldest
first, so the one who has waited longest is at the top."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from earshot_sync.collector.web.context import Web
from earshot_sync.collector.web.entry import MAX_ID
from earshot_sync.collector.web.filters import parse_cursor, parse_filters
from earshot_sync.collector.web.guard import SAVED_COOKIE, Viewer, wanted_url
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
        saved_id = request.cookies.get(SAVED_COOKIE, "")
        saved = web.reader.entry(saved_id) if 0 < len(saved_id) <= MAX_ID else None
        answer = web.pages.page(
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
                "saved": saved.item if saved is not None else None,
                "here": wanted_url(request),  # where a mark comes back to
            },
            status=200 if form.ok else 400,
        )
        if saved_id:
            answer.delete_cookie(SAVED_COOKIE, path="/", httponly=True, samesite="strict")
        return answer

    return routes
