"""SyncLater: the sync service made after start-up, or sooner when it is needed; offscreen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from earshot.core.entry import SyncState
from earshot.core.journal import Journal
from earshot.gui.services.journal import JournalChange
from earshot.gui.services.sender import SyncService
from earshot.gui.services.sender_later import SyncLater
from earshot_sync.client import CollectorClient
from earshot_sync.connect import NotReady
from earshot_sync.credentials import Token
from earshot_sync.sender import SenderState
from earshot_sync.transport import make_session
from tests.collector_server import running_collector
from tests.sync.conftest import fill, states

WAIT_MS = 30_000
NO_ADDRESS = "No collector address is set."


def not_ready() -> CollectorClient:
    raise NotReady(NO_ADDRESS)


@pytest.fixture
def made(journal: Journal, qtbot: QtBot) -> Iterator[list[SyncService]]:
    services: list[SyncService] = []
    yield services
    for service in services:
        assert service.shutdown(WAIT_MS)


def maker(
    journal: Journal, made: list[SyncService], connect: Callable[[], CollectorClient] = not_ready
) -> Callable[[], SyncService]:
    def make() -> SyncService:
        service = SyncService(journal, journal.path, connect)
        made.append(service)
        return service

    return make


def test_the_service_is_made_after_the_delay_and_sends_what_waited(
    journal: Journal, made: list[SyncService], qtbot: QtBot, tmp_path: Path
) -> None:
    fill(journal, 3)
    with running_collector(tmp_path / "collector") as collector:

        def connect() -> CollectorClient:
            return CollectorClient(collector.url, Token(collector.token), make_session())

        later = SyncLater(maker(journal, made, connect), delay_ms=50)
        later.start()
        assert made == []  # not before the delay
        qtbot.waitUntil(lambda: states(journal) == {SyncState.SENT: 3}, timeout=WAIT_MS)
        assert collector.count() == 3
    assert len(made) == 1
    assert later.service is made[0]
    later.shutdown()


def test_a_save_before_the_delay_makes_it_at_once_and_its_signals_pass_on(
    journal: Journal, made: list[SyncService], qtbot: QtBot
) -> None:
    later = SyncLater(maker(journal, made), delay_ms=60_000)
    later.start()
    with qtbot.waitSignal(later.message_changed, timeout=WAIT_MS) as message:
        later.entry_saved()
    assert len(made) == 1
    assert message.args == [NO_ADDRESS]
    qtbot.waitUntil(lambda: not made[0].busy, timeout=WAIT_MS)
    assert made[0].state == "needs_attention"
    later.retry_and_send()  # the same service again, never a second one
    later.token_changed()
    assert len(made) == 1
    later.shutdown()


def test_the_journal_changing_makes_it_only_when_entries_were_added(
    journal: Journal, made: list[SyncService], qtbot: QtBot
) -> None:
    later = SyncLater(maker(journal, made), delay_ms=60_000)
    later.start()
    later.journal_changed(JournalChange(waiting=0, added=False))  # an edit, entries sent
    assert made == []
    with qtbot.waitSignal(later.message_changed, timeout=WAIT_MS) as message:
        later.journal_changed(JournalChange(waiting=1, added=True))  # `earshot add`, a save
    assert len(made) == 1
    assert message.args == [NO_ADDRESS]
    qtbot.waitUntil(lambda: not made[0].busy, timeout=WAIT_MS)
    later.shutdown()


def test_after_shutdown_nothing_is_made(
    journal: Journal, made: list[SyncService], qtbot: QtBot
) -> None:
    later = SyncLater(maker(journal, made), delay_ms=10)
    later.start()
    later.shutdown()
    later.send_now()
    later.entry_saved()
    qtbot.wait(100)  # longer than the delay: the timer was stopped
    assert made == []
    assert later.service is None


def test_a_service_that_cannot_be_made_says_so_once_and_saving_goes_on(
    journal: Journal, made: list[SyncService], qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    # As when a bundle lacks a module or the keyring library will not import.
    def broken() -> SyncService:
        raise ModuleNotFoundError("No module named 'keyring.backends.SecretService'")

    later = SyncLater(broken, delay_ms=60_000)
    states_seen: list[str] = []
    messages: list[str] = []
    later.state_changed.connect(states_seen.append)
    later.message_changed.connect(messages.append)
    later.start()

    later.entry_saved()  # a save: no exception out of the slot
    later.entry_saved()
    later.send_now()
    assert states_seen == [SenderState.NEEDS_ATTENTION.value]  # once, as the tray shows it
    [message] = messages
    assert "Ask IT to reinstall Earshot" in message
    assert "keyring.backends" not in message  # plain words on screen; the details are logged
    assert "keyring.backends.SecretService" in caplog.text

    # "Send now" after a problem tries again; here it works.
    later._make = maker(journal, made)
    later.retry_and_send()
    assert len(made) == 1
    assert later.service is made[0]
    later.shutdown()
