"""One entry from the log: read it, change it (a new revision) or delete it (a tombstone).

Neither ever destroys words: an edit is saved as the next revision and a deletion as a
tombstone revision, and the journal keeps every revision (``Journal.history``).
Keys: Ctrl+S or Ctrl+Enter saves, Ctrl+D deletes (after asking), Esc closes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from earshot.core.entry import EntryInvalid, as_input
from earshot.core.journal import Journal, JournalError, StoredEntry
from earshot.core.settings import Preferences
from earshot.gui.models.log_model import sync_label, when_label
from earshot.gui.widgets.entry_form import EntryForm


def _tr(text: str) -> str:
    return QCoreApplication.translate("ConfirmDelete", text)


def confirm_delete(parent: QWidget, text: str, on_delete: Callable[[], None]) -> QMessageBox:
    """Ask before deleting the entry that says ``text``; ``on_delete`` runs if the answer is yes.

    The box is opened window-modal with ``open()``, not ``exec()``: the app's own event loop
    keeps running (the sync, the quick entry), and "Keep it" is the default and Escape.
    Returns the box, already open.
    """
    title = _tr("Delete this entry?")
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        _tr(
            "Delete the entry “%1”? It disappears from the log and the company is told it "
            "was deleted. Its words stay in this PC's history."
        ).replace("%1", text[:80]),
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setObjectName("confirm_delete")
    box.setAccessibleName(title)
    delete = box.addButton(_tr("&Delete"), QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(_tr("&Keep it"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)

    def answered() -> None:
        if box.clickedButton() is delete:
            on_delete()

    box.finished.connect(answered)
    box.open()
    return box


class EntryDialog(QDialog):
    """Edit or delete ``stored``; ``changed`` fires after either was saved."""

    changed = Signal()

    def __init__(
        self,
        journal: Journal,
        stored: StoredEntry,
        preferences: Preferences,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._journal = journal
        self.stored = stored
        self._preferences = preferences
        self.confirm: QMessageBox | None = None
        self.setObjectName("entry_dialog")
        self.setWindowTitle(self.tr("Entry"))
        self.setAccessibleName(self.tr("One entry"))

        self.about = QLabel(self)
        self.about.setObjectName("about")
        self.about.setAccessibleName(self.tr("About this entry"))
        self.about.setWordWrap(True)
        self.form = EntryForm(preferences, parent=self)
        self.form.set_value(as_input(stored.entry))
        # Ticking "don't record my name" on an entry saved with one cannot reach back in time:
        # say so plainly rather than let it look as if the name were gone everywhere.
        self.name_note = QLabel(
            self.tr(
                "Your name goes from this version. Earlier versions keep it: on this PC, and "
                "at the company if they were already sent."
            ),
            self,
        )
        self.name_note.setObjectName("name_note")
        self.name_note.setWordWrap(True)
        self.name_note.setVisible(False)
        self.form.anonymous.toggled.connect(self._show_name_note)

        buttons = QDialogButtonBox(self)
        # No "&" mnemonic: the form's letters (Alt+S is "Suggestion") must stay unambiguous.
        self.save_button = QPushButton(self.tr("Save changes  (Ctrl+S)"), self)
        self.save_button.setAccessibleName(self.tr("Save changes"))
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        self.delete_button = QPushButton(self.tr("&Delete…  (Ctrl+D)"), self)
        self.delete_button.setAccessibleName(self.tr("Delete this entry"))
        self.delete_button.setAutoDefault(False)
        self.close_button = QPushButton(self.tr("Close  (Esc)"), self)
        self.close_button.setAccessibleName(self.tr("Close without saving"))
        self.close_button.setAutoDefault(False)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save)
        self.delete_button.clicked.connect(self.ask_delete)
        self.close_button.clicked.connect(self.reject)
        for keys in ("Ctrl+S", "Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.save)
        QShortcut(QKeySequence("Ctrl+D"), self).activated.connect(self.ask_delete)

        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addWidget(self.form, 1)
        layout.addWidget(self.name_note)
        layout.addWidget(buttons)
        self._show_about()
        self.form.focus_words()

    def _show_about(self) -> None:
        entry = self.stored.entry
        parts = [
            self.tr("Logged %1 at %2.")
            .replace("%1", when_label(self.stored))
            .replace("%2", entry.station),
            self.tr("Version %1.").replace("%1", str(entry.revision)),
            sync_label(self.stored.sync_state) + ".",
        ]
        if self.stored.sync_note:
            parts.append(self.stored.sync_note)
        if entry.deleted:
            parts.append(self.tr("This entry was deleted; saving changes brings it back."))
        self.about.setText(" ".join(parts))
        self.delete_button.setEnabled(not entry.deleted)

    @Slot(bool)
    def _show_name_note(self, anonymous: bool) -> None:
        self.name_note.setVisible(anonymous and self.stored.entry.staff is not None)

    @Slot()
    def save(self) -> None:
        """Save what the form holds as the next revision; problems are shown in the form."""
        try:
            self._journal.edit(self.stored.entry.id, self.form.value(), stations=self._stations())
        except EntryInvalid as invalid:
            self.form.show_problems(list(invalid.problems))
            return
        except JournalError as error:
            self.form.show_problems([str(error)])
            return
        self.form.show_problems([])
        self.changed.emit()
        self.accept()

    def _stations(self) -> tuple[str, ...]:
        # An entry from before the station list changed may keep its old station.
        stations = self._preferences.stations
        old = self.stored.entry.station
        return stations if old in stations else (*stations, old)

    @Slot()
    def ask_delete(self) -> None:
        if self.stored.entry.deleted:
            return
        self.confirm = confirm_delete(self, self.stored.entry.text, self._delete)

    def _delete(self) -> None:
        try:
            self._journal.delete(self.stored.entry.id)
        except JournalError as error:
            self.form.show_problems([str(error)])
            return
        self.changed.emit()
        self.accept()
