"""Cold start to tray ready, beside a bare QApplication showing a QSystemTrayIcon.

On Xvfb with openbox and trayer, the benchmark times from just before it starts the process to
when trayer embeds the process's tray icon: the icon window is reparented from the root into the
tray (a ReparentNotify the benchmark's own X connection reads; the window manager's frames are
children of the root, trayer's sockets are not). Nothing inside the app is asked or changed.

* the real app: ``python -m earshot`` on a fresh profile each time (new data folder, no system
  settings), which also opens its quick entry; and, for the everyday start, again on the
  profile the first start made;
* the baseline: ``python -c`` importing ``PySide6.QtWidgets``, a bare ``QApplication`` and a
  ``QSystemTrayIcon`` with a plain icon, shown.

The two take turns, run after run; each process is ended (SIGTERM) before the next starts.
Python's and the libraries' files are in the OS cache after the first start: "cold" means a
new process and a new profile, not an empty page cache.

The same timing of another build of the app, the PyInstaller bundle say (the README's start-up
figure)::

    .venv/bin/python -m bench.bench_startup --command dist/earshot/earshot [--runs 11]

runs ``COMMAND --data-dir DIR`` in place of ``python -m earshot`` and prints the figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from tests.desktop.xserver import XDesktop
from Xlib import X

from bench.figures import Figure, median, ms, percentile, ratio
from bench.xdesktop import (
    DEADLINE,
    ROOT,
    XWatcher,
    app_env,
    desktop,
    per_size,
    running,
    sample,
    start_script,
)

AIM_OVER_S = 0.5
RUNS = {"small": 1, "full": 9}

BASELINE = """
import sys
import PySide6.QtWidgets
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

app = QApplication(sys.argv[:1])
pixmap = QPixmap(22, 22)
pixmap.fill(QColor("teal"))
icon = QSystemTrayIcon(QIcon(pixmap))
icon.show()
app.exec()
"""


def _in_tray(watcher: XWatcher, pid: int) -> Callable[[object], bool]:
    root = watcher.root.id

    def embedded(event: object) -> bool:
        if getattr(event, "type", None) != X.ReparentNotify:
            return False
        window = event.window.id  # type: ignore[attr-defined]
        parent = event.parent  # type: ignore[attr-defined]
        if parent.id == root or watcher.pid_of(window) != pid:
            return False
        try:
            return bool(parent.query_tree().parent.id != root)  # a socket inside trayer
        except Exception:  # the socket went away already: not an embedding that lasted
            return False

    return embedded


@dataclass
class Starts:
    """Seconds to the tray, and CPU seconds the process had used by then, run by run."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def time_to_tray(
    watcher: XWatcher, start: Callable[[], subprocess.Popen[bytes]], into: Starts
) -> None:
    """Time ``start()`` to its tray icon embedded into ``into``; the process is ended."""
    watcher.drain()
    started = time.perf_counter()
    process = start()
    with running(process):
        seen = watcher.wait("the tray icon in trayer", _in_tray(watcher, process.pid), DEADLINE)
        # Read at once: CPU time is what the start cost, whatever else the machine was doing.
        into.cpu.append(sample(process.pid).cpu_s)
    into.wall.append(seen.at - started)


APP = (sys.executable, "-m", "earshot")  # the app from this venv


