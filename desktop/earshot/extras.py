"""What a command says when the ``desktop`` extra is not installed.

The package's base dependencies are what the desktop app and the collector share (SQLAlchemy,
Alembic, platformdirs): ``earshot add``, ``status`` and ``export`` run on them alone. The app's
windows, the keyring and the sender need the ``desktop`` extra (pyproject.toml), which a
collector server installed with ``pip install '.[collector]'`` does not have. Rather than
a traceback from deep inside an import, such a command says in one line what to install.
"""

from __future__ import annotations

import importlib.util
import sys

# The `desktop` extra of pyproject.toml: each distribution by the module it is imported as.
# tests/packaging/test_collector_install.py checks this against the installed metadata.
DESKTOP_MODULES: dict[str, str] = {
    "PySide6": "PySide6-Essentials",
    "keyring": "keyring",
    "requests": "requests",
    "truststore": "truststore",
    "filelock": "filelock",
}
if sys.platform == "linux":
    DESKTOP_MODULES |= {"Xlib": "python-xlib", "jeepney": "jeepney"}

# Earshot is installed from its source folder (make run, packaging/build.sh), not an index.
INSTALL_HINT = "pip install '.[desktop]' in Earshot's source folder"
# The CLI's "could not be done (the message says why)"; 2 is for a mistyped command.
EXIT_MISSING = 1


def missing_desktop_distributions() -> list[str]:
    """The desktop extra's distributions that cannot be imported here (none in a bundle)."""
    if getattr(sys, "frozen", False):
        return []  # a PyInstaller bundle is built with the extra (packaging/build.sh)
    # find_spec finds a top-level module on sys.path without importing it (about 1 ms for
    # all of them), so the app's start does not load Qt to find out whether it can.
    return [
        distribution
        for module, distribution in DESKTOP_MODULES.items()
        if importlib.util.find_spec(module) is None
    ]


def require_desktop_extra(feature: str) -> None:
    """Exit with one line naming ``feature`` and what to install, unless the extra is here.

    ``feature`` starts the message: "the desktop app", "earshot sync". Like argparse's usage
    errors this raises SystemExit, so each command needs one call and nothing around it."""
    missing = missing_desktop_distributions()
    if missing:
        print(
            f"earshot: {feature} needs the desktop extra, not installed here (missing "
            f"{', '.join(missing)}). Install Earshot with it: {INSTALL_HINT}",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_MISSING)
