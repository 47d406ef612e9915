"""``earshot sync``, ``earshot token`` and ``earshot config`` as a user runs them (subprocesses).

The token travels through a real Secret Service (gnome-keyring in a private D-Bus session) and
the entries through the real collector on loopback.
"""

from __future__ import annotations

import random
import shutil
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from earshot.core.entry import SyncState
from earshot.core.journal import Journal
from tests.collector_server import Collector, running_collector
from tests.faultserver import ENTRIES, INFO, FaultServer, respond
from tests.keyring_session import KeyringSession, keyring_session
from tests.sync.conftest import fill

EARSHOT = shutil.which("earshot", path=str(Path(sys.executable).parent)) or "earshot"


def earshot(
    env: dict[str, str], *args: str, stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EARSHOT, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


@pytest.fixture
def collector(tmp_path: Path) -> Iterator[Collector]:
    with running_collector(tmp_path / "collector") as running:
        yield running


@pytest.fixture
def keyring_env(tmp_path: Path, env: dict[str, str]) -> Iterator[dict[str, str]]:
    with keyring_session(tmp_path / "keyring") as session:
        yield env | _keyring_vars(session)


def _keyring_vars(session: KeyringSession) -> dict[str, str]:
    return {
        name: session.env[name] for name in ("HOME", "XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS")
    }


def counts(data_dir: Path) -> dict[SyncState, int]:
    journal = Journal.open(data_dir / "journal.sqlite3")
    try:
        return {state: n for state, n in journal.status().items() if n}
    finally:
        journal.close()


def files_containing(root: Path, secret: str) -> list[Path]:
    return [
        path
        for path in root.rglob("*")
        if path.is_file() and not path.is_symlink() and secret.encode() in path.read_bytes()
    ]


def test_token_from_stdin_into_the_keyring_then_sync_sends_everything(
    keyring_env: dict[str, str], collector: Collector, data_dir: Path, tmp_path: Path
) -> None:
    env = keyring_env
    assert earshot(env, "config", "set", "endpoint", collector.url + "/").returncode == 0
    for number in range(3):
        assert earshot(env, "add", f"Loved the new layout {number}").returncode == 0

    stored = earshot(env, "token", "set", stdin=collector.token + "\n")
    assert stored.returncode == 0, stored.stderr
    assert "saved in the system keyring" in stored.stdout
    shown = earshot(env, "config", "show")
    assert f'endpoint = "{collector.url}"' in shown.stdout
    assert "device token = set in the system keyring" in shown.stdout

    synced = earshot(env, "sync")

    assert synced.returncode == 0, synced.stderr
    assert "Everything is sent." in synced.stdout
    assert "Sent 3 entries now; 0 still waiting." in synced.stdout
    assert counts(data_dir) == {SyncState.SENT: 3}
    assert collector.count() == 3
    # The keyring keeps it encrypted; no file anywhere holds it in the clear.
    assert files_containing(tmp_path, collector.token) == []
    printed = collector.token in synced.stdout + synced.stderr + shown.stdout + stored.stdout
    assert not printed, "the device token was printed"  # (an "in" assert would print it)

    cleared = earshot(env, "token", "clear")
    assert cleared.returncode == 0
    again = earshot(env, "sync")
    assert again.returncode == 1
    assert "No device token is set" in again.stderr


def test_without_a_keyring_the_token_is_refused_not_written_to_a_file(
    env: dict[str, str], tmp_path: Path, data_dir: Path
) -> None:
    home = tmp_path / "bare-home"
    home.mkdir()
    bare = env | {
        "HOME": str(home),
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path / 'no-bus'}",
        "XDG_RUNTIME_DIR": str(tmp_path),
    }
    bare.pop("PYTHON_KEYRING_BACKEND", None)
    assert earshot(bare, "config", "set", "endpoint", "https://collector.example").returncode == 0

    result = earshot(bare, "token", "set", stdin="tok-never-on-disk-42\n")

    assert result.returncode == 1
    assert "no secure keyring" in result.stderr
    assert "does not store the token in a file" in result.stderr
    assert files_containing(tmp_path, "tok-never-on-disk-42") == []


