"""The quick-entry window: type what was heard, pick a kind, Ctrl+Enter, back to the customer.

What is typed is kept as a draft in the journal (debounced while typing, and on hide), so Esc,
a crash or a power cut loses at most the last fraction of a second of typing.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from earshot.core.entry import EntryInput, EntryInvalid, Kind, clean_text
from earshot.core.journal import Journal, JournalError
from earshot.core.settings import Preferences
from earshot.gui.i18n import fill
from earshot.gui.resources import Resources
from earshot.gui.services.window_state import WindowState
from earshot.gui.widgets.choices import MIN_TOUCH
from earshot.gui.widgets.entry_form import EntryForm
from earshot.gui.widgets.toast import Toast

log = logging.getLogger(__name__)

DRAFT_NAME = "quick-entry"
STATE_SECTION = "quick_entry"
DRAFT_DELAY_MS = 400


def draft_payload(data: EntryInput) -> dict[str, Any]:
    """What a draft keeps of the form: everything but the name.

    A draft is written while the words are typed, often before "don't record my name" is
    ticked, and SQLite keeps overwritten bytes in its files for a while (the WAL, free pages).
    So a draft never holds a name at all: a restored draft gets the name box a new entry on
    this PC starts with (see :func:`draft_staff`).
    """
    # A clipboard can leave lone surrogates that UTF-8 (and so SQLite) cannot store.
    return {
        "text": clean_text(data.text),
        "idea": clean_text(data.idea or ""),
        "kind": str(data.kind),
        "sentiment": str(data.sentiment) if data.sentiment else None,
        "station": data.station,
        "anonymous": bool(data.anonymous),
        "tags": data.tags if isinstance(data.tags, str) else ", ".join(data.tags),
        "contact": data.contact,
        "follow_up": bool(data.follow_up),
    }


def draft_staff(preferences: Preferences) -> str | None:
    """The name a restored draft starts with: the PC's own, never the last saver's.

    On a shared PC the draft may be someone else's than the last entry saved (B's unsaved
    words come back after a crash, A saved last), so the name remembered from the last save
    is never used. Where IT set exactly one name for this PC it is that one; else the box is
    empty and the person picks or types theirs.
    """
    return preferences.staff[0] if len(preferences.staff) == 1 else None


def draft_input(payload: Mapping[str, Any], fallback: EntryInput) -> EntryInput:
    """A draft back as form values; anything odd in it falls back to ``fallback``'s value."""

    def text(key: str, default: str | None) -> str | None:
        value = payload.get(key)
        return value if isinstance(value, str) else default

    return EntryInput(
        text=text("text", "") or "",
        kind=text("kind", str(fallback.kind)) or Kind.OTHER.value,
        sentiment=text("sentiment", None),
        station=text("station", fallback.station) or fallback.station,
        staff=fallback.staff,
        tags=text("tags", "") or "",
        contact=text("contact", None),
        follow_up=payload.get("follow_up") is True,
        idea=text("idea", "") or "",
        anonymous=payload.get("anonymous") is True,
    )


