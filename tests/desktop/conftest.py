"""A real X desktop for the tray, hotkey and single-instance tests.

One session-wide Xvfb on a free display number (``-displayfd``) with openbox as the window
manager; trayer as the tray host only for the tests that ask for it (``tray_host``). The app
runs in a SUBPROCESS on the xcb platform (this pytest process stays offscreen), through
``tests/desktop/harness.py`` or the real ``earshot`` command, and is driven with xdotool.

The desktop itself (Xvfb, openbox, trayer) comes from ``tests/desktop/xserver.py``, which the
desktop benchmarks share; :func:`wait_for` is its ``wait_until`` failing the test on a timeout.
"""

from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from tests.desktop import xserver
from tests.desktop.xserver import DEADLINE, PROGRAMS, TRAY_HOST, TimedOut, XDesktop, wait_until
from tests.desktop.xserver import stop as _stop
from tests.system import require

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def wait_for(
    what: str, probe: Callable[[], T | None], deadline: float = DEADLINE, pause: float = 0.05
) -> T:
    """``probe()`` once it returns something truthy; fails naming ``what`` after ``deadline``."""
    try:
        return wait_until(what, probe, deadline, pause)
    except TimedOut as timed_out:
        pytest.fail(str(timed_out))


@pytest.fixture(scope="session")
def x_desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XDesktop]:
    for program, package in PROGRAMS.items():
        require(program, package)
    with xserver.x_desktop(tmp_path_factory.mktemp("x-home")) as desktop:
        yield desktop


@pytest.fixture
def tray_host(x_desktop: XDesktop) -> Iterator[subprocess.Popen[bytes]]:
    """trayer, holding the system tray selection for the test."""
    require(*TRAY_HOST)
    with xserver.tray_host(x_desktop) as process:
        yield process


@pytest.fixture
def no_tray(x_desktop: XDesktop) -> XDesktop:
    assert not x_desktop.selection_owner("_NET_SYSTEM_TRAY_S0"), "a tray host is still running"
    return x_desktop


@pytest.fixture
def other_window(x_desktop: XDesktop) -> Iterator[str]:
    """A plain X window (xmessage) with the keyboard focus: the till, the browser."""
    process = subprocess.Popen(
        ["xmessage", "-name", "till", "-title", "till", "-center", "The till program"],
        env=x_desktop.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        window = x_desktop.xdotool("search", "--sync", "--name", "^till$").splitlines()[0]
        x_desktop.xdotool("windowactivate", "--sync", window)
        wait_for("the till to have the focus", lambda: x_desktop.focused_window_name() == "till")
        yield window
    finally:
        _stop(process)


class App:
    """A running app process answering ``status`` on its stdin (see ``harness.py``)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.first = ""
        self.lines: queue.Queue[str] = queue.Queue()
        self.errors: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_errors, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def _read_errors(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.errors.append(line.rstrip("\n"))

    def line(self, deadline: float = DEADLINE) -> str:
        try:
            return self.lines.get(timeout=deadline)
        except queue.Empty:
            pytest.fail(f"the app said nothing; its stderr: {self.errors[-20:]}")

    def send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{command}\n")
        self.process.stdin.flush()

    def status(self) -> dict[str, Any]:
        self.send("status")
        return dict(json.loads(self.line()))

    def wait_status(self, what: str, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            current = self.status()
            return current if check(current) else None

        return wait_for(what, probe)

    def quit(self) -> int:
        if self.process.poll() is None and self.process.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.write("quit\n")
                self.process.stdin.flush()
        try:
            return self.process.wait(DEADLINE)
        except subprocess.TimeoutExpired:
            _stop(self.process)
            raise


@pytest.fixture
def start_app(x_desktop: XDesktop, data_dir: Path, tmp_path: Path) -> Iterator[Callable[..., App]]:
    started: list[App] = []

    def start(*args: str) -> App:
        env = dict(x_desktop.env)
        env["EARSHOT_SYSTEM_SETTINGS"] = str(tmp_path / "no-system-settings.json")
        # Nor the host's /etc/xdg: an installed .deb's autostart entry must not reach the app.
        env["XDG_CONFIG_DIRS"] = str(tmp_path / "no-system-xdg")
        env.pop("EARSHOT_TOKEN", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.desktop.harness", "--data-dir", str(data_dir), *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        app = App(process)
        started.append(app)
        app.first = app.line()
        assert app.first in ("ready", "second"), app.first
        return app

    yield start
    for app in started:
        app.quit()
