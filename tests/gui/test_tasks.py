"""TaskRunner: jobs run in order off the UI thread; the newest of a stream can replace the rest."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from earshot.gui.services.tasks import TaskResult, TaskRunner

WAIT_S = 10


def test_replace_pending_drops_queued_jobs_but_not_the_running_one(qtbot: QtBot) -> None:
    runner = TaskRunner("test-replace")
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []  # appended in the worker thread, in the order the jobs ran
    answered: list[str] = []  # appended in the UI thread by ``done``

    def job(name: str, block: bool = False) -> str:
        if block:
            started.set()
            assert release.wait(WAIT_S)
        ran.append(name)
        return name

    def done(result: TaskResult[str]) -> None:
        answered.append(result.get())

    try:
        runner.run(lambda: job("running", block=True), done)
        assert started.wait(WAIT_S)  # the first job is under way: it cannot be dropped
        runner.run(lambda: job("old search"), done)
        runner.run(lambda: job("older search"), done)
        runner.run(lambda: job("newest search"), done, replace_pending=True)
        release.set()
        qtbot.waitUntil(lambda: answered == ["running", "newest search"])
        assert ran == ["running", "newest search"]
        assert not runner.busy
    finally:
        release.set()
        assert runner.shutdown(WAIT_S * 1000)


def test_drop_pending_counts_what_it_dropped_and_the_runner_goes_on(qtbot: QtBot) -> None:
    runner = TaskRunner("test-drop")
    started, release = threading.Event(), threading.Event()
    answered: list[int] = []

    def blocked() -> int:
        started.set()
        assert release.wait(WAIT_S)
        return 1

    def done(result: TaskResult[int]) -> None:
        answered.append(result.get())

    try:
        runner.run(blocked, done)
        assert started.wait(WAIT_S)
        runner.run(lambda: 2, done)
        runner.run(lambda: 3, done)
        assert runner.drop_pending() == 2
        assert runner.drop_pending() == 0
        release.set()
        runner.run(lambda: 4, done)
        qtbot.waitUntil(lambda: answered == [1, 4])
    finally:
        release.set()
        assert runner.shutdown(WAIT_S * 1000)
    assert runner.drop_pending() == 0  # after shutdown: nothing queued, the stop mark stays
