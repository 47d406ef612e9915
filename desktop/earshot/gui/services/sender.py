"""The sender in the app: when to send, and its state as Qt signals (after Dangerzone's mixin).

:class:`SyncService` lives in the UI thread and owns a
:class:`~earshot.gui.services.tasks.TaskRunner` whose one worker thread runs
:meth:`earshot_sync.sender.Sender.run`, so the network is never in the UI thread and two drains of
this app never overlap (the OS lock keeps other processes out). It sends right after a save
(:meth:`entry_saved`), on "Send now" (:meth:`send_now`), when the network comes back
(``QNetworkInformation``, where the platform has a backend), and on a fallback timer. While the
sender waits to retry, a new request cuts the wait short.

The sender's hooks run in the worker thread; they emit private signals whose queued delivery
lands in ``@Slot`` methods here, and only those update the state and emit the public signals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtNetwork import QNetworkInformation

from earshot.core.settings import SettingsStore
from earshot.gui.services.tasks import TaskResult, TaskRunner
from earshot_sync.client import CollectorClient
from earshot_sync.connect import NotReady, connect
from earshot_sync.credentials import TokenStore
from earshot_sync.local_collector import LocalCollector, LocalCollectorFailed
from earshot_sync.outbox import Outbox
from earshot_sync.sender import Outcome, PassResult, Sender, SenderHooks, SenderState
from earshot_sync.sender_lock import SenderBusy, SenderLock

log = logging.getLogger(__name__)

FALLBACK_INTERVAL_MS = 5 * 60 * 1000
SHUTDOWN_WAIT_MS = 5_000  # then a request still in flight is dropped with the process


def settings_connector(
    settings: SettingsStore, env: Mapping[str, str], tokens: TokenStore | None = None
) -> Callable[[], CollectorClient]:
    """A ``connect`` for :class:`SyncService` that reads the settings afresh for each drain,
    so a changed endpoint or a new token takes effect without a restart."""
    store = tokens or TokenStore()

    def connect_now() -> CollectorClient:
        preferences = settings.load()
        return connect(
            preferences.endpoint,
            allow_insecure_http=preferences.allow_insecure_http,
            env=env,
            tokens=store,
        )

    return connect_now


def app_connector(
    settings: SettingsStore,
    env: Mapping[str, str],
    local: LocalCollector | None,
    tokens: TokenStore | None = None,
) -> Callable[[], CollectorClient]:
    """The app's ``connect``: the collector in the settings; while none is set, the one
    started on loopback (``local``, where the collector is installed), so a fresh ``make run``
    sends its entries somewhere a newcomer can see them."""
    from_settings = settings_connector(settings, env, tokens)

    def connect_now() -> CollectorClient:
        if local is not None and not settings.load().endpoint.strip():
            try:
                return local.client()
            except (LocalCollectorFailed, OSError) as problem:
                raise NotReady(str(problem)) from None
        return from_settings()

    return connect_now


@dataclass(frozen=True)
class Busy:
    """Another sender holds the journal (another Earshot, ``earshot sync``): not a problem,
    it sends these entries."""

    message: str


@dataclass(frozen=True)
class NotReadyToSend:
    """Sending could not start (no collector address, no token...); ``message`` says what a
    person should do."""

    message: str


# What one drain gave back: a pass of the sender, or why none was tried. The UI decides on the
# type, never on the words (which are for people, and translated or reworded at will).
Drained = PassResult | Busy | NotReadyToSend


class RetryableOutbox(Outbox, Protocol):
    def requeue_attention(self) -> int: ...


class _Bridge(QObject, SenderHooks):
    """The sender's hooks as signals (emitted in the worker thread, delivered in the UI one)."""

    state_signal = Signal(str, str)
    waiting_signal = Signal(int)
    warning_signal = Signal(str)

    def state_changed(self, state: SenderState, message: str) -> None:
        self.state_signal.emit(state.value, message)

    def waiting_changed(self, waiting: int) -> None:
        self.waiting_signal.emit(waiting)

    def warning(self, message: str) -> None:
        self.warning_signal.emit(message)


