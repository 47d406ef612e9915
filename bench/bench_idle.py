"""The app idle in the tray: resident memory, CPU time and wake-ups, from /proc.

On Xvfb with openbox and trayer, the real app (``python -m earshot``, fresh profile, no system
settings) starts, its quick entry is hidden with Escape as a user would, and after a few seconds
to settle it is left alone for 60 s (a few seconds for the small size). From /proc, before and
after:

* resident memory: ``VmRSS`` at the end;
* CPU: ``utime + stime`` used in the window, as a share of the wall time;
* wake-ups: ``voluntary_ctxt_switches`` summed over all threads (``/proc/PID/task``), per
  second: each is a thread that went to sleep, i.e. one that had been woken.

The same is reported for the app's child processes (the collector the app starts on loopback
while no collector address is set, where the collector is installed) and, for reference, for a
bare ``QApplication`` with a ``QSystemTrayIcon`` idling beside it in the same minute.
"""

from __future__ import annotations

import os
import time
from contextlib import ExitStack
from pathlib import Path

from tests.desktop.xserver import XDesktop, wait_until
from Xlib import X

from bench.bench_startup import BASELINE as TRAY_BASELINE
from bench.figures import Figure
from bench.xdesktop import (
    QUICK_ENTRY,
    ProcSample,
    XWatcher,
    desktop,
    per_size,
    proc_pids,
    running,
    sample,
    start_app,
    start_script,
)

AIM_RSS_MB = 100.0
AIM_CPU_PCT = 0.5
IDLE_S = {"small": 3.0, "full": 60.0}
SETTLE_S = {"small": 2.0, "full": 10.0}


class Usage:
    """What some processes used between two samples."""

    def __init__(self, before: dict[int, ProcSample], after: dict[int, ProcSample]) -> None:
        both = [pid for pid in after if pid in before]
        if not both:
            raise RuntimeError("no process lived through the idle minute")
        self.processes = len(both)
        self.wall_s = max(after[pid].at - before[pid].at for pid in both)
        self.rss_mb = sum(after[pid].rss_kib for pid in both) / 1024
        self.anon_mb = sum(after[pid].rss_anon_kib for pid in both) / 1024
        self.cpu_pct = 100 * sum(after[p].cpu_s - before[p].cpu_s for p in both) / self.wall_s
        self.wakeups_per_s = sum(after[p].wakeups - before[p].wakeups for p in both) / self.wall_s
        self.threads = sum(after[pid].threads for pid in both)


def _samples(pids: list[int]) -> dict[int, ProcSample]:
    found = {}
    for pid in pids:
        try:
            found[pid] = sample(pid)
        except (OSError, ValueError):
            continue  # ended while we looked
    return found


def measure(session: XDesktop, workdir: Path, idle_s: float, settle_s: float) -> dict[str, Usage]:
    watcher = XWatcher(session)
    with ExitStack() as stack:
        stack.callback(watcher.close)
        app = stack.enter_context(running(start_app(session, workdir, workdir / "earshot-home")))
        bare = stack.enter_context(running(start_script(session, TRAY_BASELINE)))
        window = wait_until("the quick entry", lambda: watcher.window_named(QUICK_ENTRY, app.pid))
        watcher.watch(window, X.StructureNotifyMask)
        session.xdotool("windowactivate", "--sync", str(window))
        watcher.press("Escape")  # hidden, as after the first entry: the app lives in the tray
        watcher.wait("the quick entry to hide", lambda e: e.type == X.UnmapNotify)
        time.sleep(settle_s)
        groups = {
            "app": [app.pid],
            "children": [pid for pid in proc_pids(app.pid) if pid != app.pid],
            "baseline": [bare.pid],
        }
        before = {name: _samples(pids) for name, pids in groups.items()}
        time.sleep(idle_s)
        after = {name: _samples(pids) for name, pids in groups.items()}
        for process in (app, bare):
            if process.poll() is not None:
                raise RuntimeError(f"{process.args!r} ended while idle")
    return {name: Usage(before[name], after[name]) for name in groups if before[name]}


def figures(usage: dict[str, Usage], idle_s: float) -> list[Figure]:
    app = usage["app"]
    base = usage["baseline"]
    children = usage.get("children")
    notes = (
        f"{idle_s:.0f} s idle in the tray, quick entry hidden; {app.anon_mb:.0f} MB of it "
        f"private (heap), the rest mapped files (libraries); {app.threads} threads"
    )
    child_note = (
        f"; its {children.processes} child process(es) (collector on loopback): "
        f"{children.rss_mb:.0f} MB, {children.cpu_pct:.2f} % CPU, "
        f"{children.wakeups_per_s:.1f} wake-ups/s"
        if children is not None
        else ""
    )
    bare = "bare QApplication + tray icon, idle beside it"
    return [
        Figure(
            name="idle: resident memory",
            unit="MB",
            value=app.rss_mb,
            baseline=base.rss_mb,
            baseline_name=bare,
            aim=f"≤ {AIM_RSS_MB:.0f} MB",
            met=app.rss_mb <= AIM_RSS_MB,
            notes=notes + child_note,
        ),
        Figure(
            name="idle: CPU time",
            unit="% of wall time",
            value=app.cpu_pct,
            baseline=base.cpu_pct,
            baseline_name=bare,
            aim=f"≤ {AIM_CPU_PCT} %",
            met=app.cpu_pct <= AIM_CPU_PCT,
            notes=(
                "utime + stime over the idle time, counted in clock ticks of "
                f"{1000 / os.sysconf('SC_CLK_TCK'):.0f} ms"
            ),
        ),
        Figure(
            name="idle: wake-ups",
            unit="per s",
            value=app.wakeups_per_s,
            baseline=base.wakeups_per_s,
            baseline_name=bare,
            notes="voluntary context switches, all threads",
        ),
    ]


def run(size: str, workdir: Path) -> list[Figure]:
    idle_s = per_size(IDLE_S, size)
    with desktop(workdir) as session:
        usage = measure(session, workdir, idle_s, SETTLE_S[size])
    return figures(usage, idle_s)
