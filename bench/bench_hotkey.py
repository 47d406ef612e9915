"""Hotkey to focused window on a real X server, beside a bare PySide6 window grabbing a key.

On Xvfb with openbox and trayer, another program's window (the "till") has the keyboard focus.
The benchmark presses Ctrl+Alt+<key> through XTEST and times, from just before the press, when
X reports the window mapped (MapNotify) and focused (FocusIn) to the benchmark's own
connection; Escape hides the window again and the focus goes back to the till before the next
press. Two processes take turns, press after press, so the noise of a shared machine falls on
both alike:

* the real app (``python -m earshot``, fresh profile, no system settings) and its quick entry,
  on its hotkey Ctrl+Alt+F;
* the baseline: a PySide6 script that grabs Ctrl+Alt+B the same way (python-xlib
  ``XGrabKey`` on the root, the four NumLock/CapsLock variants, a ``QSocketNotifier``) and
  shows an already-created empty ``QWidget``, asking the window manager to activate it with the
  key press's time as the app does. (The letter differs only because one key cannot be grabbed
  by two clients.)
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path

from tests.desktop.xserver import XDesktop, wait_until
from Xlib import X

from bench.figures import Figure, median, ms, percentile, ratio
from bench.xdesktop import (
    DEADLINE,
    FOCUSED,
    QUICK_ENTRY,
    XWatcher,
    desktop,
    per_size,
    running,
    start_app,
    start_script,
    till_window,
)

AIM_MS = 50.0
PRESSES = {"small": 3, "full": 40}
BASELINE_TITLE = "Baseline window"

BASELINE = """
import sys
from PySide6.QtCore import QSocketNotifier
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QWidget
from Xlib import XK, X, display
from Xlib.protocol import event

app = QApplication(sys.argv[:1])
app.setQuitOnLastWindowClosed(False)
window = QWidget()
window.setWindowTitle(sys.argv[2])
window.resize(640, 560)
QShortcut(QKeySequence("Escape"), window).activated.connect(window.hide)

connection = display.Display()
root = connection.screen().root
keycode = connection.keysym_to_keycode(XK.string_to_keysym(sys.argv[1]))
for locks in (0, X.Mod2Mask, X.LockMask, X.Mod2Mask | X.LockMask):
    modifiers = X.ControlMask | X.Mod1Mask | locks
    root.grab_key(keycode, modifiers, False, X.GrabModeAsync, X.GrabModeAsync)
connection.sync()
active_window = connection.intern_atom("_NET_ACTIVE_WINDOW")

def read_events():
    pressed_at = None
    while connection.pending_events():
        received = connection.next_event()
        if received.type == X.KeyPress:
            pressed_at = received.time
    if pressed_at is None:
        return
    window.show()
    window.raise_()
    window.activateWindow()
    message = event.ClientMessage(
        window=int(window.winId()), client_type=active_window, data=(32, [2, pressed_at, 0, 0, 0])
    )
    root.send_event(message, event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask)
    connection.flush()

notifier = QSocketNotifier(connection.fileno(), QSocketNotifier.Type.Read)
notifier.activated.connect(read_events)
window.show()
app.exec()
"""


class Target:
    """One window opened by a hotkey: its keys, its X window, its times."""

    def __init__(self, name: str, key: str, window: int) -> None:
        self.name = name
        self.key = key
        self.window = window
        self.mapped: list[float] = []
        self.focused: list[float] = []


def _first_window(watcher: XWatcher, title: str, pid: int) -> int:
    return wait_until(
        f"the window {title!r}", lambda: watcher.window_named(title, pid), deadline=DEADLINE
    )


def _hide(watcher: XWatcher, target: Target) -> None:
    """Escape in the window; wait until it is unmapped."""
    watcher.press("Escape")
    watcher.wait(
        f"{target.name} to hide",
        lambda e: e.type == X.UnmapNotify and e.window.id == target.window,
    )


def _till_focused(watcher: XWatcher, till: int) -> None:
    wait_until("the till to have the focus", lambda: watcher.focus() == till, pause=0.005)


def _press(watcher: XWatcher, target: Target) -> tuple[float, float]:
    """Press the target's hotkey; seconds until its window is mapped, and focused."""
    watcher.drain()
    started = time.perf_counter()
    watcher.press("Control_L", "Alt_L", target.key)
    seen = watcher.wait_all(
        {
            "mapped": lambda e: e.type == X.MapNotify and e.window.id == target.window,
            "focused": lambda e: (
                e.type == X.FocusIn and e.window.id == target.window and e.detail in FOCUSED
            ),
        }
    )
    return seen["mapped"] - started, seen["focused"] - started


def measure(session: XDesktop, workdir: Path, presses: int) -> list[Target]:
    watcher = XWatcher(session)
    with ExitStack() as stack:
        stack.callback(watcher.close)
        till = till_window(session, stack)
        app = stack.enter_context(running(start_app(session, workdir, workdir / "earshot-home")))
        baseline = stack.enter_context(
            running(start_script(session, BASELINE, "b", BASELINE_TITLE))
        )
        targets = [
            Target("earshot", "f", _first_window(watcher, QUICK_ENTRY, app.pid)),
            Target("baseline", "b", _first_window(watcher, BASELINE_TITLE, baseline.pid)),
        ]
        mask = X.StructureNotifyMask | X.FocusChangeMask
        for target in targets:
            watcher.watch(target.window, mask)
        for target in targets:  # both opened themselves at start; the till takes the focus
            session.xdotool("windowactivate", "--sync", str(target.window))
            _hide(watcher, target)
        session.xdotool("windowactivate", "--sync", str(till))
        _till_focused(watcher, till)
        for turn in range(presses * len(targets)):
            target = targets[turn % len(targets)]
            # A pause of its own length each time, so no timer in either process keeps step.
            time.sleep(0.15 + 0.01 * (turn * 7 % 10))
            mapped, focused = _press(watcher, target)
            target.mapped.append(mapped)
            target.focused.append(focused)
            _hide(watcher, target)
            _till_focused(watcher, till)
        for process in (app, baseline):
            if process.poll() is not None:
                raise RuntimeError(f"a window's process ended during the run ({process.args!r})")
    return targets


def figures(targets: list[Target]) -> list[Figure]:
    app, baseline = targets
    p95 = percentile(app.focused, 95)
    base_p95 = percentile(baseline.focused, 95)
    runs = len(app.focused)
    return [
        Figure(
            name="hotkey to quick entry focused, p95",
            unit="ms",
            value=ms(p95),
            baseline=ms(base_p95),
            baseline_name="bare QWidget, same grab",
            ratio=ratio(p95, base_p95),
            aim=f"≤ {AIM_MS:.0f} ms p95",
            met=ms(p95) <= AIM_MS,
            median=ms(median(app.focused)),
            p95=ms(p95),
            p99=ms(percentile(app.focused, 99)),
            runs=runs,
            notes=(
                f"XTEST key press to FocusIn; baseline median {ms(median(baseline.focused)):.1f} ms"
            ),
        ),
        Figure(
            name="hotkey to quick entry mapped, median",
            unit="ms",
            value=ms(median(app.mapped)),
            baseline=ms(median(baseline.mapped)),
            baseline_name="bare QWidget, same grab",
            ratio=ratio(median(app.mapped), median(baseline.mapped)),
            p95=ms(percentile(app.mapped, 95)),
            runs=runs,
            notes="XTEST key press to MapNotify",
        ),
    ]


def run(size: str, workdir: Path) -> list[Figure]:
    presses = per_size(PRESSES, size)
    with desktop(workdir) as session:
        targets = measure(session, workdir, presses)
    return figures(targets)
