"""The sender against a real HTTP server on loopback, through every kind of answer."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from earshot.core.codec import to_dict
from earshot.core.entry import EntryInput, SyncState
from earshot.core.journal import Journal
from earshot_sync.backoff import MIN_RETRY_AFTER_SECONDS
from earshot_sync.protocol import content_digest
from earshot_sync.sender import Outcome, SenderState
from tests.faultserver import (
    ENTRIES,
    INFO,
    Fault,
    FaultServer,
    close,
    fault_server,
    forward_then_reset,
    hang,
    normal,
    portal,
    reset,
    respond,
)
from tests.sync.conftest import MakeSender, Recorder, fill, states


def oldest_first(journal: Journal) -> list[str]:
    return [str(stored.entry.id) for stored in reversed(list(journal.iter_entries()))]


def test_sends_everything_oldest_first_in_batches_of_the_servers_size(
    journal: Journal, server: FaultServer, make_sender: MakeSender, hooks: Recorder
) -> None:
    fill(journal, 7)
    server.collector.max_entries = 3

    result = make_sender().run()

    assert result.outcome is Outcome.DONE
    assert result.acknowledged == 7
    assert states(journal) == {SyncState.SENT: 7}
    assert [seen.entries for seen in server.posts()] == [3, 3, 1]
    assert [key[0] for key in server.collector.stored] == oldest_first(journal)
    assert hooks.waiting[-1] == 0
    assert hooks.states[-1] == (SenderState.IDLE, "Everything is sent.")
    assert (SenderState.SENDING, "Sending 7 entries…") in hooks.states


def test_batches_stay_within_the_servers_byte_limit(
    journal: Journal, server: FaultServer, make_sender: MakeSender
) -> None:
    fill(journal, 12, text="x" * 700)
    server.collector.max_bytes = 2048

    assert make_sender().run().outcome is Outcome.DONE

    assert states(journal) == {SyncState.SENT: 12}
    assert all(seen.size <= 2048 for seen in server.posts())
    assert all(seen.gzipped for seen in server.posts())
    assert sum(seen.entries for seen in server.posts()) == 12
    assert len(server.posts()) > 1


def test_each_entry_follows_its_own_result(
    journal: Journal, server: FaultServer, make_sender: MakeSender, hooks: Recorder
) -> None:
    fill(journal, 4)
    ids = oldest_first(journal)
    answer = {
        "results": [
            {"id": ids[0], "revision": 1, "status": "stored"},
            {"id": ids[1], "revision": 1, "status": "rejected", "reason": "'text' is empty"},
            {"id": ids[2], "revision": 1, "status": "duplicate"},
            {"id": ids[3], "revision": 1, "status": "conflict", "reason": None},
        ]
    }
    server.script(ENTRIES, respond(200, json.dumps(answer)))

    result = make_sender().run()

    assert result.outcome is Outcome.DONE
    assert states(journal) == {SyncState.SENT: 2, SyncState.NEEDS_ATTENTION: 2}
    rejected = journal.require(uuid.UUID(ids[1]))
    assert rejected.sync_state is SyncState.NEEDS_ATTENTION
    assert rejected.sync_note == "The collector refused this entry: 'text' is empty"
    conflict = journal.require(uuid.UUID(ids[3]))
    assert conflict.sync_note is not None
    assert "different version" in conflict.sync_note
    assert hooks.states[-1][0] is SenderState.NEEDS_ATTENTION
    assert "2 entries need a look" in hooks.states[-1][1]


def test_a_real_conflict_at_the_collector_needs_attention(
    journal: Journal, server: FaultServer, make_sender: MakeSender
) -> None:
    fill(journal, 3)
    first = list(journal.iter_entries())[-1].entry
    other = to_dict(first) | {"text": "something else was said"}
    server.collector.stored[(str(first.id), 1)] = content_digest(other)

    make_sender().run()

    assert states(journal) == {SyncState.SENT: 2, SyncState.NEEDS_ATTENTION: 1}
    assert journal.require(first.id).sync_state is SyncState.NEEDS_ATTENTION


@pytest.mark.parametrize("status", [400, 422])
def test_a_refused_batch_is_bisected_down_to_the_one_bad_entry(
    journal: Journal, server: FaultServer, make_sender: MakeSender, status: int
) -> None:
    fill(journal, 4)
    ids = oldest_first(journal)
    refused = respond(status, '{"detail": "batch unreadable"}')
    # [0 1 2 3] refused, [0 1] refused, [0] fine, [1] refused alone, [2 3] fine.
    server.script(
        ENTRIES, refused, refused, normal(), respond(status, '{"detail": "bad tags"}'), normal()
    )

    result = make_sender().run()

    assert result.outcome is Outcome.DONE
    assert [seen.entries for seen in server.posts()] == [4, 2, 1, 1, 2]
    assert states(journal) == {SyncState.SENT: 3, SyncState.NEEDS_ATTENTION: 1}
    marked = journal.require(uuid.UUID(ids[1]))
    assert marked.sync_note == "The collector refused this entry: bad tags"
    assert {key[0] for key in server.collector.stored} == {ids[0], ids[2], ids[3]}


def test_413_halves_the_batch_down_to_one_then_marks_that_entry(
    journal: Journal, server: FaultServer, make_sender: MakeSender
) -> None:
    fill(journal, 4)
    ids = oldest_first(journal)
    server.collector.max_entries = 4
    # [0 1 2 3] -> 413, [0 1] -> 413, [0] -> 413 (too big alone), then normal: [1], [2 3].
    server.script(ENTRIES, respond(413), respond(413), respond(413))

    result = make_sender().run()

    assert result.outcome is Outcome.DONE
    assert [seen.entries for seen in server.posts()] == [4, 2, 1, 1, 2]
    assert states(journal) == {SyncState.SENT: 3, SyncState.NEEDS_ATTENTION: 1}
    marked = journal.require(uuid.UUID(ids[0]))
    assert marked.sync_state is SyncState.NEEDS_ATTENTION
    assert "too large" in (marked.sync_note or "")
    assert {key[0] for key in server.collector.stored} == set(ids[1:])


def test_a_refused_token_stops_and_keeps_everything_queued(
    journal: Journal, server: FaultServer, make_sender: MakeSender, hooks: Recorder
) -> None:
    fill(journal, 3)

    result = make_sender(secret="not-the-device-token").run()

    assert result.outcome is Outcome.TOKEN_REFUSED
    assert states(journal) == {SyncState.QUEUED: 3}
    assert server.posts() == []
    assert hooks.states[-1][0] is SenderState.NEEDS_ATTENTION
    assert "the device token was refused" in hooks.states[-1][1]
    assert server.collector.stored == {}


def test_403_on_a_batch_stops_with_nothing_left_sending(
    journal: Journal, server: FaultServer, make_sender: MakeSender
) -> None:
    fill(journal, 3)
    server.script(ENTRIES, respond(403, '{"detail": "device revoked"}'))

    result = make_sender().run()

    assert result.outcome is Outcome.TOKEN_REFUSED
    assert states(journal) == {SyncState.QUEUED: 3}


def test_a_collector_of_another_protocol_version_needs_attention(
    journal: Journal, server: FaultServer, make_sender: MakeSender, hooks: Recorder
) -> None:
    fill(journal, 2)
    other = {
        "protocol": 2,
        "max_entries": 500,
        "max_bytes": 2 * 1024 * 1024,
        "server_time": datetime.now(UTC).isoformat(),
    }
    server.script(INFO, respond(200, json.dumps(other)))

    result = make_sender().run(deadline=time.monotonic())

    assert result.outcome is Outcome.RETRY
    state, message = hooks.states[-1]
    assert state is SenderState.NEEDS_ATTENTION
    assert "the collector speaks version 2 of the sync protocol" in message
    assert "sign-in page" not in message
    assert server.posts() == []
    assert states(journal) == {SyncState.QUEUED: 2}


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_in_seconds_is_obeyed(
    journal: Journal, server: FaultServer, make_sender: MakeSender, status: int
) -> None:
    fill(journal, 2)
    server.script(ENTRIES, respond(status, "slow down", Retry_After="120"))

    result = make_sender().drain_once()

    assert result.outcome is Outcome.RETRY
    assert result.retry_after == 120
    assert states(journal) == {SyncState.QUEUED: 2}


def test_retry_after_as_an_http_date_is_obeyed(
    journal: Journal, server: FaultServer, make_sender: MakeSender
) -> None:
    fill(journal, 2)
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=600), usegmt=True)
    server.script(INFO, respond(503, "maintenance", Retry_After=when))

    result = make_sender().drain_once()

    assert result.outcome is Outcome.RETRY
    assert result.retry_after is not None
    assert 500 < result.retry_after <= 600
    assert states(journal) == {SyncState.QUEUED: 2}


def test_the_servers_retry_after_is_the_wait_the_loop_takes(
    journal: Journal, server: FaultServer, make_sender: MakeSender, hooks: Recorder
) -> None:
    fill(journal, 2)
    server.script(ENTRIES, respond(429, "", Retry_After="0"))

    assert make_sender().run().outcome is Outcome.DONE

    # Retry-After: 0 is obeyed with the one-second floor, never as a busy loop.
    assert hooks.retries == [(MIN_RETRY_AFTER_SECONDS, hooks.retries[0][1])]
    assert "busy (429)" in hooks.retries[0][1]
    assert states(journal) == {SyncState.SENT: 2}


@contextmanager
def refusing_port() -> Iterator[int]:
    """A loopback port that refuses connections for as long as the block runs.

    The socket stays bound without listening: connecting is refused (RST), and no other process
    can take the port meanwhile, as it could between closing a probe socket and using its port.
    """
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield int(held.getsockname()[1])


FAILURES: dict[str, Fault] = {
    "500": respond(500, "Internal Server Error"),
    "502": respond(502, "<html>Bad gateway</html>", Content_Type="text/html"),
    "504": respond(504),
    "reset": reset(),
    "closed": close(),
    "portal page": portal(),
    "json that is not ours": respond(200, '{"ok": true}'),
    "results for other entries": respond(200, '{"results": []}'),
    "redirect to a login page": respond(302, "", Location="http://login.example/"),
    "404": respond(404, "not here"),
}


@pytest.mark.parametrize("path", [INFO, ENTRIES])
@pytest.mark.parametrize("failure", FAILURES, ids=list(FAILURES))
def test_a_failure_is_retried_never_taken_for_success(
    journal: Journal,
    server: FaultServer,
    make_sender: MakeSender,
    hooks: Recorder,
    failure: str,
    path: str,
) -> None:
    fill(journal, 5)
    server.script(path, FAILURES[failure])

    first = make_sender().drain_once()

    assert first.outcome is Outcome.RETRY
    assert states(journal) == {SyncState.QUEUED: 5}

    second = make_sender().run()

    assert second.outcome is Outcome.DONE
    assert states(journal) == {SyncState.SENT: 5}
    assert len(server.collector.stored) == 5


def test_a_slow_answer_times_out_and_is_retried(
    journal: Journal, server: FaultServer, make_sender: MakeSender, hooks: Recorder
) -> None:
    fill(journal, 3)
    server.script(ENTRIES, hang())

    result = make_sender(timeout=(5, 0.5)).run()

    assert result.outcome is Outcome.DONE
    assert "did not answer in time" in hooks.retries[0][1]
    assert states(journal) == {SyncState.SENT: 3}


def test_a_refused_connection_is_offline_then_retried(
    journal: Journal, make_sender: MakeSender, hooks: Recorder
) -> None:
    fill(journal, 2)

    with refusing_port() as port:
        result = make_sender(url=f"http://127.0.0.1:{port}").run(deadline=time.monotonic())

    assert result.outcome is Outcome.RETRY
    assert "failed" in result.message
    assert hooks.states[-1][0] is SenderState.OFFLINE
    assert states(journal) == {SyncState.QUEUED: 2}


def test_backoff_retries_until_the_server_recovers(
    journal: Journal, server: FaultServer, make_sender: MakeSender, hooks: Recorder
) -> None:
    fill(journal, 2)
    server.script(INFO, *[respond(503)] * 6, reset(), close())

    assert make_sender().run().outcome is Outcome.DONE

    assert len(hooks.retries) == 8
    assert [state for state, _ in hooks.states].count(SenderState.OFFLINE) >= 1
    assert states(journal) == {SyncState.SENT: 2}


def test_a_reset_after_the_collector_committed_is_a_duplicate_not_a_second_row(
    journal: Journal, token: str, make_sender: MakeSender
) -> None:
    fill(journal, 4)
    with (
        fault_server(token=token) as upstream,
        fault_server(upstream=upstream.url) as proxy,
    ):
        proxy.script(ENTRIES, forward_then_reset())

        result = make_sender(url=proxy.url).run()

        assert result.outcome is Outcome.DONE
        assert states(journal) == {SyncState.SENT: 4}
        assert len(upstream.collector.stored) == 4
        assert len(upstream.posts()) == 2  # committed once, then repeated: a duplicate


def test_entries_left_sending_by_a_crash_are_sent_by_the_next_sender(
    journal: Journal, server: FaultServer, make_sender: MakeSender
) -> None:
    fill(journal, 5)
    journal.claim_batch(3)  # a sender that died after marking them
    assert states(journal) == {SyncState.SENDING: 3, SyncState.QUEUED: 2}

    assert make_sender().run().outcome is Outcome.DONE

    assert states(journal) == {SyncState.SENT: 5}


def test_a_skewed_clock_is_a_warning_not_a_refusal(
    journal: Journal, server: FaultServer, make_sender: MakeSender, hooks: Recorder
) -> None:
    fill(journal, 2)
    server.collector.clock_offset = timedelta(hours=-2)

    assert make_sender().run().outcome is Outcome.DONE

    assert len(hooks.warnings) == 1
    assert "about 120 minutes ahead of the collector's" in hooks.warnings[0]
    assert states(journal) == {SyncState.SENT: 2}


def test_an_entry_edited_while_on_its_way_is_sent_again(
    journal: Journal, server: FaultServer, make_sender: MakeSender
) -> None:
    fill(journal, 1)
    entry = next(iter(journal.iter_entries())).entry

    class EditWhileSending(Recorder):
        def state_changed(self, state: SenderState, message: str) -> None:
            if state is SenderState.SENDING and not self.states:
                journal.edit(entry.id, EntryInput(text="said again, better", kind="praise"))
            super().state_changed(state, message)

    sender = make_sender(recorder=EditWhileSending())

    assert sender.run().outcome is Outcome.DONE

    assert journal.require(entry.id).entry.revision == 2
    assert journal.require(entry.id).sync_state is SyncState.SENT
    assert set(server.collector.stored) == {(str(entry.id), 1), (str(entry.id), 2)}


def test_stop_leaves_unsent_entries_queued(
    journal: Journal, server: FaultServer, make_sender: MakeSender
) -> None:
    fill(journal, 6)
    server.collector.max_entries = 2

    class StopAfterFirstBatch(Recorder):
        def batch_done(self, acknowledged: int, attention: int, waiting: int) -> None:
            sender.stop()

    sender = make_sender(recorder=StopAfterFirstBatch())

    assert sender.run().outcome is Outcome.STOPPED
    assert states(journal) == {SyncState.SENT: 2, SyncState.QUEUED: 4}
