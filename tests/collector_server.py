"""The real collector and a real PostgreSQL server, started for tests.

For any test that needs a collector (the sender's too)::

    from tests.collector_server import running_collector

    def test_something(tmp_path):
        with running_collector(tmp_path / "collector") as collector:
            requests.get(collector.url + INFO_PATH, headers=collector.headers)
            collector.kill(); collector.restart()
            assert collector.count() == ...

``start_collector`` runs ``earshot-collector serve`` as a subprocess on a free loopback port with
its own data directory (SQLite) or a given database URL, waits until it listens, and makes a
device token with ``add-device``. ``start_postgres`` starts a throwaway PostgreSQL server in a
temporary directory (skipping, naming the Debian package, when PostgreSQL is not installed).
The device token is never printed: it is kept out of reprs and error messages.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from earshot_sync.collector.store import Store
from tests.system import require

START_TIMEOUT = 30.0
_READY = re.compile(r"earshot-collector listening on (http://\S+)")


def collector_program() -> str:
    """``earshot-collector`` from this virtualenv (pytest may run without it on PATH)."""
    beside = Path(sys.executable).with_name("earshot-collector")
    if beside.exists():
        return str(beside)
    found = shutil.which("earshot-collector")
    if found is None:
        raise RuntimeError("earshot-collector is not installed: pip install -e '.[collector]'")
    return found


def _environment(data_dir: Path, env: Mapping[str, str] | None) -> dict[str, str]:
    environ = dict(os.environ if env is None else env)
    environ["EARSHOT_COLLECTOR_HOME"] = str(data_dir)
    environ.pop("EARSHOT_COLLECTOR_DATABASE", None)
    return environ


def _sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'collector.sqlite3'}"


@dataclass
class Collector:
    """A running (or stopped) ``earshot-collector serve`` process and what it stored."""

    url: str  # base URL, e.g. "http://127.0.0.1:43123" (no trailing slash)
    token: str = field(repr=False)  # the device token made for this collector
    database: str = field(repr=False)  # SQLAlchemy URL of its store
    data_dir: Path
    log_path: Path  # everything the process printed, across restarts
    serve_args: list[str]
    env: dict[str, str] = field(repr=False)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _pump: threading.Thread | None = field(default=None, repr=False)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def cli(
        self, *args: str, check: bool = True, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run ``earshot-collector --database <its store> ARGS`` and return what it printed.

        ``input`` is written to its standard input (a pipe, not a terminal)."""
        done = subprocess.run(
            [collector_program(), "--database", self.database, *args],
            env=self.env,
            input=input,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"earshot-collector {args[0]} failed: {done.stderr.strip()}")
        return done

    def add_device(self, name: str) -> str:
        """A new device token (kept out of every message)."""
        return self.cli("add-device", name).stdout.strip()

    def add_viewer(self, name: str, password: str) -> None:
        """A viewer account made with the real ``add-viewer`` command, password on stdin."""
        self.cli("add-viewer", name, input=password + "\n")

    def revoke_device(self, name: str) -> None:
        self.cli("revoke-device", name)

    def _start(self, port: int) -> None:
        command = [
            collector_program(),
            "--database",
            self.database,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *self.serve_args,
        ]
        process = subprocess.Popen(
            command,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        ready = threading.Event()
        found: list[str] = []
        assert process.stdout is not None
        pump = threading.Thread(
            target=_pump_output,
            args=(process.stdout, self.log_path, ready, found),
            daemon=True,
        )
        pump.start()
        # The pump sets `ready` at the "listening" line, or when the output ends (it died).
        if not ready.wait(START_TIMEOUT) or not found:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            process.wait(10)
            raise RuntimeError(f"earshot-collector serve did not start:\n{self.log()}")
        self.process, self._pump, self.url = process, pump, found[0]

    def stop(self, timeout: float = 15) -> None:
        """Stop gracefully (SIGTERM, as a service manager would)."""
        self._end(signal.SIGTERM, timeout)

    def kill(self) -> None:
        """SIGKILL: no goodbye, as in a power cut."""
        self._end(signal.SIGKILL, 15)

    def _end(self, signum: int, timeout: float) -> None:
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signum)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        if self._pump is not None:
            self._pump.join(10)
        self.process = None

    def restart(self) -> None:
        """Start again on the same port and store (stopping it first if it still runs)."""
        self.stop()
        self._start(self.port)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    # What it stored, read straight from its database.

    def _store(self) -> Store:
        return Store.open(self.database)

    def revisions(self) -> list[dict[str, Any]]:
        """Every revision row: entry_id, revision, digest, document (JSON text), ..."""
        store = self._store()
        try:
            return store.revisions()
        finally:
            store.close()

    def entries(self, include_deleted: bool = False) -> list[dict[str, Any]]:
        """The newest revision of each entry, as wire documents, oldest arrival first."""
        store = self._store()
        try:
            return [
                stored.document for stored in store.current_entries(include_deleted=include_deleted)
            ]
        finally:
            store.close()

    def count(self) -> int:
        """How many revision rows the collector holds."""
        store = self._store()
        try:
            return store.count_revisions()
        finally:
            store.close()