def test_earshot_token_overrides_the_keyring_for_unattended_use(
    env: dict[str, str], collector: Collector, data_dir: Path
) -> None:
    env = env | {"EARSHOT_TOKEN": collector.token}
    assert earshot(env, "config", "set", "endpoint", collector.url).returncode == 0
    assert earshot(env, "add", "Where is the lift?").returncode == 0

    synced = earshot(env, "sync", "--once")

    assert synced.returncode == 0, synced.stderr
    assert collector.count() == 1


def test_a_refused_token_exits_1_and_keeps_everything(
    env: dict[str, str], collector: Collector, data_dir: Path
) -> None:
    env = env | {"EARSHOT_TOKEN": "not-a-device-token"}
    earshot(env, "config", "set", "endpoint", collector.url)
    earshot(env, "add", "The card reader is broken")

    synced = earshot(env, "sync")

    assert synced.returncode == 1
    assert "the device token was refused" in synced.stderr
    assert counts(data_dir) == {SyncState.QUEUED: 1}
    assert collector.count() == 0


def test_sync_once_against_an_unreachable_collector_exits_1_and_says_why(
    env: dict[str, str], server: FaultServer, token: str, data_dir: Path
) -> None:
    env = env | {"EARSHOT_TOKEN": token}
    earshot(env, "config", "set", "endpoint", server.url)
    earshot(env, "add", "Lovely staff")
    server.script(INFO, respond(503, "down for maintenance", Retry_After="3600"))

    synced = earshot(env, "sync", "--once")

    assert synced.returncode == 1
    assert "is busy (503)" in synced.stdout
    assert "1 still waiting" in synced.stdout
    assert counts(data_dir) == {SyncState.QUEUED: 1}


def test_sync_retries_until_the_collector_answers(
    env: dict[str, str], server: FaultServer, token: str, data_dir: Path
) -> None:
    env = env | {"EARSHOT_TOKEN": token}
    earshot(env, "config", "set", "endpoint", server.url)
    earshot(env, "add", "Lovely staff")
    server.script(ENTRIES, respond(503, "", Retry_After="0"), respond(500))

    synced = earshot(env, "sync")

    assert synced.returncode == 0, synced.stdout + synced.stderr
    assert "Trying again in" in synced.stdout
    assert counts(data_dir) == {SyncState.SENT: 1}


def test_max_time_bounds_the_retrying(
    env: dict[str, str], server: FaultServer, token: str, data_dir: Path
) -> None:
    env = env | {"EARSHOT_TOKEN": token}
    earshot(env, "config", "set", "endpoint", server.url)
    earshot(env, "add", "Lovely staff")
    server.script(INFO, *[respond(503, "", Retry_After="1")] * 50)

    synced = earshot(env, "sync", "--max-time", "0.5")

    assert synced.returncode == 1
    assert counts(data_dir) == {SyncState.QUEUED: 1}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("collector.example.com", "is not a web address"),
        ("ftp://collector.example.com", "is not a web address"),
        ("http://collector.example.com", "is not encrypted (http://)"),
        ("https://user:pw@collector.example.com", "must not contain a user name or password"),
        ("https://collector.example.com:port", "is not a web address"),
    ],
)
def test_config_set_endpoint_explains_a_bad_address(
    env: dict[str, str], url: str, message: str
) -> None:
    result = earshot(env, "config", "set", "endpoint", url)

    assert result.returncode == 1
    assert message in result.stderr
    assert 'endpoint = ""' in earshot(env, "config", "show").stdout  # nothing was saved


def test_plain_http_is_accepted_on_loopback_or_when_allowed(env: dict[str, str]) -> None:
    assert earshot(env, "config", "set", "endpoint", "http://127.0.0.1:8765").returncode == 0
    assert earshot(env, "config", "set", "endpoint", "http://[::1]:8765").returncode == 0
    assert earshot(env, "config", "set", "allow_insecure_http", "yes").returncode == 0
    allowed = earshot(env, "config", "set", "endpoint", "http://collector.shop.lan")
    assert allowed.returncode == 0, allowed.stderr
    assert 'endpoint = "http://collector.shop.lan"' in earshot(env, "config", "show").stdout


