"""Real storage trouble for tests: a tiny disk that fills up, a folder that turns read-only.

Both are real tmpfs mounts (the tests run as root, which ignores file permissions, so a chmod
would prove nothing). Without the right to mount, the test skips naming why, and CI, which runs
as root, turns that skip into a failure.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(*args: str) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.skip(f"needs the right to mount a tmpfs (run as root): {result.stderr.strip()}")


@contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where))
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def make_read_only(where: Path) -> None:
    _mount("-o", "remount,ro", str(where))


def make_writable(where: Path) -> None:
    _mount("-o", "remount,rw", str(where))


def fill(where: Path) -> Path:
    """Fill the disk under ``where`` to the last byte; returns the filler file to free it."""
    filler = where / "filler.bin"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for size in (1 << 20, 1 << 12, 1):
            block = b"\0" * size
            try:
                while os.write(descriptor, block) == size:
                    pass
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
    finally:
        os.close(descriptor)
    return filler
