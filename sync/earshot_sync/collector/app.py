"""The HTTP API (FastAPI): ``POST /api/v1/entries``, ``GET /api/v1/info``, the OpenAPI document.

There is deliberately nothing a device token can read back: a device sends, it never lists.
"""

# No "from __future__ import annotations": FastAPI reads these annotations at runtime, and
# the dependency `device` is local to the function that makes it, out of reach of string
# annotations.

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from earshot_sync.collector import batch, models
from earshot_sync.collector.accounts import Accounts
from earshot_sync.collector.auth import token_hash
from earshot_sync.collector.follow_ups import FollowUps
from earshot_sync.collector.limits import (
    BadBody,
    BodyTooLarge,
    Limits,
    UnsupportedEncoding,
    drain,
    read_body,
)
from earshot_sync.collector.reading import Reader
from earshot_sync.collector.store import Device, Store
from earshot_sync.collector.version import __version__
from earshot_sync.collector.web import install as install_pages
from earshot_sync.collector.web.context import Web
from earshot_sync.collector.web.render import Pages
from earshot_sync.protocol import (
    ENTRIES_PATH,
    INFO_PATH,
    OPENAPI_PATH,
    PROTOCOL_VERSION,
    Info,
)

Clock = Callable[[], datetime]
# The dependency that finds the device a request's bearer token names.
_DeviceOf = Callable[[HTTPAuthorizationCredentials | None], Device]

# Seconds a sender should wait when the database is unreachable or busy.
STORE_RETRY_AFTER = 5

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": models.ErrorModel, "description": "the body is not a batch"},
    401: {"model": models.ErrorModel, "description": "no, unknown or revoked device token"},
    413: {"model": models.ErrorModel, "description": "too many entries or bytes"},
    415: {"model": models.ErrorModel, "description": "a Content-Encoding other than gzip"},
    503: {"model": models.ErrorModel, "description": "the store is unavailable; see Retry-After"},
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    store: Store,
    limits: Limits,
    clock: Clock = _utc_now,
    *,
    reader: Reader | None = None,
    follow_ups: FollowUps | None = None,
    accounts: Accounts | None = None,
) -> FastAPI:
    """The device API and the viewer pages; ``reader``/``follow_ups``/``accounts`` default to
    ones on ``store``."""
    app = FastAPI(
        title="Earshot collector",
        version=__version__,
        summary="Receives customer feedback from Earshot desktops, exactly once per revision.",
        openapi_url=OPENAPI_PATH,
        # The interactive API pages load their script from a CDN and would be pages a
        # signed-out browser could open; the OpenAPI document itself stays.
        docs_url=None,
        redoc_url=None,
    )
    install_pages(
        app,
        Web(
            reader=reader or Reader(store),
            follow_ups=follow_ups or FollowUps(store),
            accounts=accounts or Accounts(store),
            pages=Pages(),
            clock=clock,
            store=store,
        ),
    )
    device = _device_dependency(store)
    _add_store_unavailable(app)
    _add_info(app, store, limits, clock, device)
    _add_post_entries(app, store, limits, clock, device)
    app.openapi = _openapi_with_batch(app)  # type: ignore[method-assign]
    return app


def _device_dependency(store: Store) -> _DeviceOf:
    """The FastAPI dependency that answers who sent a request: the device its bearer token
    names, or a 401 that says what is wrong with the token."""
    bearer = HTTPBearer(auto_error=False, description="the device token from add-device")

    def device(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Device:
        if credentials is None:
            raise _unauthorized("send the device token as 'Authorization: Bearer <token>'")
        found = store.device_by_token_hash(token_hash(credentials.credentials))
        if found is None:
            raise _unauthorized("this device token is not known to the collector")
        if found.revoked:
            raise _unauthorized("this device token was revoked; ask IT for a new one")
        return found

    return device


def _add_store_unavailable(app: FastAPI) -> None:
    # The database is down, busy (SQLite's lock, a PostgreSQL deadlock victim) or every pooled
    # connection is in use: the sender should come back soon, not give up.
    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _store_unavailable(request: Request, _error: Exception) -> Response:
        if not request.url.path.startswith("/api/"):
            return PlainTextResponse(
                "The collector's database cannot be reached just now. Try again in a minute; "
                "if this stays, tell IT.",
                status_code=503,
                headers={"Retry-After": str(STORE_RETRY_AFTER)},
            )
        return JSONResponse(
            {"detail": "the collector's database is unavailable; try again later"},
            status_code=503,
            headers={"Retry-After": str(STORE_RETRY_AFTER)},
        )


def _add_info(app: FastAPI, store: Store, limits: Limits, clock: Clock, device: _DeviceOf) -> None:
    @app.get(
        INFO_PATH,
        response_model=models.InfoModel,
        responses={401: _ERRORS[401], 503: _ERRORS[503]},
        summary="The protocol version, this collector's limits and its clock",
    )
    def info(sender: Annotated[Device, Depends(device)]) -> JSONResponse:
        now = clock()
        store.touch_device(sender.id, now)
        answer = Info(PROTOCOL_VERSION, limits.max_entries, limits.max_bytes, now)
        return JSONResponse(answer.to_json())


def _add_post_entries(
    app: FastAPI, store: Store, limits: Limits, clock: Clock, device: _DeviceOf
) -> None:
    @app.post(
        ENTRIES_PATH,
        response_model=models.BatchAnswer,
        responses=_ERRORS,
        summary="Send a batch of entries; one result per entry, in order",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/BatchModel"},
                    }
                },
                "description": "May be sent with 'Content-Encoding: gzip'.",
            }
        },
    )
    async def post_entries(
        request: Request, sender: Annotated[Device, Depends(device)]
    ) -> JSONResponse:
        chunks = request.stream()
        try:
            body = await read_body(request.headers, chunks, limits.max_bytes)
            received = batch.parse_batch(body, limits.max_entries)
        except BodyTooLarge as error:
            await drain(request.headers, chunks, limits.max_bytes)
            raise _error(413, str(error)) from error
        except batch.TooManyEntries as error:
            raise _error(413, str(error)) from error
        except UnsupportedEncoding as error:
            raise _error(415, str(error)) from error
        except (BadBody, batch.BatchInvalid) as error:
            raise _error(400, str(error)) from error
        now = clock()
        skew = (received.sent_at - now).total_seconds()
        results = await run_in_threadpool(batch.process, store, received.entries, sender, now, skew)
        return JSONResponse({"results": [result.to_json() for result in results]})


def _openapi_with_batch(app: FastAPI) -> Callable[[], dict[str, Any]]:
    def openapi() -> dict[str, Any]:
        # The batch is read by hand (limits first), so FastAPI does not know its schema:
        # add the models the request body refers to.
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            batch_schema = models.BatchModel.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            schemas.update(batch_schema.pop("$defs", {}))
            schemas["BatchModel"] = batch_schema
            app.openapi_schema = document
        return app.openapi_schema

    return openapi


def _error(status: int, detail: str) -> HTTPException:
    return HTTPException(status_code=status, detail=detail)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})
