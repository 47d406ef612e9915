"""The sender: drains the journal's outbox to the collector, exactly once, never giving up.

One *pass* (:meth:`Sender.drain_once`) puts entries a crash left *sending* back in the queue,
asks the collector for its limits, then claims the oldest queued entries (marking them
*sending*), packs them into batches within the limits and posts them. Each entry becomes
*sent* only when its own result says stored or duplicate; conflict and rejected make it *needs
attention* with the reason as its note. :meth:`Sender.run` repeats passes with backoff until the
queue is empty, the token is refused, or it is stopped.

What each answer does:

- per-entry results: as above; one bad entry never holds back the rest.
- 413, and 400/422 for a whole batch: the batch is halved and each half sent, down to a single
  entry, which is then marked *needs attention* with the collector's reason. A 400 from a
  collector that answers per entry means the batch held something it could not even read;
  bisecting finds that entry and lets every other one through.
- 401/403: stop; everything stays queued; "needs attention: the device token was refused".
- 429/503: wait ``Retry-After`` (seconds or HTTP date) if given, else back off.
- other 5xx, network failures, timeouts, and 2xx answers that are not ours: back off
  (exponential, full jitter, capped) and retry, forever.

The caller holds the :class:`~earshot_sync.sender_lock.SenderLock` for the whole run. The sender
knows no Qt: it reports through :class:`SenderHooks`, which the Qt layer turns into signals.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from earshot_sync.backoff import Backoff
from earshot_sync.client import (
    BatchRefused,
    CollectorClient,
    SendFailed,
    TokenRefused,
    TooLarge,
    server_skew,
)
from earshot_sync.outbox import Mark, Outbox
from earshot_sync.protocol import Info, ProtocolMismatch, Result, ResultStatus, encode_batch

log = logging.getLogger(__name__)

# Warn when the PC's clock is further than this from the collector's (entries keep the PC's time).
SKEW_WARNING_SECONDS = 300.0


class SenderState(StrEnum):
    IDLE = "idle"  # nothing to send, or all sent
    SENDING = "sending"
    OFFLINE = "offline"  # the collector cannot be reached for now; retrying with backoff
    NEEDS_ATTENTION = "needs_attention"  # a person must act (a token, a refused entry)


class SenderHooks:
    """Called by the sender as things happen, in the sender's thread. Override what you need."""

    def state_changed(self, state: SenderState, message: str) -> None:
        """The sender's state and a sentence for a person."""

    def waiting_changed(self, waiting: int) -> None:
        """How many entries are still queued or on their way."""

    def batch_done(self, acknowledged: int, attention: int, waiting: int) -> None:
        """A batch was answered: entries now sent, entries now needing attention, still waiting."""

    def warning(self, message: str) -> None:
        """Something a person should know that does not stop sending (a skewed clock)."""

    def retry_scheduled(self, seconds: float, reason: str) -> None:
        """The sender will wait ``seconds`` (backoff or the server's Retry-After), then retry."""


class Outcome(StrEnum):
    DONE = "done"  # nothing queued is left (some entries may need attention)
    RETRY = "retry"  # a failure that time may fix
    TOKEN_REFUSED = "token_refused"  # noqa: S105 (stop until a new token is set)
    STOPPED = "stopped"  # asked to stop, or out of time


@dataclass(frozen=True)
class PassResult:
    outcome: Outcome
    message: str = ""
    retry_after: float | None = None
    acknowledged: int = 0
    attention: int = 0
    # A RETRY that time alone will not fix (the collector speaks another protocol version):
    # shown as needs attention while the sender keeps trying, in case the collector changes.
    needs_person: bool = False


REFUSED_MESSAGE = (
    "Needs attention: the device token was refused. Ask IT for a new token and set it "
    "(earshot token set); every entry stays queued until then."
)


def _note(result: Result) -> str:
    reason = f": {result.reason}" if result.reason else ""
    if result.status is ResultStatus.CONFLICT:
        return (
            "The collector already holds a different version of this entry with the same "
            f"revision{reason}"
        )
    return f"The collector refused this entry{reason}"


