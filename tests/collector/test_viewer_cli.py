"""``earshot-collector add-viewer / set-password / disable-viewer / list-viewers``, run as the
real program: the password comes from a terminal (asked twice, not echoed) or one line of a
pipe, never from an argument, and is kept only as an Argon2 hash."""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import subprocess
import termios
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from earshot_sync.collector.accounts import Accounts
from earshot_sync.collector.store import Store
from tests.collector_server import collector_program

PASSWORD = "a long enough secret"


def run(database: str, *args: str, input: str | None = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [collector_program(), "--database", database, *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def accounts(database: str) -> Iterator[Accounts]:
    run(database, "list-viewers")  # migrates the new store first
    store = Store.open(database)
    yield Accounts(store)
    store.close()


def names(database: str) -> list[dict[str, object]]:
    done = run(database, "list-viewers", "--json")
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, object]] = json.loads(done.stdout)
    return rows


def test_add_viewer_from_a_pipe_keeps_only_a_hash(
    database: str, accounts: Accounts, tmp_path: Path
) -> None:
    done = run(database, "add-viewer", "ana", input=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert "added" in done.stdout
    assert PASSWORD not in done.stdout + done.stderr
    assert [row["name"] for row in names(database)] == ["ana"]
    assert accounts.sign_in("ana", PASSWORD, datetime.now(UTC)) is not None
    if database.startswith("sqlite"):
        stored = b"".join(
            path.read_bytes() for path in tmp_path.iterdir() if path.name.startswith("store")
        )
        assert PASSWORD.encode() not in stored
        assert b"$argon2id$" in stored
    again = run(database, "add-viewer", "ana", input="another long secret\n")
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert accounts.sign_in("ana", PASSWORD, datetime.now(UTC)) is not None


@pytest.mark.parametrize(
    ("name", "stdin", "message"),
    [
        ("bob", "", "No password on standard input"),
        ("bob", "\n", "No password on standard input"),
        ("bob", "short\n", "at least 10 characters"),
        ("bob", "x" * 2000 + "\n", "at most 1024 characters"),
        ("", PASSWORD + "\n", "cannot be empty"),
        ("a\tb", PASSWORD + "\n", "control characters"),
        ("x" * 300, PASSWORD + "\n", "at most 200 characters"),
    ],
)
def test_add_viewer_refuses_with_a_reason_and_adds_nobody(
    database: str, accounts: Accounts, name: str, stdin: str, message: str
) -> None:
    done = run(database, "add-viewer", name, input=stdin)
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert names(database) == []


def test_a_password_is_never_taken_as_an_argument(database: str, accounts: Accounts) -> None:
    done = run(database, "add-viewer", "ana", PASSWORD)
    assert done.returncode == 2
    assert names(database) == []


def test_set_password_and_disable_viewer(database: str, accounts: Accounts) -> None:
    assert run(database, "add-viewer", "ana", input=PASSWORD + "\n").returncode == 0
    session = accounts.sign_in("ana", PASSWORD, datetime.now(UTC))
    assert session is not None
    done = run(database, "set-password", "ana", input="the second secret\n")
    assert done.returncode == 0, done.stderr
    assert accounts.session(session.token, datetime.now(UTC)) is None
    assert accounts.sign_in("ana", PASSWORD, datetime.now(UTC)) is None
    assert accounts.sign_in("ana", "the second secret", datetime.now(UTC)) is not None
    weak = run(database, "set-password", "ana", input="short\n")
    assert weak.returncode == 1
    assert "at least 10" in weak.stderr
    nobody = run(database, "set-password", "nobody", input="the third secret\n")
    assert nobody.returncode == 1
    assert "no viewer named 'nobody'" in nobody.stderr

    assert run(database, "disable-viewer", "ana").returncode == 0
    assert accounts.sign_in("ana", "the second secret", datetime.now(UTC)) is None
    (row,) = names(database)
    assert row["disabled_at"] is not None
    again = run(database, "disable-viewer", "ana")
    assert again.returncode == 1
    assert "no active viewer" in again.stderr
    table = run(database, "list-viewers")
    assert "ana" in table.stdout
    assert "DISABLED" in table.stdout


def test_list_viewers_when_there_are_none(database: str) -> None:
    done = run(database, "list-viewers")
    assert done.returncode == 0
    assert "No viewers yet" in done.stdout


def _on_terminal(database: str, *args: str, answers: list[str]) -> tuple[int, str]:
    """Run the command on a new pseudo-terminal (its controlling terminal, as a person's
    shell would be); type each answer after a prompt. Returns the exit code and the screen."""
    controller, terminal = os.openpty()

    def take_terminal() -> None:  # in the child, after setsid: make it the controlling tty
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        [collector_program(), "--database", database, *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        start_new_session=True,
        preexec_fn=take_terminal,
    )
    os.close(terminal)
    screen = b""
    answered = 0
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline and process.poll() is None:
            ready, _, _ = select.select([controller], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:  # the child closed the terminal
                    break
                screen += chunk
            # Answer each prompt shown so far, however the output was cut into chunks.
            prompts = len(re.findall(rb"(?:Password|again): ", screen))
            while answered < min(prompts, len(answers)):
                os.write(controller, answers[answered].encode() + b"\n")
                answered += 1
        code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    try:
        while select.select([controller], [], [], 0.1)[0]:
            screen += os.read(controller, 4096)
    except OSError:
        pass
    os.close(controller)
    return code, screen.decode("utf-8", "replace")


def test_on_a_terminal_the_password_is_asked_twice_and_not_shown(
    database: str, accounts: Accounts
) -> None:
    code, screen = _on_terminal(database, "add-viewer", "ana", answers=[PASSWORD, PASSWORD])
    assert code == 0, screen
    assert "Password:" in screen
    assert "again" in screen
    assert PASSWORD not in screen  # not echoed
    assert accounts.sign_in("ana", PASSWORD, datetime.now(UTC)) is not None
    code, screen = _on_terminal(
        database, "add-viewer", "bob", answers=[PASSWORD, PASSWORD + "typo"]
    )
    assert code == 1
    assert "differ" in screen
    assert [row["name"] for row in names(database)] == ["ana"]


def test_add_viewer_refuses_a_name_that_differs_only_in_capitals(
    database: str, accounts: Accounts
) -> None:
    assert run(database, "add-viewer", "Ana", input=PASSWORD + "\n").returncode == 0
    for other in ("ana", "ANA", " aNa "):
        again = run(database, "add-viewer", other, input="another long secret\n")
        assert again.returncode == 1, other
        assert "differs only in capitals" in again.stderr
    # German ß and "SS" are the same name to a reader too (casefold, not lower).
    assert run(database, "add-viewer", "Strauß", input=PASSWORD + "\n").returncode == 0
    assert run(database, "add-viewer", "STRAUSS", input=PASSWORD + "\n").returncode == 1
    assert [row["name"] for row in names(database)] == ["Ana", "Strauß"]
    assert accounts.sign_in("Ana", PASSWORD, datetime.now(UTC)) is not None
