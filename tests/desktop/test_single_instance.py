"""One app per profile: later starts hand over to the running one and exit."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.desktop.conftest import DEADLINE, App, XDesktop, wait_for


def run_earshot(
    x_desktop: XDesktop, data_dir: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "earshot", "--data-dir", str(data_dir), *args],
        env=x_desktop.env,
        capture_output=True,
        text=True,
        timeout=DEADLINE * 3,
        check=False,
    )


def test_earshot_capture_opens_the_quick_entry_of_the_running_app(
    x_desktop: XDesktop, start_app: Callable[..., App], other_window: str, data_dir: Path
) -> None:
    app = start_app("--hidden")
    assert app.status()["quick_entry_visible"] is False

    done = run_earshot(x_desktop, data_dir, "capture")

    assert done.returncode == 0, done.stderr
    state = app.wait_status(
        "the quick entry to come up in the first app",
        lambda s: s["quick_entry_visible"] and s["active_window"] == "quickEntry",
    )
    assert state["focus"] == "What the customer said"
    wait_for(
        "the window manager to focus it",
        lambda: x_desktop.focused_window_name().startswith("Earshot"),
    )


def test_a_second_earshot_does_not_start_a_second_app(
    x_desktop: XDesktop, start_app: Callable[..., App], data_dir: Path
) -> None:
    first = start_app("--hidden")
    pid = first.status()["pid"]

    done = run_earshot(x_desktop, data_dir)  # the real command, as a user double-clicks it

    assert done.returncode == 0, done.stderr
    # It handed over ("show") and exited; the first app shows its window and is still the one.
    state = first.wait_status(
        "the first app to show its window", lambda s: s["quick_entry_visible"]
    )
    assert state["pid"] == pid
    assert first.process.poll() is None


def test_a_second_start_of_the_app_hands_over_and_exits(start_app: Callable[..., App]) -> None:
    first = start_app("--hidden")
    second = start_app()

    assert second.first == "second"
    assert second.process.wait(DEADLINE) == 0
    first.wait_status("the first app to show its window", lambda s: s["quick_entry_visible"])


def test_another_profile_runs_its_own_app(
    start_app: Callable[..., App], tmp_path: Path, x_desktop: XDesktop
) -> None:
    start_app("--hidden")
    other = subprocess.Popen(
        [sys.executable, "-m", "tests.desktop.harness", "--data-dir", str(tmp_path / "other")],
        cwd=Path(__file__).resolve().parents[2],
        env=x_desktop.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None
        assert other.stdout.readline().strip() == "ready"
    finally:
        other.terminate()
        other.wait(DEADLINE)


def test_a_stale_socket_after_a_crash_does_not_stop_the_next_start(
    start_app: Callable[..., App],
) -> None:
    crashed = start_app("--hidden")
    crashed.process.kill()  # SIGKILL: no clean-up, the socket file stays behind
    crashed.process.wait(DEADLINE)

    again = start_app("--hidden")

    assert again.first == "ready"
    assert again.status()["pid"] == again.process.pid