def test_sync_without_an_endpoint_says_how_to_set_one(env: dict[str, str]) -> None:
    result = earshot(env, "sync")

    assert result.returncode == 1
    assert "earshot config set endpoint" in result.stderr


def test_usage_errors_exit_2(env: dict[str, str]) -> None:
    assert earshot(env, "config", "set", "colour", "blue").returncode == 2
    assert earshot(env, "token").returncode == 2
    assert earshot(env, "sync", "--max-time", "soon").returncode == 2


@pytest.mark.parametrize("seconds", ["soon", "nan", "inf", "-1", "0", "-inf"])
def test_max_time_must_be_a_finite_number_of_seconds_above_zero(
    env: dict[str, str], seconds: str
) -> None:
    result = earshot(env, "sync", f"--max-time={seconds}")

    assert result.returncode == 2
    assert f"'{seconds}' is not a number of seconds above 0" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_second_sync_while_one_runs_says_so(
    env: dict[str, str], server: FaultServer, token: str, data_dir: Path, journal: Journal
) -> None:
    from earshot_sync.sender_lock import SenderLock

    env = env | {"EARSHOT_TOKEN": token}
    earshot(env, "config", "set", "endpoint", server.url)
    fill(journal, 1)
    with SenderLock(journal.path):  # as a running sender holds it
        busy = earshot(env, "sync")
    assert busy.returncode == 1
    assert "Another Earshot sender is already sending" in busy.stderr
    assert counts(data_dir) == {SyncState.QUEUED: 1}
    assert server.posts() == []

    assert earshot(env, "sync").returncode == 0
    assert counts(data_dir) == {SyncState.SENT: 1}


def test_token_set_explains_what_is_missing(env: dict[str, str]) -> None:
    no_endpoint = earshot(env, "token", "set", stdin="tok-123\n")
    assert no_endpoint.returncode == 1
    assert "Set the collector's address first" in no_endpoint.stderr

    earshot(env, "config", "set", "endpoint", "https://collector.example")
    empty = earshot(env, "token", "set", stdin="\n")
    assert empty.returncode == 1
    assert "cannot be empty" in empty.stderr
    spaced = earshot(env, "token", "set", stdin="two halves\n")
    assert spaced.returncode == 1
    assert "two halves" not in spaced.stderr
    assert "spaces" in spaced.stderr


def test_an_unusable_earshot_token_is_explained(env: dict[str, str]) -> None:
    env = env | {"EARSHOT_TOKEN": "has a space"}
    earshot(env, "config", "set", "endpoint", "https://collector.example")

    result = earshot(env, "sync")

    assert result.returncode == 1
    assert "EARSHOT_TOKEN" in result.stderr
    assert "has a space" not in result.stderr


def test_retry_attention_gives_refused_entries_another_try(
    env: dict[str, str], tmp_path: Path, data_dir: Path
) -> None:
    # Random letters, so that gzip cannot shrink the entry below the small collector's limit.
    words = "".join(random.Random(7).choice(string.ascii_letters) for _ in range(9000))  # noqa: S311
    with running_collector(tmp_path / "small", max_bytes=2048) as small:
        earshot(env, "config", "set", "endpoint", small.url)
        earshot(env, "add", words)
        earshot(env | {"EARSHOT_TOKEN": small.token}, "sync", "--once")
        assert counts(data_dir) == {SyncState.NEEDS_ATTENTION: 1}
    with running_collector(tmp_path / "roomy") as roomy:
        env = env | {"EARSHOT_TOKEN": roomy.token}
        earshot(env, "config", "set", "endpoint", roomy.url)
        assert earshot(env, "sync", "--once").returncode == 0
        assert counts(data_dir) == {SyncState.NEEDS_ATTENTION: 1}  # not retried by itself
        retried = earshot(env, "sync", "--once", "--retry-attention")
        assert retried.returncode == 0, retried.stderr
        assert "1 entry that needed attention will be tried again." in retried.stdout
        assert counts(data_dir) == {SyncState.SENT: 1}
        assert [entry["text"] for entry in roomy.entries()] == [words]
