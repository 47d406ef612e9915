"""The tray icon, or a small task-bar window where the desktop has no tray.

The icon and tooltip show the state at a glance (all sent, N waiting, offline, needs attention);
a left click opens the quick entry; the menu holds the rest. Stock GNOME has no tray: there a
normal window stays in the task bar so the app is never running where nobody can reach it, and
a timer keeps looking for a tray (an extension may add one later) and moves over when it does.

The tray only shows state and turns clicks into signals; the shell decides what they do.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from earshot import APP_NAME
from earshot.gui.i18n import fill
from earshot.gui.resources import Resources

TRAY_RECHECK_MS = 5000


class TrayState(enum.Enum):
    SENT = "sent"
    WAITING = "waiting"
    OFFLINE = "offline"
    ATTENTION = "attention"


def tray_state(sync_state: str, waiting: int) -> TrayState:
    """The one state worth showing: a problem beats the network, which beats the count."""
    if sync_state == "needs_attention":
        return TrayState.ATTENTION
    if sync_state == "offline":
        return TrayState.OFFLINE
    return TrayState.WAITING if waiting > 0 else TrayState.SENT


@dataclass(frozen=True)
class Status:
    sync_state: str = "idle"
    waiting: int = 0
    message: str = ""
    note: str = ""  # something else worth knowing, e.g. why the hotkey is not working

    @property
    def state(self) -> TrayState:
        return tray_state(self.sync_state, self.waiting)


class _Actions(QObject):
    """The menu's actions, shared by the tray menu and the fallback window."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.new_feedback = QAction(self.tr("&New feedback"), self)
        self.open_log = QAction(self.tr("Open &log"), self)
        self.send_now = QAction(self.tr("&Send now"), self)
        self.settings = QAction(self.tr("Se&ttings…"), self)
        self.about = QAction(self.tr("&About Earshot"), self)
        self.quit = QAction(self.tr("&Quit Earshot"), self)

    def all(self) -> list[QAction]:
        return [self.new_feedback, self.open_log, self.send_now, self.settings, self.about]


class FallbackWindow(QWidget):
    """A small normal window in the task bar, for desktops without a tray.

    Closing it minimises it: Quit is the way out, so the app cannot vanish by accident.
    """

    def __init__(self, actions: _Actions, icon: QIcon) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setObjectName("earshotFallback")
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(icon)
        self.setAccessibleName(self.tr("Earshot"))
        self.status = QLabel(self)
        self.status.setObjectName("trayStatus")
        self.status.setAccessibleName(self.tr("Sending status"))
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        row = QHBoxLayout()
        self.buttons: list[QPushButton] = []
        for action in [*actions.all(), actions.quit]:
            button = QPushButton(action.text(), self)
            button.setAccessibleName(action.text().replace("&", ""))
            button.clicked.connect(action.trigger)
            row.addWidget(button)
            self.buttons.append(button)
        layout.addLayout(row)
        self.quitting = False

    def closeEvent(self, event: QCloseEvent) -> None:
        # Only the user's own close (the title bar's X: a spontaneous event) minimises. In Qt 6
        # QApplication.quit() first closes every window and gives up if one refuses, so a
        # close from quit() or logout must go through.
        if self.quitting or not event.spontaneous():
            super().closeEvent(event)
            return
        event.ignore()
        self.showMinimized()


class Tray(QObject):
    """The tray icon (kept with its menu, so neither is garbage-collected) or its fallback."""

    new_feedback = Signal()
    open_log = Signal()
    send_now = Signal()
    settings = Signal()
    about = Signal()
    quit = Signal()
    tooltip_changed = Signal(str)

    def __init__(
        self, resources: Resources, parent: QObject | None = None, recheck_ms: int = TRAY_RECHECK_MS
    ) -> None:
        super().__init__(parent)
        self._icons = {state: resources.icon(f"tray-{state.value}") for state in TrayState}
        self._actions = _Actions(self)
        for action, signal in (
            (self._actions.new_feedback, self.new_feedback),
            (self._actions.open_log, self.open_log),
            (self._actions.send_now, self.send_now),
            (self._actions.settings, self.settings),
            (self._actions.about, self.about),
            (self._actions.quit, self.quit),
        ):
            action.triggered.connect(signal.emit)
        self.menu = QMenu()
        self.menu.setAccessibleName(self.tr("Earshot menu"))
        self.menu.addActions(self._actions.all()[:3])
        self.menu.addSeparator()
        self.menu.addActions(self._actions.all()[3:])
        self.menu.addSeparator()
        self.menu.addAction(self._actions.quit)
        self.icon = QSystemTrayIcon(self._icons[TrayState.SENT], self)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.fallback: FallbackWindow | None = None
        self._app_icon = resources.icon("earshot")
        self.status = Status()
        self._recheck = QTimer(self)
        self._recheck.setInterval(recheck_ms)
        self._recheck.timeout.connect(self._place)
        self._show_status()

    # -- where it lives -------------------------------------------------------------------

    def start(self) -> None:
        self._place()

    @property
    def in_tray(self) -> bool:
        return self.icon.isVisible()

    def _place(self) -> None:
        if QSystemTrayIcon.isSystemTrayAvailable():
            self._recheck.stop()
            self.icon.show()
            if self.fallback is not None:
                self.fallback.quitting = True
                self.fallback.close()
                self.fallback.deleteLater()
                self.fallback = None
            return
        if self.fallback is None:
            self.fallback = FallbackWindow(self._actions, self._app_icon)
            self._show_status()
            self.fallback.show()
        self._recheck.start()  # a tray may appear later (an extension, a panel restart)

    def stop(self) -> None:
        self._recheck.stop()
        self.icon.hide()
        if self.fallback is not None:
            self.fallback.quitting = True
            self.fallback.close()

    # -- what it shows --------------------------------------------------------------------

    def set_hotkey(self, hotkey: str) -> None:
        """Show the hotkey beside "New feedback" ("" when none is registered)."""
        text = self.tr("&New feedback")
        self._actions.new_feedback.setText(f"{text}\t{hotkey}" if hotkey else text)

    def set_status(self, status: Status) -> None:
        if status != self.status:
            self.status = status
            self._show_status()

    def tooltip(self) -> str:
        status = self.status
        state = status.state
        if state is TrayState.ATTENTION:
            text = self.tr("Needs attention")
            if status.message:
                text = f"{text}: {status.message}"
        elif state is TrayState.OFFLINE:
            text = self.tr("Offline: %n waiting to be sent", "", status.waiting)
        elif state is TrayState.WAITING:
            text = self.tr("%n waiting to be sent", "", status.waiting)
        else:
            text = self.tr("All entries sent")
        text = fill(self.tr("Earshot: %1"), text)
        return f"{text}\n{status.note}" if status.note else text

    def _show_status(self) -> None:
        tooltip = self.tooltip()
        self.icon.setIcon(self._icons[self.status.state])
        self.icon.setToolTip(tooltip)
        if self.fallback is not None:
            self.fallback.status.setText(tooltip)
            self.fallback.setWindowIcon(self._icons[self.status.state])
        self.tooltip_changed.emit(tooltip)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.new_feedback.emit()
