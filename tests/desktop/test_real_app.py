"""The real ``earshot`` command on a real X server: one app, capture from a second process.

The harness tests look inside the app; these only look from outside, as a user would: the
windows on the screen (xdotool) and the processes.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.desktop.conftest import DEADLINE, XDesktop, _stop, wait_for

QUICK_ENTRY = "^Earshot: what did the customer say\\?$"


def windows(x_desktop: XDesktop, name: str) -> list[str]:
    found = x_desktop.xdotool("search", "--onlyvisible", "--name", name, check=False)
    return found.split()


def hide(x_desktop: XDesktop, window: str) -> None:
    x_desktop.xdotool("windowactivate", "--sync", window)
    x_desktop.xdotool("key", "Escape")
    wait_for("the quick entry to hide", lambda: not windows(x_desktop, QUICK_ENTRY))


@pytest.fixture
def earshot_env(x_desktop: XDesktop, tmp_path: Path) -> dict[str, str]:
    env = dict(x_desktop.env)
    env["EARSHOT_SYSTEM_SETTINGS"] = str(tmp_path / "no-system-settings.json")
    env.pop("EARSHOT_TOKEN", None)
    return env


@pytest.fixture
def running(earshot_env: dict[str, str], data_dir: Path) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "earshot", "--data-dir", str(data_dir)],
        env=earshot_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield process
    _stop(process)


def test_a_second_earshot_and_earshot_capture_use_the_running_app(
    x_desktop: XDesktop,
    running: subprocess.Popen[bytes],
    earshot_env: dict[str, str],
    data_dir: Path,
) -> None:
    shown = wait_for("the quick entry of the first app", lambda: windows(x_desktop, QUICK_ENTRY))
    hide(x_desktop, shown[0])  # hidden; the app keeps running
    assert running.poll() is None, "closing its window ended the app"

    for args in (["capture"], []):
        done = subprocess.run(
            [sys.executable, "-m", "earshot", "--data-dir", str(data_dir), *args],
            env=earshot_env,
            capture_output=True,
            text=True,
            timeout=DEADLINE * 3,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        again = wait_for("the first app's quick entry", lambda: windows(x_desktop, QUICK_ENTRY))
        assert len(again) == 1  # one app, one window: the second start only knocked
        hide(x_desktop, again[0])
    assert running.poll() is None
