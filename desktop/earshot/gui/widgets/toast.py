"""A short confirmation in the corner of the screen that never takes the keyboard away."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

DEFAULT_DURATION_MS = 3_000
# A frameless tool window on top that never takes the focus: not counted as the app's last
# window, and typing goes on wherever it was.
TOAST_FLAGS = (
    Qt.WindowType.Tool
    | Qt.WindowType.FramelessWindowHint
    | Qt.WindowType.WindowStaysOnTopHint
    | Qt.WindowType.WindowDoesNotAcceptFocus
)


class Toast(QWidget):
    """A frameless note that shows without activating and hides itself after a while."""

    finished = Signal()

    def __init__(self, icon: QIcon | None = None, duration_ms: int = DEFAULT_DURATION_MS) -> None:
        super().__init__(None, TOAST_FLAGS)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setObjectName("toast")
        self.setAccessibleName(self.tr("Confirmation"))
        self._icon = QLabel(self)
        self._icon.setAccessibleName(self.tr("Confirmation icon"))
        if icon is not None and not icon.isNull():
            self._icon.setPixmap(icon.pixmap(24, 24))
        self._label = QLabel(self)
        self._label.setObjectName("toastText")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self._icon)
        layout.addWidget(self._label)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(duration_ms)
        self._timer.timeout.connect(self._expire)

    def text(self) -> str:
        return self._label.text()

    def show_message(self, text: str) -> None:
        self._label.setText(text)
        self._label.setAccessibleName(text)
        self.adjustSize()
        self._place()
        self.show()
        self._timer.start()

    def _place(self) -> None:
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        self.move(area.bottomRight() - QPoint(self.width() + 24, self.height() + 24))

    def _expire(self) -> None:
        self.hide()
        self.finished.emit()
