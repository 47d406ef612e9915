"""Signing in and out: the only page a signed-out browser may see, and the session cookie.

The session cookie is HttpOnly (script cannot read it), SameSite=Strict (another site's links and
forms do not carry it), Secure when the page came over https, for the whole site (path /). It has
no expiry of its own: the server ends idle sessions, and the browser forgets it when it closes.
"""

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from earshot_sync.collector.accounts import MAX_NAME, MAX_PASSWORD, Busy, SignInWait
from earshot_sync.collector.web.context import Web
from earshot_sync.collector.web.guard import (
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    check_form,
    safe_next,
    session_token,
)
from earshot_sync.collector.web.render import local_time
from earshot_sync.collector.web.viewers import current_viewer, viewer_required
from earshot_sync.collector.web.zone import viewer_zone

# Seconds to wait when every password check is taken.
BUSY_RETRY_AFTER = 5


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    _add_sign_in_form(routes, web)
    _add_sign_in(routes, web)
    _add_sign_out(routes, web)
    return routes


def _form_page(
    web: Web,
    request: Request,
    next_url: str,
    *,
    problem: str = "",
    notice: str = "",
    name: str = "",
    status: int = 200,
) -> Response:
    # A fresh double-submit token for the sign-in form (there is no session to tie it to).
    token = secrets.token_urlsafe(32)
    page = web.pages.page(
        request,
        "sign_in.html",
        {
            "next_url": next_url,
            "problem": problem,
            "notice": notice,
            "name": name,
            "form_token": token,
        },
        status=status,
    )
    page.set_cookie(
        SIGN_IN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/sign-in",
    )
    return page


def _signed_out_notice(ended: str, unsaved: str) -> str:
    """What the sign-in page says about a session that ended (install.py's redirect)."""
    notice = (
        "You were signed out: a while went by without using the pages, or you signed in "
        "long ago. Sign in again to go on."
        if ended
        else ""
    )
    if unsaved:
        notice = (
            "You were signed out before the form was sent, so what you sent (a note, a "
            "mark) was NOT saved. Sign in, then send it again from the page."
        )
    return notice


def _add_sign_in_form(routes: APIRouter, web: Web) -> None:
    @routes.get("/sign-in", response_class=HTMLResponse)
    def sign_in_form(
        request: Request, next: str = "/", ended: str = "", unsaved: str = ""
    ) -> Response:
        next_url = safe_next(next)
        if current_viewer(web, request) is not None:
            return RedirectResponse(next_url, status_code=303)
        return _form_page(web, request, next_url, notice=_signed_out_notice(ended, unsaved))


def _add_sign_in(routes: APIRouter, web: Web) -> None:
    @routes.post("/sign-in", response_class=HTMLResponse)
    async def sign_in(
        request: Request,
        name: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "/",
        form_token: Annotated[str, Form()] = "",
    ) -> Response:
        next_url = safe_next(next)
        check_form(request, request.cookies.get(SIGN_IN_COOKIE, ""), form_token)
        name = name.strip()
        if not name or not password:
            return _form_page(
                web,
                request,
                next_url,
                problem="Enter your name and your password.",
                name=name[:MAX_NAME],
                status=400,
            )
        # Cut just past the longest a name or password can be: still no match, and a huge
        # value is neither looked up nor hashed whole.
        name, password = name[: MAX_NAME + 1], password[: MAX_PASSWORD + 1]
        source = request.client.host if request.client is not None else ""
        try:
            # Argon2 takes tens of milliseconds of CPU on purpose: not on the event loop.
            new = await run_in_threadpool(web.accounts.sign_in, name, password, web.clock(), source)
        except Busy:
            return _busy(web, request, next_url, name)
        except SignInWait as wait:
            return _wait(web, request, next_url, name, wait)
        if new is None:
            return _form_page(
                web,
                request,
                next_url,
                problem=(
                    "That name and password do not match an account. Check them and try "
                    "again; IT can reset a password."
                ),
                name=name[:MAX_NAME],
                status=401,
            )
        return _signed_in(request, next_url, new.token)


def _busy(web: Web, request: Request, next_url: str, name: str) -> Response:
    """Every password check is taken (accounts.Busy): come back in a few seconds."""
    answer = _form_page(
        web,
        request,
        next_url,
        problem="The collector is busy; try again in a moment.",
        name=name[:MAX_NAME],
        status=503,
    )
    answer.headers["Retry-After"] = str(BUSY_RETRY_AFTER)
    return answer


def _wait(web: Web, request: Request, next_url: str, name: str, wait: SignInWait) -> Response:
    """Too many wrong passwords for this name from this address: not before ``wait.until``."""
    answer = _form_page(
        web,
        request,
        next_url,
        problem=(
            "There were too many wrong passwords for this name from this computer. "
            f"Wait until {local_time(wait.until, viewer_zone(request))} and try "
            "again, or ask IT."
        ),
        name=name[:MAX_NAME],
        status=429,
    )
    seconds = (wait.until - web.clock()).total_seconds()
    answer.headers["Retry-After"] = str(max(1, int(seconds) + 1))
    return answer


def _signed_in(request: Request, next_url: str, token: str) -> Response:
    """On to the page that was wanted, with the new session's cookie."""
    answer = RedirectResponse(next_url, status_code=303)
    answer.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )
    answer.delete_cookie(SIGN_IN_COOKIE, path="/sign-in")
    return answer


def _add_sign_out(routes: APIRouter, web: Web) -> None:
    require = viewer_required(web)

    @routes.post("/sign-out")
    async def sign_out(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        viewer = await run_in_threadpool(require, request)
        check_form(request, viewer.csrf, csrf)
        token = session_token(request)
        if token is not None:
            await run_in_threadpool(web.accounts.sign_out, token)
        answer = RedirectResponse("/sign-in", status_code=303)
        answer.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
        return answer
