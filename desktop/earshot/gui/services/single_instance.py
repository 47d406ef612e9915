"""One running Earshot per user and data directory, over a local socket (``QLocalServer``).

The first start listens; a later start (``earshot``, ``earshot capture``) connects, sends one
command line such as ``capture`` and exits. The name includes the user and a hash of the data
directory, so two profiles (or two users on a shared PC) each get their own instance. A socket
left behind by a crash answers no one: it is removed and the new start takes over.

Only QtCore and QtNetwork are used, so the CLI can forward a command without a display.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

COMMANDS = ("show", "capture")
CONNECT_TIMEOUT_MS = 1000
REPLY_TIMEOUT_MS = 5000
_ACK = b"ok\n"


def server_name(data_dir: Path, user: str | None = None) -> str:
    """A socket name unique to this user and data directory (short: sun_path is 108 bytes)."""
    try:
        who = user if user is not None else getpass.getuser()
    except (KeyError, OSError):  # no user name (a container without /etc/passwd entry)
        who = "user"
    digest = hashlib.sha256(f"{who}\0{data_dir.resolve()}".encode()).hexdigest()[:20]
    return f"earshot-{digest}"


def send_command(name: str, command: str) -> bool:
    """Hand ``command`` to the instance listening on ``name``; False if none answers.

    Blocking, with short time limits: it runs before any window exists.
    """
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    socket.write(f"{command}\n".encode())
    socket.flush()
    answered = b""
    while _ACK not in answered and socket.waitForReadyRead(REPLY_TIMEOUT_MS):
        answered += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return _ACK in answered


class SingleInstance(QObject):
    """The listening side; :attr:`command_received` carries each command from a later start."""

    command_received = Signal(str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        # Only this user may connect (the socket file is 0700 on Unix, a per-user pipe on
        # Windows).
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start listening; False if another live instance already does (then send to it).

        Ask first: on Unix, ``listen`` with socket options builds the socket aside and renames
        it into place, so it would quietly take the name from a running instance too.
        """
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        if probe.waitForConnected(CONNECT_TIMEOUT_MS):
            probe.disconnectFromServer()
            return False
        # Nobody answers: none runs, or a crashed one left its socket file behind.
        QLocalServer.removeServer(self.name)
        if self._server.listen(self.name):
            return True
        log.warning("single-instance socket %s: %s", self.name, self._server.errorString())
        return False

    def close(self) -> None:
        sockets, self._buffers = list(self._buffers), {}
        for socket in sockets:
            # Aborting one socket may already have deleted another (deleteLater on
            # disconnect), and shiboken then refuses the call: nothing left to close.
            with contextlib.suppress(RuntimeError):
                socket.abort()
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        buffer = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if len(buffer) > 256:  # a command is one short word; anything else is not ours
            socket.abort()
            return
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            command = line.decode("utf-8", "replace").strip()
            socket.write(_ACK)
            socket.flush()
            if command in COMMANDS:
                self.command_received.emit(command)
            else:
                log.warning("ignored an unknown command from a second start: %r", command)
        if socket in self._buffers:  # it may have disconnected (and been forgotten) meanwhile
            self._buffers[socket] = buffer

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()


def forward_to_running(data_dir: Path, command: str) -> bool:
    """Whether an app already running on ``data_dir`` took ``command`` (then exit)."""
    return send_command(server_name(data_dir), command)


def claim_instance(data_dir: Path, command: str = "show") -> SingleInstance | None:
    """The listening server if this start is the first; else hand ``command`` on and get None.

    Call before opening the journal: a second start should do nothing but knock.
    """
    instance = SingleInstance(server_name(data_dir))
    if instance.listen():
        return instance
    if send_command(instance.name, command):
        return None
    # No answer to the command (it is closing, or the socket cannot be made): better a second
    # app than none; this one is then not reachable by later starts.
    log.warning("the running Earshot did not take %r; starting anyway", command)
    return instance
