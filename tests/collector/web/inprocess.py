"""The real app served over loopback by uvicorn in this process, for tests that move its clock
(session expiry, sign-in waits) or give its accounts other settings."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from earshot_sync.collector.accounts import Accounts
from earshot_sync.collector.app import create_app
from earshot_sync.collector.limits import Limits
from earshot_sync.collector.store import Store
from tests.browser import site
from tests.collector_server import collector_program


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@contextlib.contextmanager
def serve_in_process(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` on a loopback port with uvicorn in a thread; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    # Listening before uvicorn runs: a request sent meanwhile waits in the backlog.
    sock.listen(128)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


def add_viewer(url: str, name: str = site.VIEWER, password: str = site.PASSWORD) -> None:
    """With the real ``add-viewer`` command (which also makes the database)."""
    added = subprocess.run(
        [collector_program(), "--database", url, "add-viewer", name],
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert added.returncode == 0, added.stderr


@contextlib.contextmanager
def serve_store(folder: Path, clock: Clock, **accounts: Any) -> Iterator[str]:
    """A store in ``folder`` with the site's viewer, served with ``clock``; yields the URL.

    ``accounts``: settings for :class:`Accounts` (a hasher, how many checks at once).
    """
    url = f"sqlite:///{folder / 'store.sqlite3'}"
    add_viewer(url)
    store = Store.open(url)
    try:
        app = create_app(
            store,
            Limits(max_entries=10, max_bytes=100_000),
            clock,
            accounts=Accounts(store, **accounts),
        )
        with serve_in_process(app) as base:
            yield base
    finally:
        store.close()
