"""The collector's version, read from the installed package's metadata.

The collector never imports the desktop app (``earshot``), where the version is written down:
the installed distribution carries it for both.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def _installed_version() -> str:
    try:
        return version("earshot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


__version__ = _installed_version()
