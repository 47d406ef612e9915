"""The Windows and macOS hotkey logic, with only the OS calls replaced (they cannot run here).

The fakes behave as the documented calls do: RegisterHotKey fails with
ERROR_HOTKEY_ALREADY_REGISTERED when another program holds the combination, SetForegroundWindow
fails unless the caller may take the foreground, RegisterEventHotKey answers
eventHotKeyExistsErr. Everything above them is the real backend code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from pytestqt.qtbot import QtBot

from earshot.core.hotkey_combo import parse
from earshot.gui.hotkey import HotkeyTaken
from earshot.gui.hotkey.keys import MOD_ALT, MOD_CONTROL, MOD_NOREPEAT, MOD_SHIFT, MOD_WIN
from earshot.gui.hotkey.macos import (
    EVENT_HOT_KEY_EXISTS_ERR,
    SIGNATURE,
    MacBackend,
)
from earshot.gui.hotkey.macos import (
    HOTKEY_ID as MAC_ID,
)
from earshot.gui.hotkey.windows import (
    ERROR_HOTKEY_ALREADY_REGISTERED,
    HOTKEY_ID,
    WM_HOTKEY,
    WindowsBackend,
)


@dataclass
class FakeUser32:
    """A desktop's hotkey table and foreground rules, as user32 keeps them."""

    taken_by_others: set[tuple[int, int]] = field(default_factory=set)
    registered: dict[int, tuple[int, int]] = field(default_factory=dict)
    messages: dict[int, tuple[int, int]] = field(default_factory=dict)
    error: int = 0
    foreground: int = 500
    threads: dict[int, int] = field(default_factory=lambda: {500: 77})
    attached: set[tuple[int, int]] = field(default_factory=set)
    may_take_foreground: bool = False
    calls: list[str] = field(default_factory=list)
    minimised: set[int] = field(default_factory=set)

    def register_hot_key(self, hotkey_id: int, modifiers: int, virtual_key: int) -> bool:
        combination = (modifiers & ~MOD_NOREPEAT, virtual_key)
        if combination in self.taken_by_others or hotkey_id in self.registered:
            self.error = ERROR_HOTKEY_ALREADY_REGISTERED
            return False
        self.registered[hotkey_id] = (modifiers, virtual_key)
        return True

    def unregister_hot_key(self, hotkey_id: int) -> bool:
        return self.registered.pop(hotkey_id, None) is not None

    def last_error(self) -> int:
        return self.error

    def read_message(self, pointer: int) -> tuple[int, int]:
        return self.messages[pointer]

    def foreground_window(self) -> int:
        return self.foreground

    def window_thread(self, hwnd: int) -> int:
        return self.threads.get(hwnd, 0)

    def current_thread(self) -> int:
        return 11

    def attach_thread_input(self, attach: int, to: int, on: bool) -> bool:
        self.calls.append(f"attach {attach}->{to} {on}")
        if on:
            self.attached.add((attach, to))
        else:
            self.attached.discard((attach, to))
        return True

    def is_iconic(self, hwnd: int) -> bool:
        return hwnd in self.minimised

    def show_window(self, hwnd: int, command: int) -> None:
        self.calls.append(f"show {hwnd} {command}")
        self.minimised.discard(hwnd)

    def bring_window_to_top(self, hwnd: int) -> None:
        self.calls.append(f"top {hwnd}")

    def set_foreground_window(self, hwnd: int) -> bool:
        # Allowed for the foreground process, or while attached to the foreground's thread.
        allowed = self.may_take_foreground or (11, self.threads[self.foreground]) in self.attached
        self.calls.append(f"foreground {hwnd} {'ok' if allowed else 'refused'}")
        if allowed:
            self.foreground = hwnd
        return allowed


def test_windows_registers_the_virtual_key_and_modifiers(qtbot: QtBot) -> None:
    user32 = FakeUser32()
    backend = WindowsBackend(user32)

    backend.register(parse("Ctrl+Alt+F"))

    assert user32.registered == {HOTKEY_ID: (MOD_CONTROL | MOD_ALT | MOD_NOREPEAT, ord("F"))}
    backend.register(parse("Shift+Meta+F9"))
    assert user32.registered == {HOTKEY_ID: (MOD_SHIFT | MOD_WIN | MOD_NOREPEAT, 0x78)}
    backend.unregister()
    assert user32.registered == {}


def test_windows_reports_a_combination_another_program_holds_as_taken(qtbot: QtBot) -> None:
    user32 = FakeUser32(taken_by_others={(MOD_CONTROL | MOD_ALT, ord("F"))})
    backend = WindowsBackend(user32)

    with pytest.raises(HotkeyTaken, match="Another program already uses Ctrl\\+Alt\\+F"):
        backend.register(parse("Ctrl+Alt+F"))
    assert backend.current() is None
    backend.check(parse("Ctrl+Alt+G"))  # free: fine, and nothing stays registered
    assert user32.registered == {}