def start_command(
    session: XDesktop, workdir: Path, command: Sequence[str], data_dir: Path
) -> subprocess.Popen[bytes]:
    """``command --data-dir data_dir`` on the desktop, with the app's environment."""
    return subprocess.Popen(
        [*command, "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=app_env(session, workdir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def measure(
    session: XDesktop, workdir: Path, runs: int, command: Sequence[str] = APP
) -> dict[str, Starts]:
    """Round after round: the app on a new profile, on the first round's profile, the baseline."""
    watcher = XWatcher(session)
    try:
        # ReparentNotify from the root is reported to who selects SubstructureNotify on it.
        watcher.watch(watcher.root.id, X.SubstructureNotifyMask)
        starts = {"fresh": Starts(), "existing": Starts(), "baseline": Starts()}
        for number in range(runs):
            home = workdir / f"earshot-home-{number}"
            fresh = partial(start_command, session, workdir, command, home)
            time_to_tray(watcher, fresh, starts["fresh"])
            again = workdir / "earshot-home-0"  # made, its journal created, by the first start
            existing = partial(start_command, session, workdir, command, again)
            time_to_tray(watcher, existing, starts["existing"])
            time_to_tray(watcher, lambda: start_script(session, BASELINE), starts["baseline"])
            time.sleep(0.3)  # trayer drops the old icons
        return starts
    finally:
        watcher.close()


BASELINE_NAME = "import PySide6.QtWidgets + bare QApplication + tray icon"


def _wall(name: str, app: Starts, baseline: Starts, notes: str) -> Figure:
    over = median(app.wall) - median(baseline.wall)
    return Figure(
        name=name,
        unit="ms",
        value=ms(median(app.wall)),
        baseline=ms(median(baseline.wall)),
        baseline_name=BASELINE_NAME,
        ratio=ratio(median(app.wall), median(baseline.wall)),
        aim=f"≤ baseline + {ms(AIM_OVER_S):.0f} ms",
        met=over <= AIM_OVER_S,
        median=ms(median(app.wall)),
        p95=ms(percentile(app.wall, 95)),
        runs=len(app.wall),
        notes=f"{ms(over):+.0f} ms over the baseline; {notes}",
    )


def _cpu(name: str, app: Starts, baseline: Starts) -> Figure:
    over = median(app.cpu) - median(baseline.cpu)
    return Figure(
        name=name,
        unit="ms",
        value=ms(median(app.cpu)),
        baseline=ms(median(baseline.cpu)),
        baseline_name=BASELINE_NAME,
        ratio=ratio(median(app.cpu), median(baseline.cpu)),
        runs=len(app.cpu),
        notes=(
            f"{ms(over):+.0f} ms over the baseline; utime + stime when the icon is in the tray: "
            "the cost of the start, less bent by a busy machine than wall time"
        ),
    )


def figures(starts: dict[str, Starts]) -> list[Figure]:
    fresh, existing, baseline = starts["fresh"], starts["existing"], starts["baseline"]
    return [
        _wall(
            "cold start to tray ready, median",
            fresh,
            baseline,
            "a new profile each time (the journal is created); process start to icon in trayer",
        ),
        _wall(
            "start with an existing profile to tray ready, median",
            existing,
            baseline,
            "the everyday start (at login): the journal is there and up to date",
        ),
        _cpu("CPU time used by then (cold start), median", fresh, baseline),
        _cpu("CPU time used by then (existing profile), median", existing, baseline),
    ]


def run(size: str, workdir: Path) -> list[Figure]:
    runs = per_size(RUNS, size)
    with desktop(workdir) as session:
        starts = measure(session, workdir, runs)
    return figures(starts)


def main(argv: Sequence[str] | None = None) -> int:
    """Time a given command (the bundle) to the tray; print every figure."""
    parser = argparse.ArgumentParser(prog="python -m bench.bench_startup")
    parser.add_argument(
        "--command",
        nargs="+",
        default=list(APP),
        help="the program to time, started as COMMAND --data-dir DIR (default: this venv's app)",
    )
    parser.add_argument("--runs", type=int, default=RUNS["full"])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="earshot-bench-startup-") as folder:
        workdir = Path(folder)
        with desktop(workdir) as session:
            starts = measure(session, workdir, args.runs, args.command)
    print(f"{' '.join(args.command)}: {args.runs} runs, load average {os.getloadavg()[0]:.1f}")
    for figure in figures(starts):
        print(f"{figure.name}: {figure.value:.0f} {figure.unit} (baseline {figure.baseline:.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
