"""Start at login: the one per-user switch each OS offers, turned on and off.

- Linux and other XDG desktops: ``$XDG_CONFIG_HOME/autostart/earshot.desktop``
  (the XDG Autostart specification; ``~/.config`` when the variable is unset). Where IT installed
  a system-wide entry (the .deb puts one in ``/etc/xdg/autostart``), turning it off writes the
  user's own file with ``Hidden=true``, which the specification says overrides the system one.
- Windows: a value named ``Earshot`` under
  ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``.
- macOS: a LaunchAgent, ``~/Library/LaunchAgents/<label>.plist`` with ``RunAtLoad``.

Only our own entry is ever written or removed. The registry is reached through
:class:`Registry`, a seam of four calls, so the Windows logic is tested on Linux with only those
calls replaced.
"""

from __future__ import annotations

import importlib
import plistlib
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from earshot import APP_ID, APP_NAME

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
LAUNCH_AGENT_LABEL = "com.earshot.app"


class AutostartError(Exception):
    """The login item could not be changed; the message says where and why."""


class Autostart(Protocol):
    def is_enabled(self) -> bool: ...
    def enable(self) -> None: ...
    def disable(self) -> None: ...


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def _failed(action: str, path: object, error: OSError) -> AutostartError:
    return AutostartError(
        f"Earshot could not {action} its start-at-login entry {path}: {error.strerror or error}."
    )


def _desktop_exec(command: Sequence[str]) -> str:
    """The Exec line: arguments quoted as the Desktop Entry spec asks, "%" doubled."""

    def quote(argument: str) -> str:
        if argument and not any(c in argument for c in " \t\n\"'\\><~|&;$*?#()`%"):
            return argument
        escaped = argument.replace("\\", "\\\\").replace('"', '\\"')
        escaped = escaped.replace("`", "\\`").replace("$", "\\$")
        return f'"{escaped}"'.replace("%", "%%")

    # In a .desktop file a backslash in a string value is itself escaped once more.
    return " ".join(quote(argument) for argument in command).replace("\\", "\\\\")