def test_windows_wm_hotkey_for_our_id_activates_and_is_consumed(qtbot: QtBot) -> None:
    user32 = FakeUser32()
    backend = WindowsBackend(user32)
    backend.register(parse("Ctrl+Alt+F"))
    user32.messages = {1: (WM_HOTKEY, HOTKEY_ID), 2: (WM_HOTKEY, 7), 3: (0x0100, HOTKEY_ID)}

    with qtbot.waitSignal(backend.activated):
        assert backend.event_filter.nativeEventFilter(b"windows_generic_MSG", 1) == (True, 0)
    with qtbot.assertNotEmitted(backend.activated):
        assert backend.native_event(b"windows_generic_MSG", 2) is False  # another id
        assert backend.native_event(b"windows_generic_MSG", 3) is False  # WM_KEYDOWN
        assert backend.native_event(b"xcb_generic_event_t", 1) is False


def test_windows_brings_the_window_forward_by_attaching_to_the_foreground_thread(
    qtbot: QtBot,
) -> None:
    user32 = FakeUser32(minimised={900}, threads={500: 77, 900: 11})
    backend = WindowsBackend(user32)

    assert backend.force_foreground(900) is True

    assert user32.foreground == 900
    assert user32.calls == [
        "show 900 9",
        "foreground 900 refused",
        "attach 11->77 True",
        "top 900",
        "foreground 900 ok",
        "attach 11->77 False",
    ]
    assert user32.attached == set()  # never left attached


def test_windows_takes_the_foreground_directly_when_allowed(qtbot: QtBot) -> None:
    user32 = FakeUser32(may_take_foreground=True, threads={500: 77, 900: 11})
    assert WindowsBackend(user32).force_foreground(900) is True
    assert user32.calls == ["foreground 900 ok"]


@dataclass
class FakeCarbon:
    taken_by_others: set[tuple[int, int]] = field(default_factory=set)
    registered: dict[int, tuple[int, int]] = field(default_factory=dict)
    handler: Callable[[int, int], None] | None = None
    next_reference: int = 100

    def install_handler(self, on_hot_key: Callable[[int, int], None]) -> int:
        self.handler = on_hot_key
        return 0

    def register(
        self, key_code: int, modifiers: int, signature: int, hotkey_id: int
    ) -> tuple[int, int]:
        if (key_code, modifiers) in self.taken_by_others:
            return EVENT_HOT_KEY_EXISTS_ERR, 0
        self.next_reference += 1
        self.registered[self.next_reference] = (key_code, modifiers)
        return 0, self.next_reference

    def unregister(self, reference: int) -> int:
        del self.registered[reference]
        return 0

    def press(self, signature: int, hotkey_id: int) -> None:
        assert self.handler is not None
        self.handler(signature, hotkey_id)


def test_macos_registers_command_option_f_for_ctrl_alt_f(qtbot: QtBot) -> None:
    carbon = FakeCarbon()
    backend = MacBackend(carbon)

    backend.register(parse("Ctrl+Alt+F"))

    # kVK_ANSI_F is 0x03; Qt's "Ctrl" is the Command key on a Mac (cmdKey | optionKey).
    assert list(carbon.registered.values()) == [(0x03, 0x0100 | 0x0800)]
    backend.register(parse("Ctrl+Alt+J"))
    assert list(carbon.registered.values()) == [(0x26, 0x0900)]  # the old one released


def test_macos_reports_taken_and_keys_a_mac_lacks(qtbot: QtBot) -> None:
    carbon = FakeCarbon(taken_by_others={(0x03, 0x0900)})
    backend = MacBackend(carbon)

    with pytest.raises(HotkeyTaken):
        backend.register(parse("Ctrl+Alt+F"))
    with pytest.raises(Exception, match="no F24 key"):
        backend.register(parse("Ctrl+Alt+F24"))
    assert carbon.registered == {}


def test_macos_hot_key_event_activates_only_for_our_tag(qtbot: QtBot) -> None:
    carbon = FakeCarbon()
    backend = MacBackend(carbon)
    backend.register(parse("Ctrl+Alt+F"))

    with qtbot.waitSignal(backend.activated):
        carbon.press(SIGNATURE, MAC_ID)
    with qtbot.assertNotEmitted(backend.activated):
        carbon.press(int.from_bytes(b"XXXX", "big"), MAC_ID)
        backend.unregister()
        carbon.press(SIGNATURE, MAC_ID)
