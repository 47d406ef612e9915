"""The log window is made when the log is first opened (``tests/gui/test_startup_imports.py``
checks that its module is not imported at start-up)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from earshot.core.journal import Journal
from earshot.core.settings import Preferences
from earshot.gui.app import LogOnFirstUse
from earshot.gui.services.journal import JournalChange

CHANGE = JournalChange(waiting=1, added=True)


def test_the_log_opens_on_first_use_and_is_reused(
    qtbot: QtBot, journal: Journal, preferences: Preferences
) -> None:
    opener = LogOnFirstUse(journal, lambda: preferences)
    opener.journal_changed(CHANGE)  # a save before the log was ever opened: nothing to refresh
    assert opener.opener is None

    opener()
    assert opener.opener is not None
    window = opener.opener.window
    assert window is not None
    qtbot.addWidget(window)
    qtbot.waitUntil(window.isVisible)

    opener.journal_changed(CHANGE)
    opener()
    assert opener.opener.window is window  # one log window, raised again