def _mark_for(result: Result) -> Mark:
    if result.status.acknowledged:
        return Mark(result.id, result.revision, acknowledged=True)
    return Mark(result.id, result.revision, acknowledged=False, note=_note(result))


def _encoded(entry: Mapping[str, Any]) -> int:
    return len(json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def pack(
    entries: Sequence[dict[str, Any]], max_entries: int, max_bytes: int, sent_at: datetime
) -> list[list[dict[str, Any]]]:
    """Split ``entries`` (in order) into batches of at most ``max_entries`` and ``max_bytes``.

    An entry too big on its own still gets a batch of its own: the collector's 413 then marks it.
    """
    envelope = len(encode_batch([], sent_at))
    batches: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = envelope
    for entry in entries:
        length = _encoded(entry) + (1 if current else 0)  # the comma between entries
        if current and (len(current) >= max_entries or size + length > max_bytes):
            batches.append(current)
            current, size, length = [], envelope, length - 1
        current.append(entry)
        size += length
    if current:
        batches.append(current)
    return batches


class Sender:
    """Drains ``outbox`` through ``client``: one thread runs it, any thread may stop it."""

    def __init__(
        self,
        outbox: Outbox,
        client: CollectorClient,
        hooks: SenderHooks | None = None,
        backoff: Backoff | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._outbox = outbox
        self._client = client
        self._hooks = hooks or SenderHooks()
        self._backoff = backoff or Backoff()
        self._now = now
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._state: tuple[SenderState, str] | None = None
        self._warned_skew = False

    # -- control from any thread --------------------------------------------------------

    def wake(self) -> None:
        """Cut a backoff wait short ("Send now", the network is back)."""
        self._wake.set()

    def stop(self) -> None:
        """Finish the batch in flight and return; entries not sent stay queued."""
        self._stop.set()
        self._wake.set()

    # -- reporting ------------------------------------------------------------------------

    def _report(self, state: SenderState, message: str) -> None:
        if self._state != (state, message):
            self._state = (state, message)
            log.info("sender %s: %s", state.value, message)
            self._hooks.state_changed(state, message)

    def _report_waiting(self) -> int:
        waiting = self._outbox.waiting()
        self._hooks.waiting_changed(waiting)
        return waiting

    def _check_clock(self, info: Info) -> None:
        skew = server_skew(info, self._now())
        if abs(skew) > SKEW_WARNING_SECONDS and not self._warned_skew:
            self._warned_skew = True
            minutes = round(abs(skew) / 60)
            way = "behind" if skew > 0 else "ahead of"
            message = (
                f"This PC's clock is about {minutes} minutes {way} the collector's. Entries keep "
                "the time this PC gave them; ask IT to set the clock right. Sending goes on."
            )
            log.warning("%s", message)
            self._hooks.warning(message)

    # -- one pass -------------------------------------------------------------------------

    def drain_once(self) -> PassResult:
        """Send everything queued now; stop at the first failure that needs waiting."""
        self._outbox.release_sending()  # left by a crash or a failed pass; we hold the lock
        waiting = self._report_waiting()
        acknowledged = attention = 0
        try:
            try:
                info = self._client.info()
            except ProtocolMismatch as mismatch:
                message = str(mismatch)
                log.warning("%s", message)
                return PassResult(Outcome.RETRY, message, None, needs_person=True)
            self._check_clock(info)
            while not self._stop.is_set():
                claimed = self._outbox.claim_batch(info.max_entries)
                if not claimed:
                    break
                self._report(SenderState.SENDING, f"Sending {_entries(waiting)}…")
                sent_at = self._now()
                batches = deque(pack(claimed, info.max_entries, info.max_bytes, sent_at))
                while batches:
                    if self._stop.is_set():
                        break
                    batch = batches.popleft()
                    marks = self._send(batch, sent_at, batches)
                    if marks is None:
                        continue  # split: its halves are next in line
                    self._outbox.mark(marks)
                    done = sum(1 for mark in marks if mark.acknowledged)
                    acknowledged += done
                    attention += len(marks) - done
                    self._backoff.reset()
                    waiting = self._report_waiting()
                    self._hooks.batch_done(done, len(marks) - done, waiting)
        except SendFailed as failure:
            self._outbox.release_sending()
            self._report_waiting()
            if isinstance(failure, TokenRefused):
                return PassResult(Outcome.TOKEN_REFUSED, REFUSED_MESSAGE, None, acknowledged)
            return PassResult(
                Outcome.RETRY, failure.message, failure.retry_after, acknowledged, attention
            )
        if self._stop.is_set():
            self._outbox.release_sending()
            self._report_waiting()
            return PassResult(Outcome.STOPPED, "Stopped.", None, acknowledged, attention)
        return PassResult(Outcome.DONE, "", None, acknowledged, attention)

    def _send(
        self,
        batch: list[dict[str, Any]],
        sent_at: datetime,
        rest: deque[list[dict[str, Any]]],
    ) -> list[Mark] | None:
        """The marks for ``batch``, or None when it was split into ``rest`` (413, 400, 422)."""
        try:
            results = self._client.send(encode_batch(batch, sent_at), batch)
        except (TooLarge, BatchRefused) as refusal:
            if len(batch) > 1:
                middle = len(batch) // 2
                rest.appendleft(batch[middle:])
                rest.appendleft(batch[:middle])
                return None
            entry = batch[0]
            if isinstance(refusal, TooLarge):
                note = "The collector found this entry too large to accept (413)"
            else:
                note = f"The collector refused this entry: {refusal.detail}"
            log.warning("entry %s needs attention: %s", entry["id"], note)
            return [Mark(str(entry["id"]), int(entry["revision"]), acknowledged=False, note=note)]
        return [_mark_for(result) for result in results]

    # -- until done -----------------------------------------------------------------------

    def settled_state(self) -> tuple[SenderState, str]:
        """The state to show when nothing is queued: idle, or needs attention for some entries."""
        attention = self._outbox.attention()
        if attention:
            noun = "entry needs" if attention == 1 else "entries need"
            return (
                SenderState.NEEDS_ATTENTION,
                f"Needs attention: {attention} {noun} a look (the collector refused them).",
            )
        return SenderState.IDLE, "Everything is sent."

    def run(self, *, once: bool = False, deadline: float | None = None) -> PassResult:
        """Passes with backoff until nothing is queued, the token is refused, or stop/deadline.

        ``once``: a single pass, no waiting. ``deadline``: a ``time.monotonic()`` moment after
        which no new wait starts.
        """
        total_ack = total_attention = 0
        while True:
            self._wake.clear()
            result = self.drain_once()
            total_ack += result.acknowledged
            total_attention += result.attention
            if result.outcome is Outcome.DONE:
                self._backoff.reset()
                self._report(*self.settled_state())
            elif result.outcome is Outcome.TOKEN_REFUSED:
                self._report(SenderState.NEEDS_ATTENTION, result.message)
            if result.outcome is not Outcome.RETRY:
                return PassResult(result.outcome, result.message, None, total_ack, total_attention)
            delay = self._backoff.next_delay(result.retry_after)
            waiting_state = (
                SenderState.NEEDS_ATTENTION if result.needs_person else SenderState.OFFLINE
            )
            if once:
                self._report(waiting_state, f"{result.message}.")
                return PassResult(result.outcome, result.message, delay, total_ack, total_attention)
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._report(waiting_state, f"{result.message}.")
                    return PassResult(
                        Outcome.RETRY, result.message, delay, total_ack, total_attention
                    )
                delay = min(delay, remaining)
            self._report(waiting_state, f"{result.message}. Trying again in {_seconds(delay)}.")
            self._hooks.retry_scheduled(delay, result.message)
            self._wake.wait(delay)
            if self._stop.is_set():
                return PassResult(Outcome.STOPPED, "Stopped.", None, total_ack, total_attention)


def _entries(count: int) -> str:
    return "1 entry" if count == 1 else f"{count} entries"


def _seconds(delay: float) -> str:
    if delay < 1.5:
        return "a moment"
    if delay < 90:
        return f"{round(delay)} seconds"
    return f"{round(delay / 60)} minutes"