class QuickEntryWindow(QWidget):
    """The app's home until the tray arrives: one entry at a time, keyboard first."""

    hidden = Signal()
    saved = Signal(int)  # entries waiting to be sent, after this save
    draft_saved = Signal()

    def __init__(
        self,
        journal: Journal,
        preferences: Preferences,
        state: WindowState,
        resources: Resources,
        open_log: Callable[[], object] = lambda: None,
    ) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self._journal = journal
        self._preferences = preferences
        self._state = state
        self._open_log = open_log
        self.setObjectName("quickEntry")
        self.setWindowTitle(self.tr("Earshot: what did the customer say?"))
        self.setWindowIcon(resources.icon("earshot"))
        self.setAccessibleName(self.tr("Quick entry"))
        self.toast = Toast(resources.icon("saved"))

        remembered = state.get(STATE_SECTION, "staff")
        self.form = EntryForm(preferences, remembered if isinstance(remembered, str) else None)
        self.save_button = QPushButton(self.tr("Save  (Ctrl+Enter)"), self)
        self.save_button.setAccessibleName(self.tr("Save the entry"))
        self.save_button.setDefault(False)
        self.save_button.clicked.connect(self.save)
        self.log_button = QPushButton(self.tr("Open &log  (Ctrl+L)"), self)
        self.log_button.setAccessibleName(self.tr("Open the log of entries"))
        self.log_button.clicked.connect(self._open_log_clicked)
        self.draft_status = QLabel(self)
        self.draft_status.setObjectName("draftStatus")
        self.draft_status.setAccessibleName(self.tr("Draft"))
        self.draft_status.setWordWrap(True)
        for button in (self.save_button, self.log_button):
            button.setMinimumHeight(MIN_TOUCH)
        self._lay_out()
        self._restore_geometry()
        QWidget.setTabOrder(self.form.focus_order()[-1], self.save_button)
        QWidget.setTabOrder(self.save_button, self.log_button)
        self._add_shortcuts()

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self._restore_draft()
        self.form.changed.connect(self._draft_timer.start)

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.log_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form, 1)
        layout.addWidget(self.draft_status)
        layout.addLayout(buttons)
        self.resize(640, 640)

    def _add_shortcuts(self) -> None:
        # Return is the main keyboard's key, Enter the keypad's: both save.
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.save)
        QShortcut(QKeySequence("Ctrl+L"), self).activated.connect(self._open_log_clicked)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self).activated.connect(self.hide)

    # -- opening and hiding ---------------------------------------------------------------

    def open(self) -> None:
        """Show, bring to the front and put the cursor in the text box."""
        self.show()
        self.raise_()
        self.activateWindow()
        self.form.focus_words()

    def hideEvent(self, event: QHideEvent) -> None:
        if not event.spontaneous():
            self.save_draft()
            self._state.update(STATE_SECTION, geometry=self.saveGeometry().toBase64().toStdString())
            self.hidden.emit()
        super().hideEvent(event)

    def _restore_geometry(self) -> None:
        saved = self._state.get(STATE_SECTION, "geometry")
        if isinstance(saved, str):
            # Qt checks the bytes and keeps the window on a screen that is still there.
            self.restoreGeometry(QByteArray.fromBase64(saved.encode("ascii")))

    def _open_log_clicked(self) -> None:
        self._open_log()

    def apply_preferences(self, preferences: Preferences) -> None:
        """Settings saved while the app runs: the next entry uses the new site and lists."""
        self._preferences = preferences
        self.form.set_choices(preferences)

    # -- saving ---------------------------------------------------------------------------

    def save(self) -> None:
        """Save the entry; on a problem say so here and keep everything as typed."""
        self._draft_timer.stop()
        data = self.form.value()
        try:
            self._journal.record(
                data,
                site=self._preferences.site,
                stations=self._preferences.stations,
                clear_draft=DRAFT_NAME,
            )
        except EntryInvalid as invalid:
            self.form.show_problems(invalid.problems)
            return
        except JournalError as error:
            log.warning("saving failed: %s", error.detail or error)
            self.form.show_problems([str(error)])
            return
        # Saved: from here on nothing may suggest otherwise, or the words get saved twice.
        waiting: int | None
        try:
            waiting = self._journal.waiting()
        except JournalError as error:
            log.warning("counting the waiting entries failed: %s", error.detail or error)
            waiting = None
        if data.staff:
            self._state.update(STATE_SECTION, staff=data.staff)
        self.form.clear_words()  # the draft went with the save, in the same transaction
        # The confirmation first: whoever watches the window hide sees it is still on screen.
        if waiting is None:
            self.toast.show_message(self.tr("Saved."))
        else:
            self.toast.show_message(self.tr("Saved. %n entries waiting to be sent.", "", waiting))
        self.hide()
        self.saved.emit(waiting or 0)

    # -- the draft ------------------------------------------------------------------------

    def _restore_draft(self) -> None:
        try:
            payload = self._journal.load_draft(DRAFT_NAME)
        except JournalError as error:
            self._show_draft_problem(error)
            return
        if payload is not None:
            fallback = dataclasses.replace(self.form.value(), staff=draft_staff(self._preferences))
            self.form.set_value(draft_input(payload, fallback))

    def save_draft(self) -> None:
        self._draft_timer.stop()
        try:
            if self.form.is_blank():
                self._journal.clear_draft(DRAFT_NAME)
            else:
                self._journal.save_draft(DRAFT_NAME, draft_payload(self.form.value()))
        except JournalError as error:
            self._show_draft_problem(error)
            return
        self.draft_status.clear()
        self.draft_saved.emit()

    def _show_draft_problem(self, error: JournalError) -> None:
        log.warning("draft not kept: %s", error.detail or error)
        self.draft_status.setText(
            fill(self.tr("What you type could not be kept as a draft: %1"), str(error))
        )
