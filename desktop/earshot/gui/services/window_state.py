"""Remembered window state (who logged last, geometry), kept apart from the preferences.

One JSON file per profile (``DataDir.state``), one section per window. It is only a memory:
a damaged or unwritable file never stops anyone from working, it is just forgotten.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from earshot.core.settings import read_json_object, write_json_atomically

log = logging.getLogger(__name__)


class WindowState:
    def __init__(self, path: Path) -> None:
        self.path = path

    def section(self, name: str) -> dict[str, Any]:
        document, problems = read_json_object(self.path)
        for problem in problems:
            log.warning("window state: %s", problem)
        value = document.get(name)
        return dict(value) if isinstance(value, dict) else {}

    def get(self, name: str, key: str, default: Any = None) -> Any:
        return self.section(name).get(key, default)

    def update(self, name: str, **values: Any) -> None:
        """Merge ``values`` into section ``name``; other windows' sections stay as they are."""
        document, _problems = read_json_object(self.path)
        section = document.get(name)
        document[name] = (dict(section) if isinstance(section, dict) else {}) | values
        try:
            write_json_atomically(self.path, document)
        except OSError as error:
            log.warning("window state not remembered (%s): %s", self.path, error)