def _pump_output(
    stream: IO[bytes], log_path: Path, ready: threading.Event, found: list[str]
) -> None:
    """Copy the process's output to its log; signal readiness at the "listening" line."""
    with stream, log_path.open("ab") as log:
        for line in stream:
            log.write(line)
            log.flush()
            if not found:
                match = _READY.search(line.decode("utf-8", "replace"))
                if match:
                    found.append(match.group(1))
                    ready.set()
    ready.set()


def start_collector(
    directory: Path,
    *,
    database: str | None = None,
    device: str = "test-device",
    max_entries: int | None = None,
    max_bytes: int | None = None,
    serve_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Collector:
    """Start ``earshot-collector serve`` with its data in ``directory`` and a token for ``device``.

    ``database`` is a SQLAlchemy URL (e.g. from :meth:`PostgresServer.create_database`); the
    default is SQLite in ``directory``. Call ``stop()``/``kill()`` when done, or use
    :func:`running_collector`.
    """
    directory.mkdir(parents=True, exist_ok=True)
    args = ["--no-access-log", *serve_args]
    if max_entries is not None:
        args += ["--max-entries", str(max_entries)]
    if max_bytes is not None:
        args += ["--max-bytes", str(max_bytes)]
    collector = Collector(
        url="http://127.0.0.1:0",
        token="",
        database=database or _sqlite_url(directory),
        data_dir=directory,
        log_path=directory / "collector.log",
        serve_args=args,
        env=_environment(directory, env),
    )
    collector.token = collector.add_device(device)
    collector._start(0)
    return collector


@contextlib.contextmanager
def running_collector(directory: Path, **options: Any) -> Iterator[Collector]:
    """:func:`start_collector` that is killed at the end of the ``with`` block."""
    collector = start_collector(directory, **options)
    try:
        yield collector
    finally:
        collector.kill()


# PostgreSQL


def postgres_bin_dir() -> Path:
    """The PostgreSQL server programs; skips naming the Debian package if they are missing."""
    installed = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    initdb = str(installed[-1]) if installed else "initdb"
    return Path(require(initdb, "postgresql")).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """A throwaway PostgreSQL server on 127.0.0.1, trust authentication, user ``postgres``."""

    root: Path
    port: int
    bin_dir: Path
    options: str  # the server's options: port, socket folder, fsync
    _names: Iterator[int] = field(default_factory=itertools.count, repr=False)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = name or f"collector_{next(self._names)}"
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
        return self.url(name)

    def _pg_ctl(self, *args: str, check: bool = True) -> None:
        _as_postgres([str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), *args], check)

    def start_server(self) -> None:
        """Start (again) on the same port and data; returns once it accepts connections."""
        log = str(self.root / "server.log")
        self._pg_ctl("-l", log, "-w", "-t", "60", "-o", self.options, "start")

    def stop_server(self) -> None:
        """Stop at once, like a crash; the data stays for :meth:`start_server`."""
        self._pg_ctl("-m", "immediate", "stop", check=False)

    def stop(self) -> None:
        """Stop the server and remove it with its data."""
        self.stop_server()
        shutil.rmtree(self.root, ignore_errors=True)


def _as_postgres(command: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    # initdb and postgres refuse to run as root: run them as the `postgres` user then.
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    done = subprocess.run(
        prefix + command, capture_output=True, text=True, timeout=120, check=False
    )
    if check and done.returncode != 0:
        raise RuntimeError(f"{Path(command[0]).name} failed:\n{done.stdout}\n{done.stderr}")
    return done


def start_postgres(durable: bool = False) -> PostgresServer:
    """Start a fresh PostgreSQL server in a temporary directory; ``stop()`` removes it.

    Unless ``durable``, fsync is off: the tests prove logic, not the disk (a benchmark that
    measures commits should pass ``durable=True``). Commits still reach the OS before they are
    acknowledged (synchronous_commit stays on), so killing the server, as :meth:`stop_server`
    does, loses nothing acknowledged; only a crash of the whole machine could.
    """
    bin_dir = postgres_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="earshot-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    root.chmod(0o700)
    data = root / "data"
    _as_postgres(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
        ]
    )
    port = _free_port()
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200"
    if not durable:
        options += " -c fsync=off -c full_page_writes=off"
    server = PostgresServer(root=root, port=port, bin_dir=bin_dir, options=options)
    server.start_server()
    return server


@contextlib.contextmanager
def postgres_server(durable: bool = False) -> Iterator[PostgresServer]:
    server = start_postgres(durable=durable)
    try:
        yield server
    finally:
        server.stop()
