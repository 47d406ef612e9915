"""What a benchmark hands back: figures, each beside the baseline measured in the same run.

Every bench module exposes ``run(size: str, workdir: pathlib.Path) -> list[Figure]``, where
``size`` is ``"small"`` (a quick run that keeps the benchmark working under ``make test``) or
``"full"`` (the real measurement for ``make bench``), and ``workdir`` is an empty folder of its own.

The machine is shared and noisy, so a figure is a median of several runs and is read against its
baseline: the *ratio* (value / baseline) says how close we are to the limit far better than the
raw value.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any


@dataclasses.dataclass
class Figure:
    """One measured figure, e.g. ``save() median: 0.41 ms`` beside ``bare sqlite3: 0.25 ms``."""

    name: str
    unit: str
    value: float
    baseline: float | None = None
    baseline_name: str | None = None
    # value / baseline, filled in by ``with_ratio`` (or given when the ratio is the point).
    ratio: float | None = None
    aim: str | None = None
    # True or False when the figure has an aim and we can tell; None when there is no aim.
    met: bool | None = None
    median: float | None = None
    p95: float | None = None
    p99: float | None = None
    runs: int | None = None
    notes: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


def median(samples: Sequence[float]) -> float:
    if not samples:
        raise ValueError("median of no samples")
    return float(statistics.median(samples))


def percentile(samples: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (0-100) by linear interpolation between the closest ranks."""
    if not samples:
        raise ValueError("percentile of no samples")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(value: float, baseline: float) -> float:
    """value / baseline; infinite when the baseline is zero (it never should be)."""
    return value / baseline if baseline else math.inf


def summary(samples: Sequence[float]) -> dict[str, float]:
    """median, p95 and p99 of some samples, ready to pass to ``Figure(**...)``."""
    return {
        "median": median(samples),
        "p95": percentile(samples, 95),
        "p99": percentile(samples, 99),
    }


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    """Seconds each of ``repeat`` calls of ``action`` took."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return samples


def ms(seconds: float) -> float:
    return seconds * 1000.0
