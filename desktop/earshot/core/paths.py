"""Where Earshot keeps its files: one data directory per profile.

``--data-dir`` wins over ``EARSHOT_HOME``, which wins over the platform's user data directory,
so tests and several profiles on one PC never collide.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from earshot import APP_ID

ENV_HOME = "EARSHOT_HOME"


@dataclass(frozen=True)
class DataDir:
    root: Path

    @property
    def journal(self) -> Path:
        return self.root / "journal.sqlite3"

    @property
    def settings(self) -> Path:
        return self.root / "settings.json"

    @property
    def state(self) -> Path:
        """Remembered window state (geometry), kept apart from preferences."""
        return self.root / "window-state.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"


def resolve_data_dir(explicit: str | os.PathLike[str] | None, env: Mapping[str, str]) -> DataDir:
    if explicit:
        root = Path(explicit)
    elif env.get(ENV_HOME):
        root = Path(env[ENV_HOME])
    else:
        root = Path(platformdirs.user_data_dir(APP_ID, appauthor=False, roaming=False))
    return DataDir(root.expanduser().absolute())
