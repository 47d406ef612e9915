"""The Qt adapter, offscreen: the sender in a worker thread, its state as signals."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from earshot.core.entry import SyncState
from earshot.core.journal import Journal
from earshot.core.profile import Profile
from earshot.gui.services.sender import SyncService, settings_connector
from earshot.gui.services.tasks import TaskResult, TaskRunner
from earshot_sync.client import CollectorClient
from earshot_sync.connect import NotReady
from earshot_sync.credentials import Token
from earshot_sync.sender_lock import SenderLock
from earshot_sync.transport import make_session
from tests.collector_server import running_collector
from tests.faultserver import INFO, FaultServer, hang, respond
from tests.sync.conftest import fill, states

WAIT_MS = 30_000

MakeService = Callable[..., SyncService]


@pytest.fixture
def make_service(journal: Journal, qtbot: QtBot) -> Iterator[MakeService]:
    made: list[SyncService] = []

    def make(connect: Callable[[], CollectorClient]) -> SyncService:
        service = SyncService(journal, journal.path, connect)
        made.append(service)
        return service

    yield make
    for service in made:
        assert service.shutdown(WAIT_MS)


def client_for(
    url: str, token: str, timeout: tuple[float, float] = (5, 5)
) -> Callable[[], CollectorClient]:
    def connect() -> CollectorClient:
        return CollectorClient(url, Token(token), make_session(), timeout=timeout)

    return connect


def test_send_now_drains_to_the_real_collector_off_the_ui_thread(
    journal: Journal, make_service: MakeService, qtbot: QtBot, tmp_path: Path
) -> None:
    fill(journal, 5)
    threads: list[threading.Thread] = []
    with running_collector(tmp_path / "collector") as collector:

        def connect() -> CollectorClient:
            threads.append(threading.current_thread())
            return client_for(collector.url, collector.token)()

        service = make_service(connect)
        seen: list[str] = []
        service.state_changed.connect(seen.append)

        with qtbot.waitSignal(
            service.waiting_changed, timeout=WAIT_MS, check_params_cb=lambda n: n == 0
        ):
            service.send_now()
        qtbot.waitUntil(lambda: not service.busy, timeout=WAIT_MS)

        assert collector.count() == 5
    assert states(journal) == {SyncState.SENT: 5}
    assert threads
    assert threads[0] is not threading.main_thread()
    assert "sending" in seen
    assert service.state == "idle"
    assert service.state_label() == "All sent"


def test_a_missing_setup_is_needs_attention_with_the_reason(
    make_service: MakeService, qtbot: QtBot
) -> None:
    def connect() -> CollectorClient:
        raise NotReady("No collector address is set, so entries stay on this PC.")

    service = make_service(connect)

    with qtbot.waitSignal(service.state_changed, timeout=WAIT_MS) as changed:
        service.send_now()

    assert changed.args == ["needs_attention"]
    assert service.message.startswith("No collector address is set")


def test_a_refused_token_waits_for_a_new_one(
    journal: Journal, server: FaultServer, token: str, make_service: MakeService, qtbot: QtBot
) -> None:
    fill(journal, 2)
    current = {"token": "a-revoked-token"}

    def connect() -> CollectorClient:
        return client_for(server.url, current["token"])()

    service = make_service(connect)
    with qtbot.waitSignal(service.state_changed, timeout=WAIT_MS):
        service.send_now()
    qtbot.waitUntil(lambda: not service.busy, timeout=WAIT_MS)
    assert service.state == "needs_attention"
    assert "the device token was refused" in service.message
    asked = len(server.seen)

    service.entry_saved()  # no point trying with the refused token
    assert not service.busy
    assert len(server.seen) == asked

    current["token"] = token
    with qtbot.waitSignal(
        service.waiting_changed, timeout=WAIT_MS, check_params_cb=lambda n: n == 0
    ):
        service.token_changed()
    qtbot.waitUntil(lambda: service.state == "idle", timeout=WAIT_MS)
    assert states(journal) == {SyncState.SENT: 2}


def test_send_now_cuts_a_long_retry_wait_short(
    journal: Journal, server: FaultServer, token: str, make_service: MakeService, qtbot: QtBot
) -> None:
    fill(journal, 3)
    server.script(INFO, respond(503, "", Retry_After="3600"))
    service = make_service(client_for(server.url, token))

    with qtbot.waitSignal(
        service.state_changed, timeout=WAIT_MS, check_params_cb=lambda s: s == "offline"
    ):
        service.send_now()
    assert "Trying again in 60 minutes" in service.message
    assert service.busy  # the worker waits to retry, the UI thread does not

    with qtbot.waitSignal(
        service.waiting_changed, timeout=WAIT_MS, check_params_cb=lambda n: n == 0
    ):
        service.send_now()

    assert states(journal) == {SyncState.SENT: 3}


def test_another_sender_holding_the_journal_is_not_an_error(
    journal: Journal, server: FaultServer, token: str, make_service: MakeService, qtbot: QtBot
) -> None:
    fill(journal, 1)
    service = make_service(client_for(server.url, token))

    with SenderLock(journal.path), qtbot.waitSignal(service.message_changed, timeout=WAIT_MS):
        service.send_now()

    assert "Another Earshot sender" in service.message
    assert service.state == "idle"
    assert states(journal) == {SyncState.QUEUED: 1}


def test_the_state_follows_the_kind_of_outcome_not_its_words(
    journal: Journal, make_service: MakeService, qtbot: QtBot
) -> None:
    # A setup problem worded like the busy message is still a setup problem.
    words = "Another Earshot sender would be needed: no collector address is set."

    def not_ready() -> CollectorClient:
        raise NotReady(words)

    fill(journal, 1)
    service = make_service(not_ready)
    with qtbot.waitSignal(service.message_changed, timeout=WAIT_MS):
        service.send_now()
    qtbot.waitUntil(lambda: not service.busy, timeout=WAIT_MS)
    assert service.message == words
    assert service.state == "needs_attention"


def test_a_saved_entry_is_sent_right_away(
    journal: Journal, server: FaultServer, token: str, make_service: MakeService, qtbot: QtBot
) -> None:
    service = make_service(client_for(server.url, token))
    fill(journal, 1)

    with qtbot.waitSignal(
        service.waiting_changed, timeout=WAIT_MS, check_params_cb=lambda n: n == 0
    ):
        service.entry_saved()

    assert len(server.collector.stored) == 1


def test_a_failing_job_comes_back_to_the_ui_thread_as_an_error(qtbot: QtBot) -> None:
    runner = TaskRunner("test-tasks")
    results: list[tuple[TaskResult[int], threading.Thread]] = []

    def job() -> int:
        raise RuntimeError("disk on fire")

    def done(result: TaskResult[int]) -> None:
        results.append((result, threading.current_thread()))

    runner.run(job, done)
    runner.run(lambda: threading.get_ident(), done)
    qtbot.waitUntil(lambda: len(results) == 2, timeout=WAIT_MS)
    assert runner.shutdown(WAIT_MS)

    (failed, first_thread), (worked, second_thread) = results
    with pytest.raises(RuntimeError, match="disk on fire"):
        failed.get()
    assert worked.get() != threading.get_ident()  # the job ran elsewhere
    assert first_thread is threading.main_thread()  # the answer came back here
    assert second_thread is threading.main_thread()


def test_quitting_is_not_held_up_by_a_request_in_flight(
    journal: Journal, server: FaultServer, token: str, qtbot: QtBot
) -> None:
    fill(journal, 2)
    server.script(INFO, hang())
    # The hang outlasts the test (the server's stop ends it); the read timeout is longer still.
    service = SyncService(journal, journal.path, client_for(server.url, token, (5, 600)))
    service.send_now()
    qtbot.waitUntil(lambda: server.pending(INFO) == 0, timeout=WAIT_MS)  # it is in flight

    assert service.shutdown(wait_ms=50) is False  # left to end with the process
    service.send_now()  # after shutdown: ignored, no error
    assert states(journal) == {SyncState.QUEUED: 2}


def test_the_fallback_timer_sends_without_being_asked(
    journal: Journal, server: FaultServer, token: str, qtbot: QtBot
) -> None:
    fill(journal, 2)
    service = SyncService(journal, journal.path, client_for(server.url, token), interval_ms=20)
    try:
        with qtbot.waitSignal(
            service.waiting_changed, timeout=WAIT_MS, check_params_cb=lambda n: n == 0
        ):
            pass  # nobody calls send_now: the timer does
        assert states(journal) == {SyncState.SENT: 2}
    finally:
        assert service.shutdown(WAIT_MS)


def test_the_settings_connector_reads_the_endpoint_for_each_drain(
    journal: Journal,
    server: FaultServer,
    token: str,
    profile: Profile,
    make_service: MakeService,
    qtbot: QtBot,
) -> None:
    fill(journal, 1)
    service = make_service(settings_connector(profile.settings, {"EARSHOT_TOKEN": token}))
    with qtbot.waitSignal(service.state_changed, timeout=WAIT_MS):
        service.send_now()
    qtbot.waitUntil(lambda: not service.busy, timeout=WAIT_MS)
    assert "No collector address is set" in service.message

    preferences = profile.preferences()
    profile.settings.save(dataclasses.replace(preferences, endpoint=server.url))
    with qtbot.waitSignal(
        service.waiting_changed, timeout=WAIT_MS, check_params_cb=lambda n: n == 0
    ):
        service.send_now()
    assert len(server.collector.stored) == 1
