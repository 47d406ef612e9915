"""A real X desktop for the tray, hotkey and single-instance tests.

One session-wide Xvfb on a free display number (``-displayfd``) with openbox as the window
manager; trayer as the tray host only for the tests that ask for it (``tray_host``). The app
runs in a SUBPROCESS on the xcb platform (this pytest process stays offscreen), through
``tests/desktop/harness.py`` or the real ``earshot`` command, and is driven with xdotool.

Waiting for another process has no Qt signal to wait on: :func:`wait_for` asks again until the
answer is right or a generous deadline passes (the deadline is a failure, never a measurement).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from tests.system import require

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 20.0
T = TypeVar("T")


def wait_for(
    what: str, probe: Callable[[], T | None], deadline: float = DEADLINE, pause: float = 0.05
) -> T:
    """``probe()`` once it returns something truthy; fails naming ``what`` after ``deadline``."""
    give_up = time.monotonic() + deadline
    last: T | None = None
    while time.monotonic() < give_up:
        last = probe()
        if last:
            return last
        time.sleep(pause)
    pytest.fail(f"timed out waiting for {what} (last answer: {last!r})")


def _stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@dataclass
class XDesktop:
    display: str
    env: dict[str, str] = field(repr=False)

    def run(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            list(args), env=self.env, capture_output=True, text=True, timeout=30, check=False
        )
        if check and done.returncode != 0:
            raise AssertionError(f"{args} failed ({done.returncode}): {done.stderr}")
        return done.stdout.strip()

    def xdotool(self, *args: str, check: bool = True) -> str:
        return self.run("xdotool", *args, check=check)

    def focused_window_name(self) -> str:
        return self.xdotool("getwindowfocus", "getwindowname", check=False)

    def selection_owner(self, atom: str) -> int:
        from Xlib import display

        connection = display.Display(self.display)
        try:
            owner = connection.get_selection_owner(connection.intern_atom(atom))
            return int(getattr(owner, "id", owner))
        finally:
            connection.close()

    def num_lock_on(self) -> bool:
        output = self.run("xset", "q", check=False) if _which("xset") else ""
        if output:
            return "Num Lock:    on" in output
        from Xlib import display

        connection = display.Display(self.display)
        try:
            return bool(connection.get_keyboard_control().led_mask & 0b10)
        finally:
            connection.close()


def _which(program: str) -> bool:
    import shutil

    return shutil.which(program) is not None


@pytest.fixture(scope="session")
def x_desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[XDesktop]:
    xvfb = require("Xvfb", "xvfb")
    require("openbox", "openbox")
    require("xdotool", "xdotool")
    require("xmessage", "x11-utils")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()  # Xvfb writes the display number once it listens
    assert number, "Xvfb did not start"
    env = dict(os.environ)
    env.update(DISPLAY=f":{number}", QT_QPA_PLATFORM="xcb")
    env.pop("WAYLAND_DISPLAY", None)
    home = tmp_path_factory.mktemp("x-home")
    env["HOME"] = str(home)
    env["XDG_CONFIG_HOME"] = str(home / ".config")
    desktop = XDesktop(env["DISPLAY"], env)
    manager = subprocess.Popen(
        ["openbox", "--sm-disable"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for("openbox", lambda: desktop.selection_owner("WM_S0"))
        yield desktop
    finally:
        _stop(manager)
        _stop(server)


@pytest.fixture
def tray_host(x_desktop: XDesktop) -> Iterator[subprocess.Popen[bytes]]:
    """trayer, holding the system tray selection for the test."""
    trayer = require("trayer", "trayer")
    process = subprocess.Popen(
        [trayer, "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "32"],
        env=x_desktop.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for("trayer to own the tray", lambda: x_desktop.selection_owner("_NET_SYSTEM_TRAY_S0"))
        yield process
    finally:
        _stop(process)
        wait_for(
            "the tray selection to be free",
            lambda: not x_desktop.selection_owner("_NET_SYSTEM_TRAY_S0"),
        )


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
