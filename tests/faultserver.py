"""A small HTTP server of our own that can misbehave on cue, for the sender's tests.

A real ``http.server.ThreadingHTTPServer`` on 127.0.0.1. Each request takes the next scripted
:class:`Fault` for its path (``script``); with none left it is answered normally: forwarded to an
upstream collector when one is given (``upstream``), else by a tiny in-memory collector that
speaks the protocol (stores each (id, revision) once, answers per entry, enforces its limits).
Faults: any status with a body and headers (``Retry-After`` as seconds or a date), a 2xx HTML
portal page, a TCP reset after reading the body, an answer held back beyond the client's
timeout, a closed connection without an answer, and a reset *after* the upstream committed.
"""

from __future__ import annotations

import gzip
import hmac
import json
import socket
import ssl
import struct
import threading
import urllib.request
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from earshot_sync import protocol

ENTRIES = protocol.ENTRIES_PATH
INFO = protocol.INFO_PATH


@dataclass(frozen=True)
class Fault:
    """What to do with one request. Build with the helpers below."""

    kind: str  # normal | respond | reset | hang | close | forward_then_reset
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


def respond(status: int, body: bytes | str = b"", **headers: str) -> Fault:
    data = body.encode() if isinstance(body, str) else body
    return Fault(
        "respond", status, data, tuple((k.replace("_", "-"), v) for k, v in headers.items())
    )


def normal() -> Fault:
    """Answer this one normally (to place a fault after it in the script)."""
    return Fault("normal")


def portal() -> Fault:
    page = b"<html><body><h1>Welcome to ShopWiFi</h1><a href='/login'>Sign in</a></body></html>"
    return Fault("respond", 200, page, (("Content-Type", "text/html"),))


def reset() -> Fault:
    """Read the request, then reset the connection (RST) without an answer."""
    return Fault("reset")


def hang() -> Fault:
    """Read the request and answer nothing until the server stops (beyond any client timeout)."""
    return Fault("hang")


def close() -> Fault:
    """Read the request and close the connection cleanly without an answer."""
    return Fault("close")


def forward_then_reset() -> Fault:
    """Pass the request to the upstream (which commits it), then reset the client's connection."""
    return Fault("forward_then_reset")


@dataclass
class Seen:
    method: str
    path: str
    entries: int  # entries in a posted batch (0 otherwise)
    size: int  # bytes of the body (unpacked if gzipped): what the limits are about
    gzipped: bool  # sent with Content-Encoding: gzip
    authorized: bool
    fault: str  # what was done: "normal" or a Fault kind
    body: bytes = field(default=b"", repr=False)  # as received (unpacked if gzipped)


