"""A real Secret Service keyring for tests: gnome-keyring in a private D-Bus session.

Each use gets a fresh HOME (so a fresh login keyring), its own ``dbus-daemon --session`` and a
``gnome-keyring-daemon --unlock --components=secrets`` fed a throwaway password on stdin.
``env`` holds the variables a subprocess needs to reach it; :meth:`KeyringSession.backend`
gives the in-process ``keyring`` backend bound to it. Skips, naming the Debian package, when
the programs are missing (and fails instead under ``EARSHOT_NO_SKIP=1``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from keyring.backends import SecretService

from tests.system import require

READY_TIMEOUT = 20.0


@dataclass
class KeyringSession:
    env: dict[str, str] = field(repr=False)

    @contextlib.contextmanager
    def active(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        """This process talks to this keyring (jeepney reads the bus address from os.environ)."""
        for name in ("HOME", "XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS"):
            monkeypatch.setenv(name, self.env[name])
        yield

    def backend(self) -> SecretService.Keyring:
        return SecretService.Keyring()


def _secret_service_ready(env: dict[str, str]) -> bool:
    """Whether org.freedesktop.secrets has an owner on the bus (asked with dbus-send)."""
    done = subprocess.run(
        [
            "dbus-send",
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            "string:org.freedesktop.secrets",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    return "boolean true" in done.stdout


@contextlib.contextmanager
def keyring_session(root: Path) -> Iterator[KeyringSession]:
    require("dbus-daemon", "dbus")
    require("dbus-send", "dbus")
    require("gnome-keyring-daemon", "gnome-keyring")
    home, runtime = root / "home", root / "runtime"
    home.mkdir(parents=True)
    runtime.mkdir(mode=0o700)
    env = dict(os.environ)
    env.update(HOME=str(home), XDG_RUNTIME_DIR=str(runtime))
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "GNOME_KEYRING_CONTROL", "EARSHOT_TOKEN"):
        env.pop(name, None)
    bus = subprocess.run(
        ["dbus-daemon", "--session", "--fork", "--print-address=1", "--print-pid=1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    address, pid = bus.stdout.split()[:2]
    env["DBUS_SESSION_BUS_ADDRESS"] = address
    daemon = subprocess.Popen(
        ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert daemon.stdin is not None
        daemon.stdin.write(b"throwaway-login-password")
        daemon.stdin.close()
        # No signal tells when the daemon has claimed its bus name: ask the bus until it has.
        give_up = time.monotonic() + READY_TIMEOUT
        while not _secret_service_ready(env):
            if daemon.poll() is not None or time.monotonic() > give_up:
                raise RuntimeError("gnome-keyring-daemon did not start its Secret Service")
            time.sleep(0.05)
        yield KeyringSession(env)
    finally:
        daemon.terminate()
        try:
            daemon.wait(10)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(10)
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGTERM)


@pytest.fixture
def secret_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[KeyringSession]:
    """A fresh unlocked Secret Service, active for this process and in ``session.env``."""
    with keyring_session(tmp_path / "keyring") as session, session.active(monkeypatch):
        yield session