class SyncService(QObject):
    """Sends the journal's outbox in the background and says how it goes.

    ``connect`` builds a client from the current settings and keyring (it may raise
    :class:`~earshot_sync.connect.NotReady`); it runs in the worker thread, since the keyring
    is a D-Bus call.
    """

    state_changed = Signal(str)  # a SenderState value: idle, sending, offline, needs_attention
    message_changed = Signal(str)  # a sentence about the state, for a tooltip or status bar
    waiting_changed = Signal(int)  # entries queued or on their way
    warning_raised = Signal(str)  # something to know that does not stop sending

    def __init__(
        self,
        outbox: RetryableOutbox,
        journal_path: Path,
        connect: Callable[[], CollectorClient],
        parent: QObject | None = None,
        interval_ms: int = FALLBACK_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self._outbox = outbox
        self._journal_path = journal_path
        self._connect = connect
        self._runner = TaskRunner("earshot-sync", self)
        self._sender: Sender | None = None
        self._running = False
        self._again = False
        self._token_refused = False
        self._retry_attention = False
        self._closed = False
        self.state = SenderState.IDLE.value
        self.message = ""
        self.waiting = 0
        self._bridge = _Bridge()  # lives in the UI thread; emitted from the worker
        self._bridge.state_signal.connect(self._on_state)
        self._bridge.waiting_signal.connect(self._on_waiting)
        self._bridge.warning_signal.connect(self._on_warning)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer)
        self._timer.start()
        self._network = self._watch_network()

    # -- what the app calls ---------------------------------------------------------------

    @Slot()
    def send_now(self) -> None:
        """Send now: start a drain, or cut the running one's retry wait short."""
        if self._closed:
            return
        self._token_refused = False
        if self._running:
            self._again = True
            sender = self._sender
            if sender is not None:
                sender.wake()
            return
        self._running = True
        self._runner.run(self._drain, self._drained)

    @Slot()
    def retry_and_send(self) -> None:
        """A person's "Send now": entries that needed attention get another try as well."""
        self._retry_attention = True
        self.send_now()

    @Slot()
    def entry_saved(self) -> None:
        """A new entry is in the outbox: send it (unless the token was refused: no point)."""
        if not self._token_refused:
            self.send_now()

    @Slot()
    def token_changed(self) -> None:
        """A new device token was set: try again."""
        self.send_now()

    def shutdown(self, wait_ms: int = SHUTDOWN_WAIT_MS) -> bool:
        """Stop sending (the batch in flight finishes) and end the worker; True if it ended.

        Connect this to ``QCoreApplication.aboutToQuit``. Entries not sent stay queued.
        """
        self._closed = True
        self._timer.stop()
        sender = self._sender
        if sender is not None:
            sender.stop()
        return self._runner.shutdown(wait_ms)

    @property
    def busy(self) -> bool:
        return self._running

    # -- the job, in the worker thread ------------------------------------------------------

    def _drain(self) -> Drained:
        """Runs in the worker thread. A PassResult, or why nothing was tried."""
        try:
            client = self._connect()
        except NotReady as problem:
            return NotReadyToSend(str(problem))
        lock = SenderLock(self._journal_path)
        try:
            lock.acquire()
        except SenderBusy as busy:
            return Busy(str(busy))
        try:
            if self._retry_attention:
                self._retry_attention = False
                self._outbox.requeue_attention()
            self._sender = Sender(self._outbox, client, self._bridge)
            return self._sender.run()
        finally:
            self._sender = None
            lock.release()

    # -- back in the UI thread --------------------------------------------------------------

    @Slot(object)
    def _drained(self, result: TaskResult[Drained]) -> None:
        self._running = False
        try:
            self._take_result(result)
        finally:
            # A save or "Send now" during the pass is served even when the pass failed.
            if self._again and not self._closed:
                self._again = False
                self.send_now()

    def _take_result(self, result: TaskResult[Drained]) -> None:
        try:
            outcome = result.get()
        except Exception as error:  # a bug or a broken journal: say so, keep the app alive
            self._set_state(
                SenderState.NEEDS_ATTENTION.value,
                self.tr("Sending stopped because of an error: %1").replace("%1", str(error)),
            )
            return
        match outcome:
            case Busy(message):
                self._set_state(SenderState.IDLE.value, message)
            case NotReadyToSend(message):
                self._set_state(SenderState.NEEDS_ATTENTION.value, message)
            case PassResult(outcome=Outcome.TOKEN_REFUSED):
                self._token_refused = True

    @Slot(str, str)
    def _on_state(self, state: str, message: str) -> None:
        self._set_state(state, message)

    @Slot(int)
    def _on_waiting(self, waiting: int) -> None:
        if waiting != self.waiting:
            self.waiting = waiting
            self.waiting_changed.emit(waiting)

    @Slot(str)
    def _on_warning(self, message: str) -> None:
        self.warning_raised.emit(message)

    def _set_state(self, state: str, message: str) -> None:
        if message != self.message:
            self.message = message
            self.message_changed.emit(message)
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    @Slot()
    def _on_timer(self) -> None:
        if not self._token_refused:
            self.send_now()

    def _watch_network(self) -> QNetworkInformation | None:
        # Not every platform has a backend (a bare Linux box without NetworkManager): then
        # the timer alone brings sending back.
        if not QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability):
            log.info("no network information backend; relying on the timer")
            return None
        network = QNetworkInformation.instance()
        if network is not None:
            network.reachabilityChanged.connect(self._on_reachability)
        return network

    @Slot(QNetworkInformation.Reachability)
    def _on_reachability(self, reachability: QNetworkInformation.Reachability) -> None:
        if reachability == QNetworkInformation.Reachability.Online:
            self.send_now()

    def state_label(self, state: str | None = None) -> str:
        """The state in a few translated words, for a status bar or the tray's tooltip."""
        labels = {
            SenderState.IDLE.value: self.tr("All sent"),
            SenderState.SENDING.value: self.tr("Sending…"),
            SenderState.OFFLINE.value: self.tr("Offline: will retry"),
            SenderState.NEEDS_ATTENTION.value: self.tr("Needs attention"),
        }
        return labels.get(state or self.state, state or self.state)