@dataclass
class MiniCollector:
    """The protocol's happy path, in memory, for when no real collector is needed."""

    max_entries: int = protocol.DEFAULT_MAX_ENTRIES
    max_bytes: int = protocol.DEFAULT_MAX_BYTES
    clock_offset: timedelta = timedelta(0)
    stored: dict[tuple[str, int], str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def info(self) -> tuple[int, bytes]:
        info = protocol.Info(
            protocol.PROTOCOL_VERSION,
            self.max_entries,
            self.max_bytes,
            datetime.now(UTC) + self.clock_offset,
        )
        return 200, json.dumps(info.to_json()).encode()

    def post(self, body: bytes) -> tuple[int, bytes]:
        if len(body) > self.max_bytes:
            return 413, b'{"detail": "the batch is larger than the limit"}'
        try:
            entries = json.loads(body)["entries"]
        except (ValueError, KeyError, TypeError):
            return 400, b'{"detail": "the body is not a batch"}'
        if len(entries) > self.max_entries:
            return 413, b'{"detail": "too many entries in the batch"}'
        results = []
        with self.lock:
            for entry in entries:
                problems = protocol.entry_problems(entry)
                if problems:
                    status, reason = protocol.ResultStatus.REJECTED, "; ".join(problems)
                    key = (str(entry.get("id")), int(entry.get("revision", 0)))
                else:
                    key = (entry["id"], entry["revision"])
                    digest = protocol.content_digest(entry)
                    known = self.stored.get(key)
                    reason = None
                    if known is None:
                        self.stored[key] = digest
                        status = protocol.ResultStatus.STORED
                    elif known == digest:
                        status = protocol.ResultStatus.DUPLICATE
                    else:
                        status = protocol.ResultStatus.CONFLICT
                        reason = "different content"
                results.append(protocol.Result(key[0], key[1], status, reason).to_json())
        return 200, json.dumps({"results": results}).encode()


class FaultServer:
    """Start with :func:`fault_server`; ``url`` is its base address."""

    def __init__(
        self,
        token: str | None = None,
        upstream: str | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.token = token
        self.upstream = upstream
        self.collector = MiniCollector()
        self.seen: list[Seen] = []
        self._script: dict[str, deque[Fault]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self.scheme}://{host}:{port}"

    def script(self, path: str, *faults: Fault) -> None:
        """The next requests to ``path`` get ``faults``, in order; then normal answers again."""
        with self._lock:
            self._script[path].extend(faults)

    def next_fault(self, path: str) -> Fault | None:
        with self._lock:
            queue = self._script.get(path)
            return queue.popleft() if queue else None

    def pending(self, path: str) -> int:
        with self._lock:
            return len(self._script.get(path, ()))

    def posts(self) -> list[Seen]:
        return [seen for seen in self.seen if seen.method == "POST"]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: test output stays readable

            def do_GET(self) -> None:
                self._handle(b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._handle(self.rfile.read(length))

            def _authorized(self) -> bool:
                if server.token is None:
                    return True
                given = self.headers.get("Authorization", "")
                return hmac.compare_digest(given.encode(), f"Bearer {server.token}".encode())

            def _handle(self, body: bytes) -> None:
                # A proxied request names the whole URL ("GET http://host/path").
                path = urlsplit(self.path).path
                gzipped = self.headers.get("Content-Encoding") == "gzip"
                if gzipped:  # forwarded unpacked, so the upstream sees plain JSON
                    body = gzip.decompress(body)
                size = len(body)
                entries = 0
                if self.command == "POST":
                    try:
                        entries = len(json.loads(body)["entries"])
                    except (ValueError, KeyError, TypeError):
                        entries = 0
                fault = server.next_fault(path)
                authorized = self._authorized()
                server.seen.append(
                    Seen(
                        self.command,
                        path,
                        entries,
                        size,
                        gzipped,
                        authorized,
                        fault.kind if fault else "normal",
                        body,
                    )
                )
                if fault is None or fault.kind == "normal":
                    self._normal(path, body, authorized)
                elif fault.kind == "respond":
                    self._send(fault.status, fault.body, dict(fault.headers))
                elif fault.kind == "reset":
                    self._reset()
                elif fault.kind == "hang":
                    server._released.wait()
                    self.close_connection = True
                elif fault.kind == "close":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                elif fault.kind == "forward_then_reset":
                    self._forward(path, body)
                    self._reset()

            def _normal(self, path: str, body: bytes, authorized: bool) -> None:
                if server.upstream is not None:
                    status, answer, headers = self._forward(path, body)
                    self._send(status, answer, headers)
                    return
                if not authorized:
                    self._send(401, b'{"detail": "unknown device token"}')
                elif path == INFO and self.command == "GET":
                    self._send(*server.collector.info())
                elif path == ENTRIES and self.command == "POST":
                    self._send(*server.collector.post(body))
                else:
                    self._send(404, b'{"detail": "not found"}')

            def _forward(self, path: str, body: bytes) -> tuple[int, bytes, dict[str, str]]:
                assert server.upstream is not None
                request = urllib.request.Request(  # noqa: S310 (the test's own http:// URL)
                    server.upstream + path,
                    data=body if self.command == "POST" else None,
                    method=self.command,
                    headers={
                        name: value
                        for name, value in self.headers.items()
                        if name.lower() in ("authorization", "content-type", "accept")
                    },
                )
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                        return response.status, response.read(), _retry_after(response.headers)
                except urllib.error.HTTPError as error:
                    return error.code, error.read(), _retry_after(error.headers)
                except OSError:  # the upstream is down: a proxy says 502
                    return 502, b'{"detail": "the upstream collector is down"}', {}

            def _send(
                self, status: int, body: bytes, headers: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                headers = dict(headers or {})
                headers.setdefault("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _reset(self) -> None:
                # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True
                self.connection.close()

        return Handler


def _retry_after(headers: object) -> dict[str, str]:
    value = getattr(headers, "get", lambda _name: None)("Retry-After")
    return {"Retry-After": value} if value else {}


@contextmanager
def fault_server(
    token: str | None = None, upstream: str | None = None, tls: ssl.SSLContext | None = None
) -> Iterator[FaultServer]:
    server = FaultServer(token, upstream, tls)
    server.start()
    try:
        yield server
    finally:
        server.stop()
