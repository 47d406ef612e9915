"""The tray on a real X server: embedded in trayer, following the journal; a window without it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.desktop.conftest import App, XDesktop, wait_for


def earshot_add(x_desktop: XDesktop, data_dir: Path, text: str) -> None:
    """Queue an entry from another process, as a script or a second PC user would."""
    subprocess.run(
        [sys.executable, "-m", "earshot", "--data-dir", str(data_dir), "add", text],
        env=x_desktop.env,
        check=True,
        capture_output=True,
        timeout=60,
    )


def test_with_a_tray_host_the_icon_is_embedded_and_follows_the_journal(
    x_desktop: XDesktop,
    tray_host: subprocess.Popen[bytes],
    start_app: Callable[..., App],
    data_dir: Path,
) -> None:
    app = start_app("--hidden")
    state = app.wait_status("the icon in the tray", lambda s: s["tray_geometry"][2] > 0)
    assert state["in_tray"] is True
    assert state["fallback_visible"] is False
    width, height = state["tray_geometry"][2:]
    assert width > 0
    assert height > 0
    assert state["tooltip"] == "Earshot: All entries sent"

    earshot_add(x_desktop, data_dir, "The car park was full")
    app.wait_status("the tooltip to count 1", lambda s: "1 waiting" in s["tooltip"])
    earshot_add(x_desktop, data_dir, "Loved the new layout")
    earshot_add(x_desktop, data_dir, "Card reader at till 2 is slow")
    state = app.wait_status("the tooltip to count 3", lambda s: "3 waiting" in s["tooltip"])
    assert state["tooltip"] == "Earshot: 3 waiting to be sent"

    # A left click on the icon opens the quick entry.
    x, y, width, height = state["tray_geometry"]
    x_desktop.xdotool("mousemove", "--sync", str(x + width // 2), str(y + height // 2))
    x_desktop.xdotool("click", "1")
    app.wait_status("the quick entry after a click", lambda s: s["quick_entry_visible"])


def test_without_a_tray_host_a_window_stays_in_the_task_bar_and_the_tray_is_picked_up_later(
    no_tray: XDesktop, start_app: Callable[..., App]
) -> None:
    app = start_app("--hidden")
    state = app.wait_status("the fallback window", lambda s: s["fallback_visible"])
    assert state["in_tray"] is False
    # It is a real, managed top-level window, so the task bar (and Alt+Tab) list it.
    wait_for(
        "the fallback window to be mapped",
        lambda: (
            str(state["fallback_window"])
            in no_tray.xdotool(
                "search", "--onlyvisible", "--name", "^Earshot$", check=False
            ).split()
        ),
    )

    # Closing it from the title bar (openbox: Alt+F4) only minimises it: the app stays reachable.
    no_tray.xdotool("windowactivate", "--sync", str(state["fallback_window"]))
    no_tray.xdotool("key", "alt+F4")
    state = app.wait_status("the window to minimise", lambda s: s["fallback_minimized"])
    assert state["fallback_visible"] is True
    assert app.process.poll() is None

    # A tray appears later (a panel restarts, an extension is switched on): the icon moves in.
    trayer = subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request"],
        env=no_tray.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        state = app.wait_status(
            "the icon to move into the new tray",
            lambda s: s["in_tray"] and s["tray_geometry"][2] > 0 and not s["fallback_visible"],
        )
    finally:
        trayer.terminate()
        trayer.wait(10)
