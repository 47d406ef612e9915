"""Where the icons and translations are, in the source tree, an installed app or a frozen one.

The folder is found once at start-up and handed to whoever needs it (no global lookups).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QIcon

ENV_RESOURCES = "EARSHOT_RESOURCES"


def _candidates(env: Mapping[str, str]) -> list[Path]:
    found: list[Path] = []
    if env.get(ENV_RESOURCES):
        found.append(Path(env[ENV_RESOURCES]))
    # PyInstaller unpacks the bundle's data files under sys._MEIPASS.
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        found.append(Path(bundle) / "resources")
    # The source tree (and an editable install): <repo>/desktop/earshot/gui/resources.py.
    found.append(Path(__file__).resolve().parents[3] / "resources")
    # A regular install puts data files under the environment's prefix.
    found.append(Path(sys.prefix) / "share" / "earshot" / "resources")
    return found


@dataclass(frozen=True)
class Resources:
    root: Path

    @classmethod
    def locate(cls, env: Mapping[str, str]) -> Resources:
        """The first folder that holds the app icon; the source tree's if none does."""
        candidates = _candidates(env)
        for candidate in candidates:
            if (candidate / "icons" / "earshot.svg").is_file():
                return cls(candidate)
        return cls(candidates[-2])

    @property
    def translations(self) -> Path:
        return self.root / "translations"

    def icon_path(self, name: str) -> Path:
        return self.root / "icons" / f"{name}.svg"

    def icon(self, name: str) -> QIcon:
        """An SVG icon (sharp at any scale); an empty icon if the file is missing."""
        path = self.icon_path(name)
        return QIcon(str(path)) if path.is_file() else QIcon()
