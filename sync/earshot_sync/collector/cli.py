"""``earshot-collector``: run the collector, manage device tokens, export what was heard.

Exit codes: 0 done, 1 the work could not be done (the message says why), 2 mistyped command.
A new token is the only thing printed on standard output by ``add-device``, so scripts can
capture it; everything for people goes to standard error.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import json
import logging
import os
import socket
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import platformdirs
from sqlalchemy.exc import SQLAlchemyError

from earshot_sync.collector.accounts import (
    Accounts,
    BadName,
    UnknownViewer,
    ViewerExists,
    WeakPassword,
    check_name,
)
from earshot_sync.collector.auth import new_token, token_hash
from earshot_sync.collector.limits import Limits
from earshot_sync.collector.store import DeviceExists, Store, StoredEntry
from earshot_sync.collector.version import __version__
from earshot_sync.protocol import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ENTRIES,
    WIRE_FIELDS,
    wire_entry,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
ENV_HOME = "EARSHOT_COLLECTOR_HOME"
ENV_DATABASE = "EARSHOT_COLLECTOR_DATABASE"
DATABASE_FILE = "collector.sqlite3"
EXPORT_COLUMNS: tuple[str, ...] = (*WIRE_FIELDS, "device_name", "received_at")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="earshot-collector",
        description="The Earshot collector: receives feedback from Earshot desktops.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help=f"where the SQLite store lives (default: ${ENV_HOME}, else the user's data folder)",
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="a SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db (default: "
        f"${ENV_DATABASE}, else SQLite in the data directory)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    # In this order in the help.
    _add_serve(commands)
    _add_device_commands(commands)
    _add_viewer_commands(commands)
    _add_export(commands)

    from earshot_sync.collector.digest import command as digest_command

    digest = commands.add_parser(
        "digest", help="the monthly huddle digest of a month, one printable page per site"
    )
    digest_command.add_arguments(digest)
    return parser


def _add_serve(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=_port, default=8765, help="port (0 picks a free one)")
    serve.add_argument("--max-entries", type=_positive, default=DEFAULT_MAX_ENTRIES)
    serve.add_argument("--max-bytes", type=_positive, default=DEFAULT_MAX_BYTES)
    serve.add_argument("--no-access-log", action="store_true", help="do not log each request")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    serve.add_argument(
        "--pair-device",
        metavar="NAME",
        help="read a token for device NAME from the first line of standard input and accept it "
        "(replacing the device's old token); serve until standard input closes. How the app "
        "pairs with a collector it starts",
    )


def _add_device_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    add = commands.add_parser("add-device", help="make a token for a device and print it once")
    add.add_argument("name", metavar="NAME", help="a name people recognise, e.g. till-3-berlin")

    revoke = commands.add_parser("revoke-device", help="stop accepting a device's token")
    revoke.add_argument("name", metavar="NAME")

    listing = commands.add_parser("list-devices", help="devices, last contact and clock skew")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")


def _add_viewer_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    viewer_help = "the password is asked twice on a terminal, or read as one line from stdin"
    add_viewer = commands.add_parser(
        "add-viewer", help="let a person read the pages", description=viewer_help
    )
    add_viewer.add_argument("name", metavar="NAME", help="what the person types to sign in")
    password = commands.add_parser(
        "set-password", help="give a viewer a new password", description=viewer_help
    )
    password.add_argument("name", metavar="NAME")
    disable = commands.add_parser(
        "disable-viewer", help="stop a viewer signing in (and end their sessions)"
    )
    disable.add_argument("name", metavar="NAME")
    viewers = commands.add_parser("list-viewers", help="viewers, when added, whether disabled")
    viewers.add_argument("--json", action="store_true", help="print JSON for scripts")


def _add_export(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = commands.add_parser("export", help="write the entries as CSV or JSON Lines")
    export.add_argument("--format", choices=["jsonl", "csv"], required=True)
    export.add_argument(
        "--since", metavar="ISO", help="only entries received at or after this time"
    )
    export.add_argument("--include-deleted", action="store_true")
    export.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not a port: give a number from 1 to 65535 (0 picks a free one)"
        )
    return number


def data_dir(explicit: str | None, env: Mapping[str, str]) -> Path:
    if explicit:
        root = Path(explicit)
    elif env.get(ENV_HOME):
        root = Path(env[ENV_HOME])
    else:
        root = Path(platformdirs.user_data_dir("earshot-collector", appauthor=False))
    return root.expanduser().absolute()


def database_url(args: argparse.Namespace, env: Mapping[str, str]) -> str:
    if args.database:
        return str(args.database)
    if env.get(ENV_DATABASE):
        return env[ENV_DATABASE]
    root = data_dir(args.data_dir, env)
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    return f"sqlite:///{root / DATABASE_FILE}"


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not the default 0: asyncio turns Nagle off (TCP_NODELAY) only on sockets
    # whose proto says TCP, and accepted sockets copy it. With proto 0 every response on a
    # kept-alive connection waited ~40 ms for the client's delayed ACK (headers and body are
    # two writes).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    # Listening before we say we are ready: a client that connects from then on waits in the
    # backlog until uvicorn accepts, it is never refused.
    sock.listen(2048)
    return sock


def configure_logging(level: str) -> None:
    """Log at ``level``, but never SQLAlchemy's statements: at INFO it logs the SQL, at DEBUG
    whole result rows (customers' words, staff names), whatever ``hide_parameters`` says."""
    logging.basicConfig(level=level.upper(), format="%(levelname)s: %(message)s")
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)


