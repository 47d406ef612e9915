"""A benchmark that fails, for the runner's tests: the run must report it and go on."""

from __future__ import annotations

from pathlib import Path

from bench.figures import Figure


def run(size: str, workdir: Path) -> list[Figure]:
    raise RuntimeError("the collector went away")
