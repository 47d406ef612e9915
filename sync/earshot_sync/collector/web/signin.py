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

# Longer than any real name or password; what is longer is refused before it is hashed.
MAX_NAME = 200
MAX_PASSWORD = 1024  # as accounts.MAX_PASSWORD


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def router(web: Web) -> APIRouter:
    routes = APIRouter()
    require = viewer_required(web)

    def form_page(
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

    @routes.get("/sign-in", response_class=HTMLResponse)
    def sign_in_form(request: Request, next: str = "/", ended: str = "") -> Response:
        next_url = safe_next(next)
        if current_viewer(web, request) is not None:
            return RedirectResponse(next_url, status_code=303)
        notice = (
            "You were signed out: a while went by without using the pages, or you signed in "
            "long ago. Sign in again to go on."
            if ended
            else ""
        )
        return form_page(request, next_url, notice=notice)

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
            return form_page(
                request,
                next_url,
                problem="Enter your name and your password.",
                name=name[:200],
                status=400,
            )
        new = None
        if len(name) <= MAX_NAME and len(password) <= MAX_PASSWORD:
            # Argon2 takes tens of milliseconds of CPU on purpose: not on the event loop.
            new = await run_in_threadpool(web.accounts.sign_in, name, password, web.clock())
        if new is None:
            problem = (
                "That name and password do not match an account. Check them and try again; "
                "IT can reset a password."
            )
            until = None
            if len(name) <= MAX_NAME:
                until = await run_in_threadpool(web.accounts.throttled_until, name, web.clock())
            if until is not None:
                problem = (
                    "There were too many wrong passwords for this name. Wait until "
                    f"{local_time(until, viewer_zone(request))} and try again, or ask IT."
                )
            return form_page(
                request,
                next_url,
                problem=problem,
                name=name[:MAX_NAME],
                status=401,
            )
        answer = RedirectResponse(next_url, status_code=303)
        answer.set_cookie(
            SESSION_COOKIE,
            new.token,
            httponly=True,
            samesite="strict",
            secure=_secure(request),
            path="/",
        )
        answer.delete_cookie(SIGN_IN_COOKIE, path="/sign-in")
        return answer

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

    return routes
