"""Start-up time of the bundle: from starting the program to its icon docked in the tray.

Run from the dev venv (it uses python-xlib), on Linux with Xvfb, openbox and trayer::

    .venv/bin/python packaging/measure_startup.py [--runs 7] [COMMAND...]

COMMAND defaults to dist/earshot/earshot. All runs share one temporary profile: the first run
creates its journal (a PC's first start), the others are the daily start. The tray is ready
when a mapped window of class "earshot" (any case: "python3 -m earshot" is "Earshot") is inside
trayer's panel (XEmbed). Prints every run and the median.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from Xlib import X, display
from Xlib.xobject.drawable import Window

ROOT = Path(__file__).resolve().parents[1]
GIVE_UP_S = 60.0


def start_x(env: dict[str, str]) -> tuple[list[subprocess.Popen[bytes]], str]:
    read_end, write_end = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        name = f":{pipe.readline().strip()}"
    env["DISPLAY"] = name
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    manager = subprocess.Popen(["openbox", "--sm-disable"], **quiet)  # type: ignore[call-overload]
    tray = subprocess.Popen(  # type: ignore[call-overload]
        ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "32"],
        **quiet,
    )
    return [tray, manager, xvfb], name


def docked(connection: display.Display) -> bool:
    """Whether a mapped "earshot" window sits inside trayer's panel."""

    def walk(window: Window, in_tray: bool) -> bool:
        try:
            wm_class = tuple(name.lower() for name in window.get_wm_class() or ())
            attributes = window.get_attributes()
            children = window.query_tree().children
        except Exception:  # a window that went away while we looked
            return False
        in_tray = in_tray or "trayer" in wm_class
        if in_tray and "earshot" in wm_class and attributes.map_state == X.IsViewable:
            return True
        return any(walk(child, in_tray) for child in children)

    return walk(connection.screen().root, False)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (less sensitive to a busy machine
    than the wall-clock time, which waits for the CPU whenever other work has it)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tray_seen(
    command: list[str], env: dict[str, str], connection: display.Display
) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds) from starting ``command`` to its tray icon docked."""
    started = time.monotonic()
    app = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - started < GIVE_UP_S:
            if docked(connection):
                return time.monotonic() - started, cpu_seconds(app.pid)
            if app.poll() is not None:
                raise SystemExit(f"the app ended ({app.returncode}) before its tray icon showed")
            time.sleep(0.005)
        raise SystemExit("no tray icon within a minute")
    finally:
        app.send_signal(signal.SIGTERM)
        try:
            app.wait(20)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("command", nargs="*", default=[str(ROOT / "dist" / "earshot" / "earshot")])
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)  # no StatusNotifier host: the XEmbed tray
    helpers, name = start_x(env)
    try:
        with tempfile.TemporaryDirectory() as folder:
            env["EARSHOT_HOME"] = str(Path(folder) / "profile")
            env["EARSHOT_SYSTEM_SETTINGS"] = str(Path(folder) / "none.json")
            env["HOME"] = folder
            time.sleep(1.0)  # openbox and trayer take their selections
            connection = display.Display(name)
            times = [tray_seen(args.command, env, connection) for _ in range(args.runs)]
    finally:
        for helper in helpers:
            helper.terminate()
            helper.wait(10)
    for number, (wall, cpu) in enumerate(times, 1):
        print(f"run {number}: {wall * 1000:.0f} ms (CPU {cpu * 1000:.0f} ms)")
    wall = statistics.median(wall for wall, _cpu in times)
    cpu = statistics.median(cpu for _wall, cpu in times)
    load = os.getloadavg()[0]
    print(
        f"median of {len(times)}: {wall * 1000:.0f} ms (CPU {cpu * 1000:.0f} ms), first run "
        f"included; load average {load:.1f} on {os.cpu_count()} CPUs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
