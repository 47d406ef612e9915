"""The quick-entry window, driven with real key presses (offscreen Qt, real SQLite files)."""

from __future__ import annotations

import dataclasses
import os
import re
import select
import signal
import sqlite3
import subprocess
import sys
import textwrap
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QMimeData, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from earshot.core.entry import MAX_TEXT, Entry, Kind, Sentiment
from earshot.core.journal import EntryQuery, Journal
from earshot.core.profile import Profile
from earshot.core.settings import Preferences
from earshot.gui.resources import Resources
from earshot.gui.services.window_state import WindowState
from earshot.gui.widgets.words_edit import PASTE_LIMIT
from earshot.gui.windows.quick_entry import DRAFT_NAME, QuickEntryWindow
from tests.gui.conftest import MakeWindow, reopen
from tests.mounts import make_read_only, make_writable

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
KEYPAD = Qt.KeyboardModifier.KeypadModifier


def entries(journal: Journal) -> list[Entry]:
    return [stored.entry for stored in journal.iter_entries(EntryQuery())]


def paste(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Put ``text`` on the clipboard and press Ctrl+V in ``widget``."""
    QGuiApplication.clipboard().setText(text)
    qtbot.keyClick(widget, Qt.Key.Key_V, CTRL)


def save(qtbot: QtBot, window: QuickEntryWindow) -> None:
    """Ctrl+Enter where the cursor is; returns once the entry is saved."""
    with qtbot.waitSignal(window.saved):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, CTRL)


def problems(window: QuickEntryWindow) -> str:
    return window.form.problems.text() if window.form.problems.isVisible() else ""


# -- the happy path ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "modifiers"),
    [(Qt.Key.Key_Return, CTRL), (Qt.Key.Key_Enter, CTRL | KEYPAD)],
    ids=["ctrl-return", "ctrl-keypad-enter"],
)
def test_type_pick_kind_and_save_with_ctrl_enter(
    qtbot: QtBot,
    window: QuickEntryWindow,
    journal: Journal,
    key: Qt.Key,
    modifiers: Qt.KeyboardModifier,
) -> None:
    qtbot.keyClicks(window.form.text, "The parcel came two days late")
    qtbot.keyClick(window.form.text, Qt.Key.Key_C, ALT)
    qtbot.keyClick(window.form.text, Qt.Key.Key_G, ALT)
    with qtbot.waitSignal(window.saved):
        qtbot.keyClick(window.form.text, key, modifiers)
    [entry] = entries(journal)
    assert entry.text == "The parcel came two days late"
    assert entry.kind is Kind.COMPLAINT
    assert entry.sentiment is Sentiment.NEGATIVE
    assert entry.station == "counter"
    assert not window.isVisible()
    assert window.form.text.toPlainText() == ""
    assert journal.load_draft(DRAFT_NAME) is None


def test_every_field_by_keyboard(qtbot: QtBot, window: QuickEntryWindow, journal: Journal) -> None:
    form = window.form
    qtbot.keyClicks(form.text, "Could you stock oat milk?")
    qtbot.keyClick(form.text, Qt.Key.Key_S, ALT)  # suggestion
    qtbot.keyClick(form.text, Qt.Key.Key_I, ALT)  # positive
    # Tab through the choice buttons to the station, then pick "warehouse" with the arrow.
    while QApplication.focusWidget() is not form.station:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClick(form.station, Qt.Key.Key_Down)
    qtbot.keyClick(form.station, Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "Ana")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "Dairy, Range")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "ana@example.org")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F, ALT)  # needs follow-up
    save(qtbot, window)
    [entry] = entries(journal)
    assert entry.kind is Kind.SUGGESTION
    assert entry.sentiment is Sentiment.POSITIVE
    assert entry.station == "warehouse"
    assert entry.staff == "Ana"
    assert entry.tags == ("dairy", "range")
    assert entry.contact == "ana@example.org"
    assert entry.follow_up is True


def test_choice_keys_are_printed_on_the_buttons(window: QuickEntryWindow) -> None:
    labels = {value: button.text() for value, button in window.form.kind.buttons.items()}
    assert labels["praise"].endswith("Alt+P")
    assert labels["complaint"].endswith("Alt+C")
    assert window.form.sentiment.buttons["negative"].text().endswith("Alt+G")


def test_staff_is_remembered_apart_from_preferences(
    qtbot: QtBot, make_window: MakeWindow, journal: Journal, profile: Profile
) -> None:
    first = make_window(journal)
    qtbot.keyClicks(first.form.text, "Thanks for the quick refund")
    first.form.staff.setFocus()
    qtbot.keyClicks(first.form.staff.lineEdit(), "Bea")
    save(qtbot, first)
    second = make_window(journal)
    assert second.form.staff.currentText() == "Bea"
    assert "Bea" in profile.data_dir.state.read_text(encoding="utf-8")
    assert not profile.data_dir.settings.exists()


def test_size_is_remembered_apart_from_preferences(
    qtbot: QtBot, make_window: MakeWindow, journal: Journal, profile: Profile
) -> None:
    first = make_window(journal)
    first.resize(760, 720)
    qtbot.waitUntil(lambda: first.size().width() == 760)
    qtbot.keyClick(first.form.text, Qt.Key.Key_Escape)
    second = make_window(journal)
    assert (second.width(), second.height()) == (760, 720)
    assert "geometry" in profile.data_dir.state.read_text(encoding="utf-8")


def test_a_damaged_window_state_is_forgotten(
    qtbot: QtBot, make_window: MakeWindow, journal: Journal, profile: Profile
) -> None:
    profile.data_dir.state.write_text(
        '{"quick_entry": {"geometry": "not base64!", "staff": 7}}', encoding="utf-8"
    )
    window = make_window(journal)
    assert window.form.staff.currentText() == ""
    qtbot.keyClicks(window.form.text, "works anyway")
    save(qtbot, window)
    assert [entry.text for entry in entries(journal)] == ["works anyway"]


def test_confirmation_counts_what_waits_and_keeps_the_focus(
    qtbot: QtBot, window: QuickEntryWindow
) -> None:
    qtbot.keyClicks(window.form.text, "first")
    save(qtbot, window)
    assert window.toast.isVisible()
    assert window.toast.text() == "Saved. 1 entry waiting to be sent."
    assert QApplication.activeWindow() is not window.toast
    reopen(qtbot, window)
    qtbot.keyClicks(window.form.text, "second")
    save(qtbot, window)
    assert window.toast.text() == "Saved. 2 entries waiting to be sent."
    with qtbot.waitSignal(window.toast.finished, timeout=10_000):
        pass
    assert not window.toast.isVisible()


# -- the draft ---------------------------------------------------------------------------


def test_escape_hides_and_reopening_keeps_the_draft(
    qtbot: QtBot, window: QuickEntryWindow, journal: Journal
) -> None:
    qtbot.keyClicks(window.form.text, "half a thought")
    qtbot.keyClick(window.form.text, Qt.Key.Key_Q, ALT)
    with qtbot.waitSignal(window.hidden):
        qtbot.keyClick(window.form.text, Qt.Key.Key_Escape)
    assert not window.isVisible()
    assert journal.load_draft(DRAFT_NAME) == {
        "text": "half a thought",
        "idea": "",
        "kind": "question",
        "sentiment": None,
        "station": "counter",
        "anonymous": False,
        "tags": "",
        "contact": None,
        "follow_up": False,
    }
    reopen(qtbot, window)
    assert window.form.text.toPlainText() == "half a thought"
    assert window.form.kind.value() == "question"
    assert entries(journal) == []


def test_draft_survives_a_new_window_on_a_reopened_journal(
    qtbot: QtBot, make_window: MakeWindow, profile: Profile
) -> None:
    journal = profile.open_journal()
    window = make_window(journal)
    with qtbot.waitSignal(window.draft_saved):
        qtbot.keyClicks(window.form.text, "the lift was broken again")
    journal.close()
    reopened = profile.open_journal()
    try:
        again = make_window(reopened)
        assert again.form.text.toPlainText() == "the lift was broken again"
    finally:
        reopened.close()


@pytest.mark.parametrize(
    ("staff_list", "expected"),
    [(("Asha", "Ben"), ""), (("Asha",), "Asha")],
    ids=["shared-pc", "one-name-set-by-it"],
)
def test_a_restored_draft_never_takes_the_last_savers_name(
    qtbot: QtBot,
    profile: Profile,
    resources: Resources,
    staff_list: tuple[str, ...],
    expected: str,
) -> None:
    # A shared PC: Ben saved an entry last (so his name is remembered), then Asha typed words
    # that stayed a draft (the app crashed). Her words come back, never under Ben's name.
    preferences = dataclasses.replace(profile.preferences(), staff=staff_list)
    state = WindowState(profile.data_dir.state)
    journal = profile.open_journal()
    try:
        first = QuickEntryWindow(journal, preferences, state, resources)
        qtbot.addWidget(first)
        qtbot.addWidget(first.toast)
        first.open()
        qtbot.waitActive(first)
        qtbot.waitUntil(first.form.text.hasFocus)
        first.form.staff.setCurrentText("Ben")
        qtbot.keyClicks(first.form.text, "Ben's entry")
        qtbot.keyClick(first.form.text, Qt.Key.Key_C, ALT)
        qtbot.keyClick(first.form.text, Qt.Key.Key_G, ALT)
        assert problems(first) == ""
        save(qtbot, first)
        assert state.get("quick_entry", "staff") == "Ben"
        first.open()
        first.form.text.setFocus()
        with qtbot.waitSignal(first.draft_saved):
            qtbot.keyClicks(first.form.text, "Asha's words, not saved")

        again = QuickEntryWindow(journal, preferences, state, resources)  # after the crash
        qtbot.addWidget(again)
        qtbot.addWidget(again.toast)
        assert again.form.text.toPlainText() == "Asha's words, not saved"
        assert again.form.staff.currentText() == expected
        assert again.form.value().staff == (expected or None)
    finally:
        journal.close()


CRASHING_APP = textwrap.dedent(
    """
    import os, sys
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from earshot.core.profile import Profile
    from earshot.gui.windows.quick_entry import QuickEntryWindow
    from earshot.gui.resources import Resources
    from earshot.gui.services.window_state import WindowState

    app = QApplication([])
    profile = Profile.resolve(None, os.environ)
    window = QuickEntryWindow(
        profile.open_journal(), profile.preferences(),
        WindowState(profile.data_dir.state), Resources.locate(os.environ),
    )
    window.open()
    window.draft_saved.connect(lambda: print("draft saved", flush=True))
    QTest.keyClicks(window.form.text, sys.argv[1])
    QTimer.singleShot(120_000, app.quit)  # never outlive a test that lost track of it
    sys.exit(app.exec())
    """
)


def test_draft_survives_sigkill(
    make_window: MakeWindow, profile: Profile, env: dict[str, str], tmp_path: Path
) -> None:
    script = tmp_path / "crashing_app.py"
    script.write_text(CRASHING_APP, encoding="utf-8")
    words = "she asked for the manager, twice"
    with subprocess.Popen(
        [sys.executable, str(script), words],
        env=env | {"QT_QPA_PLATFORM": "offscreen"},
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        # A guard, not a timing: a window that never saves its draft fails here, not hangs.
        ready, _, _ = select.select([process.stdout], [], [], 60)
        if not ready:
            process.kill()
        assert ready, "the app never reported its draft saved"
        assert process.stdout.readline().strip() == "draft saved"
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait() == -signal.SIGKILL
    journal = profile.open_journal()
    try:
        assert make_window(journal).form.text.toPlainText() == words
    finally:
        journal.close()


# -- bad input ---------------------------------------------------------------------------


def test_empty_text_is_explained_and_nothing_saved(
    qtbot: QtBot, window: QuickEntryWindow, journal: Journal
) -> None:
    qtbot.keyClicks(window.form.text, "   ")
    qtbot.keyClick(window.form.text, Qt.Key.Key_Return, CTRL)
    assert "the text is empty" in problems(window)
    assert window.isVisible()
    assert entries(journal) == []


def test_10001_characters_are_refused_and_kept(
    qtbot: QtBot, window: QuickEntryWindow, journal: Journal
) -> None:
    text = "x" * (MAX_TEXT + 1)
    paste(qtbot, window.form.text, text)
    assert "Too long: 10,001 characters" in window.form.length.text()
    qtbot.keyClick(window.form.text, Qt.Key.Key_Return, CTRL)
    assert "The text is too long: 10,001 characters" in problems(window)
    assert window.form.text.toPlainText() == text
    assert entries(journal) == []
    # Cutting one character is enough.
    qtbot.keyClick(window.form.text, Qt.Key.Key_Backspace)
    save(qtbot, window)
    assert len(entries(journal)[0].text) == MAX_TEXT


def test_5mb_paste_is_refused_and_the_draft_survives(
    qtbot: QtBot, window: QuickEntryWindow, journal: Journal
) -> None:
    with qtbot.waitSignal(window.draft_saved):
        qtbot.keyClicks(window.form.text, "Before the paste: ")
    line = "The customer read out the whole terms and conditions. "
    text = (line * (5_000_000 // len(line) + 1))[:5_000_000]
    paste(qtbot, window.form.text, text)
    assert "That paste is far too long: 5,000,000 characters" in problems(window)
    assert "still on the clipboard" in problems(window)
    assert QGuiApplication.clipboard().text() == text
    assert window.form.text.toPlainText() == "Before the paste: "
    # Still typing at once, and the draft follows.
    with qtbot.waitSignal(window.draft_saved):
        qtbot.keyClicks(window.form.text, "a shorter part")
    draft = journal.load_draft(DRAFT_NAME)
    assert draft is not None
    assert draft["text"] == "Before the paste: a shorter part"
    save(qtbot, window)
    assert [entry.text for entry in entries(journal)] == ["Before the paste: a shorter part"]


def test_a_paste_up_to_the_paste_limit_goes_in_and_is_refused_on_save(
    qtbot: QtBot, window: QuickEntryWindow, journal: Journal
) -> None:
    text = "y" * PASTE_LIMIT
    with qtbot.waitSignal(window.draft_saved):
        paste(qtbot, window.form.text, text)
    assert "Too long: 100,000 characters" in window.form.length.text()
    qtbot.keyClick(window.form.text, Qt.Key.Key_Return, CTRL)
    assert "The text is too long: 100,000 characters" in problems(window)
    draft = journal.load_draft(DRAFT_NAME)
    assert draft is not None
    assert draft["text"] == text
    assert entries(journal) == []


def test_nul_bytes_and_lone_surrogates_from_the_clipboard(
    qtbot: QtBot, window: QuickEntryWindow, journal: Journal
) -> None:
    # PySide drops a lone surrogate on its way into Qt; a clipboard owner that writes UTF-8
    # with an encoded surrogate (CESU-8, as some Windows programs do) gets it to Qt as bytes.
    paste(qtbot, window.form.text, "nul\x00 here, half an emoji \ud83d there. ")
    mime = QMimeData()
    mime.setData("text/plain", QByteArray(b"raw\x00bytes \xed\xa0\xbd end"))
    QGuiApplication.clipboard().setMimeData(mime)
    qtbot.keyClick(window.form.text, Qt.Key.Key_V, CTRL)
    save(qtbot, window)
    [entry] = entries(journal)
    assert "\x00" not in entry.text
    entry.text.encode("utf-8")  # strict: no surrogate got through
    assert entry.text.startswith("nul here, half an emoji  there. rawbytes ")
    assert entry.text.endswith(" end")


def test_right_to_left_and_emoji_are_kept_exactly(
    qtbot: QtBot, window: QuickEntryWindow, journal: Journal
) -> None:
    # QTest types ASCII only (it aborts on other characters); the rest comes by paste.
    qtbot.keyClicks(window.form.text, "Said: ")
    words = "המשלוח הגיע באיחור شكراً 👍🏽 👨‍👩‍👧 🇯🇵"
    paste(qtbot, window.form.text, words)
    save(qtbot, window)
    [entry] = entries(journal)
    expected = unicodedata.normalize("NFC", "Said: " + words)
    assert entry.text == expected
    assert journal.require(entry.id).entry.text == expected


@pytest.fixture
def impatient_journal(profile: Profile) -> Iterator[Journal]:
    """The journal with a short busy timeout, so a lock is reported in a fraction of a second."""
    journal = Journal.open(profile.data_dir.journal, busy_timeout_ms=200)
    yield journal
    journal.close()


def test_locked_database_keeps_the_text_and_earlier_entries(
    qtbot: QtBot, make_window: MakeWindow, impatient_journal: Journal, profile: Profile
) -> None:
    window = make_window(impatient_journal)
    qtbot.keyClicks(window.form.text, "saved before the lock")
    save(qtbot, window)
    reopen(qtbot, window)
    other = sqlite3.connect(profile.data_dir.journal, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        qtbot.keyClicks(window.form.text, "typed while locked")
        qtbot.waitUntil(lambda: "could not be kept as a draft" in window.draft_status.text())
        qtbot.keyClick(window.form.text, Qt.Key.Key_Return, CTRL)
        assert "Another program is using Earshot's journal" in problems(window)
        assert window.isVisible()
        assert window.form.text.toPlainText() == "typed while locked"
        other.execute("ROLLBACK")
    finally:
        other.close()
    save(qtbot, window)
    texts = sorted(entry.text for entry in entries(impatient_journal))
    assert texts == ["saved before the lock", "typed while locked"]


def test_read_only_data_directory_keeps_the_text_and_earlier_entries(
    qtbot: QtBot, make_window: MakeWindow, tmpfs: Path
) -> None:
    path = tmpfs / "journal.sqlite3"
    journal = Journal.open(path, busy_timeout_ms=200)
    try:
        window = make_window(journal)
        qtbot.keyClicks(window.form.text, "saved while writable")
        save(qtbot, window)
        reopen(qtbot, window)
        # No file may be open for writing when the mount turns read-only.
        journal.close()
        make_read_only(tmpfs)
        qtbot.keyClicks(window.form.text, "typed on a read-only disk")
        qtbot.keyClick(window.form.text, Qt.Key.Key_Return, CTRL)
        assert "not allowed to write in its folder" in problems(window)
        assert window.isVisible()
        assert window.form.text.toPlainText() == "typed on a read-only disk"
        journal.close()
        make_writable(tmpfs)
        save(qtbot, window)
        texts = sorted(entry.text for entry in entries(journal))
        assert texts == ["saved while writable", "typed on a read-only disk"]
    finally:
        journal.close()


# -- access -------------------------------------------------------------------------------


def test_tab_visits_every_control_in_order(qtbot: QtBot, window: QuickEntryWindow) -> None:
    form = window.form
    # A row of choices is one Tab stop, as a radio group is; the arrows move within it.
    expected = [
        form.text,
        form.idea,
        form.kind.buttons["praise"],
        form.sentiment.buttons["negative"],
        form.station,
        form.staff,
        form.tags,
        form.contact,
        form.follow_up,
        form.anonymous,
        window.save_button,
        window.log_button,
        form.text,
    ]
    visited = [QApplication.focusWidget()]
    for _ in expected[1:]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    assert [w.accessibleName() for w in visited] == [w.accessibleName() for w in expected]
    assert visited == expected


def test_arrows_and_space_pick_within_a_row(qtbot: QtBot, window: QuickEntryWindow) -> None:
    qtbot.keyClick(window.form.text, Qt.Key.Key_Tab)  # to "your idea"
    qtbot.keyClick(window.form.idea, Qt.Key.Key_Tab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    assert QApplication.focusWidget() is window.form.kind.buttons["complaint"]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert window.form.kind.value() == "complaint"


def test_every_focusable_control_has_an_accessible_name(window: QuickEntryWindow) -> None:
    focusable = [
        widget
        for widget in window.findChildren(QWidget)
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisibleTo(window)
    ]
    assert len(focusable) >= 15
    nameless = [repr(widget) for widget in focusable if not widget.accessibleName().strip()]
    assert nameless == []


def test_controls_are_big_enough_to_touch(window: QuickEntryWindow) -> None:
    for widget in [*window.form.focus_order(), window.save_button, window.log_button]:
        assert widget.height() >= 44, widget.accessibleName()
    assert window.form.text.font().pointSizeF() > window.save_button.font().pointSizeF()


def test_every_alt_key_does_one_thing(window: QuickEntryWindow) -> None:
    """Two controls on one Alt key would make the key ambiguous (a translation can do that)."""
    texts = [
        *(button.text() for button in window.form.kind.buttons.values()),
        *(button.text() for button in window.form.sentiment.buttons.values()),
        window.form.follow_up.text(),
        window.form.anonymous.text(),
        window.log_button.text(),
        *(label.text() for label in window.findChildren(QLabel) if label.buddy() is not None),
    ]
    keys = [re.search(r"Alt\+(\w)", text) or re.search(r"&(\w)", text) for text in texts]
    letters = [match[1].lower() for match in keys if match is not None]
    assert len(letters) == 18
    assert sorted(letters) == sorted(set(letters))


def test_settings_saved_while_open_reach_the_next_entry(
    qtbot: QtBot, window: QuickEntryWindow, journal: Journal, preferences: Preferences
) -> None:
    qtbot.keyClicks(window.form.text, "Typed before the settings changed")
    changed = dataclasses.replace(
        preferences, site="York", stations=("till", "phone"), staff=("Ann", "Bo")
    )
    window.apply_preferences(changed)
    assert window.form.text.toPlainText() == "Typed before the settings changed"
    assert [window.form.staff.itemText(i) for i in range(window.form.staff.count())] == [
        "Ann",
        "Bo",
    ]
    window.form.station.setFocus()
    qtbot.keyClick(window.form.station, Qt.Key.Key_P)  # a combo box jumps to "phone"
    with qtbot.waitSignal(window.saved):
        qtbot.keyClick(window.form.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    [entry] = entries(journal)
    assert (entry.site, entry.station) == ("York", "phone")
