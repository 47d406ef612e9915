"""Wayland: the xdg-desktop-portal GlobalShortcuts interface, where the desktop offers it.

An app on Wayland cannot grab keys; it asks the desktop through the portal: ``CreateSession``,
then ``BindShortcuts`` with our one shortcut and the combination we would like, and the desktop
(KDE Plasma, GNOME 48+, Hyprland…) lets the user confirm or pick another and sends
``Activated`` when it is pressed. Each call answers at once with a request object whose
``Response`` signal comes later (the user may be looking at a dialog), so this backend is
asynchronous: :meth:`PortalBackend.register` starts the binding and a refusal arrives later as
:attr:`PortalBackend.problem`.

D-Bus goes through jeepney (pure Python, already here for the keyring's Secret Service) on a
connection of our own, read when its socket is readable (a QSocketNotifier). Where there is no
portal or it lacks GlobalShortcuts, :func:`create` reports the hotkey as unavailable and the user
or IT binds ``earshot capture`` as a desktop shortcut instead (README, "Wayland").

Spec: https://flatpak.github.io/xdg-desktop-portal/docs/doc-org.freedesktop.portal.GlobalShortcuts.html
"""

from __future__ import annotations

import collections
import logging
import secrets
from typing import Any

# jeepney ships no type hints.
from jeepney import (  # type: ignore[import-untyped]
    DBusAddress,
    MatchRule,
    MessageType,
    Properties,
    message_bus,
    new_method_call,
)
from jeepney.io.blocking import (  # type: ignore[import-untyped]
    DBusConnection,
    open_dbus_connection,
)
from jeepney.low_level import HeaderFields, Message  # type: ignore[import-untyped]
from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier

from earshot.core.hotkey_combo import Combo
from earshot.gui.hotkey import HotkeyBackend, HotkeyUnavailable
from earshot.gui.hotkey.keys import x11_keysym_name

log = logging.getLogger(__name__)

PORTAL = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
GLOBAL_SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"
REQUEST = "org.freedesktop.portal.Request"
SESSION = "org.freedesktop.portal.Session"
SHORTCUT_ID = "capture"
CALL_TIMEOUT_S = 5.0
_MODIFIERS = (("Ctrl", "CTRL"), ("Alt", "ALT"), ("Shift", "SHIFT"), ("Meta", "LOGO"))


def preferred_trigger(combo: Combo) -> str:
    """The combination in the XDG shortcuts syntax: ``CTRL+ALT+f`` (xkb key names)."""
    parts = [portal for ours, portal in _MODIFIERS if ours in combo.modifiers]
    return "+".join([*parts, x11_keysym_name(combo)])


def _unavailable() -> HotkeyUnavailable:
    return HotkeyUnavailable(
        QCoreApplication.translate(
            "Hotkey",
            "This desktop does not let apps set a global shortcut. Bind the command "
            '"earshot capture" to a key in the desktop\'s keyboard settings instead.',
        )
    )


def _token() -> str:
    return f"earshot_{secrets.token_hex(6)}"


