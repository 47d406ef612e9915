"""Tests that need a system program: skip naming the Debian package that provides it."""

from __future__ import annotations

import shutil

import pytest


def require(program: str, package: str) -> str:
    """The path of ``program``; skips (a failure under EARSHOT_NO_SKIP=1) if it is missing."""
    path = shutil.which(program)
    if path is None:
        pytest.skip(
            f"needs {program} from the Debian package '{package}' (make test installs it as root)"
        )
    return path
