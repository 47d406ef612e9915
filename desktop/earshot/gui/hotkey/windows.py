"""Windows: ``RegisterHotKey`` through ctypes, ``WM_HOTKEY`` through a native event filter.

Everything Windows-only sits behind :class:`Win32`, a handful of user32/kernel32 calls; the rest
(which message is ours, what "taken" looks like, how the window is brought to the front) is
plain logic that the tests run on Linux with only those calls replaced.

Bringing a window to the front: Windows lets only the foreground process (or one it allowed)
call ``SetForegroundWindow``; otherwise the task bar button just flashes. A hotkey press counts
as input to the process that registered it, so the first try normally works; when it does not,
we attach to the foreground window's input thread for the call (the documented way to share
the foreground right) and detach again.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from typing import Any, Protocol

from PySide6.QtCore import QAbstractNativeEventFilter, QCoreApplication, QObject
from PySide6.QtWidgets import QWidget

from earshot.core.hotkey_combo import Combo
from earshot.gui.hotkey import HotkeyBackend, HotkeyError, HotkeyTaken
from earshot.gui.hotkey.keys import windows_modifiers, windows_virtual_key

log = logging.getLogger(__name__)

WM_HOTKEY = 0x0312
ERROR_HOTKEY_ALREADY_REGISTERED = 1409
SW_RESTORE = 9
HOTKEY_ID = 0xE5A1  # any id in 0x0000-0xBFFF is the app's own; one hotkey, one id
_EVENT_TYPES = (b"windows_generic_MSG", b"windows_dispatcher_MSG")


class Win32(Protocol):
    """The OS calls, and nothing else."""

    def register_hot_key(self, hotkey_id: int, modifiers: int, virtual_key: int) -> bool: ...
    def unregister_hot_key(self, hotkey_id: int) -> bool: ...
    def last_error(self) -> int: ...
    def read_message(self, pointer: int) -> tuple[int, int]:
        """(message, wParam) of the ``MSG`` at ``pointer``."""
        ...

    def foreground_window(self) -> int: ...
    def window_thread(self, hwnd: int) -> int: ...
    def current_thread(self) -> int: ...
    def attach_thread_input(self, attach: int, to: int, on: bool) -> bool: ...
    def is_iconic(self, hwnd: int) -> bool: ...
    def show_window(self, hwnd: int, command: int) -> None: ...
    def bring_window_to_top(self, hwnd: int) -> None: ...
    def set_foreground_window(self, hwnd: int) -> bool: ...


class User32(Win32):  # pragma: no cover - runs on Windows only
    def __init__(self) -> None:
        from ctypes import wintypes

        self._wintypes = wintypes
        windll: Any = getattr(ctypes, "windll")  # noqa: B009 (absent off Windows)
        self._user32 = windll.user32
        self._kernel32 = windll.kernel32

    def register_hot_key(self, hotkey_id: int, modifiers: int, virtual_key: int) -> bool:
        # hWnd NULL: WM_HOTKEY goes to this (the GUI) thread's queue, where Qt's event
        # dispatcher hands it to the native event filters.
        return bool(self._user32.RegisterHotKey(None, hotkey_id, modifiers, virtual_key))

    def unregister_hot_key(self, hotkey_id: int) -> bool:
        return bool(self._user32.UnregisterHotKey(None, hotkey_id))

    def last_error(self) -> int:
        return int(self._kernel32.GetLastError())

    def read_message(self, pointer: int) -> tuple[int, int]:
        message = self._wintypes.MSG.from_address(pointer)
        return int(message.message), int(message.wParam)

    def foreground_window(self) -> int:
        return int(self._user32.GetForegroundWindow() or 0)

    def window_thread(self, hwnd: int) -> int:
        return int(self._user32.GetWindowThreadProcessId(hwnd, None))

    def current_thread(self) -> int:
        return int(self._kernel32.GetCurrentThreadId())

    def attach_thread_input(self, attach: int, to: int, on: bool) -> bool:
        return bool(self._user32.AttachThreadInput(attach, to, on))

    def is_iconic(self, hwnd: int) -> bool:
        return bool(self._user32.IsIconic(hwnd))

    def show_window(self, hwnd: int, command: int) -> None:
        self._user32.ShowWindow(hwnd, command)

    def bring_window_to_top(self, hwnd: int) -> None:
        self._user32.BringWindowToTop(hwnd)

    def set_foreground_window(self, hwnd: int) -> bool:
        return bool(self._user32.SetForegroundWindow(hwnd))


class _Filter(QAbstractNativeEventFilter):
    def __init__(self, backend: WindowsBackend) -> None:
        super().__init__()
        self._backend = backend

    def nativeEventFilter(self, event_type: Any, message: Any) -> Any:
        return self._backend.native_event(bytes(event_type), int(message)), 0


class WindowsBackend(HotkeyBackend):
    name = "windows"

    def __init__(self, win32: Win32, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._win32 = win32
        self._held: Combo | None = None
        self.event_filter = _Filter(self)  # kept: Qt does not own native event filters

    def current(self) -> Combo | None:
        return self._held

    def register(self, combo: Combo) -> None:
        self.unregister()
        if not self._win32.register_hot_key(
            HOTKEY_ID, windows_modifiers(combo), windows_virtual_key(combo)
        ):
            code = self._win32.last_error()
            if code == ERROR_HOTKEY_ALREADY_REGISTERED:
                raise HotkeyTaken(
                    self.tr("Another program already uses %1. Pick another shortcut.").replace(
                        "%1", str(combo)
                    )
                )
            raise HotkeyError(
                self.tr("Windows did not accept the shortcut %1 (error %2).")
                .replace("%1", str(combo))
                .replace("%2", str(code))
            )
        self._held = combo

    def unregister(self) -> None:
        if self._held is not None:
            self._win32.unregister_hot_key(HOTKEY_ID)
            self._held = None

    def native_event(self, event_type: bytes, pointer: int) -> bool:
        """Whether the message at ``pointer`` was our hotkey (then it is consumed)."""
        if event_type not in _EVENT_TYPES or not pointer or self._held is None:
            return False
        message, identifier = self._win32.read_message(pointer)
        if message != WM_HOTKEY or identifier != HOTKEY_ID:
            return False
        self.activated.emit()
        return True

    def bring_to_front(self, window: QWidget) -> None:
        super().bring_to_front(window)
        self.force_foreground(int(window.winId()))

    def force_foreground(self, hwnd: int) -> bool:
        win32 = self._win32
        if win32.is_iconic(hwnd):
            win32.show_window(hwnd, SW_RESTORE)
        if win32.set_foreground_window(hwnd):
            return True
        foreground = win32.foreground_window()
        theirs = win32.window_thread(foreground) if foreground else 0
        ours = win32.current_thread()
        attached = bool(theirs) and theirs != ours and win32.attach_thread_input(ours, theirs, True)
        try:
            win32.bring_window_to_top(hwnd)
            done = win32.set_foreground_window(hwnd)
        finally:
            if attached:
                win32.attach_thread_input(ours, theirs, False)
        if not done:
            log.info("Windows kept another window in front; the task bar button flashes")
        return done

    def close(self) -> None:
        self.unregister()
        application = QCoreApplication.instance()
        if application is not None:
            application.removeNativeEventFilter(self.event_filter)


def create(parent: QObject | None = None, win32: Win32 | None = None) -> WindowsBackend:
    backend = WindowsBackend(win32 if win32 is not None else _user32(), parent)
    application = QCoreApplication.instance()
    if application is not None:
        application.installNativeEventFilter(backend.event_filter)
    return backend


def _user32() -> Win32:  # pragma: no cover - Windows only
    if sys.platform != "win32":
        raise OSError("user32 exists only on Windows")
    return User32()
