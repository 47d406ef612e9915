"""'Don't record my name', end to end: key presses in the real quick-entry window, then every
place an entry goes is searched for the name byte by byte.

The PC has a default name ("Zebulon-Quince", in the settings and remembered by the window). The
words are typed, the draft is written (with the name still in the form), Tab goes to "your
idea", Alt+M ticks "don't record my name", Ctrl+Enter saves. Then: the journal's files (database
and WAL), the HTTP body the sender posts (captured by a relay in front of the collector), the
real collector's SQLite files and its export, this PC's CSV export, and every log line at DEBUG
(this process's, SQLAlchemy's result rows included, and the collector's). The same steps without
Alt+M must find the name in all but the collector's log, so each check is shown to be able to
fail.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import logging
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from earshot.core.entry import SyncState
from earshot.core.journal import EntryQuery
from earshot.core.profile import Profile
from earshot.gui.resources import Resources
from earshot.gui.services.window_state import WindowState
from earshot.gui.windows.quick_entry import QuickEntryWindow
from earshot_sync.backoff import Backoff
from earshot_sync.client import CollectorClient
from earshot_sync.credentials import Token
from earshot_sync.protocol import ENTRIES_PATH
from earshot_sync.sender import Outcome, Sender
from earshot_sync.transport import make_session
from tests.anonymity import NAME, files_with_name, has_name, sqlite_files
from tests.collector_server import running_collector
from tests.core.test_cli import earshot
from tests.faultserver import fault_server

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
WORDS = "The new break rule from my manager is unfair"
IDEA = "Let us swap breaks among ourselves"


@pytest.mark.parametrize("anonymous", [True, False], ids=["anonymous", "named"])
def test_an_anonymous_entry_leaves_no_name_anywhere(
    qtbot: QtBot,
    profile: Profile,
    resources: Resources,
    env: dict[str, str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    anonymous: bool,
) -> None:
    # Everything logged at DEBUG, SQLAlchemy's result rows included (the app never turns those
    # on; here they are the most a log could ever hold). The rows the sender reads hold the
    # entry's words and id, so a name on the row would be in the log too: the named case
    # finds it there, which shows this check can fail.
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")
    caplog.set_level(logging.DEBUG)

    preferences = dataclasses.replace(profile.preferences(), site="Leeds Market", staff=(NAME,))
    state = WindowState(profile.data_dir.state)
    state.update("quick_entry", staff=NAME)
    journal = profile.open_journal()
    try:
        window = QuickEntryWindow(journal, preferences, state, resources)
        qtbot.addWidget(window)
        qtbot.addWidget(window.toast)
        window.open()
        qtbot.waitActive(window)
        qtbot.waitUntil(window.form.text.hasFocus)
        assert window.form.staff.currentText() == NAME  # the default name is filled in

        # The draft is written while the name is still in the form.
        with qtbot.waitSignal(window.draft_saved, timeout=10_000):
            qtbot.keyClicks(window.form.text, WORDS)
        qtbot.keyClick(window.form.text, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is window.form.idea
        qtbot.keyClicks(window.form.idea, IDEA)
        if anonymous:
            qtbot.keyClick(window.form.idea, Qt.Key.Key_M, ALT)
            assert window.form.anonymous.isChecked()
            assert window.form.staff.currentText() == ""
            assert not window.form.staff.isEnabled()
        with qtbot.waitSignal(window.saved):
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, CTRL)

        [stored] = list(journal.iter_entries(EntryQuery()))
        entry = stored.entry
        assert (entry.text, entry.idea, entry.site) == (WORDS, IDEA, "Leeds Market")
        assert (entry.staff, entry.anonymous) == ((None, True) if anonymous else (NAME, False))
        # The box is for one entry: unticked again, the name back for the next one.
        assert not window.form.anonymous.isChecked()
        assert window.form.staff.isEnabled()
        assert window.form.staff.currentText() == NAME

        # 1. The journal's files, as they are on disk now (database and WAL).
        journal_files = sqlite_files(journal.path)
        assert journal.path.with_name(journal.path.name + "-wal") in journal_files
        assert (files_with_name(journal_files) == []) is anonymous

        # 2. The wire and 3. the collector: the sender posts through a relay that keeps the body.
        with (
            running_collector(
                tmp_path / "collector", serve_args=["--log-level", "debug"]
            ) as collector,
            fault_server(token=collector.token, upstream=collector.url) as relay,
        ):
            client = CollectorClient(relay.url, Token(collector.token), make_session(), (5, 30))
            result = Sender(journal, client, None, Backoff(base=0.001, cap=0.001)).run()
            assert result.outcome is Outcome.DONE
            assert journal.status()[SyncState.SENT] == 1

            [post] = [seen for seen in relay.posts() if seen.path == ENTRIES_PATH]
            [sent] = json.loads(post.body)["entries"]
            assert (sent["text"], sent["idea"], sent["site"]) == (WORDS, IDEA, "Leeds Market")
            assert (sent["staff"], sent["anonymous"]) == (
                (None, True) if anonymous else (NAME, False)
            )
            assert has_name(post.body) is not anonymous

            exported_csv = collector.cli("export", "--format", "csv").stdout
            exported_jsonl = collector.cli("export", "--format", "jsonl").stdout
            [row] = list(csv.DictReader(io.StringIO(exported_csv)))
            assert (row["idea"], row["anonymous"]) == (IDEA, "yes" if anonymous else "no")
            assert has_name(exported_csv) is not anonymous
            assert has_name(exported_jsonl) is not anonymous
            collector.stop()
            store_files = sqlite_files(collector.data_dir / "collector.sqlite3")
            assert store_files
            assert (files_with_name(store_files) == []) is anonymous
            assert "earshot-collector listening" in collector.log()  # its log was kept
            assert not has_name(collector.log())

        # 4. This PC's export, as IT runs it.
        exported = earshot(env, "export", "--format", "csv")
        assert exported.returncode == 0, exported.stderr
        [row] = list(csv.DictReader(io.StringIO(exported.stdout)))
        assert (row["idea"], row["anonymous"]) == (IDEA, "yes" if anonymous else "no")
        assert has_name(exported.stdout) is not anonymous
    finally:
        journal.close()

    # 5. The logs of this process: the entry's row was logged as the sender read it (its id,
    # its words, its site), so a name on it would show; the name shows for the named entry only.
    sender_reads = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("sqlalchemy") and str(entry.id) in record.getMessage()
    ]
    assert any(WORDS in line and "Leeds Market" in line for line in sender_reads)
    assert any(record.name.startswith("earshot_sync") for record in caplog.records)
    assert has_name(caplog.text) is not anonymous
