"""The real ``earshot`` app sends what is saved, with no one pressing anything.

The app runs as a user starts it (``python -m earshot``, offscreen), and the entries are looked
for where they must arrive: at a real collector over loopback.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.collector_server import Collector, running_collector
from tests.desktop.conftest import _stop

DEADLINE_S = 60


def wait_for(what: str, check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {DEADLINE_S} s for {what}")
        time.sleep(0.1)


def earshot(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "earshot", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@pytest.fixture
def app(env: dict[str, str]) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "earshot"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        _stop(process)


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[Collector]:
    with running_collector(tmp_path / "collector") as running:
        yield running


def test_the_app_sends_at_start_and_when_entries_are_added(
    env: dict[str, str], app: Callable[[], subprocess.Popen[bytes]], collector: Collector
) -> None:
    env["EARSHOT_TOKEN"] = collector.token
    earshot(env, "config", "set", "endpoint", collector.url)
    first = earshot(env, "add", "heard before the app started")
    app()
    wait_for("the entry saved earlier", lambda: collector.count() == 1)
    second = earshot(env, "add", "heard while the app runs")  # another process writes
    wait_for("the entry added while running", lambda: collector.count() == 2)
    assert {entry["id"] for entry in collector.entries()} == {first, second}
    wait_for(
        "the journal to say both are sent",
        lambda: json.loads(earshot(env, "status", "--json"))["sent"] == 2,
    )


def test_with_no_collector_set_the_app_sends_to_one_it_starts_on_loopback(
    env: dict[str, str], app: Callable[[], subprocess.Popen[bytes]], data_dir: Path
) -> None:
    entry_id = earshot(env, "add", "a newcomer's first entry")
    process = app()

    def stored_locally() -> list[str]:
        found = subprocess.run(
            [
                *(sys.executable, "-m", "earshot_sync.collector"),
                *("--data-dir", str(data_dir / "local-collector"), "export", "--format=jsonl"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        return [json.loads(line)["id"] for line in found.stdout.splitlines()]

    wait_for(
        "the journal to say it is sent",
        lambda: json.loads(earshot(env, "status", "--json"))["sent"] == 1,
    )
    assert stored_locally() == [entry_id]

    # However the app ends, its collector ends with it: here the hardest way, SIGKILL.
    # Started from the sync worker thread, so listed under that thread's task.
    tasks = Path(f"/proc/{process.pid}/task").glob("*/children")
    children = [child for task in tasks for child in task.read_text().split()]
    assert len(children) == 1
    process.kill()
    process.wait()
    wait_for("the collector to end with the app", lambda: not Path(f"/proc/{children[0]}").exists())


def test_sigterm_ends_the_app_cleanly_keeping_the_draft(
    env: dict[str, str], app: Callable[[], subprocess.Popen[bytes]]
) -> None:
    process = app()
    wait_for(
        "the app to open its journal", lambda: Path(env["EARSHOT_HOME"], "journal.sqlite3").exists()
    )
    process.terminate()
    assert process.wait(30) == 0  # Qt's quit, not death by signal (-15)
