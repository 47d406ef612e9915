"""The box for the words heard: plain text, and no paste so big that typing would stall.

QPlainTextEdit lays a paragraph out again on every key press; with a 5 MB paste in one
paragraph that takes seconds per key (measured: 2.3 s per key at 5 MB, 15 ms at 100,000
characters). A paste that would take the text past :data:`PASTE_LIMIT` is refused instead,
with a message; what was typed stays, and the pasted text is still on the clipboard. A box
with a smaller limit (the idea holds :data:`~earshot.core.entry.MAX_IDEA`) passes its own.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Signal
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from earshot.core.entry import MAX_TEXT

PASTE_LIMIT = 10 * MAX_TEXT


class WordsEdit(QPlainTextEdit):
    paste_refused = Signal(int)  # the length of the refused paste

    def __init__(self, parent: QWidget | None = None, paste_limit: int = PASTE_LIMIT) -> None:
        super().__init__(parent)
        self.paste_limit = paste_limit
        self.setTabChangesFocus(True)

    def length(self) -> int:
        # Kept by the document (no copy of the text); it counts the closing paragraph mark.
        return max(0, self.document().characterCount() - 1)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if source.hasText():
            pasted = len(source.text())
            selected = len(self.textCursor().selectedText())
            if self.length() - selected + pasted > self.paste_limit:
                self.paste_refused.emit(pasted)
                return
        super().insertFromMimeData(source)
