"""One request to the collector, and what its answer means for the sender.

Every answer is either the protocol's JSON (results, info) or one :class:`SendFailed` subclass
that says what the sender should do: retry later (with the server's ``Retry-After`` if any),
stop until a new token is set, or split the batch. Nothing here waits or retries by itself.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from earshot_sync.backoff import parse_retry_after
from earshot_sync.credentials import Token
from earshot_sync.protocol import (
    ENTRIES_PATH,
    INFO_PATH,
    Info,
    NotOurAnswer,
    Result,
    decode_info,
    decode_results,
)
from earshot_sync.transport import DEFAULT_TIMEOUT

MAX_DETAIL = 300
# Bodies above this are gzipped (the protocol's collectors must accept it): a batch of feedback
# shrinks about five-fold, which matters on a shop's slow uplink. Level 5 costs ~1 ms per batch.
GZIP_ABOVE = 1024
GZIP_LEVEL = 5


class SendFailed(Exception):
    """The request did not get per-entry results. ``message`` is for a person."""

    retry: bool = True  # send again later (with backoff) rather than handle it now

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class Unreachable(SendFailed):
    """No answer: refused, reset, timed out, no route, TLS not trusted, proxy failed."""


class ServerBusy(SendFailed):
    """429 or 503: the collector asks us to come back later, maybe saying when."""


class ServerError(SendFailed):
    """Another 5xx: the collector is broken for now."""


class NotCollector(SendFailed):
    """An answer that is not the collector's: a portal page, a proxy's error, a wrong address."""


class TokenRefused(SendFailed):
    """401/403: the device token is unknown or revoked. Nothing is sent until a new one is set."""

    retry = False


class TooLarge(SendFailed):
    """413: the batch is too big for the collector."""

    retry = False


class BatchRefused(SendFailed):
    """400/422 for the whole batch: something in it is not acceptable. ``detail`` says what."""

    retry = False

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail


def _detail(response: requests.Response) -> str:
    """What the collector said about a refused batch, short and single-line."""
    text = response.text
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if isinstance(document, Mapping):
        value = document.get("detail", document.get("reason", document))
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return " ".join(text.split())[:MAX_DETAIL] or "no reason given"


def _network_failure(error: requests.RequestException, host: str) -> Unreachable:
    # The messages name the host, never a header: the token cannot leak through them.
    if isinstance(error, requests.exceptions.SSLError):
        return Unreachable(
            f"The collector at {host} could not be checked: its certificate is not trusted "
            "by this PC (ask IT whether the company's certificate is installed)"
        )
    if isinstance(error, requests.exceptions.ProxyError):
        return Unreachable(f"The proxy did not let Earshot through to {host}")
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return Unreachable(f"The collector at {host} could not be reached (timed out)")
    if isinstance(error, requests.exceptions.Timeout):
        return Unreachable(f"The collector at {host} did not answer in time")
    if isinstance(error, requests.exceptions.ConnectionError):
        return Unreachable(f"The connection to the collector at {host} failed")
    return Unreachable(f"The collector at {host} could not be reached ({type(error).__name__})")


class CollectorClient:
    """Talks to one collector with one device token over a session from ``transport``."""

    def __init__(
        self,
        endpoint: str,
        token: Token,
        session: requests.Session,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        compress: bool = True,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self._compress = compress
        self.host = urlsplit(self.endpoint).netloc
        self._token = token
        self._session = session
        self._timeout = timeout

    def _request(self, method: str, path: str, body: bytes | None = None) -> requests.Response:
        headers = {
            "Authorization": f"Bearer {self._token.reveal()}",
            "Accept": "application/json",
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
            if self._compress and len(body) > GZIP_ABOVE:
                body = gzip.compress(body, GZIP_LEVEL, mtime=0)
                headers["Content-Encoding"] = "gzip"
        try:
            response = self._session.request(
                method,
                self.endpoint + path,
                data=body,
                headers=headers,
                timeout=self._timeout,
                # A collector does not redirect its API; a redirect is a portal or a wrong
                # address, and following it could carry the token somewhere else.
                allow_redirects=False,
            )
            # Read the whole body now, so a reset mid-body is a network failure here.
            _ = response.content
        except requests.RequestException as error:
            raise _network_failure(error, self.host) from None
        self._check_status(response)
        return response

    def _check_status(self, response: requests.Response) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        where = f"The collector at {self.host}"
        if status in (401, 403):
            raise TokenRefused(f"{where} refused the device token ({status})")
        if status == 413:
            raise TooLarge(f"{where} found the batch too large (413)")
        if status in (400, 422):
            detail = _detail(response)
            raise BatchRefused(f"{where} refused the batch ({status}: {detail})", detail)
        if status in (429, 503):
            raise ServerBusy(f"{where} is busy ({status})", retry_after)
        if status >= 500:
            raise ServerError(f"{where} had a problem ({status})", retry_after)
        if 300 <= status < 400:
            raise NotCollector(
                f"{where} sent Earshot elsewhere ({status}); a sign-in page of this network "
                "may be in the way"
            )
        raise NotCollector(
            f"{where} answered {status}; check the collector's address "
            "(earshot config set endpoint URL)",
            retry_after,
        )

    def info(self) -> Info:
        response = self._request("GET", INFO_PATH)
        try:
            return decode_info(response.content)
        except NotOurAnswer:
            raise NotCollector(
                f"The answer from {self.host} is not an Earshot collector's (a sign-in page "
                "of this network, or a wrong address)"
            ) from None

    def send(self, body: bytes, sent: Sequence[Mapping[str, Any]]) -> list[Result]:
        """POST one encoded batch; its per-entry results, in the order sent."""
        response = self._request("POST", ENTRIES_PATH, body)
        try:
            return decode_results(response.content, sent)
        except NotOurAnswer:
            raise NotCollector(
                f"The answer from {self.host} is not an Earshot collector's (a sign-in page "
                "of this network, or a wrong address); the entries will be sent again"
            ) from None


def server_skew(info: Info, now: datetime) -> float:
    """Seconds the collector's clock is ahead of ours (negative: behind)."""
    return (info.server_time - now).total_seconds()
