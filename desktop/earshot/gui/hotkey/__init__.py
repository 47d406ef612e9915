"""The global hotkey: one interface, one small module per platform.

A backend grabs one combination for the whole desktop and emits :attr:`HotkeyBackend.activated`
when it is pressed, in whichever program has the focus. :func:`create_backend` picks the backend
for the running Qt platform (xcb, windows, cocoa, wayland); where none works the
:class:`UnavailableBackend` says why, and ``earshot capture`` bound as a desktop shortcut is
the way in (the README says how).
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QWidget

from earshot.core.hotkey_combo import Combo

log = logging.getLogger(__name__)


class HotkeyError(Exception):
    """The combination could not be registered; the message is for the user."""


class HotkeyTaken(HotkeyError):
    """Another program already holds the combination."""


class HotkeyUnavailable(HotkeyError):
    """This desktop offers no way for an app to register a global hotkey."""


class HotkeyBackend(QObject):
    """Holds at most one combination at a time."""

    activated = Signal()
    # A failure after register() returned, from backends that only learn later (the Wayland
    # portal asks the user); the text is for the user.
    problem = Signal(str)
    name = "none"

    def register(self, combo: Combo) -> None:
        """Grab ``combo`` instead of any earlier one; raise :class:`HotkeyError` if it fails.

        On failure nothing is held (the earlier combination is released first, so that
        re-registering the same combination never reports it as taken by ourselves).
        """
        raise HotkeyUnavailable(self.tr("This desktop has no global shortcuts for apps."))

    def unregister(self) -> None:
        """Release what is held; safe to call when nothing is."""

    def current(self) -> Combo | None:
        return None

    def check(self, combo: Combo) -> None:
        """Raise :class:`HotkeyError` if ``combo`` could not be registered; keeps the current.

        The default tries it for real and then goes back to what was held before.
        """
        previous = self.current()
        if previous == combo:
            return
        try:
            self.register(combo)
        finally:
            self.unregister()
            if previous is not None:
                try:
                    self.register(previous)
                except HotkeyError as error:
                    log.warning("could not take back the hotkey %s: %s", previous, error)

    def bring_to_front(self, window: QWidget) -> None:
        """Raise ``window`` with the keyboard focus after the hotkey (some OSes need help)."""
        window.raise_()
        window.activateWindow()


class UnavailableBackend(HotkeyBackend):
    """No global hotkey here; ``reason`` says why (shown in the settings window)."""

    def __init__(self, reason: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reason = reason

    def register(self, combo: Combo) -> None:
        raise HotkeyUnavailable(self.reason)

    def check(self, combo: Combo) -> None:
        raise HotkeyUnavailable(self.reason)


def create_backend(platform_name: str, parent: QObject | None = None) -> HotkeyBackend:
    """The backend for the Qt platform ``platform_name`` (``QGuiApplication.platformName()``)."""
    reason = QCoreApplication.translate(
        "Hotkey", "Global shortcuts are not available on this desktop."
    )
    try:
        if platform_name == "xcb":
            from earshot.gui.hotkey.x11 import create as create_x11

            return create_x11(parent)
        if platform_name == "windows" and sys.platform == "win32":
            from earshot.gui.hotkey.windows import create as create_windows

            return create_windows(parent)
        if platform_name == "cocoa" and sys.platform == "darwin":
            from earshot.gui.hotkey.macos import create as create_macos

            return create_macos(parent)
        if platform_name.startswith("wayland"):
            from earshot.gui.hotkey.portal import create as create_portal

            return create_portal(parent)
    except HotkeyUnavailable as error:
        reason = str(error)
    except (OSError, ImportError) as error:
        log.warning("no global hotkey on %s: %s", platform_name, error)
    return UnavailableBackend(reason, parent)
