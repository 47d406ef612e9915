"""The benchmarks keep working: each runs once on its small size and hands back sane figures.

Nothing here is about time (tests never assert timings): only that every figure is there, is a
positive finite number, sits beside its baseline with the right ratio, and says whether its aim
was met. The runner is driven through its command line, as ``make bench`` does.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from bench.figures import Figure, percentile
from PySide6.QtWidgets import QApplication

from bench import __main__ as runner
from bench import bench_drain, bench_ingest, bench_log_window, bench_save
from tests.collector_server import postgres_bin_dir

ROOT = Path(__file__).resolve().parents[2]


def check(figures: list[Figure], names: list[str]) -> None:
    assert [figure.name for figure in figures] == names
    for figure in figures:
        assert figure.unit
        assert "{" not in (figure.notes or ""), figure  # a template left unfilled
        assert math.isfinite(figure.value), figure
        assert figure.value > 0, figure
        if figure.baseline is not None:
            assert math.isfinite(figure.baseline), figure
            assert figure.baseline > 0, figure
            assert figure.ratio == pytest.approx(figure.value / figure.baseline), figure
            assert figure.baseline_name
        if figure.aim is not None:
            assert isinstance(figure.met, bool), figure
        else:
            assert figure.met is None, figure
        json.dumps(figure.to_json())  # what the runner writes


def test_save(tmp_path: Path) -> None:
    figures = bench_save.run("small", tmp_path)
    check(
        figures,
        [
            "save() median",
            "save() p99",
            "save() CPU time, median",
            "save()'s SQL through bare sqlite3, median",
            "save()'s SQL through bare sqlite3, CPU time median",
        ],
    )
    median, p99 = figures[0], figures[1]
    assert median.p99 == p99.value
    assert median.median is not None
    assert median.median <= p99.value


def test_drain(tmp_path: Path) -> None:
    figures = bench_drain.run("small", tmp_path)
    check(
        figures,
        ["earshot sync draining 1,000 entries", "earshot sync against one entry per request"],
    )
    # The same drain, read against two baselines.
    assert figures[0].value == figures[1].value


def test_ingest(tmp_path: Path) -> None:
    postgres_bin_dir()  # skips naming the Debian package when PostgreSQL is not installed
    figures = bench_ingest.run("small", tmp_path)
    check(
        figures,
        [
            "collector ingest, 20 devices at once, SQLite",
            "collector ingest, 20 devices at once, PostgreSQL",
        ],
    )


def test_log_window(qapp: QApplication, tmp_path: Path) -> None:
    figures = bench_log_window.run("small", tmp_path)
    check(
        figures,
        [
            "open the log, first rows painted",
            "Ctrl+End, last rows painted",
            "search, selective word",
            "search, common word",
        ],
    )


def test_seeded_journal_reads_back_as_entries(tmp_path: Path) -> None:
    """The fast seed writes rows the journal itself can read, search and count."""
    from earshot.core.journal import EntryQuery, Journal

    bench_log_window.seed(tmp_path / "journal.sqlite3", 30)
    journal = Journal.open(tmp_path / "journal.sqlite3")
    try:
        assert journal.count() == 30
        newest = journal.page(EntryQuery(), 0, 1)[0].entry
        assert newest.text == bench_log_window._text(29)
        assert journal.count(EntryQuery(search="queue")) == 6  # 0, 5, ... 25
        assert journal.count(EntryQuery(search="kettle")) == 1  # entry 7
    finally:
        journal.close()


def test_percentile_interpolates_and_refuses_nothing() -> None:
    samples = [4.0, 1.0, 3.0, 2.0]
    assert percentile(samples, 0) == 1.0
    assert percentile(samples, 100) == 4.0
    assert percentile(samples, 50) == 2.5
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 50)


# -- the runner ---------------------------------------------------------------------------


def test_runner_writes_results_and_the_docs_table(tmp_path: Path) -> None:
    out, docs = tmp_path / "results.json", tmp_path / "benchmarks.md"
    docs.write_text(
        f"# Ours\n\nKept above.\n\n{runner.START}\nold table\n{runner.END}\n\nKept below.\n"
    )
    # A results file from an earlier run: its other benchmarks are kept.
    out.write_text(json.dumps({"benches": {"idle": {"status": "ok", "figures": []}}}))
    command = [sys.executable, "-m", "bench", "--size", "small", "--only", "save"]
    done = subprocess.run(
        [*command, "--out", str(out), "--docs", str(docs)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "save() median" in done.stdout
    results = json.loads(out.read_text())
    assert results["benches"]["save"]["status"] == "ok"
    assert results["benches"]["save"]["size"] == "small"
    assert "idle" in results["benches"]
    for key in ("cpu", "cores", "ram_gb", "os", "python", "sqlite"):
        assert results["machine"][key], key
    text = docs.read_text()
    assert text.startswith("# Ours\n\nKept above.")
    assert text.endswith("Kept below.\n")
    assert "old table" not in text
    assert "| save | save() median |" in text
    assert "| hotkey | — | not run |" in text


def test_runner_reports_a_missing_and_a_failing_benchmark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(runner.REGISTRY, "nothing", "bench.bench_nothing_here")
    monkeypatch.setitem(runner.REGISTRY, "broken", "tests.bench.broken_bench")
    assert runner.run_one("nothing", "small", tmp_path) == {
        "status": "missing",
        "error": "bench/bench_nothing_here.py not there",
    }
    outcome_file = tmp_path / "outcome.json"
    runner._child("broken", "small", tmp_path, outcome_file)
    outcome = json.loads(outcome_file.read_text())
    assert outcome["status"] == "failed"
    assert outcome["error"] == "RuntimeError: the collector went away"
    table = runner.table({"benches": {"broken": outcome | {"date": "2026-01-01T00:00:00"}}})
    assert "| broken | — | failed |" in table
    assert "the collector went away" in table


def test_runner_starts_afresh_from_a_damaged_results_file(tmp_path: Path) -> None:
    out, docs = tmp_path / "results.json", tmp_path / "benchmarks.md"
    out.write_text("{not json")
    status = runner.main(
        ["--size", "small", "--only", "save", "--out", str(out), "--docs", str(docs)]
    )
    assert status == 0
    assert list(json.loads(out.read_text())["benches"]) == ["save"]
    assert docs.read_text().count(runner.START) == 1


def test_runner_refuses_an_unknown_name_listing_the_known_ones() -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "bench", "--only", "sav"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2
    assert "invalid choice: 'sav'" in refused.stderr
    assert "'save'" in refused.stderr
