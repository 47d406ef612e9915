"""What the desktop benchmarks share: a real X desktop, the real app on it, an X event watcher.

The desktop (Xvfb, openbox, trayer) is the one the desktop tests use (``tests/desktop/
xserver.py``). Times are taken by :class:`XWatcher`, a python-xlib connection of the
benchmark's own that presses keys through XTEST (what ``xdotool key`` does, without starting a
process per press) and timestamps the X events it selected (MapNotify, FocusIn, ReparentNotify)
as they are read from its socket, so nothing polls and the app under test is not asked anything.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from tests.desktop.xserver import (
    PROGRAMS,
    TRAY_HOST,
    TimedOut,
    XDesktop,
    missing_programs,
    stop,
    tray_host,
    x_desktop,
)
from Xlib import XK, X, display
from Xlib.ext import xtest

ROOT = Path(__file__).resolve().parent.parent
QUICK_ENTRY = "Earshot: what did the customer say?"
DEADLINE = 30.0
# FocusIn details that mean the window itself now has the keyboard (not NotifyPointer).
FOCUSED = {X.NotifyAncestor, X.NotifyVirtual, X.NotifyInferior, X.NotifyNonlinear}
FOCUSED |= {X.NotifyNonlinearVirtual}
T = TypeVar("T")


def per_size(table: dict[str, T], size: str) -> T:
    """``table[size]``; a size other than small or full is refused before anything starts."""
    if size not in table:
        raise ValueError(f"the size is small or full, not {size!r}")
    return table[size]


class DesktopMissing(Exception):
    """A program the desktop benchmarks need is not installed; the message names its package."""


@contextmanager
def desktop(workdir: Path, with_tray: bool = True) -> Iterator[XDesktop]:
    """Xvfb + openbox (+ trayer), the desktop of ``tests/desktop``, for the block."""
    missing = missing_programs({**PROGRAMS, **(dict([TRAY_HOST]) if with_tray else {})})
    if missing:
        raise DesktopMissing(f"needs {', '.join(missing)}: run scripts/system-deps.sh as root")
    home = workdir / "x-home"
    home.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        session = stack.enter_context(x_desktop(home))
        if with_tray:
            stack.enter_context(tray_host(session))
        yield session


def app_env(session: XDesktop, workdir: Path) -> dict[str, str]:
    """The app's environment: this desktop, no system settings, no token from outside."""
    env = dict(session.env)
    env["EARSHOT_SYSTEM_SETTINGS"] = str(workdir / "no-system-settings.json")
    env["XDG_CONFIG_DIRS"] = str(workdir / "no-system-xdg")  # no host autostart entry either
    env.pop("EARSHOT_TOKEN", None)
    env.pop("EARSHOT_HOME", None)
    return env