class PortalBackend(HotkeyBackend):
    name = "portal"

    def __init__(self, connection: DBusConnection, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bus = connection
        self._portal = DBusAddress(PORTAL_PATH, bus_name=PORTAL, interface=GLOBAL_SHORTCUTS)
        self._session = ""
        self._held: Combo | None = None
        self._wanted: Combo | None = None
        self._pending: dict[str, str] = {}  # request path -> what it was for
        self.trigger_description = ""  # how the desktop says the bound keys, once bound
        self._responses: collections.deque[Message] = collections.deque()
        self._activations: collections.deque[Message] = collections.deque()
        self._filters = [
            connection.filter(
                MatchRule(type="signal", interface=REQUEST, member="Response"),
                queue=self._responses,
            ),
            connection.filter(
                MatchRule(type="signal", interface=GLOBAL_SHORTCUTS, member="Activated"),
                queue=self._activations,
            ),
        ]
        for rule in (
            MatchRule(type="signal", interface=REQUEST, member="Response"),
            MatchRule(type="signal", interface=GLOBAL_SHORTCUTS, member="Activated"),
        ):
            self._call(message_bus.AddMatch(rule))
        self._notifier = QSocketNotifier(connection.sock.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._read)

    def current(self) -> Combo | None:
        return self._held

    def check(self, combo: Combo) -> None:
        """The desktop resolves conflicts itself (it asks the user), so nothing to check."""

    def register(self, combo: Combo) -> None:
        self._wanted = combo
        if not self._session:
            if "session" not in self._pending.values():
                token = _token()
                options = {
                    "handle_token": ("s", _token()),
                    "session_handle_token": ("s", token),
                }
                self._request("session", "CreateSession", "a{sv}", (options,))
            return
        self._bind()

    def unregister(self) -> None:
        """Close the session: the desktop forgets the binding."""
        self._wanted = None
        self._held = None
        if self._session:
            session = DBusAddress(self._session, bus_name=PORTAL, interface=SESSION)
            self._call(new_method_call(session, "Close"))
            self._session = ""

    def close(self) -> None:
        self._notifier.setEnabled(False)
        self.unregister()
        for handle in self._filters:
            handle.close()
        self._bus.close()

    # -- talking to the portal ------------------------------------------------------------

    def _call(self, message: Message, dispatch: bool = True) -> Message:
        reply = self._bus.send_and_get_reply(message, timeout=CALL_TIMEOUT_S)
        if dispatch:
            self._read()
        if reply.header.message_type == MessageType.error:
            raise OSError(f"{message.header.fields.get(HeaderFields.member)}: {reply.body}")
        return reply

    def _request(self, purpose: str, method: str, signature: str, body: tuple[Any, ...]) -> None:
        try:
            # Not dispatched yet: the Response may already be queued, before we know its path.
            message = new_method_call(self._portal, method, signature, body)
            reply = self._call(message, dispatch=False)
        except (OSError, TimeoutError) as error:
            log.warning("the portal refused %s: %s", method, error)
            self.problem.emit(str(_unavailable()))
            return
        self._pending[str(reply.body[0])] = purpose
        self._read()

    def _bind(self) -> None:
        combo = self._wanted
        if combo is None:
            return
        shortcut = {
            "description": (
                "s",
                QCoreApplication.translate("Hotkey", "Open Earshot's quick entry"),
            ),
            "preferred_trigger": ("s", preferred_trigger(combo)),
        }
        self._request(
            f"bind {combo}",
            "BindShortcuts",
            "oa(sa{sv})sa{sv}",
            (self._session, [(SHORTCUT_ID, shortcut)], "", {"handle_token": ("s", _token())}),
        )

    def _read(self) -> None:
        """Take in every message there is. Also called after each reply we waited for: the
        bytes read with a reply may hold a signal too, and the socket will not say so again."""
        while True:
            try:
                self._bus.recv_messages(timeout=0)
            except TimeoutError:
                break
            except OSError as error:  # the bus went away: no more hotkey, say so once
                log.warning("lost the D-Bus connection to the portal: %s", error)
                self._notifier.setEnabled(False)
                self.problem.emit(str(_unavailable()))
                return
        self._dispatch()

    def _dispatch(self) -> None:
        while self._responses:
            self._on_response(self._responses.popleft())
        while self._activations:
            message = self._activations.popleft()
            session, shortcut = message.body[0], message.body[1]
            if session == self._session and shortcut == SHORTCUT_ID and self._held is not None:
                self.activated.emit()

    def _on_response(self, message: Message) -> None:
        path = str(message.header.fields.get(HeaderFields.path, ""))
        purpose = self._pending.pop(path, None)
        if purpose is None:
            return
        code, results = int(message.body[0]), dict(message.body[1])
        if code != 0:
            # 1: the user cancelled the desktop's dialog; 2: refused for another reason.
            self.problem.emit(
                QCoreApplication.translate(
                    "Hotkey", "The desktop did not set the shortcut (it was cancelled or refused)."
                )
            )
            return
        if purpose == "session":
            self._session = str(results.get("session_handle", ("s", ""))[1])
            self._bind()
            return
        bound = results.get("shortcuts", ("a(sa{sv})", []))[1]
        for shortcut_id, details in bound:
            if shortcut_id == SHORTCUT_ID:
                self._held = self._wanted
                description = dict(details).get("trigger_description", ("s", ""))[1]
                self.trigger_description = str(description)


def portal_version(connection: DBusConnection) -> int:
    """The GlobalShortcuts interface's version, 0 where the portal does not offer it."""
    address = DBusAddress(PORTAL_PATH, bus_name=PORTAL, interface=GLOBAL_SHORTCUTS)
    reply = connection.send_and_get_reply(
        Properties(address).get("version"), timeout=CALL_TIMEOUT_S
    )
    if reply.header.message_type == MessageType.error:
        return 0
    _signature, value = reply.body[0]
    return int(value)


def create(parent: QObject | None = None) -> HotkeyBackend:
    try:
        connection = open_dbus_connection(bus="SESSION")
    except (OSError, KeyError, ValueError) as error:  # no session bus address, or no bus
        raise _unavailable() from error
    try:
        if portal_version(connection) < 1:
            raise _unavailable()
        return PortalBackend(connection, parent)
    except (OSError, TimeoutError) as error:
        connection.close()
        raise _unavailable() from error
    except HotkeyUnavailable:
        connection.close()
        raise
