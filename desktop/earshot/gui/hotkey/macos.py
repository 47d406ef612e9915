"""macOS: Carbon's ``RegisterEventHotKey`` through ctypes (no accessibility permission needed).

Carbon calls the handler on the main thread's event loop, which Qt's Cocoa platform runs, so
the handler can emit the Qt signal directly. The Carbon calls sit behind :class:`Carbon`; the
logic (status codes, one registration at a time, which event is ours) is tested on Linux with
only those calls replaced.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject

from earshot.core.hotkey_combo import Combo
from earshot.gui.hotkey import HotkeyBackend, HotkeyError, HotkeyTaken
from earshot.gui.hotkey.keys import KeyNotOnPlatform, mac_key_code, mac_modifiers

log = logging.getLogger(__name__)

NO_ERR = 0
EVENT_HOT_KEY_EXISTS_ERR = -9878  # another app registered the same combination
SIGNATURE = int.from_bytes(b"ERSH", "big")  # the four-char code our hotkey is tagged with
HOTKEY_ID = 1


class Carbon(Protocol):
    """The Carbon calls, and nothing else."""

    def install_handler(self, on_hot_key: Callable[[int, int], None]) -> int:
        """Install the kEventHotKeyPressed handler; it gets (signature, id). OSStatus back."""
        ...

    def register(
        self, key_code: int, modifiers: int, signature: int, hotkey_id: int
    ) -> tuple[int, int]:
        """(OSStatus, EventHotKeyRef)."""
        ...

    def unregister(self, reference: int) -> int: ...


class MacBackend(HotkeyBackend):
    name = "macos"

    def __init__(self, carbon: Carbon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._carbon = carbon
        self._held: Combo | None = None
        self._reference = 0
        status = carbon.install_handler(self._on_hot_key)
        if status != NO_ERR:
            raise OSError(f"InstallEventHandler failed with OSStatus {status}")

    def current(self) -> Combo | None:
        return self._held

    def register(self, combo: Combo) -> None:
        self.unregister()
        try:
            key_code = mac_key_code(combo)
        except KeyNotOnPlatform:
            raise HotkeyError(
                self.tr("A Mac keyboard has no %1 key. Pick another shortcut.").replace(
                    "%1", combo.key
                )
            ) from None
        status, reference = self._carbon.register(
            key_code, mac_modifiers(combo), SIGNATURE, HOTKEY_ID
        )
        if status == EVENT_HOT_KEY_EXISTS_ERR:
            raise HotkeyTaken(
                self.tr("Another program already uses %1. Pick another shortcut.").replace(
                    "%1", str(combo)
                )
            )
        if status != NO_ERR:
            raise HotkeyError(
                self.tr("macOS did not accept the shortcut %1 (error %2).")
                .replace("%1", str(combo))
                .replace("%2", str(status))
            )
        self._held = combo
        self._reference = reference

    def unregister(self) -> None:
        if self._reference:
            self._carbon.unregister(self._reference)
        self._reference = 0
        self._held = None

    def _on_hot_key(self, signature: int, hotkey_id: int) -> None:
        if self._held is not None and signature == SIGNATURE and hotkey_id == HOTKEY_ID:
            self.activated.emit()

    def close(self) -> None:
        self.unregister()


class _EventTypeSpec(ctypes.Structure):
    _fields_ = [("eventClass", ctypes.c_uint32), ("eventKind", ctypes.c_uint32)]


class _EventHotKeyID(ctypes.Structure):
    _fields_ = [("signature", ctypes.c_uint32), ("id", ctypes.c_uint32)]


_K_EVENT_CLASS_KEYBOARD = int.from_bytes(b"keyb", "big")
_K_EVENT_HOT_KEY_PRESSED = 5
_K_EVENT_PARAM_DIRECT_OBJECT = int.from_bytes(b"----", "big")
_TYPE_EVENT_HOT_KEY_ID = int.from_bytes(b"hkid", "big")
_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)


class CarbonLibrary(Carbon):  # pragma: no cover - runs on macOS only
    def __init__(self) -> None:
        self._lib: Any = ctypes.CDLL("/System/Library/Frameworks/Carbon.framework/Carbon")
        self._lib.GetApplicationEventTarget.restype = ctypes.c_void_p
        self._callback: Any = None  # kept alive: Carbon holds only the C pointer

    def install_handler(self, on_hot_key: Callable[[int, int], None]) -> int:
        lib = self._lib

        def handler(_call: int, event: int, _data: int) -> int:
            hotkey = _EventHotKeyID()
            status = lib.GetEventParameter(
                ctypes.c_void_p(event),
                _K_EVENT_PARAM_DIRECT_OBJECT,
                _TYPE_EVENT_HOT_KEY_ID,
                None,
                ctypes.sizeof(hotkey),
                None,
                ctypes.byref(hotkey),
            )
            if status == NO_ERR:
                on_hot_key(hotkey.signature, hotkey.id)
            return NO_ERR

        self._callback = _HANDLER(handler)
        spec = _EventTypeSpec(_K_EVENT_CLASS_KEYBOARD, _K_EVENT_HOT_KEY_PRESSED)
        return int(
            lib.InstallEventHandler(
                ctypes.c_void_p(lib.GetApplicationEventTarget()),
                self._callback,
                1,
                ctypes.byref(spec),
                None,
                None,
            )
        )

    def register(
        self, key_code: int, modifiers: int, signature: int, hotkey_id: int
    ) -> tuple[int, int]:
        reference = ctypes.c_void_p()
        status = self._lib.RegisterEventHotKey(
            ctypes.c_uint32(key_code),
            ctypes.c_uint32(modifiers),
            _EventHotKeyID(signature, hotkey_id),
            ctypes.c_void_p(self._lib.GetApplicationEventTarget()),
            ctypes.c_uint32(0),
            ctypes.byref(reference),
        )
        return int(status), int(reference.value or 0)

    def unregister(self, reference: int) -> int:
        return int(self._lib.UnregisterEventHotKey(ctypes.c_void_p(reference)))


def create(parent: QObject | None = None, carbon: Carbon | None = None) -> MacBackend:
    if carbon is None:
        if sys.platform != "darwin":
            raise OSError("Carbon exists only on macOS")
        carbon = CarbonLibrary()  # pragma: no cover
    return MacBackend(carbon, parent)