class _FileAutostart:
    """Start at login by a file in a folder the desktop reads at login (XDG, launchd)."""

    path: Path

    def file_bytes(self) -> bytes:
        raise NotImplementedError

    def is_enabled(self) -> bool:
        return self.path.is_file()

    def enable(self) -> None:
        try:
            _write_atomically(self.path, self.file_bytes())
        except OSError as error:
            raise _failed("write", self.path, error) from error

    def disable(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError as error:
            raise _failed("remove", self.path, error) from error


def _hidden(path: Path) -> bool:
    """Whether an autostart file exists and is switched off (Hidden=true, or GNOME's key)."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    switched_off = {"hidden=true", "x-gnome-autostart-enabled=false"}
    return any(line.replace(" ", "").lower() in switched_off for line in lines)


class XdgAutostart(_FileAutostart):
    def __init__(self, command: Sequence[str], env: Mapping[str, str]) -> None:
        self.command = list(command)
        config = env.get("XDG_CONFIG_HOME") or ""
        # The spec: a relative XDG_CONFIG_HOME is invalid and must be ignored.
        base = Path(config)
        if not config or not base.is_absolute():
            base = Path(env.get("HOME", "~")) / ".config"
        self.path = base.expanduser() / "autostart" / f"{APP_ID}.desktop"
        system_dirs = [
            Path(folder)
            for folder in (env.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(":")
            if folder and Path(folder).is_absolute()
        ]
        self.system_paths = [folder / "autostart" / f"{APP_ID}.desktop" for folder in system_dirs]

    def _system_entry(self) -> bool:
        return any(path.is_file() and not _hidden(path) for path in self.system_paths)

    def is_enabled(self) -> bool:
        # The user's file, when there is one, decides; otherwise a system entry does.
        if self.path.is_file():
            return not _hidden(self.path)
        return self._system_entry()

    def disable(self) -> None:
        if not self._system_entry():
            super().disable()
            return
        try:
            _write_atomically(self.path, self.contents(hidden=True).encode("utf-8"))
        except OSError as error:
            raise _failed("write", self.path, error) from error

    def contents(self, *, hidden: bool = False) -> str:
        return (
            "[Desktop Entry]\n"
            "Type=Application\n"
            f"Name={APP_NAME}\n"
            "Comment=Log what customers say\n"
            f"Exec={_desktop_exec(self.command)}\n"
            f"Icon={APP_ID}\n"
            "Terminal=false\n"
            f"X-GNOME-Autostart-enabled={'false' if hidden else 'true'}\n"
            + ("Hidden=true\n" if hidden else "")
        )

    def file_bytes(self) -> bytes:
        return self.contents().encode("utf-8")


class Registry(Protocol):
    """The four ``winreg`` calls we use, on ``HKEY_CURRENT_USER\\<RUN_KEY>``."""

    def read(self, name: str) -> str | None: ...
    def write(self, name: str, value: str) -> None: ...
    def delete(self, name: str) -> None: ...


def _winreg() -> Any:
    # importlib keeps mypy on Linux from checking names that exist only on Windows.
    return importlib.import_module("winreg")


class WinRegistry:  # pragma: no cover - needs Windows; the logic around it is tested
    def read(self, name: str) -> str | None:
        winreg = _winreg()

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                value, _kind = winreg.QueryValueEx(key, name)
        except FileNotFoundError:
            return None
        return str(value)

    def write(self, name: str, value: str) -> None:
        winreg = _winreg()

        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)

    def delete(self, name: str) -> None:
        winreg = _winreg()

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
                winreg.DeleteValue(key, name)
        except FileNotFoundError:
            return


def windows_command_line(command: Sequence[str]) -> str:
    """Quote as Windows' CommandLineToArgvW expects (``subprocess.list2cmdline`` rules)."""
    import subprocess

    return subprocess.list2cmdline(list(command))


class WindowsAutostart:
    def __init__(self, command: Sequence[str], registry: Registry | None = None) -> None:
        self.command = list(command)
        self.registry: Registry = registry if registry is not None else WinRegistry()
        self.value = windows_command_line(self.command)

    def is_enabled(self) -> bool:
        try:
            return self.registry.read(APP_NAME) is not None
        except OSError as error:
            raise _failed("read", f"HKCU\\{RUN_KEY}\\{APP_NAME}", error) from error

    def enable(self) -> None:
        try:
            self.registry.write(APP_NAME, self.value)
        except OSError as error:
            raise _failed("write", f"HKCU\\{RUN_KEY}\\{APP_NAME}", error) from error

    def disable(self) -> None:
        try:
            self.registry.delete(APP_NAME)
        except OSError as error:
            raise _failed("remove", f"HKCU\\{RUN_KEY}\\{APP_NAME}", error) from error


class LaunchAgentAutostart(_FileAutostart):
    def __init__(self, command: Sequence[str], home: Path) -> None:
        self.command = list(command)
        self.path = home / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist"

    def contents(self) -> bytes:
        return plistlib.dumps(
            {
                "Label": LAUNCH_AGENT_LABEL,
                "ProgramArguments": self.command,
                "RunAtLoad": True,
                # Started by launchd at login only; quitting Earshot must not restart it.
                "KeepAlive": False,
                "ProcessType": "Interactive",
            }
        )

    def file_bytes(self) -> bytes:
        return self.contents()


def launch_command(
    executable: str | None = None, frozen: bool | None = None, data_dir: Path | None = None
) -> list[str]:
    """How to start this Earshot at login: the bundle's executable, else ``python -m earshot``.

    ``data_dir`` is added when the profile is not the default one, so the right one starts.
    """
    executable = executable or sys.executable
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    command = [executable] if frozen else [executable, "-m", "earshot"]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    return command


def for_platform(
    command: Sequence[str], env: Mapping[str, str], platform: str = sys.platform
) -> Autostart:
    if platform == "win32":
        return WindowsAutostart(command)
    if platform == "darwin":
        return LaunchAgentAutostart(command, Path(env.get("HOME", "~")).expanduser())
    return XdgAutostart(command, env)


def describe(command: Sequence[str]) -> str:
    """The command as a shell line, for messages and logs."""
    return shlex.join(command)
