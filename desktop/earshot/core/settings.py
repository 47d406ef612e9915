"""Preferences: each declared once, with its type and default, in :class:`Preferences`.

They live in ``settings.json`` in the data directory. IT can pre-set any of them for every PC
in a system-wide file (see :func:`system_settings_paths`); a key listed under ``"locked"`` there
cannot be changed by the user. Remembered window state lives apart (``window-state.json``).
A damaged file never stops the app: the defaults are used, the problem is reported, and the
damaged file is kept beside it for IT.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from earshot.core.entry import DEFAULT_STATIONS, clean_line


@dataclass(frozen=True)
class Preferences:
    site: str = "Main site"
    stations: tuple[str, ...] = DEFAULT_STATIONS
    default_station: str = "counter"
    staff: tuple[str, ...] = ()
    endpoint: str = ""
    # Plain http:// to a collector that is not on this PC sends the token in clear: IT only.
    allow_insecure_http: bool = False
    hotkey: str = "Ctrl+Alt+F"
    start_at_login: bool = False


class SettingsProblem(Exception):
    pass


def _coerce(name: str, hint: Any, value: Any) -> Any:
    """Check one value against its declared type; raise :class:`SettingsProblem` if it is off."""
    if hint is bool:
        if isinstance(value, bool):
            return value
        raise SettingsProblem(f'"{name}" must be true or false, not {json.dumps(value)}.')
    if hint is str:
        if isinstance(value, str):
            return clean_line(value)
        raise SettingsProblem(f'"{name}" must be text, not {json.dumps(value)}.')
    if typing.get_origin(hint) is tuple:
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(dict.fromkeys(clean_line(item) for item in value if clean_line(item)))
        raise SettingsProblem(f'"{name}" must be a list of names, like ["a", "b"].')
    raise TypeError(f"no coercion for {hint!r}")  # a programming error: a new type of option


def _lower_names(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(dict.fromkeys(item.lower() for item in value))
    return value.lower() if isinstance(value, str) else value


# Stations are compared and sent in lower case (see earshot.core.entry.validate), so the lists
# people type ("Counter", "Phone") are lowered as they are read.
_NORMALISE: dict[str, Any] = {"stations": _lower_names, "default_station": _lower_names}


def _hints() -> dict[str, Any]:
    return typing.get_type_hints(Preferences, vars(types))


def parse(
    document: Mapping[str, Any], base: Preferences = Preferences()
) -> tuple[Preferences, list[str]]:
    """``base`` with the valid values of ``document``, and a message for each invalid one."""
    hints = _hints()
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in document.items():
        if name == "locked":
            continue
        if name not in hints:
            problems.append(f'"{name}" is not a setting Earshot knows; it was ignored.')
            continue
        try:
            values[name] = _NORMALISE.get(name, lambda same: same)(
                _coerce(name, hints[name], value)
            )
        except SettingsProblem as problem:
            problems.append(f"{problem} The default was used.")
    return dataclasses.replace(base, **values), problems


def to_document(preferences: Preferences) -> dict[str, Any]:
    return {
        name: list(value) if isinstance(value, tuple) else value
        for name, value in dataclasses.asdict(preferences).items()
    }


def read_json_object(path: Path) -> tuple[dict[str, Any], list[str]]:
    """A JSON object from ``path``: ({}, []) when missing, ({}, [message]) when damaged."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, []
    except OSError as error:
        return {}, [f"Earshot could not read {path}: {error.strerror}. The defaults were used."]
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return {}, [f"{path} is damaged ({error}). The defaults were used."]
    if not isinstance(document, dict):
        return {}, [f"{path} should hold settings between {{ and }}. The defaults were used."]
    return document, []


def write_json_atomically(path: Path, document: Mapping[str, Any]) -> None:
    """Write a whole file or nothing: a crash mid-write leaves the old file as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(document, file, ensure_ascii=False, indent=2)
            file.write("\n")
            file.flush()
            os.fsync(file.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def system_settings_paths(env: Mapping[str, str]) -> list[Path]:
    """IT's system-wide files, weakest first. ``EARSHOT_SYSTEM_SETTINGS`` overrides (for tests)."""
    if env.get("EARSHOT_SYSTEM_SETTINGS"):
        return [Path(env["EARSHOT_SYSTEM_SETTINGS"])]
    if os.name == "nt":
        return [Path(env.get("PROGRAMDATA", r"C:\ProgramData")) / "Earshot" / "settings.json"]
    return [Path("/etc/earshot/settings.json")]


@dataclass
class SettingsStore:
    """The user's preferences on top of IT's, with what IT locked kept as IT set it."""

    user_path: Path
    system_paths: Iterable[Path] = ()
    problems: list[str] = field(default_factory=list)
    locked: frozenset[str] = frozenset()
    _system: Preferences = field(default_factory=Preferences, repr=False)

    def load(self) -> Preferences:
        self.problems = []
        preferences = Preferences()
        locked: set[str] = set()
        for path in self.system_paths:
            document, problems = read_json_object(path)
            self.problems += problems
            preferences, problems = parse(document, preferences)
            self.problems += problems
            locked |= self._locked_names(document.get("locked", []), path)
        system = preferences
        self._system = system
        user_document, problems = read_json_object(self.user_path)
        self.problems += problems
        if problems:
            self._keep_damaged_copy()
        preferences, problems = parse(user_document, preferences)
        self.problems += problems
        self.locked = frozenset(locked)
        return dataclasses.replace(
            preferences, **{name: getattr(system, name) for name in self.locked}
        )

    def _locked_names(self, value: Any, path: Path) -> set[str]:
        hints = _hints()
        if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
            self.problems.append(
                f'In {path}, "locked" must be a list of setting names, like ["endpoint", '
                '"site"]. Nothing was locked.'
            )
            return set()
        unknown = [name for name in value if name not in hints]
        if unknown:
            self.problems.append(
                f'In {path}, "locked" names settings Earshot does not know: '
                f"{', '.join(unknown)}. They were ignored."
            )
        return {name for name in value if name in hints}

    def save(self, preferences: Preferences) -> None:
        """Save what the user changed; what IT set and the user left alone is not copied, so a
        later change by IT still reaches this PC."""
        current = self.load()
        changed = [
            name for name in self.locked if getattr(preferences, name) != getattr(current, name)
        ]
        if changed:
            raise SettingsProblem(
                f"IT has fixed these settings for this PC, so they cannot be changed here: "
                f"{', '.join(sorted(changed))}."
            )
        system = to_document(self._system)
        mine = {
            name: value for name, value in to_document(preferences).items() if value != system[name]
        }
        write_json_atomically(self.user_path, mine)

    def _keep_damaged_copy(self) -> None:
        damaged = self.user_path.with_suffix(".damaged.json")
        if not damaged.exists():
            try:
                self.user_path.replace(damaged)
            except OSError:
                return
            self.problems.append(f"The damaged file was kept as {damaged} for IT to look at.")