def start_app(session: XDesktop, workdir: Path, data_dir: Path) -> subprocess.Popen[bytes]:
    """The real ``earshot`` command (``python -m earshot``) on a fresh profile in ``data_dir``."""
    return subprocess.Popen(
        [sys.executable, "-m", "earshot", "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=app_env(session, workdir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_script(session: XDesktop, source: str, *args: str) -> subprocess.Popen[bytes]:
    """A baseline: ``python -c source args...`` on the desktop."""
    return subprocess.Popen(
        [sys.executable, "-c", source, *args],
        cwd=ROOT,
        env=session.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@contextmanager
def running(process: subprocess.Popen[Any]) -> Iterator[subprocess.Popen[Any]]:
    """Ends ``process`` after the block, however it is left."""
    try:
        yield process
    finally:
        stop(process)


@dataclass
class Seen:
    """An X event and when the benchmark read it (``time.perf_counter()``)."""

    event: Any
    at: float


class XWatcher:
    """A connection of the benchmark's own: presses keys, waits for X events, timestamps them."""

    def __init__(self, session: XDesktop) -> None:
        self.display = display.Display(session.display)
        self.root = self.display.screen().root
        if not self.display.has_extension("XTEST"):
            raise DesktopMissing("the X server has no XTEST extension")
        self._net_wm_pid = self.display.intern_atom("_NET_WM_PID")

    def close(self) -> None:
        self.display.close()

    # -- keys -----------------------------------------------------------------------------

    def keycode(self, keysym_name: str) -> int:
        code = int(self.display.keysym_to_keycode(XK.string_to_keysym(keysym_name)))
        if not code:
            raise DesktopMissing(f"no key for {keysym_name} on the X server's keyboard")
        return code

    def press(self, *keysym_names: str) -> None:
        """Press the keys in order and release them in reverse, as one chord (``ctrl+alt+f``)."""
        codes = [self.keycode(name) for name in keysym_names]
        for code in codes:
            xtest.fake_input(self.display, X.KeyPress, code)
        for code in reversed(codes):
            xtest.fake_input(self.display, X.KeyRelease, code)
        self.display.flush()

    # -- events ---------------------------------------------------------------------------

    def watch(self, window: int, mask: int) -> None:
        """Select ``mask`` events on ``window`` (any client may, besides its owner)."""
        self.display.create_resource_object("window", window).change_attributes(event_mask=mask)
        self.display.sync()

    def drain(self) -> None:
        """Forget the events read so far (those of an earlier round)."""
        self.display.sync()
        while self.display.pending_events():
            self.display.next_event()

    def wait(self, what: str, matches: Callable[[Any], bool], deadline: float = DEADLINE) -> Seen:
        """The first event that ``matches``, with the time it was read; others are dropped."""
        give_up = time.perf_counter() + deadline
        while True:
            while self.display.pending_events():
                event = self.display.next_event()
                at = time.perf_counter()
                if matches(event):
                    return Seen(event, at)
            left = give_up - time.perf_counter()
            if left <= 0:
                raise TimedOut(f"timed out waiting for {what}")
            select.select([self.display.fileno()], [], [], left)

    def wait_all(
        self, wanted: dict[str, Callable[[Any], bool]], deadline: float = DEADLINE
    ) -> dict[str, float]:
        """When each of several events was read (each name's first match)."""
        seen: dict[str, float] = {}
        give_up = time.perf_counter() + deadline
        while len(seen) < len(wanted):
            left = give_up - time.perf_counter()
            if left <= 0:
                raise TimedOut(f"timed out waiting for {sorted(set(wanted) - set(seen))}")
            found = self.wait(
                " and ".join(sorted(set(wanted) - set(seen))),
                lambda event: any(
                    name not in seen and check(event) for name, check in wanted.items()
                ),
                left,
            )
            for name, check in wanted.items():
                if name not in seen and check(found.event):
                    seen[name] = found.at
        return seen

    # -- windows --------------------------------------------------------------------------

    def focus(self) -> int:
        focus = self.display.get_input_focus().focus
        return int(getattr(focus, "id", focus))  # PointerRoot and None come as numbers

    def window_named(self, name: str, pid: int | None = None) -> int:
        """A top-level client window called ``name`` (of process ``pid``), 0 if none."""
        for window in self._clients(self.root):
            if window.get_wm_name() == name and (pid is None or self.pid_of(window.id) == pid):
                return int(window.id)
        return 0

    def _clients(self, parent: Any, depth: int = 0) -> Iterator[Any]:
        # Under openbox a client window sits in a frame: two levels below the root is enough.
        for child in parent.query_tree().children:
            yield child
            if depth < 2:
                yield from self._clients(child, depth + 1)

    def pid_of(self, window: int) -> int | None:
        prop = self.display.create_resource_object("window", window).get_full_property(
            self._net_wm_pid, X.AnyPropertyType
        )
        return int(prop.value[0]) if prop is not None and len(prop.value) else None


def till_window(session: XDesktop, stack: ExitStack) -> int:
    """Another program's window with the keyboard focus (xmessage): the till, the browser."""
    process = stack.enter_context(
        running(
            subprocess.Popen(
                ["xmessage", "-name", "till", "-title", "till", "-center", "The till program"],
                env=session.env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    )
    window = session.xdotool("search", "--sync", "--pid", str(process.pid), "--name", "^till$")
    till = int(window.splitlines()[0])
    session.xdotool("windowactivate", "--sync", str(till))
    return till


def proc_pids(pid: int) -> list[int]:
    """``pid`` and its descendants (the app's helper processes, if any), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


@dataclass(frozen=True)
class ProcSample:
    """One process's counters from /proc at one moment."""

    at: float  # time.monotonic()
    cpu_s: float  # utime + stime of all its threads
    rss_kib: int
    rss_anon_kib: int  # the heap and other private memory: what the process made itself
    wakeups: int  # voluntary context switches (a thread went to sleep), summed over its threads
    threads: int


def sample(pid: int) -> ProcSample:
    at = time.monotonic()
    ticks = os.sysconf("SC_CLK_TCK")
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14, 15)
    status = Path(f"/proc/{pid}/status")
    rss, anon = _status_field(status, "VmRSS"), _status_field(status, "RssAnon")
    wakeups = threads = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            wakeups += _status_field(task / "status", "voluntary_ctxt_switches")
            threads += 1
        except (OSError, ValueError):
            continue  # a thread that ended while we looked
    return ProcSample(at, cpu, rss, anon, wakeups, threads)


def _status_field(path: Path, name: str) -> int:
    for line in path.read_text(encoding="ascii").splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1])
    raise ValueError(f"{name} not in {path}")
