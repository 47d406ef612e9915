"""Start at login on each OS: the real files on Linux and for the LaunchAgent, the registry
logic with only the four winreg calls replaced."""

from __future__ import annotations

import configparser
import plistlib
import shlex
from pathlib import Path

import pytest

from earshot.core.autostart import (
    RUN_KEY,
    AutostartError,
    LaunchAgentAutostart,
    WindowsAutostart,
    XdgAutostart,
    for_platform,
    launch_command,
)

COMMAND = ["/opt/Earshot Tools/bin/python3", "-m", "earshot", "--data-dir", "/srv/till 2/100%"]


def exec_arguments(exec_line: str) -> list[str]:
    """Undo the Desktop Entry quoting: string escapes, then the Exec key's own rules."""
    value = exec_line.replace("\\\\", "\\")
    return [argument.replace("%%", "%") for argument in shlex.split(value)]


def test_xdg_autostart_writes_a_desktop_file_under_xdg_config_home(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "XDG_CONFIG_DIRS": str(tmp_path / "sys")}
    autostart = XdgAutostart(COMMAND, env | {"HOME": "/x"})
    assert not autostart.is_enabled()

    autostart.enable()

    path = tmp_path / "cfg" / "autostart" / "earshot.desktop"
    assert autostart.is_enabled()
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(path, encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert exec_arguments(desktop["Exec"]) == COMMAND
    autostart.disable()
    assert not path.exists()
    autostart.disable()  # already off: fine


def test_xdg_switch_off_overrides_the_system_entry_the_package_installed(tmp_path: Path) -> None:
    system = tmp_path / "etc-xdg" / "autostart" / "earshot.desktop"
    system.parent.mkdir(parents=True)
    system.write_text("[Desktop Entry]\nType=Application\nName=Earshot\nExec=earshot\n")
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "XDG_CONFIG_DIRS": f"relative/ignored:{tmp_path / 'etc-xdg'}",
    }
    autostart = XdgAutostart(COMMAND, env)
    assert autostart.is_enabled()  # IT's entry starts it for everyone

    autostart.disable()

    user_file = tmp_path / "cfg" / "autostart" / "earshot.desktop"
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(user_file, encoding="utf-8")
    assert entry["Desktop Entry"]["Hidden"] == "true"  # the spec's override of the system file
    assert system.is_file()  # IT's file is not ours to remove
    assert not autostart.is_enabled()

    autostart.enable()
    assert autostart.is_enabled()
    assert "Hidden" not in user_file.read_text()


def test_xdg_autostart_falls_back_to_home_config_for_an_unset_or_relative_variable(
    tmp_path: Path,
) -> None:
    for env in ({"HOME": str(tmp_path)}, {"HOME": str(tmp_path), "XDG_CONFIG_HOME": "rel/dir"}):
        path = XdgAutostart(COMMAND, env).path
        assert path == tmp_path / ".config" / "autostart" / "earshot.desktop"


def test_xdg_autostart_says_where_it_could_not_write(tmp_path: Path) -> None:
    blocker = tmp_path / "cfg"
    blocker.write_text("a file where a folder should be")
    autostart = XdgAutostart(COMMAND, {"XDG_CONFIG_HOME": str(blocker)})

    with pytest.raises(AutostartError, match="could not write its start-at-login entry"):
        autostart.enable()


def test_launch_agent_is_a_plist_that_runs_at_load(tmp_path: Path) -> None:
    autostart = LaunchAgentAutostart(COMMAND, tmp_path)
    autostart.enable()

    path = tmp_path / "Library" / "LaunchAgents" / "com.earshot.app.plist"
    with path.open("rb") as file:
        agent = plistlib.load(file)
    assert agent["ProgramArguments"] == COMMAND
    assert agent["RunAtLoad"] is True
    assert agent["KeepAlive"] is False
    assert autostart.is_enabled()
    autostart.disable()
    assert not path.exists()


class FakeRunKey:
    """HKCU\\...\\Run as winreg shows it: values by name; errors as OSError."""

    def __init__(self, fail: bool = False) -> None:
        self.values: dict[str, str] = {"OneDrive": '"C:\\Program Files\\OneDrive.exe"'}
        self.fail = fail

    def read(self, name: str) -> str | None:
        return self.values.get(name)

    def write(self, name: str, value: str) -> None:
        if self.fail:
            raise PermissionError(5, "Access is denied")
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


def test_windows_run_value_is_a_quoted_command_line_and_leaves_others_alone() -> None:
    registry = FakeRunKey()
    autostart = WindowsAutostart(
        [r"C:\Program Files\Earshot\Earshot.exe", "--data-dir", r"D:\a b"], registry
    )

    autostart.enable()

    assert (
        registry.values["Earshot"] == r'"C:\Program Files\Earshot\Earshot.exe" --data-dir "D:\a b"'
    )
    assert autostart.is_enabled()
    autostart.disable()
    assert registry.values == {"OneDrive": '"C:\\Program Files\\OneDrive.exe"'}


def test_windows_registry_refusal_is_a_clear_message() -> None:
    autostart = WindowsAutostart(["Earshot.exe"], FakeRunKey(fail=True))
    with pytest.raises(AutostartError, match=r"HKCU\\" + RUN_KEY.replace("\\", r"\\")):
        autostart.enable()


def test_launch_command_and_platform_choice(tmp_path: Path) -> None:
    assert launch_command("/usr/bin/python3", frozen=False) == ["/usr/bin/python3", "-m", "earshot"]
    assert launch_command("C:/Earshot/Earshot.exe", frozen=True, data_dir=Path("/d")) == [
        "C:/Earshot/Earshot.exe",
        "--data-dir",
        "/d",
    ]
    env = {"HOME": str(tmp_path)}
    assert isinstance(for_platform(["x"], env, "linux"), XdgAutostart)
    assert isinstance(for_platform(["x"], env, "darwin"), LaunchAgentAutostart)
    assert isinstance(for_platform(["x"], env, "win32"), WindowsAutostart)
