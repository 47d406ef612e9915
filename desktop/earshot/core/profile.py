"""One profile: a data directory with its journal and settings, handed to whoever needs them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from earshot.core.journal import Journal
from earshot.core.paths import DataDir, resolve_data_dir
from earshot.core.settings import Preferences, SettingsStore, system_settings_paths


@dataclass
class Profile:
    data_dir: DataDir
    settings: SettingsStore

    @classmethod
    def resolve(
        cls, explicit_dir: str | os.PathLike[str] | None, env: Mapping[str, str]
    ) -> Profile:
        data_dir = resolve_data_dir(explicit_dir, env)
        return cls(data_dir, SettingsStore(data_dir.settings, system_settings_paths(env)))

    def preferences(self) -> Preferences:
        return self.settings.load()

    def open_journal(self) -> Journal:
        return Journal.open(self.data_dir.journal)
