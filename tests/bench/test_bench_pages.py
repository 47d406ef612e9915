"""The pages benchmark still runs: seeded small, it hands back sane figures (never timings)."""

from __future__ import annotations

import math
from pathlib import Path

from bench import bench_pages


def test_small_run_gives_every_figure_for_each_store(tmp_path: Path) -> None:
    figures = bench_pages.run("small", tmp_path)
    names = [figure.name for figure in figures]
    stores = ["SQLite"] + (["PostgreSQL"] if bench_pages.postgres_installed() else [])
    for store in stores:
        for page in bench_pages.PAGE_NAMES:
            assert f"{store}: {page}" in names, names
        assert f"{store}: {bench_pages.BASELINE_NAME}" in names
        assert f"{store}: {bench_pages.FLOOR_NAME}" in names
    for figure in figures:
        assert math.isfinite(figure.value), figure
        assert figure.value > 0, figure
        if figure.unit == "ms":
            assert figure.runs == bench_pages.REPEATS["small"]
            assert figure.median is not None
            assert figure.p95 is not None
            assert figure.p99 is not None
            assert figure.median <= figure.p95 <= figure.p99
        if figure.baseline is not None:
            assert figure.ratio is not None
            assert figure.baseline > 0
            assert figure.ratio == figure.value / figure.baseline
            assert figure.met is not None
            assert figure.aim
    # JSON-ready, as the runner stores them.
    assert all(isinstance(figure.to_json()["value"], float) for figure in figures)
