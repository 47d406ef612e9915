"""How big a request to the pages may be, checked before any route reads it.

The pages' forms are a name, a password, a note: a few KiB at most. Without a cap, Starlette
would spool a multipart file part to disk however big it is and keep a huge form field in
memory, all before the route could refuse the request. So, for everything outside the device
API (``/api/``, which has its own limits in limits.py):

- multipart/form-data (file uploads) is refused at once (415): no page takes a file;
- a body bigger than ``limit`` is refused (413), by its Content-Length before it is read, and by
  the bytes that really come (a chunked body has no length), before the route sees it.

The body (at most ``limit`` bytes) is read here and handed to the app as it came.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from earshot_sync.collector.web.render import Pages

MAX_PAGE_BODY = 64 * 1024


class PageBodyLimit:
    """Pure ASGI, so a streamed export passes through untouched."""

    def __init__(self, app: ASGIApp, pages: Pages, limit: int = MAX_PAGE_BODY) -> None:
        self.app = app
        self.pages = pages
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        kind = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if kind == "multipart/form-data":
            await self._refuse(
                scope,
                send,
                415,
                "This form cannot be sent like that",
                "The pages of this site take no files. Open the page again and send the form "
                "from there.",
            )
            return
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.limit:
            await self._too_large(scope, send)
            return
        received: list[Message] = []
        size = 0
        while True:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request":
                break  # the browser went away: the app hears it as it would have
            size += len(message.get("body", b""))
            if size > self.limit:
                await self._too_large(scope, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            if received:
                return received.pop(0)
            return await receive()  # after the body: a disconnect, when it comes

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        await self._refuse(
            scope,
            send,
            413,
            "This form is too big",
            "What was sent is bigger than any form of this site can be. Shorten what you "
            "typed, or open the page again and send the form from there.",
        )

    async def _refuse(self, scope: Scope, send: Send, status: int, title: str, text: str) -> None:
        request = Request(scope)
        answer = self.pages.page(
            request,
            "message.html",
            {"title": title, "message": text, "nav": ""},
            status=status,
            # The rest of the body is not read: the connection cannot carry another request.
            headers={"Connection": "close"},
        )
        await answer(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}
