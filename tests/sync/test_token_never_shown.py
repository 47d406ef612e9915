"""The device token never shows: not in output, log lines, exception texts or messages.

A sync runs against a server that fails in every way there is, with every logger at DEBUG
(urllib3's included), then everything that was said is searched for the token.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from earshot.core.journal import Journal
from earshot_sync.client import CollectorClient, SendFailed
from earshot_sync.credentials import Token
from earshot_sync.protocol import encode_batch
from earshot_sync.sender import Sender
from earshot_sync.transport import make_session
from tests.faultserver import (
    ENTRIES,
    INFO,
    Fault,
    FaultServer,
    close,
    hang,
    portal,
    reset,
    respond,
)
from tests.sync.conftest import Recorder, fill, quick_backoff


def every_failure() -> list[Fault]:
    return [
        respond(401, '{"detail": "unknown token"}'),
        respond(403),
        respond(400, '{"detail": "bad"}'),
        respond(413),
        respond(422, '{"detail": [{"loc": ["body"], "msg": "field required"}]}'),
        respond(429, "", Retry_After="0"),
        respond(503, "", Retry_After="Mon, 23 Nov 2026 11:00:00 GMT"),
        respond(500, "Traceback (most recent call last): ..."),
        respond(502),
        respond(302, "", Location="http://portal.example/login"),
        respond(404),
        portal(),
        respond(200, '{"results": "nope"}'),
        reset(),
        close(),
        hang(),
    ]


def test_no_message_log_or_exception_shows_the_token(
    journal: Journal,
    server: FaultServer,
    token: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    fill(journal, 3)
    said: list[str] = []
    client = CollectorClient(server.url, Token(token), make_session(), timeout=(2, 0.3))
    entries = [{"id": "x", "revision": 1}]
    for fault in every_failure():
        for path in (INFO, ENTRIES):
            server.script(path, fault)
            try:
                if path == INFO:
                    client.info()
                else:
                    client.send(encode_batch(entries, datetime.now(UTC)), entries)
            except SendFailed as failure:
                said += [str(failure), repr(failure), failure.message, repr(failure.__context__)]
    for fault in every_failure():
        server.script(INFO, fault)
        server.script(ENTRIES, fault)
    hooks = Recorder()
    sender = Sender(journal, client, hooks, quick_backoff())
    for _ in range(len(every_failure()) + 2):
        result = sender.run(once=True)
        said += [result.message, repr(result)]
    said += [message for _, message in hooks.states] + hooks.warnings
    said += [reason for _, reason in hooks.retries]
    said += [repr(client), repr(sender), repr(Token(token))]
    captured = capsys.readouterr()

    everything = "\n".join([*said, caplog.text, captured.out, captured.err])
    assert len(said) > 60
    assert "Authorization" not in caplog.text
    # Not "assert token not in everything": on failure pytest would print both, token included.
    leaked = token in everything
    assert not leaked, "the device token appeared in a message or a log line"


def test_the_command_line_never_prints_the_token(
    env: dict[str, str], server: FaultServer, token: str, journal: Journal, tmp_path: Path
) -> None:
    earshot = str(Path(sys.executable).with_name("earshot"))
    env = env | {"EARSHOT_TOKEN": token}
    subprocess.run([earshot, "config", "set", "endpoint", server.url], env=env, check=True)
    fill(journal, 2)
    failures = [f for f in every_failure() if f.kind != "hang"]
    server.script(INFO, *failures[::2])
    server.script(ENTRIES, *failures[1::2])

    # One `sync --once` per failure (a fresh process each), then one that gets through.
    runs = [
        subprocess.run(
            [earshot, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        for args in [["sync", "-v", "--once"]] * (len(failures) + 2) + [["config", "show"]]
    ]

    output = "".join(run.stdout + run.stderr for run in runs)
    assert "Sent 2 entries now; 0 still waiting." in output
    assert "the device token was refused" in output
    printed = token in output
    assert not printed, "the device token was printed"
    leaked = [p for p in tmp_path.rglob("*") if p.is_file() and token.encode() in p.read_bytes()]
    assert leaked == [], "the device token was written to a file"
