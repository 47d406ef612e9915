"""``earshot-collector`` commands: devices, export, and clear failures."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import socket
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from earshot_sync.collector.cli import configure_logging
from earshot_sync.protocol import ENTRIES_PATH, INFO_PATH
from tests.collector.conftest import batch, make_entry
from tests.collector_server import Collector, collector_program, postgres_server, running_collector


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [collector_program(), *args], capture_output=True, text=True, timeout=120, env=env
    )


def send(
    collector: Collector, *entries: dict[str, object], sent_at: datetime | None = None
) -> None:
    answer = requests.post(
        collector.url + ENTRIES_PATH,
        json=batch(*entries, sent_at=sent_at),
        headers=collector.headers,
        timeout=60,
    )
    assert answer.status_code == 200, answer.text


def test_add_device_prints_only_the_token_and_stores_only_its_hash(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = run("--data-dir", str(home), "add-device", "till-1")
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert len(token) >= 40
    assert done.stdout == token + "\n"
    assert token not in done.stderr
    assert "only this once" in done.stderr
    stored = b"".join(path.read_bytes() for path in home.iterdir() if path.is_file())
    assert token.encode() not in stored
    again = run("--data-dir", str(home), "add-device", "till-1")
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert again.stdout == ""


def test_revoke_and_list_devices(collector: Collector) -> None:
    send(collector, make_entry(), sent_at=datetime.now(UTC) + timedelta(hours=1))
    collector.add_device("never-seen")
    listed = {
        row["name"]: row for row in json.loads(collector.cli("list-devices", "--json").stdout)
    }
    assert listed["never-seen"]["last_contact_at"] is None
    seen = listed["test-device"]
    assert seen["revoked_at"] is None
    assert datetime.fromisoformat(seen["last_contact_at"]) > datetime.now(UTC) - timedelta(hours=1)
    assert 3000 < seen["clock_skew_seconds"] < 4200  # the device's clock is an hour ahead
    unknown = collector.cli("revoke-device", "no-such-till", check=False)
    assert unknown.returncode == 1
    assert "no active device" in unknown.stderr
    collector.revoke_device("never-seen")
    table = collector.cli("list-devices").stdout
    assert "never-seen" in table
    assert "+3" in table  # skew in seconds, signed
    listed = {
        row["name"]: row for row in json.loads(collector.cli("list-devices", "--json").stdout)
    }
    assert listed["never-seen"]["revoked_at"] is not None
    assert listed["test-device"]["revoked_at"] is None


def test_export_csv_neutralises_formulas_and_jsonl_keeps_everything(collector: Collector) -> None:
    risky = make_entry(text='=HYPERLINK("http://evil")', tags=["a", "b"], staff="@boss")
    plain = make_entry(text="Plain words, with a comma")
    deleted = make_entry(revision=2, deleted=True, text="")
    send(collector, risky, plain, deleted)
    rows = list(csv.DictReader(io.StringIO(collector.cli("export", "--format", "csv").stdout)))
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == {risky["id"], plain["id"]}
    assert by_id[risky["id"]]["text"] == '\'=HYPERLINK("http://evil")'
    assert by_id[risky["id"]]["staff"] == "'@boss"
    assert by_id[risky["id"]]["tags"] == "a, b"
    assert by_id[plain["id"]]["text"] == plain["text"]
    assert by_id[plain["id"]]["device_name"] == "test-device"
    lines = collector.cli("export", "--format", "jsonl", "--include-deleted").stdout.splitlines()
    exported = {row["id"]: row for row in map(json.loads, lines)}
    assert exported[risky["id"]]["text"] == risky["text"]  # JSON needs no neutralising
    assert exported[deleted["id"]]["deleted"] is True
    assert {key: exported[plain["id"]][key] for key in plain} == plain


def test_export_since_and_to_a_file(collector: Collector, tmp_path: Path) -> None:
    send(collector, make_entry(text="before"))
    middle = requests.get(collector.url + INFO_PATH, headers=collector.headers, timeout=60)
    since = middle.json()["server_time"]
    send(collector, make_entry(text="after"))
    target = tmp_path / "out.jsonl"
    collector.cli("export", "--format", "jsonl", "--since", since, "-o", str(target))
    assert [json.loads(line)["text"] for line in target.read_text().splitlines()] == ["after"]
    naive = collector.cli("export", "--format", "csv", "--since", "2026-01-01T00:00", check=False)
    assert naive.returncode == 2
    assert "UTC offset" in naive.stderr
    wrong = collector.cli("export", "--format", "csv", "--since", "last week", check=False)
    assert wrong.returncode == 2


def test_an_unreachable_database_is_a_clear_error_without_the_password(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        done = run(
            "--database",
            f"postgresql+psycopg://earshot:s3cret-pw@127.0.0.1:{port}/collector",
            "list-devices",
        )
    assert done.returncode == 1
    assert "Cannot open the collector's database" in done.stderr
    assert "s3cret-pw" not in done.stderr + done.stdout


def test_serve_on_a_busy_port_says_so(collector: Collector) -> None:
    done = run("--database", collector.database, "serve", "--port", str(collector.port))
    assert done.returncode == 1
    assert "in use" in done.stderr


def test_a_database_outage_is_503_with_retry_after_and_then_recovers(tmp_path: Path) -> None:
    with postgres_server() as server:
        collector = running_collector(tmp_path / "c", database=server.create_database())
        with collector as running:
            send(running, make_entry())
            server.stop_server()
            answer = requests.post(
                running.url + ENTRIES_PATH,
                json=batch(make_entry()),
                headers=running.headers,
                timeout=60,
            )
            assert answer.status_code == 503
            assert int(answer.headers["Retry-After"]) > 0
            server.start_server()
            send(running, make_entry())
            assert running.count() == 2


def test_the_migrations_build_exactly_the_declared_schema(database: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from earshot_sync.collector import migrate, schema
    from earshot_sync.collector.store import Store

    assert migrate.head() == migrate.SCHEMA_HEAD, "update SCHEMA_HEAD with each new migration"
    Store.open(database).close()
    engine = create_engine(database)
    try:
        with engine.connect() as connection:
            assert migrate.current(connection) == migrate.SCHEMA_HEAD
            # The full-text index is one dialect's own (FTS5 table, GIN expression index).
            opts = {"compare_type": True, "include_name": schema.declared}
            context = MigrationContext.configure(connection, opts=opts)
            assert compare_metadata(context, schema.metadata) == []
    finally:
        engine.dispose()


def test_the_store_follows_the_environment_when_no_option_says(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.pop("EARSHOT_COLLECTOR_DATABASE", None)
    env["EARSHOT_COLLECTOR_HOME"] = str(tmp_path / "home")
    assert run("add-device", "till-1", env=env).returncode == 0
    assert (tmp_path / "home" / "collector.sqlite3").is_file()
    elsewhere = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    env["EARSHOT_COLLECTOR_DATABASE"] = elsewhere
    assert run("add-device", "till-2", env=env).returncode == 0
    listed = run("list-devices", "--json", env=env)
    assert [row["name"] for row in json.loads(listed.stdout)] == ["till-2"]
    explicit = run("--database", elsewhere.replace("other", "third"), "list-devices", env=env)
    assert "No devices yet" in explicit.stdout


@pytest.mark.parametrize("port", ["70000", "-1", "65536", "http"])
def test_serve_on_a_port_out_of_range_is_a_usage_error(tmp_path: Path, port: str) -> None:
    done = run("--data-dir", str(tmp_path), "serve", f"--port={port}")
    assert done.returncode == 2
    assert f"'{port}' is not a port: give a number from 1 to 65535" in done.stderr
    assert "Traceback" not in done.stderr


def test_log_level_debug_never_turns_on_sqlalchemys_statement_and_row_logging(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # At INFO SQLAlchemy logs each statement, at DEBUG whole result rows (customers' words).
    # SQLAlchemy sets its own "sqlalchemy" logger to WARNING when imported; the collector keeps
    # "sqlalchemy.engine" at WARNING even where that was undone (here, by hand).
    engine_log = logging.getLogger("sqlalchemy.engine")
    before = engine_log.level
    try:
        engine_log.setLevel(logging.NOTSET)
        caplog.set_level(logging.DEBUG)  # the root logger at DEBUG, as --log-level debug sets it
        caplog.set_level(logging.NOTSET, logger="sqlalchemy")
        assert engine_log.isEnabledFor(logging.INFO)
        configure_logging("debug")
        assert not engine_log.isEnabledFor(logging.INFO)
    finally:
        engine_log.setLevel(before)
