"""Fixtures for the sender's tests: a fault server on loopback, a journal with entries, a sender."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from earshot.core.entry import EntryInput, SyncState
from earshot.core.journal import Journal
from earshot_sync.backoff import Backoff
from earshot_sync.client import CollectorClient
from earshot_sync.credentials import Token
from earshot_sync.sender import Sender, SenderHooks, SenderState
from earshot_sync.transport import make_session
from tests.faultserver import FaultServer, fault_server
from tests.keyring_session import secret_service  # noqa: F401 (a fixture for these tests)


@pytest.fixture
def token() -> str:
    return "tok-" + secrets.token_urlsafe(24)


@pytest.fixture
def server(token: str) -> Iterator[FaultServer]:
    with fault_server(token=token) as running:
        yield running


@dataclass
class Recorder(SenderHooks):
    """Remembers every hook call, in order."""

    states: list[tuple[SenderState, str]] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    retries: list[tuple[float, str]] = field(default_factory=list)
    batches: list[tuple[int, int, int]] = field(default_factory=list)

    def state_changed(self, state: SenderState, message: str) -> None:
        self.states.append((state, message))

    def waiting_changed(self, waiting: int) -> None:
        self.waiting.append(waiting)

    def batch_done(self, acknowledged: int, attention: int, waiting: int) -> None:
        self.batches.append((acknowledged, attention, waiting))

    def warning(self, message: str) -> None:
        self.warnings.append(message)

    def retry_scheduled(self, seconds: float, reason: str) -> None:
        self.retries.append((seconds, reason))


@pytest.fixture
def hooks() -> Recorder:
    return Recorder()


def fill(journal: Journal, count: int, text: str = "The queue was too long") -> None:
    for number in range(count):
        journal.record(EntryInput(text=f"{text} #{number}", kind="complaint"), site="Shop 1")


# A backoff that retries at once (tests never wait for real backoff; its schedule has its own
# tests in test_backoff.py).
def quick_backoff() -> Backoff:
    return Backoff(base=0.001, cap=0.001)


MakeSender = Callable[..., Sender]


@pytest.fixture
def make_sender(journal: Journal, server: FaultServer, token: str, hooks: Recorder) -> MakeSender:
    def make(
        url: str | None = None,
        secret: str | None = None,
        timeout: tuple[float, float] = (5, 5),
        recorder: SenderHooks | None = None,
    ) -> Sender:
        client = CollectorClient(
            url or server.url, Token(secret or token), make_session(), timeout=timeout
        )
        return Sender(journal, client, recorder or hooks, quick_backoff())

    return make


def states(journal: Journal) -> dict[SyncState, int]:
    counts = journal.status()
    return {state: number for state, number in counts.items() if number}
