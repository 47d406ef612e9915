"""A real X desktop without pytest: Xvfb, openbox as the window manager, trayer as the tray host.

Shared by the desktop tests (``tests/desktop/conftest.py`` wraps these in fixtures) and the
desktop benchmarks (``bench/xdesktop.py``), so both run the app on the same desktop. Waiting
for another process has no signal to wait on: :func:`wait_until` asks again until the answer
is right or a generous deadline passes (the deadline is a failure, never a measurement).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

DEADLINE = 20.0
T = TypeVar("T")

# The programs the desktop needs and the Debian packages that have them.
PROGRAMS = {"Xvfb": "xvfb", "openbox": "openbox", "xdotool": "xdotool", "xmessage": "x11-utils"}
TRAY_HOST = ("trayer", "trayer")


class TimedOut(Exception):
    """Something another process should have done did not happen within the deadline."""


def wait_until(
    what: str, probe: Callable[[], T | None], deadline: float = DEADLINE, pause: float = 0.05
) -> T:
    """``probe()`` once it returns something truthy; raises :class:`TimedOut` naming ``what``."""
    give_up = time.monotonic() + deadline
    last: T | None = None
    while time.monotonic() < give_up:
        last = probe()
        if last:
            return last
        time.sleep(pause)
    raise TimedOut(f"timed out waiting for {what} (last answer: {last!r})")


def missing_programs(programs: Mapping[str, str] = PROGRAMS) -> list[str]:
    """``program (Debian package)`` for each of ``programs`` not on the PATH."""
    return [f"{name} ({package})" for name, package in programs.items() if not shutil.which(name)]


def stop(process: subprocess.Popen[Any]) -> None:
    """End ``process`` (SIGTERM, then SIGKILL after 10 s) and reap it."""
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
        output = self.run("xset", "q", check=False) if shutil.which("xset") else ""
        if output:
            return "Num Lock:    on" in output
        from Xlib import display

        connection = display.Display(self.display)
        try:
            return bool(connection.get_keyboard_control().led_mask & 0b10)
        finally:
            connection.close()


@contextmanager
def x_desktop(home: Path, environ: Mapping[str, str] | None = None) -> Iterator[XDesktop]:
    """Xvfb on a free display number (``-displayfd``) with openbox managing its windows.

    ``home`` becomes ``$HOME`` and holds ``$XDG_CONFIG_HOME``, so nothing of the user's
    desktop (autostart entries, settings) leaks in or is written to.
    """
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()  # Xvfb writes the display number once it listens
    if not number:
        stop(server)
        raise TimedOut("Xvfb did not start")
    env = dict(os.environ if environ is None else environ)
    env.update(DISPLAY=f":{number}", QT_QPA_PLATFORM="xcb")
    env.pop("WAYLAND_DISPLAY", None)
    env["HOME"] = str(home)
    env["XDG_CONFIG_HOME"] = str(home / ".config")
    desktop = XDesktop(env["DISPLAY"], env)
    manager = subprocess.Popen(
        ["openbox", "--sm-disable"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until("openbox", lambda: desktop.selection_owner("WM_S0"))
        yield desktop
    finally:
        stop(manager)
        stop(server)


@contextmanager
def tray_host(desktop: XDesktop) -> Iterator[subprocess.Popen[bytes]]:
    """trayer, holding the system tray selection while the block runs."""
    process = subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "32"],
        env=desktop.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until("trayer to own the tray", lambda: desktop.selection_owner("_NET_SYSTEM_TRAY_S0"))
        yield process
    finally:
        stop(process)
        wait_until(
            "the tray selection to be free",
            lambda: not desktop.selection_owner("_NET_SYSTEM_TRAY_S0"),
        )