def cmd_serve(
    args: argparse.Namespace, store: Store, out: TextIO, err: TextIO, stdin: TextIO
) -> int:
    import uvicorn

    from earshot_sync.collector.app import create_app

    configure_logging(args.log_level)
    if args.pair_device:
        # The token comes through a pipe: never an argument (visible in ps) or a file.
        token = stdin.readline().strip()
        if len(token) < 32:
            print("--pair-device needs a token of 32 or more characters on stdin.", file=err)
            return EXIT_USAGE
        store.pair_device(args.pair_device, token_hash(token), datetime.now(UTC))
    app = create_app(store, Limits(max_entries=args.max_entries, max_bytes=args.max_bytes))
    sock = _listen(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    # uvicorn's access log line has the client, method, path and status, never headers, so
    # the Authorization header (the token) is not logged.
    config = uvicorn.Config(
        app,
        log_level=args.log_level,
        access_log=not args.no_access_log,
        timeout_graceful_shutdown=10,
    )
    print(f"earshot-collector listening on http://{shown}:{port}", file=out, flush=True)
    server = uvicorn.Server(config)
    if args.pair_device:
        # The pairing pipe stays open as long as the app that started us runs. When it ends,
        # however it ends (a crash, kill -9), the pipe closes and so do we: no orphan collector.
        def stop_when_parent_goes() -> None:
            stdin.read()
            server.should_exit = True

        threading.Thread(target=stop_when_parent_goes, name="parent-watch", daemon=True).start()
    server.run(sockets=[sock])
    return EXIT_OK


def cmd_add_device(args: argparse.Namespace, store: Store, out: TextIO, err: TextIO) -> int:
    name = args.name.strip()
    if not name or len(name) > 200:
        print("A device name must be 1 to 200 characters.", file=err)
        return EXIT_FAILED
    token = new_token()
    try:
        store.add_device(name, token_hash(token), datetime.now(UTC))
    except DeviceExists:
        print(
            f"A device named {name!r} already exists. Pick another name "
            "(a revoked device keeps its name).",
            file=err,
        )
        return EXIT_FAILED
    print(token, file=out, flush=True)
    print(
        f"Device {name!r} added. The token above is shown only this once: put it into the "
        "device (earshot token set) now.",
        file=err,
    )
    return EXIT_OK


def cmd_revoke_device(args: argparse.Namespace, store: Store, out: TextIO, err: TextIO) -> int:
    if store.revoke_device(args.name, datetime.now(UTC)):
        print(f"Device {args.name!r} revoked: its token is no longer accepted.", file=out)
        return EXIT_OK
    print(f"There is no active device named {args.name!r} (see list-devices).", file=err)
    return EXIT_FAILED


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


def cmd_list_devices(args: argparse.Namespace, store: Store, out: TextIO) -> int:
    rows = [
        {
            "name": device.name,
            "created_at": _when(device.created_at),
            "last_contact_at": _when(device.last_contact_at),
            "clock_skew_seconds": device.clock_skew_seconds,
            "revoked_at": _when(device.revoked_at),
        }
        for device in store.devices()
    ]
    if args.json:
        json.dump(rows, out, indent=2)
        out.write("\n")
        return EXIT_OK
    if not rows:
        print("No devices yet. Add one with: earshot-collector add-device NAME", file=out)
        return EXIT_OK
    header = ("NAME", "CREATED", "LAST CONTACT", "CLOCK SKEW", "REVOKED")
    table = [header] + [
        (
            row["name"],
            row["created_at"] or "",
            row["last_contact_at"] or "never",
            "" if row["clock_skew_seconds"] is None else f"{row['clock_skew_seconds']:+.0f} s",
            row["revoked_at"] or "",
        )
        for row in rows
    ]
    widths = [max(len(str(line[column])) for line in table) for column in range(len(header))]
    for line in table:
        print(
            "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)),
            file=out,
        )
    return EXIT_OK


def _export_row(stored: StoredEntry) -> dict[str, Any]:
    # An entry from an older desktop has no "idea" or "anonymous": exported with the defaults.
    return wire_entry(stored.document, defaults=True) | {
        "device_name": stored.device_name,
        "received_at": stored.received_at.isoformat(),
    }


def write_export(entries: Iterable[StoredEntry], out: TextIO, export_format: str) -> int:
    # The same cell rules as the desktop's export, formula neutralisation included.
    from earshot_sync.spreadsheet import csv_cell

    count = 0
    if export_format == "csv":
        writer = csv.writer(out)
        writer.writerow(EXPORT_COLUMNS)
        for stored in entries:
            row = _export_row(stored)
            writer.writerow([csv_cell(row.get(column)) for column in EXPORT_COLUMNS])
            count += 1
    else:
        for stored in entries:
            out.write(json.dumps(_export_row(stored), ensure_ascii=False) + "\n")
            count += 1
    return count


class NoPassword(ValueError):
    pass


def read_password(stdin: TextIO, err: TextIO) -> str:
    """A new password: asked twice (not echoed) on a terminal, else one line of stdin. Never
    an argument: arguments are visible to every user of the machine (ps)."""
    if stdin.isatty():
        first = getpass.getpass("Password: ", stream=err)
        if getpass.getpass("Same password again: ", stream=err) != first:
            raise NoPassword("The two passwords differ; nothing was changed.")
        return first
    line = stdin.readline()
    if not line.strip():
        raise NoPassword(
            "No password on standard input: type it when asked (on a terminal), or pipe it "
            "as one line."
        )
    return line.rstrip("\r\n")


def cmd_add_viewer(
    args: argparse.Namespace, store: Store, out: TextIO, err: TextIO, stdin: TextIO
) -> int:
    accounts = Accounts(store)
    try:
        name = check_name(args.name)
        accounts.add_viewer(name, read_password(stdin, err), datetime.now(UTC))
    except (BadName, WeakPassword, NoPassword) as error:
        print(str(error), file=err)
        return EXIT_FAILED
    except ViewerExists:
        print(
            f"A viewer named {name!r} already exists, or one whose name differs only in "
            "capitals (see list-viewers; set-password gives a new password).",
            file=err,
        )
        return EXIT_FAILED
    print(f"Viewer {name!r} added: they can sign in to the collector's pages now.", file=out)
    return EXIT_OK


def cmd_set_password(
    args: argparse.Namespace, store: Store, out: TextIO, err: TextIO, stdin: TextIO
) -> int:
    accounts = Accounts(store)
    if not any(viewer.name == args.name.strip() for viewer in accounts.list_viewers()):
        print(f"There is no viewer named {args.name!r} (see list-viewers).", file=err)
        return EXIT_FAILED
    try:
        accounts.set_password(args.name, read_password(stdin, err), datetime.now(UTC))
    except (WeakPassword, NoPassword) as error:
        print(str(error), file=err)
        return EXIT_FAILED
    except UnknownViewer:
        print(f"There is no viewer named {args.name!r} (see list-viewers).", file=err)
        return EXIT_FAILED
    print(f"New password set for {args.name!r}; their open sessions were ended.", file=out)
    return EXIT_OK


def cmd_disable_viewer(args: argparse.Namespace, store: Store, out: TextIO, err: TextIO) -> int:
    if Accounts(store).disable_viewer(args.name, datetime.now(UTC)):
        print(f"Viewer {args.name!r} disabled: they can no longer sign in.", file=out)
        return EXIT_OK
    print(f"There is no active viewer named {args.name!r} (see list-viewers).", file=err)
    return EXIT_FAILED


def cmd_list_viewers(args: argparse.Namespace, store: Store, out: TextIO) -> int:
    rows = [
        {
            "name": viewer.name,
            "created_at": _when(viewer.created_at),
            "disabled_at": _when(viewer.disabled_at),
        }
        for viewer in Accounts(store).list_viewers()
    ]
    if args.json:
        json.dump(rows, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return EXIT_OK
    if not rows:
        print("No viewers yet. Add one with: earshot-collector add-viewer NAME", file=out)
        return EXIT_OK
    width = max(len("NAME"), *(len(row["name"] or "") for row in rows))
    print(f"{'NAME'.ljust(width)}  {'ADDED'.ljust(25)}  DISABLED", file=out)
    for row in rows:
        print(
            f"{str(row['name']).ljust(width)}  {(row['created_at'] or '').ljust(25)}  "
            f"{row['disabled_at'] or ''}",
            file=out,
        )
    return EXIT_OK


def cmd_export(args: argparse.Namespace, store: Store, out: TextIO, err: TextIO) -> int:
    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since)
        except ValueError:
            print(
                f"--since {args.since!r} is not an ISO-8601 time, e.g. 2026-11-01T00:00+01:00",
                file=err,
            )
            return EXIT_USAGE
        if since.tzinfo is None:
            print("--since needs a UTC offset, e.g. 2026-11-01T00:00+01:00 or ...Z", file=err)
            return EXIT_USAGE
    entries = store.current_entries(since=since, include_deleted=args.include_deleted)
    if args.output:
        with Path(args.output).open("w", encoding="utf-8", newline="") as target:
            count = write_export(entries, target, args.format)
    else:
        count = write_export(entries, out, args.format)
    print(f"Exported {count} entries.", file=err)
    return EXIT_OK


def cmd_digest(args: argparse.Namespace, store: Store, out: TextIO, err: TextIO) -> int:
    from earshot_sync.collector.digest import command as digest_command

    return digest_command.run(args, store, out, err)


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    environ = os.environ if env is None else env
    stdout = sys.stdout if out is None else out
    stderr = sys.stderr if err is None else err
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code else EXIT_OK
    try:
        store = Store.open(database_url(args, environ))
    except (SQLAlchemyError, ImportError, OSError, ValueError) as error:
        # The driver's message names host and port, never the URL (it may hold a password).
        print(
            f"Cannot open the collector's database: {type(error).__name__}: {_first_line(error)}",
            file=stderr,
        )
        return EXIT_FAILED
    try:
        if args.command == "serve":
            return cmd_serve(args, store, stdout, stderr, sys.stdin)
        if args.command == "add-device":
            return cmd_add_device(args, store, stdout, stderr)
        if args.command == "revoke-device":
            return cmd_revoke_device(args, store, stdout, stderr)
        if args.command == "list-devices":
            return cmd_list_devices(args, store, stdout)
        if args.command == "add-viewer":
            return cmd_add_viewer(
                args, store, stdout, stderr, sys.stdin if stdin is None else stdin
            )
        if args.command == "set-password":
            return cmd_set_password(
                args, store, stdout, stderr, sys.stdin if stdin is None else stdin
            )
        if args.command == "disable-viewer":
            return cmd_disable_viewer(args, store, stdout, stderr)
        if args.command == "list-viewers":
            return cmd_list_viewers(args, store, stdout)
        if args.command == "digest":
            return cmd_digest(args, store, stdout, stderr)
        return cmd_export(args, store, stdout, stderr)
    except OSError as error:
        print(f"earshot-collector: {error}", file=stderr)
        return EXIT_FAILED
    except SQLAlchemyError as error:  # the database went away mid-command
        print(f"The collector's database failed: {_first_line(error)}", file=stderr)
        return EXIT_FAILED
    finally:
        store.close()


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else ""


if __name__ == "__main__":
    sys.exit(main())
