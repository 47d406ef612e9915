"""One entry with its call-back history, and the form that marks a call-back contacted or done.

The same POST serves the follow-up queue; ``back`` says where to return (a local path only).
"""

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from earshot_sync.collector.follow_ups import MAX_NOTE, BadFollowUp, UnknownEntry
from earshot_sync.collector.web.context import Web
from earshot_sync.collector.web.guard import SAVED_COOKIE, Viewer, check_form, safe_next
from earshot_sync.collector.web.viewers import viewer_required

MAX_ID = 100
STATES = ("contacted", "resolved")


# The lists an entry is opened from, and what "back" is called for each.
_LISTS = {"/": "Back to the feed", "/follow-up": "Back to the call-backs"}


def came_from(request: Request) -> tuple[str, str]:
    """The list (with its filters) the viewer opened this entry from, else the feed."""
    referer = request.headers.get("referer", "")
    try:
        parts = urlsplit(referer)
    except ValueError:
        return "/", _LISTS["/"]
    if parts.netloc.lower() != request.headers.get("host", "").lower() or (
        parts.path not in _LISTS
    ):
        return "/", _LISTS["/"]
    target = safe_next(parts.path + ("?" + parts.query if parts.query else ""))
    return target, _LISTS.get(urlsplit(target).path, _LISTS["/"])


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    require = viewer_required(web)
    _add_entry_page(routes, web, require)
    _add_mark(routes, web, require)
    return routes


def _show(
    web: Web,
    request: Request,
    viewer: Viewer,
    entry_id: str,
    *,
    problem: str = "",
    note: str = "",
    saved: bool = False,
    status: int = 200,
) -> Response:
    """The entry's page (with the form's ``problem`` and ``note`` when it was refused)."""
    detail = web.reader.entry(entry_id) if len(entry_id) <= MAX_ID else None
    if detail is None:
        return _no_such_entry(web, request, viewer)
    back_url, back_label = came_from(request)
    return web.pages.page(
        request,
        "entry.html",
        {
            "back_url": back_url,
            "back_label": back_label,
            "viewer": viewer,
            "zone": viewer.zone,
            "nav": "",
            "detail": detail,
            "item": detail.item,
            "problem": problem,
            "note": note,
            "saved": saved,
        },
        status=status,
    )


def _no_such_entry(web: Web, request: Request, viewer: Viewer) -> Response:
    return web.pages.page(
        request,
        "message.html",
        {
            "viewer": viewer,
            "zone": viewer.zone,
            "nav": "",
            "title": "No such entry",
            "message": "There is no entry at this address. It may have been deleted "
            "on the PC where it was written, or the link was cut short.",
        },
        status=404,
    )


def _add_entry_page(routes: APIRouter, web: Web, require: Callable[[Request], Viewer]) -> None:
    @routes.get("/entries/{entry_id}", response_class=HTMLResponse)
    def entry(
        request: Request, entry_id: str, viewer: Annotated[Viewer, Depends(require)]
    ) -> Response:
        return _show(web, request, viewer, entry_id, saved=request.query_params.get("saved") == "1")


def _add_mark(routes: APIRouter, web: Web, require: Callable[[Request], Viewer]) -> None:
    @routes.post("/entries/{entry_id}/follow-up", response_class=HTMLResponse)
    async def mark(
        request: Request,
        entry_id: str,
        state: Annotated[str, Form()] = "",
        note: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
        back: Annotated[str, Form()] = "",
    ) -> Response:
        viewer = await run_in_threadpool(require, request)
        check_form(request, viewer.csrf, csrf)
        note = note.replace("\x00", "").strip()
        problem = _form_problem(state, note)
        if not problem:
            detail = await run_in_threadpool(web.reader.entry, entry_id[:MAX_ID])
            if detail is None:
                return await run_in_threadpool(_show, web, request, viewer, entry_id)
            if not detail.item.follow_up:
                problem = "This customer did not ask for a call-back."
        if problem:
            return await run_in_threadpool(
                _show,
                web,
                request,
                viewer,
                entry_id,
                problem=problem,
                note=note[:MAX_NOTE],
                status=400,
            )
        try:
            await run_in_threadpool(
                web.follow_ups.mark, entry_id, state, note, viewer.name, web.clock()
            )
        except UnknownEntry:
            return await run_in_threadpool(_show, web, request, viewer, entry_id)
        except BadFollowUp as error:
            return await run_in_threadpool(
                _show, web, request, viewer, entry_id, problem=str(error), note=note, status=400
            )
        return _marked(request, entry_id, back)


def _form_problem(state: str, note: str) -> str:
    """What is wrong with the form as sent, in plain words; "" when nothing is."""
    if state not in STATES:
        return "Choose “Contacted” or “Done”."
    if len(note) > MAX_NOTE:
        return f"The note is too long: {len(note):,} characters, at most {MAX_NOTE}."
    return ""


def _marked(request: Request, entry_id: str, back: str) -> Response:
    """After a mark: back to the entry, or to the list it was marked from."""
    if not back:
        return RedirectResponse(f"/entries/{quote(entry_id, safe='')}?saved=1", status_code=303)
    # Back to the list it was marked from, which says once what was saved.
    answer = RedirectResponse(safe_next(back), status_code=303)
    answer.set_cookie(
        SAVED_COOKIE,
        entry_id,
        max_age=60,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return answer
