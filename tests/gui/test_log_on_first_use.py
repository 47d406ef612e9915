"""The log window's module is loaded when the log is first opened, not at start-up."""

from __future__ import annotations

import subprocess
import sys

from pytestqt.qtbot import QtBot

from earshot.core.journal import Journal
from earshot.core.settings import Preferences
from earshot.gui.app import LogOnFirstUse


def test_starting_the_app_does_not_import_the_log_window() -> None:
    # A fresh interpreter: this one has imported everything the other tests use.
    probe = "import sys, earshot.gui.app; print('earshot.gui.log_window' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False"


def test_the_log_opens_on_first_use_and_is_reused(
    qtbot: QtBot, journal: Journal, preferences: Preferences
) -> None:
    opener = LogOnFirstUse(journal, lambda: preferences)
    opener.refresh()  # a save before the log was ever opened: nothing to refresh
    assert opener.opener is None

    opener()
    assert opener.opener is not None
    window = opener.opener.window
    assert window is not None
    qtbot.addWidget(window)
    qtbot.waitUntil(window.isVisible)

    opener.refresh()
    opener()
    assert opener.opener.window is window  # one log window, raised again
