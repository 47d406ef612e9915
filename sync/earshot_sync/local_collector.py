"""A collector on loopback for a PC that has no collector address yet.

A newcomer who runs ``make run`` has no collector to send to. Rather than leave every entry
"waiting" forever, the app starts the reference collector on 127.0.0.1 with its own data folder
inside the profile and pairs with it: a fresh token made in memory at every start, handed to the
collector through a pipe (never an argument, a file or the keyring). So the whole loop, from
the window to a collector, works with no configuration.

This only happens where the collector is installed (the ``collector`` extra, as ``make run``
installs it); the desktop bundle leaves the collector out, and there the app says that no
collector address is set. Once an address is set, the app sends there instead.
"""

from __future__ import annotations

import importlib.util
import re
import secrets
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from earshot_sync.client import CollectorClient
from earshot_sync.credentials import Token
from earshot_sync.transport import DEFAULT_TIMEOUT, make_session

DEVICE_NAME = "this-pc"
START_TIMEOUT_S = 30.0
_LISTENING = re.compile(r"listening on (http://\S+)")


class LocalCollectorFailed(Exception):
    """The collector on loopback did not start; the message says where its log is."""


def available() -> bool:
    """Whether the reference collector and its dependencies are installed here."""
    if getattr(sys, "frozen", False):
        # A bundle leaves the collector out, and its sys.executable is the app itself, which
        # "-m earshot_sync.collector" would start again instead of a collector.
        return False
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("fastapi", "uvicorn", "earshot_sync.collector")
    )


class LocalCollector:
    """One ``earshot-collector serve`` child process on loopback, started on first use."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.log_path = data_dir / "collector.log"
        self._process: subprocess.Popen[str] | None = None
        self._url: str | None = None
        self._token: Token | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str | None:
        return self._url

    def client(self) -> CollectorClient:
        """A client for the running collector, starting it first if need be (this blocks for
        up to a few seconds: call it from a worker thread, never the UI thread)."""
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._start()
            assert self._url is not None
            assert self._token is not None
            return CollectorClient(self._url, self._token, make_session(), DEFAULT_TIMEOUT)

    def _start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(32)
        with self.log_path.open("a", encoding="utf-8") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "earshot_sync.collector",
                    "--data-dir",
                    str(self.data_dir),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--no-access-log",
                    "--log-level",
                    "warning",
                    "--pair-device",
                    DEVICE_NAME,
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(secret + "\n")
        # Kept open: the collector serves until this pipe closes, which happens with this
        # process at the latest, so a crashed app leaves no collector behind.
        process.stdin.flush()
        url = _read_url(process.stdout, START_TIMEOUT_S)
        if url is None:
            process.kill()
            process.wait()
            raise LocalCollectorFailed(
                f"The collector on this PC did not start; its log is in {self.log_path}."
            )
        self._process, self._url, self._token = process, url, Token(secret)

    def stop(self, timeout_s: float = 10.0) -> None:
        """End the collector (it finishes the request in hand); entries it stored stay."""
        with self._lock:
            process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        if process.stdin is not None:
            process.stdin.close()  # the collector's signal to finish
        try:
            process.wait(timeout_s)
            return
        except subprocess.TimeoutExpired:
            pass
        process.terminate()
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _read_url(stdout: IO[str], timeout_s: float) -> str | None:
    """The address from the collector's "listening on ..." line, or None if it did not come.

    The reader goes on draining the collector's stdout until it closes, so the child can
    never block on a full pipe.
    """
    found: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in stdout:
            match = _LISTENING.search(line)
            if match and not found:
                found.append(match.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=read, name="local-collector-stdout", daemon=True).start()
    ready.wait(timeout_s)
    return found[0] if found else None
