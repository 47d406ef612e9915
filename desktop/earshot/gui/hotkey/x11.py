"""X11: a passive key grab on the root window (``XGrabKey``) through python-xlib.

The grab uses a connection of its own (Qt's stays Qt's); its events are read when its socket
becomes readable (a QSocketNotifier, no polling thread). X matches a grab on the exact modifier
state, so each combination is grabbed four times: plain, with NumLock, with CapsLock and with
both, or the hotkey would stop working the day someone switches NumLock on. A combination that
another client already grabbed fails with BadAccess, which we report as taken.
"""

from __future__ import annotations

import ctypes
import logging
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier
from PySide6.QtGui import QGuiApplication, QNativeInterface
from PySide6.QtWidgets import QWidget
from Xlib import XK, X, display, error
from Xlib.protocol import event as xevent

from earshot.core.hotkey_combo import Combo
from earshot.gui.hotkey import HotkeyBackend, HotkeyError, HotkeyTaken, HotkeyUnavailable
from earshot.gui.hotkey.keys import x11_keysym_name

log = logging.getLogger(__name__)

_NET_ACTIVE_WINDOW_FROM_PAGER = 2  # "source indication": a tool acting for the user


def modifier_mask(combo: Combo, mod_super: int) -> int:
    mask = X.ControlMask if combo.ctrl else 0
    mask |= X.Mod1Mask if combo.alt else 0
    mask |= X.ShiftMask if combo.shift else 0
    mask |= mod_super if combo.meta else 0
    return mask


def lock_variants(num_lock: int) -> list[int]:
    """The lock-key states a grab must cover: none, NumLock, CapsLock, both."""
    return sorted({0, num_lock, X.LockMask, num_lock | X.LockMask})


class X11Backend(HotkeyBackend):
    name = "x11"

    def __init__(self, connection: display.Display, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._display = connection
        self._root = connection.screen().root
        self._held: Combo | None = None
        self._grabs: list[tuple[int, int]] = []
        self._last_event_time = X.CurrentTime
        self._num_lock = self._modifier_of("Num_Lock") or X.Mod2Mask
        self._super = self._modifier_of("Super_L") or X.Mod4Mask
        # Asked once here: a round trip later could read events the socket will not announce.
        self._net_active_window = connection.intern_atom("_NET_ACTIVE_WINDOW")
        self._notifier = QSocketNotifier(connection.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._read_events)

    def _modifier_of(self, keysym_name: str) -> int:
        """The modifier bit (Mod2Mask...) that ``keysym_name``'s key sets, 0 if none."""
        keycode = self._display.keysym_to_keycode(XK.string_to_keysym(keysym_name))
        if not keycode:
            return 0
        for index, keycodes in enumerate(self._display.get_modifier_mapping()):
            if keycode in keycodes:
                return 1 << index
        return 0

    def current(self) -> Combo | None:
        return self._held

    def register(self, combo: Combo) -> None:
        self.unregister()
        keysym = XK.string_to_keysym(x11_keysym_name(combo))
        keycode = self._display.keysym_to_keycode(keysym) if keysym else 0
        if not keycode:
            raise HotkeyError(
                self.tr("The key %s is not on this keyboard. Pick another shortcut.") % combo.key
            )
        base = modifier_mask(combo, self._super)
        catcher = error.CatchError(error.BadAccess)
        for locks in lock_variants(self._num_lock):
            self._root.grab_key(
                keycode, base | locks, False, X.GrabModeAsync, X.GrabModeAsync, onerror=catcher
            )
            self._grabs.append((keycode, base | locks))
        self._display.sync()  # the errors arrive only after a round trip
        if catcher.get_error() is not None:
            self.unregister()
            raise HotkeyTaken(
                self.tr("Another program already uses %s. Pick another shortcut.") % str(combo)
            )
        self._held = combo
        log.info("global hotkey %s grabbed", combo)
        # The round trip may have queued events that no longer wake the socket notifier.
        self._read_events()

    def unregister(self) -> None:
        if not self._grabs:
            return
        for keycode, mask in self._grabs:
            self._root.ungrab_key(keycode, mask)
        self._grabs = []
        self._held = None
        self._display.sync()

    def _read_events(self) -> None:
        pressed = remapped = False
        while self._display.pending_events():
            received = self._display.next_event()
            if received.type == X.KeyPress:
                self._last_event_time = received.time
                pressed = True
            elif received.type == X.MappingNotify and received.request == X.MappingKeyboard:
                # Another keyboard layout: the same key may now have another keycode.
                self._display.refresh_keyboard_mapping(received)
                remapped = True
        if remapped and self._held is not None:
            held = self._held
            try:
                self.register(held)
            except HotkeyError as error:
                log.warning("hotkey %s lost after a keyboard change: %s", held, error)
        if pressed:
            self.activated.emit()

    def bring_to_front(self, window: QWidget) -> None:
        """Ask the window manager to activate ``window`` as the user's doing.

        Qt's own request carries Qt's last user time, which predates the key press (the press
        came to our connection), so a window manager with focus-stealing prevention would only
        flash the task bar. A ``_NET_ACTIVE_WINDOW`` from a "pager" with the key press's time
        is honoured (EWMH, "Source indication in requests").
        """
        super().bring_to_front(window)
        _sync_qt_connection()  # Qt's map request must reach the server before our message
        message = xevent.ClientMessage(
            window=int(window.winId()),
            client_type=self._net_active_window,
            data=(32, [_NET_ACTIVE_WINDOW_FROM_PAGER, self._last_event_time, 0, 0, 0]),
        )
        mask = X.SubstructureRedirectMask | X.SubstructureNotifyMask
        self._root.send_event(message, event_mask=mask)
        self._display.flush()

    def close(self) -> None:
        self._notifier.setEnabled(False)
        self.unregister()
        self._display.close()


def create(parent: QObject | None = None) -> X11Backend:
    """A backend on a connection of its own to the display in ``$DISPLAY``."""
    try:
        connection = display.Display()
    except (error.DisplayError, error.ConnectionClosedError) as failure:
        raise HotkeyUnavailable(str(failure)) from failure
    return X11Backend(connection, parent)


def _sync_qt_connection() -> None:
    """Flush Qt's xcb connection and wait for the server to have handled what it sent."""
    application: Any = QGuiApplication.instance()
    try:
        x11 = application.nativeInterface()
        connection = x11.connection() if isinstance(x11, QNativeInterface.QX11Application) else 0
    except (AttributeError, TypeError):
        connection = 0
    if not connection:
        return
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return
    pointer = ctypes.c_void_p(int(connection))
    xcb.xcb_get_input_focus.restype = ctypes.c_uint  # a cookie: one unsigned int
    xcb.xcb_get_input_focus.argtypes = [ctypes.c_void_p]
    xcb.xcb_get_input_focus_reply.restype = ctypes.c_void_p
    xcb.xcb_get_input_focus_reply.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_void_p]
    reply = xcb.xcb_get_input_focus_reply(pointer, xcb.xcb_get_input_focus(pointer), None)
    if reply:
        ctypes.CDLL(None).free(ctypes.c_void_p(reply))
