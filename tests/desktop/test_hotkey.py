"""The global hotkey on a real X server: from another program's window to a saved entry."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.desktop.conftest import App, XDesktop, wait_for

from earshot.core.journal import Journal

SAVE = "ctrl+Return"


def entries(data_dir: Path) -> list[str]:
    journal = Journal.open(data_dir / "journal.sqlite3")
    try:
        return [stored.entry.text for stored in journal.iter_entries()]
    finally:
        journal.close()


def capture_with_hotkey(x_desktop: XDesktop, app: App, words: str) -> None:
    """Press the hotkey over the till, type, save: the entry is in, the till has the focus."""
    x_desktop.xdotool("key", "--clearmodifiers", "ctrl+alt+f")
    app.wait_status(
        "the quick entry to have the keyboard focus",
        lambda s: s["quick_entry_visible"] and s["active_window"] == "quickEntry",
    )
    wait_for(
        "the window manager to focus the quick entry",
        lambda: x_desktop.focused_window_name().startswith("Earshot"),
    )
    x_desktop.xdotool("type", "--delay", "20", words)
    x_desktop.xdotool("key", SAVE)
    app.wait_status("the quick entry to close", lambda s: not s["quick_entry_visible"])
    wait_for("the focus to go back to the till", lambda: x_desktop.focused_window_name() == "till")


@pytest.fixture
def hidden_app(start_app: Callable[..., App]) -> App:
    app = start_app("--hidden")
    state = app.wait_status(
        "the hotkey to be grabbed", lambda s: s["hotkey"] or s["hotkey_problem"]
    )
    assert state["hotkey"] == "Ctrl+Alt+F", state
    return app


def test_hotkey_over_another_window_saves_and_gives_the_focus_back(
    x_desktop: XDesktop, hidden_app: App, other_window: str, data_dir: Path
) -> None:
    capture_with_hotkey(x_desktop, hidden_app, "Wanted the blue one in size 9")
    wait_for(
        "the entry in the journal", lambda: "Wanted the blue one in size 9" in entries(data_dir)
    )


@pytest.fixture
def num_lock(x_desktop: XDesktop) -> Iterator[None]:
    x_desktop.xdotool("key", "Num_Lock")
    wait_for("NumLock to be on", x_desktop.num_lock_on)
    yield
    x_desktop.xdotool("key", "Num_Lock")
    wait_for("NumLock to be off", lambda: not x_desktop.num_lock_on())


def test_hotkey_works_with_num_lock_on(
    x_desktop: XDesktop, hidden_app: App, other_window: str, num_lock: None, data_dir: Path
) -> None:
    capture_with_hotkey(x_desktop, hidden_app, "Asked about opening hours")
    wait_for("the entry in the journal", lambda: "Asked about opening hours" in entries(data_dir))


GRABBER = """
import sys
from Xlib import X, XK, display
connection = display.Display()
root = connection.screen().root
keycode = connection.keysym_to_keycode(XK.string_to_keysym(sys.argv[1]))
root.grab_key(keycode, X.ControlMask | X.Mod1Mask, False, X.GrabModeAsync, X.GrabModeAsync)
connection.sync()
print("grabbed", flush=True)
sys.stdin.read()
"""


GRAB_CHECK = """
import sys
from Xlib import X, XK, display, error
connection = display.Display()
keycode = connection.keysym_to_keycode(XK.string_to_keysym(sys.argv[1]))
catcher = error.CatchError(error.BadAccess)
connection.screen().root.grab_key(
    keycode, X.ControlMask | X.Mod1Mask, False, X.GrabModeAsync, X.GrabModeAsync, onerror=catcher
)
connection.sync()
print("taken" if catcher.get_error() else "free")
"""


def can_grab(x_desktop: XDesktop, key: str) -> bool:
    """Whether another X client could grab Ctrl+Alt+``key`` now (BadAccess if someone holds it)."""
    done = x_desktop.run(sys.executable, "-c", GRAB_CHECK, key)
    assert done in ("free", "taken"), done
    return done == "free"


@pytest.fixture
def other_grab(x_desktop: XDesktop) -> Iterator[None]:
    """Another X client holding Ctrl+Alt+F, as a till program or a desktop tool might."""
    process = subprocess.Popen(
        [sys.executable, "-c", GRABBER, "f"],
        env=x_desktop.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "grabbed"
    yield
    assert process.stdin is not None
    process.stdin.close()
    process.wait(10)


def test_a_combination_grabbed_by_another_client_is_reported_as_taken(
    other_grab: None, start_app: Callable[..., App]
) -> None:
    app = start_app("--hidden")
    state = app.wait_status("the hotkey to be tried", lambda s: s["hotkey"] or s["hotkey_problem"])
    assert state["hotkey"] == ""
    assert "Another program already uses Ctrl+Alt+F" in state["hotkey_problem"]
    # The user sees it where they look for the app: the tray's tooltip or the fallback window.
    assert "Another program already uses Ctrl+Alt+F" in state["tooltip"]


def test_a_new_hotkey_from_the_settings_window_replaces_the_old_one(
    x_desktop: XDesktop, hidden_app: App, data_dir: Path
) -> None:
    hidden_app.send("settings")
    wait_for(
        "the settings window to have the focus",
        lambda: x_desktop.focused_window_name() == "Earshot settings",
    )
    x_desktop.xdotool("key", "alt+h")  # the Hotkey label's underlined letter
    x_desktop.xdotool("key", "ctrl+a")
    x_desktop.xdotool("type", "--delay", "20", "Ctrl+Alt+G")
    x_desktop.xdotool("key", "Return")  # Save

    state = hidden_app.wait_status("the new hotkey", lambda s: s["hotkey"] == "Ctrl+Alt+G")
    assert state["hotkey_problem"] == ""
    assert '"hotkey": "Ctrl+Alt+G"' in (data_dir / "settings.json").read_text(encoding="utf-8")

    assert can_grab(x_desktop, "f"), "the old hotkey is still held"
    assert not can_grab(x_desktop, "g")
    x_desktop.xdotool("key", "--clearmodifiers", "ctrl+alt+g")
    hidden_app.wait_status("the quick entry", lambda s: s["quick_entry_visible"])
