"""Puts the viewer pages on the collector's app: routers, static files, headers, error pages."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from earshot_sync.collector.web import digest, entry, export, feed, follow_up, signin, trends
from earshot_sync.collector.web.body_limit import PageBodyLimit
from earshot_sync.collector.web.context import Web
from earshot_sync.collector.web.guard import (
    SESSION_COOKIE,
    Forbidden,
    SignInRequired,
    page_sent_from,
    safe_next,
    sign_in_url,
)
from earshot_sync.collector.web.headers import SecurityHeaders
from earshot_sync.collector.web.render import STATIC

# Paths fetched by the page's script: after signing in, go to the feed, not to a fragment.
_FRAGMENTS = ("/feed/newer",)


def install(app: FastAPI, web: Web) -> None:
    # Added last is outermost: the security headers go on the body limit's answers too.
    app.add_middleware(PageBodyLimit, pages=web.pages)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (signin, feed, entry, trends, follow_up, export, digest):
        app.include_router(module.router(web), include_in_schema=False)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, error: Exception) -> Response:
        assert isinstance(error, SignInRequired)
        wanted = "/" if request.url.path in _FRAGMENTS else error.next_url
        # A form sent after the session ended (a note typed for an hour): nothing was saved.
        # Back to the page it came from, and the sign-in page says it was not saved.
        unsaved = request.method not in ("GET", "HEAD")
        if unsaved:
            wanted = page_sent_from(request)
        if request.method == "GET" and request.headers.get("sec-fetch-site") == "cross-site":
            # A link from mail or chat: the browser held back our SameSite=Strict cookie. Ask
            # again from our own page (a same-site navigation carries it); a viewer who is
            # really signed out then lands on the sign-in page as usual.
            # safe_next: a path like //evil.example would be another site in a refresh.
            return web.pages.page(request, "again.html", {"target": safe_next(wanted)})
        answer = RedirectResponse(
            sign_in_url(wanted, ended=error.ended, unsaved=unsaved),
            status_code=303,
            headers={"Cache-Control": "no-store"},
        )
        if error.ended:
            answer.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
        return answer

    @app.exception_handler(RequestValidationError)
    async def _bad_form(request: Request, error: Exception) -> Response:
        # A form field sent as a file, say: only a hand-made request does that.
        assert isinstance(error, RequestValidationError)
        if request.url.path.startswith("/api/"):
            return await request_validation_exception_handler(request, error)
        return web.pages.page(
            request,
            "message.html",
            {
                "title": "This request could not be read",
                "message": "The form did not arrive as this site sent it. Open the page again "
                "and send the form from there.",
                "nav": "",
            },
            status=400,
        )

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, error: Exception) -> Response:
        assert isinstance(error, Forbidden)
        return web.pages.page(
            request,
            "message.html",
            {"title": "This form was not accepted", "message": error.reason, "nav": ""},
            status=403,
        )
