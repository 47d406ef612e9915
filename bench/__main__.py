"""Run the benchmarks: ``python -m bench [--size small|full] [--only NAME ...] [--out FILE]``.

Each benchmark runs in a child process of its own (a crash, a hang or a Qt application left
behind in one cannot spoil the others) with an empty work folder, and hands back its figures as
JSON. A benchmark whose module is not there yet, or that fails, is reported as such in the
results; the run goes on. The results are merged into ``--out`` (figures of benchmarks not run
this time are kept, with their own date) and the table in ``docs/benchmarks.md`` is regenerated
between its markers.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.figures import Figure

ROOT = Path(__file__).resolve().parent.parent

# name -> module; each module has run(size: str, workdir: Path) -> list[Figure].
REGISTRY: dict[str, str] = {
    "save": "bench.bench_save",
    "drain": "bench.bench_drain",
    "ingest": "bench.bench_ingest",
    "log_window": "bench.bench_log_window",
    "hotkey": "bench.bench_hotkey",
    "startup": "bench.bench_startup",
    "idle": "bench.bench_idle",
    "pages": "bench.bench_pages",
}

SIZES = ("small", "full")
START = "<!-- bench:results:start -->"
END = "<!-- bench:results:end -->"
# A full benchmark may seed a million rows or idle for a minute; none should take longer.
TIMEOUT = 1800


def run_one(name: str, size: str, workdir: Path) -> dict[str, Any]:
    """Import and run one benchmark in this process; its outcome as a JSON-ready dict."""
    module_name = REGISTRY[name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name:
            return {"status": "missing", "error": f"{module_name.replace('.', '/')}.py not there"}
        raise
    figures: list[Figure] = module.run(size, workdir)
    return {"status": "ok", "figures": [figure.to_json() for figure in figures]}


def _child(name: str, size: str, workdir: Path, out: Path) -> None:
    try:
        outcome = run_one(name, size, workdir)
    except KeyboardInterrupt:
        raise
    # A failing benchmark is a result, not a crash of the run. BaseException: the helpers
    # shared with the tests skip (pytest's Skipped) when a system program is missing.
    except BaseException as error:
        outcome = {
            "status": "failed",
            "error": f"{type(error).__name__}: {error}",
            "traceback": traceback.format_exc(limit=-8),
        }
    out.write_text(json.dumps(outcome, indent=2))


def run_isolated(name: str, size: str, timeout: float = TIMEOUT) -> dict[str, Any]:
    """Run one benchmark in a child process with a fresh work folder, removed afterwards."""
    # The machine is shared: how busy it was says how far to trust the figures.
    load_before = os.getloadavg()[0]
    workdir = Path(tempfile.mkdtemp(prefix=f"earshot-bench-{name}-"))
    out = workdir / "outcome.json"
    bench_dir = workdir / "work"
    bench_dir.mkdir()
    command = [sys.executable, "-m", "bench", "--child", name, "--size", size]
    command += ["--workdir", str(bench_dir), "--out", str(out)]
    try:
        done = subprocess.run(command, cwd=ROOT, timeout=timeout, check=False)
        if out.exists():
            outcome: dict[str, Any] = json.loads(out.read_text())
        else:
            outcome = {"status": "failed", "error": f"exited with {done.returncode}, no figures"}
    except subprocess.TimeoutExpired:
        outcome = {"status": "failed", "error": f"no result after {timeout:.0f} s"}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    outcome["size"] = size
    outcome["load"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    outcome["date"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    return outcome


def _first_line(path: str, key: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip() if ":" in line else line
    except OSError:
        return None
    return None


def _command_version(command: Sequence[str]) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import sqlite3

    described: dict[str, Any] = {
        "cpu": _first_line("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    memory = _first_line("/proc/meminfo", "MemTotal")
    if memory:
        described["ram_gb"] = round(int(memory.split()[0]) / 1024 / 1024, 1)
    pretty = None
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                pretty = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    described["os"] = f"{pretty or platform.system()} ({platform.system()} {platform.release()})"
    qt_probe = "import PySide6, PySide6.QtCore as c; print(PySide6.__version__, c.qVersion())"
    qt = _command_version([sys.executable, "-c", qt_probe])
    if qt:
        pyside, qt_version = qt.split()
        described["qt"] = f"Qt {qt_version} (PySide6 {pyside})"
    postgres = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    if postgres:
        described["postgresql"] = _command_version([str(postgres[-1]), "--version"])
    return described


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def table(results: dict[str, Any]) -> str:
    """The Markdown between the markers of docs/benchmarks.md."""
    lines = []
    described = results.get("machine", {})
    if described:
        lines.append("Measured on: " + "; ".join(f"{k}: {v}" for k, v in described.items()) + ".")
        lines.append("")
    lines += [
        "| bench | figure | value | baseline (same run) | ratio | aim | met | notes |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in [*REGISTRY, *sorted(set(results.get("benches", {})) - set(REGISTRY))]:
        outcome = results.get("benches", {}).get(name)
        if outcome is None:
            lines.append(f"| {name} | — | not run | | | | | |")
            continue
        when = f"{outcome.get('date', '')[:10]}, {outcome.get('size', '')}"
        if "load" in outcome:
            when += ", load {}→{}".format(*outcome["load"])
        if outcome["status"] != "ok":
            lines.append(
                f"| {name} | — | {outcome['status']} | | | | | {_cell(outcome.get('error'))} |"
            )
            continue
        for figure in outcome["figures"]:
            unit = figure["unit"]
            value = f"{_number(figure['value'])} {unit}"
            extra = [f"{key} {_number(figure[key])}" for key in ("p95", "p99") if key in figure]
            if extra:
                value += f" ({', '.join(extra)})"
            baseline = ""
            if "baseline" in figure:
                baseline = f"{_number(figure['baseline'])} {unit}"
                if figure.get("baseline_name"):
                    baseline = f"{figure['baseline_name']}: {baseline}"
            ratio = f"{figure['ratio']:.2f}×" if "ratio" in figure else ""
            met = {True: "yes", False: "**no**"}.get(figure.get("met"), "")
            notes = _cell("; ".join(filter(None, [figure.get("notes"), when])))
            lines.append(
                f"| {name} | {_cell(figure['name'])} | {value} | {_cell(baseline)} | {ratio} "
                f"| {_cell(figure.get('aim'))} | {met} | {notes} |"
            )
    return "\n".join(lines)


def write_docs(docs: Path, results: dict[str, Any]) -> None:
    generated = f"{START}\n{table(results)}\n{END}"
    if docs.exists():
        text = docs.read_text()
    else:
        text = f"# Benchmarks\n\nRun `make bench`.\n\n{START}\n{END}\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + generated + after
    else:
        text = text.rstrip("\n") + "\n\n" + generated + "\n"
    docs.write_text(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--only", nargs="+", metavar="NAME", choices=list(REGISTRY))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--no-docs", action="store_true", help="do not touch the docs table")
    parser.add_argument("--child", choices=list(REGISTRY), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        _child(args.child, args.size, args.workdir, args.out)
        return 0

    described = machine()
    ran: dict[str, Any] = {}
    failed = 0
    for name in args.only or list(REGISTRY):
        print(f"bench {name} ({args.size}) ...", flush=True)
        outcome = run_isolated(name, args.size)
        ran[name] = outcome
        if outcome["status"] == "ok":
            for figure in outcome["figures"]:
                ratio = f", {figure['ratio']:.2f}× baseline" if "ratio" in figure else ""
                print(f"  {figure['name']}: {_number(figure['value'])} {figure['unit']}{ratio}")
        else:
            failed += outcome["status"] == "failed"
            print(f"  {outcome['status']}: {outcome.get('error')}")
            if outcome.get("traceback"):
                print(outcome["traceback"], file=sys.stderr)
    # Read the results file only now: a run of other benchmarks may have written it meanwhile.
    results = _load(args.out)
    results["machine"] = described
    results["benches"].update(ran)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    if not args.no_docs:
        write_docs(args.docs, results)
    return 1 if failed else 0


def _load(path: Path) -> dict[str, Any]:
    """The results of earlier runs; a damaged or missing file is a fresh start."""
    try:
        results = json.loads(path.read_text())
    except (OSError, ValueError):
        return {"benches": {}}
    if not isinstance(results, dict) or not isinstance(results.get("benches"), dict):
        return {"benches": {}}
    return results


if __name__ == "__main__":
    sys.exit(main())
