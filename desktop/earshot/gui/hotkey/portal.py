"""Wayland: the xdg-desktop-portal GlobalShortcuts interface, where the desktop offers it.

An app on Wayland cannot grab keys itself. Where the portal has no GlobalShortcuts interface
(or there is no portal), the backend reports the hotkey as unavailable and the user or IT binds
``earshot capture`` as a desktop shortcut instead (README, "The hotkey on Wayland").
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtDBus import QDBusConnection, QDBusInterface

from earshot.gui.hotkey import HotkeyBackend, HotkeyUnavailable

PORTAL = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
GLOBAL_SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"


def _unavailable() -> HotkeyUnavailable:
    return HotkeyUnavailable(
        QCoreApplication.translate(
            "Hotkey",
            "This desktop does not let apps set a global shortcut. Bind the command "
            '"earshot capture" to a key in the desktop\'s keyboard settings instead.',
        )
    )


def portal_version(bus: QDBusConnection) -> int:
    """The GlobalShortcuts interface's version, 0 where the portal does not offer it."""
    if not bus.isConnected():
        return 0
    interface = QDBusInterface(PORTAL, PORTAL_PATH, GLOBAL_SHORTCUTS, bus)
    if not interface.isValid():
        return 0
    version = interface.property("version")
    return int(version) if isinstance(version, int) else 0


def create(parent: QObject | None = None) -> HotkeyBackend:
    # TODO(issue 4): bind through CreateSession/BindShortcuts and listen for Activated.
    # Until then a desktop with the portal is treated like one without: "earshot capture".
    portal_version(QDBusConnection.sessionBus())
    raise _unavailable()
