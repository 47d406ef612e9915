"""Preferences: declared once, damaged files survived, IT's locked values kept."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from earshot.core.entry import EntryInput, new_entry
from earshot.core.settings import Preferences, SettingsProblem, SettingsStore


def write(path: Path, document: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")


def test_defaults_when_there_is_no_file(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    assert store.load() == Preferences()
    assert store.problems == []


def test_saved_preferences_read_back(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    wanted = Preferences(site="Leeds", staff=("Ann", "Bo"), stations=("till", "phone"))
    store.save(wanted)
    assert SettingsStore(tmp_path / "settings.json").load() == wanted


def test_wrong_types_and_unknown_keys_are_reported_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    write(
        path, {"site": 7, "staff": "Ann", "start_at_login": "yes", "colour": "red", "hotkey": "F9"}
    )
    store = SettingsStore(path)
    preferences = store.load()
    assert preferences == Preferences(hotkey="F9")
    assert len(store.problems) == 4
    assert '"site" must be text, not 7. The default was used.' in store.problems
    assert any('"colour" is not a setting' in p for p in store.problems)


@pytest.mark.parametrize("content", [b"{", b"\xff\xfe", b"[1, 2]", b""])
def test_a_damaged_file_is_set_aside_not_overwritten(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    store = SettingsStore(path)
    assert store.load() == Preferences()
    assert any(str(path) in p for p in store.problems)
    assert (tmp_path / "settings.damaged.json").read_bytes() == content


def test_it_can_preset_and_lock_settings(tmp_path: Path) -> None:
    system = tmp_path / "etc" / "settings.json"
    write(
        system,
        {"endpoint": "https://feedback.example.com", "site": "Leeds", "locked": ["endpoint"]},
    )
    user = tmp_path / "settings.json"
    write(user, {"endpoint": "http://evil.example", "site": "York"})
    store = SettingsStore(user, [system])
    preferences = store.load()
    assert preferences.endpoint == "https://feedback.example.com"
    assert preferences.site == "York"  # not locked: the user's choice wins
    with pytest.raises(SettingsProblem, match="IT has fixed these settings"):
        store.save(Preferences(endpoint="http://other.example", site="York"))


def test_a_save_is_all_or_nothing(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    store = SettingsStore(path)
    store.save(Preferences(site="Leeds"))
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]
    assert json.loads(path.read_text(encoding="utf-8"))["site"] == "Leeds"


def test_station_names_are_read_in_lower_case_so_entries_match_them(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    write(path, {"stations": ["Counter", "Phone", "counter"], "default_station": "Phone"})
    preferences = SettingsStore(path).load()
    assert preferences.stations == ("counter", "phone")
    assert preferences.default_station == "phone"
    entry = new_entry(
        EntryInput(text="hi", station=preferences.default_station),
        device_id="d",
        site="s",
        stations=preferences.stations,
    )
    assert entry.station == "phone"


@pytest.mark.parametrize("locked", [5, "site", [1, "site"]])
def test_a_broken_locked_list_is_reported_and_locks_nothing(tmp_path: Path, locked: object) -> None:
    system = tmp_path / "etc" / "settings.json"
    write(system, {"site": "Leeds", "locked": locked})
    user = tmp_path / "settings.json"
    write(user, {"site": "York"})
    store = SettingsStore(user, [system])
    assert store.load().site == "York"
    assert store.locked == frozenset()
    assert any('"locked" must be a list of setting names' in p for p in store.problems)


def test_unknown_names_in_locked_are_reported(tmp_path: Path) -> None:
    system = tmp_path / "etc" / "settings.json"
    write(system, {"locked": ["site", "colour"]})
    store = SettingsStore(tmp_path / "settings.json", [system])
    store.load()
    assert store.locked == frozenset({"site"})
    assert any("colour" in p for p in store.problems)


def test_saving_keeps_only_what_the_user_changed(tmp_path: Path) -> None:
    system = tmp_path / "etc" / "settings.json"
    write(system, {"endpoint": "https://old.example", "site": "Leeds"})
    user = tmp_path / "settings.json"
    store = SettingsStore(user, [system])
    store.save(dataclasses.replace(store.load(), staff=("Ann",)))
    assert json.loads(user.read_text(encoding="utf-8")) == {"staff": ["Ann"]}
    write(system, {"endpoint": "https://new.example", "site": "Leeds"})  # IT moves the collector
    assert store.load().endpoint == "https://new.example"
    assert store.load().staff == ("Ann",)
