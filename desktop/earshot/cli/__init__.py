"""The command line: the same core as the app, no display needed.

``earshot`` starts the app; the subcommands are for IT, scripts and tests. Exit codes:
0 done, 1 the work could not be done (the message says why), 2 the command was mistyped.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from earshot import __version__
from earshot.cli import sync
from earshot.core.entry import EntryInput, EntryInvalid, Kind, Sentiment, SyncState
from earshot.core.export import ExportFormat, write
from earshot.core.journal import EntryQuery, JournalError
from earshot.core.profile import Profile
from earshot.extras import require_desktop_extra

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="earshot", description="Log what customers say, offline first."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="where the journal and settings live (default: $EARSHOT_HOME, else the user's "
        "data folder)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that this installation works (Qt, journal, keyring, TLS) and exit: 0 if so",
    )
    parser.add_argument(
        "--collector",
        metavar="URL",
        help="with --self-test: also ask this collector for its protocol info, with the device "
        "token from $EARSHOT_TOKEN",
    )
    # The self-test's Qt check runs in a child process, as a platform plugin that cannot load
    # aborts the process.
    parser.add_argument("--self-test-qt", metavar="PLATFORM", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    add = commands.add_parser("add", help="save an entry and print its id")
    add.add_argument("text", metavar="TEXT", help="what the customer said ('-' reads stdin)")
    add.add_argument("--kind", choices=[k.value for k in Kind], default=Kind.OTHER.value)
    add.add_argument("--station", help="where it was heard (default: the PC's default station)")
    who = add.add_mutually_exclusive_group()
    who.add_argument("--staff", help="who logged it")
    who.add_argument(
        "--anonymous",
        action="store_true",
        help="don't record a name: the entry carries no staff name anywhere",
    )
    add.add_argument("--sentiment", choices=[s.value for s in Sentiment])
    add.add_argument("--tag", action="append", default=[], help="a tag (repeat for more)")
    add.add_argument("--follow-up", action="store_true", help="the customer wants a call-back")
    add.add_argument("--contact", help="how to reach the customer")
    add.add_argument("--idea", metavar="TEXT", help="your idea: what the company could do about it")

    status = commands.add_parser("status", help="how many entries are in each sync state")
    status.add_argument("--json", action="store_true", help="print JSON for scripts")

    export = commands.add_parser("export", help="write the entries as CSV or JSON Lines")
    export.add_argument("--format", choices=[f.value for f in ExportFormat], required=True)
    export.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    export.add_argument("--include-deleted", action="store_true")
    commands.add_parser(
        "capture",
        help="open the quick-entry window of the running app (starting it if none runs); "
        "bind this to a key on desktops without global hotkeys (Wayland)",
    )
    sync.add_parsers(commands)
    return parser


def _read_text(value: str, stdin: TextIO) -> str:
    return stdin.read() if value == "-" else value


def cmd_add(args: argparse.Namespace, profile: Profile, out: TextIO, stdin: TextIO) -> int:
    preferences = profile.preferences()
    data = EntryInput(
        text=_read_text(args.text, stdin),
        kind=args.kind,
        station=args.station or preferences.default_station,
        staff=args.staff,
        sentiment=args.sentiment,
        tags=args.tag,
        contact=args.contact,
        follow_up=args.follow_up,
        idea=args.idea,
        anonymous=args.anonymous,
    )
    journal = profile.open_journal()
    try:
        entry = journal.record(data, site=preferences.site, stations=preferences.stations)
    finally:
        journal.close()
    print(entry.id, file=out)
    return EXIT_OK


def cmd_status(args: argparse.Namespace, profile: Profile, out: TextIO, _stdin: TextIO) -> int:
    journal = profile.open_journal()
    try:
        counts = journal.status()
    finally:
        journal.close()
    if args.json:
        print(json.dumps({state.value: counts[state] for state in SyncState}), file=out)
    else:
        labels = {
            SyncState.QUEUED: "waiting to be sent",
            SyncState.SENDING: "being sent",
            SyncState.SENT: "sent",
            SyncState.NEEDS_ATTENTION: "need attention",
        }
        for state in SyncState:
            print(f"{counts[state]:>8}  {labels[state]}", file=out)
    return EXIT_OK


def cmd_export(args: argparse.Namespace, profile: Profile, out: TextIO, _stdin: TextIO) -> int:
    export_format = ExportFormat(args.format)
    query = EntryQuery(include_deleted=args.include_deleted)
    journal = profile.open_journal()
    try:
        if args.output is None:
            write(journal.iter_entries(query), out, export_format)
            return EXIT_OK
        target = Path(args.output)
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
        try:
            # newline="" lets the csv module write its own line endings (RFC 4180).
            with temporary.open("w", encoding="utf-8", newline="") as file:
                count = write(journal.iter_entries(query), file, export_format)
            temporary.replace(target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    finally:
        journal.close()
    print(f"Wrote {count} entries to {target}.", file=sys.stderr)
    return EXIT_OK


Command = Callable[[argparse.Namespace, Profile, TextIO, TextIO], int]
COMMANDS: dict[str, Command] = {"add": cmd_add, "status": cmd_status, "export": cmd_export}


def main(
    argv: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    env = os.environ if env is None else env
    args = build_parser().parse_args(argv)
    if args.collector is not None and not args.self_test:
        build_parser().error("--collector goes with --self-test")
    if args.self_test and (args.command is not None or args.data_dir is not None):
        # The self-test uses a temporary journal of its own and runs nothing else: a command or
        # a data folder with it would be silently ignored, which misleads whoever typed it.
        build_parser().error(
            "--self-test runs on its own: leave out the command and --data-dir "
            "(it never touches a journal of yours)"
        )
    if args.self_test_qt or args.self_test:
        require_desktop_extra("earshot --self-test")
        from earshot.cli import selftest

        if args.self_test_qt:
            return selftest.qt_child(args.self_test_qt, out or sys.stdout)
        return selftest.run(args.collector, env, out or sys.stdout)
    profile = Profile.resolve(args.data_dir, env)
    if args.command in (None, "capture"):
        # Qt is loaded for the app only; the subcommands run without it. A running app of this
        # profile is asked to show its quick entry instead of a second app starting.
        require_desktop_extra(f"earshot {args.command}" if args.command else "the desktop app")
        from earshot.gui.services.single_instance import forward_to_running

        if forward_to_running(profile.data_dir.root, args.command or "show"):
            return EXIT_OK
        from earshot.gui.main import run_app

        return int(run_app(profile, env))
    err = sys.stderr
    profile.preferences()  # reads the settings once, so that their problems are reported
    for problem in profile.settings.problems:
        print(f"earshot: {problem}", file=err)
    try:
        if args.command in sync.NAMES:
            require_desktop_extra(f"earshot {args.command}")  # the keyring and HTTP
            return sync.run(args, profile, env, out or sys.stdout, stdin or sys.stdin, err)
        return COMMANDS[args.command](args, profile, out or sys.stdout, stdin or sys.stdin)
    except EntryInvalid as invalid:
        for problem in invalid.problems:
            print(f"earshot: {problem}", file=err)
        return EXIT_FAILED
    except JournalError as error:
        print(f"earshot: {error}", file=err)
        return EXIT_FAILED
    except OSError as error:
        print(f"earshot: {error.strerror or error} ({error.filename or ''})", file=err)
        return EXIT_FAILED
