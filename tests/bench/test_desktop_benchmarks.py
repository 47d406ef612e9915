"""The desktop benchmarks (hotkey, start-up, idle) each run once on the small size.

They drive the real app on a real X desktop (Xvfb, openbox, trayer), so this checks that they
keep working and hand back sane figures; it asserts nothing about how fast anything is.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import pytest
from bench.figures import Figure

from bench import bench_hotkey, bench_idle, bench_startup
from tests.desktop.xserver import PROGRAMS, TRAY_HOST
from tests.system import require


@pytest.fixture(autouse=True)
def desktop_programs() -> None:
    for program, package in {**PROGRAMS, TRAY_HOST[0]: TRAY_HOST[1]}.items():
        require(program, package)


def by_name(figures: list[Figure]) -> dict[str, Figure]:
    named = {figure.name: figure for figure in figures}
    assert len(named) == len(figures), "two figures share a name"
    return named


def check_against_baseline(figure: Figure) -> None:
    assert figure.baseline is not None
    assert figure.baseline_name
    assert math.isfinite(figure.value), figure
    assert figure.value > 0, figure
    assert math.isfinite(figure.baseline), figure
    assert figure.baseline > 0, figure
    assert figure.ratio == pytest.approx(figure.value / figure.baseline)
    assert figure.to_json()["unit"] == figure.unit


def test_hotkey_times_each_press_of_the_app_and_the_baseline(tmp_path: Path) -> None:
    figures = by_name(bench_hotkey.run("small", tmp_path))
    focused = figures["hotkey to quick entry focused, p95"]
    mapped = figures["hotkey to quick entry mapped, median"]
    for figure in (focused, mapped):
        check_against_baseline(figure)
        assert figure.unit == "ms"
        assert figure.runs == bench_hotkey.PRESSES["small"]
    assert focused.aim == "≤ 50 ms p95"
    assert isinstance(focused.met, bool)
    assert focused.median is not None
    assert focused.p95 is not None
    assert focused.median <= focused.p95 == focused.value
    # The window is focused once it is mapped, never before.
    assert mapped.value <= focused.p95


def test_startup_times_the_app_and_the_bare_tray_icon(tmp_path: Path) -> None:
    figures = by_name(bench_startup.run("small", tmp_path))
    start = figures["cold start to tray ready, median"]
    check_against_baseline(start)
    assert start.unit == "ms"
    assert start.runs == bench_startup.RUNS["small"]
    assert isinstance(start.met, bool)
    assert start.notes is not None
    assert "over the baseline" in start.notes
    existing = figures["start with an existing profile to tray ready, median"]
    check_against_baseline(existing)
    assert existing.runs == start.runs
    assert existing.baseline == start.baseline  # the same baseline runs
    check_against_baseline(figures["CPU time used by then (existing profile), median"])
    cpu = figures["CPU time used by then (cold start), median"]
    check_against_baseline(cpu)
    assert cpu.runs == start.runs
    # Read while the process runs: no more CPU than all cores for the wall time since its start.
    cores = os.cpu_count() or 1
    assert cpu.baseline is not None
    assert start.baseline is not None
    assert cpu.baseline <= start.baseline * cores
    assert cpu.value <= start.value * cores
    # Each run had a profile of its own: nothing reused from an earlier start.
    homes = sorted(path.name for path in tmp_path.glob("earshot-home-*"))
    assert homes == [f"earshot-home-{n}" for n in range(bench_startup.RUNS["small"])]


def test_idle_reads_memory_cpu_and_wakeups_from_proc(tmp_path: Path) -> None:
    figures = by_name(bench_idle.run("small", tmp_path))
    memory = figures["idle: resident memory"]
    cpu = figures["idle: CPU time"]
    wakeups = figures["idle: wake-ups"]
    assert memory.unit == "MB"
    # Python with Qt is tens of MB, never a few or tens of GB.
    assert 10 < memory.value < 2000, memory
    assert memory.baseline is not None
    assert 10 < memory.baseline < 2000
    for figure in (cpu, wakeups):
        assert figure.baseline is not None
        assert math.isfinite(figure.value), figure
        assert figure.value >= 0, figure
        assert math.isfinite(figure.baseline), figure
        assert figure.baseline >= 0, figure
    assert cpu.value <= 100 * 8  # a share of wall time, at most all cores busy
    assert isinstance(memory.met, bool)
    assert isinstance(cpu.met, bool)


@pytest.mark.parametrize("module", [bench_hotkey, bench_startup, bench_idle])
def test_an_unknown_size_is_refused_before_anything_starts(module: object, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="small or full"):
        module.run("huge", tmp_path)  # type: ignore[attr-defined]
    assert not any(tmp_path.iterdir())


def test_startup_times_a_given_command_as_the_bundle_is_timed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A stand-in for dist/earshot/earshot (building the bundle takes minutes): a program of its
    # own that starts the app and is handed --data-dir like the bundle.
    program = tmp_path / "earshot-program"
    program.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m earshot "$@"\n', encoding="utf-8")
    program.chmod(0o755)

    assert bench_startup.main(["--command", str(program), "--runs", "1"]) == 0

    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith(f"{program}: 1 runs, load average ")
    cold = [line for line in printed if line.startswith("cold start to tray ready, median: ")]
    assert len(cold) == 1
    assert cold[0].endswith(")")  # value and baseline in ms
