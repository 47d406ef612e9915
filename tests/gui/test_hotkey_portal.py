"""The Wayland GlobalShortcuts portal backend over a real private D-Bus session bus.

No desktop here implements GlobalShortcuts (it takes KDE Plasma, GNOME 48+ or Hyprland), so the
portal side is a small scripted service that answers as the spec says: a request object path at
once, its ``Response`` signal after, ``Activated`` when the keys are pressed. The bus, the wire
format and the backend are real. Without any portal on the bus, the backend says to bind
``earshot capture``.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from jeepney import DBusAddress, MessageType, message_bus, new_method_return, new_signal
from jeepney.io.blocking import open_dbus_connection
from jeepney.low_level import HeaderFields, Message
from pytestqt.qtbot import QtBot

from earshot.core.hotkey_combo import parse
from earshot.gui.hotkey import HotkeyUnavailable
from earshot.gui.hotkey.portal import (
    GLOBAL_SHORTCUTS,
    PORTAL,
    PORTAL_PATH,
    REQUEST,
    PortalBackend,
    create,
    preferred_trigger,
)
from tests.system import require


@pytest.fixture
def session_bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private ``dbus-daemon --session``, the bus this process talks to for the test."""
    require("dbus-daemon", "dbus")
    bus = subprocess.run(
        ["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    address, pid = bus.stdout.split()[:2]
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    yield address
    with contextlib.suppress(ProcessLookupError):
        os.kill(int(pid), signal.SIGTERM)


@dataclass
class ScriptedPortal:
    """Answers GlobalShortcuts calls as a desktop would; ``cancel`` plays a user saying no."""

    cancel: bool = False
    calls: list[tuple[str, Any]] = field(default_factory=list)
    commands: queue.Queue[str] = field(default_factory=queue.Queue)
    session: str = ""
    ready: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        connection = open_dbus_connection(bus="SESSION")
        try:
            connection.send_and_get_reply(message_bus.RequestName(PORTAL), timeout=5)
            self.ready.set()
            while True:
                with contextlib.suppress(queue.Empty):
                    command = self.commands.get_nowait()
                    if command == "stop":
                        return
                    if command == "press":
                        self._signal(
                            connection,
                            PORTAL_PATH,
                            GLOBAL_SHORTCUTS,
                            "Activated",
                            "osta{sv}",
                            (self.session, "capture", 12345, {}),
                        )
                try:
                    message = connection.receive(timeout=0.02)
                except TimeoutError:
                    continue
                if message.header.message_type == MessageType.method_call:
                    self._answer(connection, message)
        finally:
            connection.close()

    def _signal(
        self, connection: Any, path: str, interface: str, name: str, sig: str, body: tuple[Any, ...]
    ) -> None:
        connection.send(new_signal(DBusAddress(path, interface=interface), name, sig, body))

    def _answer(self, connection: Any, message: Message) -> None:
        member = message.header.fields[HeaderFields.member]
        self.calls.append((member, message.body))
        sender = message.header.fields[HeaderFields.sender][1:].replace(".", "_")
        if member == "Get":
            connection.send(new_method_return(message, "v", (("u", 1),)))
        elif member == "CreateSession":
            token = message.body[0]["handle_token"][1]
            request = f"{PORTAL_PATH}/request/{sender}/{token}"
            session_token = message.body[0]["session_handle_token"][1]
            self.session = f"{PORTAL_PATH}/session/{sender}/{session_token}"
            connection.send(new_method_return(message, "o", (request,)))
            results = {"session_handle": ("s", self.session)}
            self._signal(connection, request, REQUEST, "Response", "ua{sv}", (0, results))
        elif member == "BindShortcuts":
            token = message.body[3]["handle_token"][1]
            request = f"{PORTAL_PATH}/request/{sender}/{token}"
            connection.send(new_method_return(message, "o", (request,)))
            if self.cancel:
                self._signal(connection, request, REQUEST, "Response", "ua{sv}", (1, {}))
                return
            bound = [
                (
                    "capture",
                    {
                        "description": ("s", "Open Earshot's quick entry"),
                        "trigger_description": ("s", "Ctrl+Alt+F"),
                    },
                )
            ]
            results = {"shortcuts": ("a(sa{sv})", bound)}
            self._signal(connection, request, REQUEST, "Response", "ua{sv}", (0, results))
        else:  # Session.Close
            connection.send(new_method_return(message))


@pytest.fixture
def portal(session_bus: str) -> Iterator[ScriptedPortal]:
    scripted = ScriptedPortal()
    thread = threading.Thread(target=scripted.run, daemon=True)
    thread.start()
    assert scripted.ready.wait(10)
    yield scripted
    scripted.commands.put("stop")
    thread.join(10)


def test_the_xdg_trigger_spelling() -> None:
    assert preferred_trigger(parse("Ctrl+Alt+F")) == "CTRL+ALT+f"
    assert preferred_trigger(parse("Shift+Meta+F9")) == "SHIFT+LOGO+F9"
    assert preferred_trigger(parse("Ctrl+Alt+PageDown")) == "CTRL+ALT+Next"


def test_without_a_portal_the_user_is_told_to_bind_earshot_capture(
    qtbot: QtBot, session_bus: str
) -> None:
    with pytest.raises(HotkeyUnavailable, match='"earshot capture"'):
        create()


def test_binding_through_the_portal_and_pressing_the_keys(
    qtbot: QtBot, portal: ScriptedPortal
) -> None:
    backend = create()
    assert isinstance(backend, PortalBackend)
    try:
        backend.register(parse("Ctrl+Alt+F"))
        qtbot.waitUntil(lambda: backend.current() == parse("Ctrl+Alt+F"))
        assert backend.trigger_description == "Ctrl+Alt+F"
        bind = [body for member, body in portal.calls if member == "BindShortcuts"]
        assert bind[0][1][0][0] == "capture"
        assert bind[0][1][0][1]["preferred_trigger"] == ("s", "CTRL+ALT+f")

        with qtbot.waitSignal(backend.activated):
            portal.commands.put("press")

        backend.unregister()
        qtbot.waitUntil(lambda: any(member == "Close" for member, _ in portal.calls))
    finally:
        backend.close()


def test_a_cancelled_binding_is_reported(qtbot: QtBot, portal: ScriptedPortal) -> None:
    portal.cancel = True
    backend = create()
    try:
        with qtbot.waitSignal(backend.problem) as problem:
            backend.register(parse("Ctrl+Alt+F"))
        assert "did not set the shortcut" in problem.args[0]
        assert backend.current() is None
    finally:
        backend.close()
