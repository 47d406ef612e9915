"""A row of big toggle buttons, one per choice, each with its own keyboard shortcut.

The shortcut is the mnemonic of the translated label ("&Praise" gives Alt+P) and is printed on
the button, so it can be learnt by looking. It is a QShortcut rather than the button's own
mnemonic because a mnemonic clicks the button ~100 ms later (QAbstractButton.animateClick),
and a fast typist's Ctrl+Enter would save before the choice took effect.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QButtonGroup, QHBoxLayout, QPushButton, QWidget

MIN_TOUCH = 44


def split_mnemonic(label: str) -> tuple[str, QKeySequence]:
    """("&Praise") -> ("Praise", Alt+P): the plain text and the key its "&" marks."""
    key = QKeySequence.mnemonic(label)
    plain = label.replace("&&", "\0").replace("&", "").replace("\0", "&")
    return plain, key


def bind_key(
    button: QAbstractButton, label: str, scope: QWidget, separator: str = "\n"
) -> QKeySequence:
    """Label ``button`` with ``label``'s plain text and its key; the key clicks it at once."""
    plain, key = split_mnemonic(label)
    key_text = key.toString(QKeySequence.SequenceFormat.NativeText)
    # "&&" keeps the button from registering a second, delayed mnemonic of its own.
    escaped = plain.replace("&", "&&")
    button.setText(f"{escaped}{separator}{key_text}" if key_text else escaped)
    if key_text:
        button.setAccessibleDescription(key_text)
        button.setToolTip(key_text)
        shortcut = QShortcut(key, scope)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(button.click)
    return key


class ChoiceRow(QWidget):
    """Exactly one of ``choices`` (value, translated label with "&") is picked at a time."""

    changed = Signal()

    def __init__(
        self,
        name: str,
        choices: Sequence[tuple[str, str]],
        shortcut_scope: QWidget,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for value, label in choices:
            button = QPushButton(self)
            button.setCheckable(True)
            button.setMinimumHeight(MIN_TOUCH)
            button.setAccessibleName(f"{name}: {split_mnemonic(label)[0]}")
            bind_key(button, label, shortcut_scope)
            self._group.addButton(button)
            self.buttons[value] = button
            layout.addWidget(button)
        self._group.buttonToggled.connect(self._toggled)

    def _toggled(self, _button: QPushButton, checked: bool) -> None:
        if checked:
            self.changed.emit()

    def value(self) -> str:
        for value, button in self.buttons.items():
            if button.isChecked():
                return value
        return next(iter(self.buttons))

    def set_value(self, value: str) -> None:
        button = self.buttons.get(value) or next(iter(self.buttons.values()))
        button.setChecked(True)
