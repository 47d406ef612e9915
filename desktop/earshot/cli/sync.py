"""``earshot sync``, ``earshot token`` and ``earshot config``: their arguments and dispatch.

Kept apart from :mod:`earshot.cli` so the sync commands grow without touching the others; the
work is in :mod:`earshot.cli.sync_work`, loaded only when one of these commands runs.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Mapping
from typing import TextIO

from earshot.core.profile import Profile


def _seconds(value: str) -> float:
    """A finite number of seconds above zero: float() also reads "nan", "inf" and "-1"."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise argparse.ArgumentTypeError(
            f"'{value}' is not a number of seconds above 0 (for example 30 or 0.5)"
        )
    return seconds


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sync = commands.add_parser("sync", help="send the waiting entries to the collector now")
    sync.add_argument(
        "--once", action="store_true", help="try once and stop (do not wait and retry)"
    )
    sync.add_argument(
        "--max-time",
        type=_seconds,
        metavar="SECONDS",
        help="stop retrying after this long (default: retry until everything is sent)",
    )
    sync.add_argument("-v", "--verbose", action="store_true", help="print each batch")
    sync.add_argument(
        "--retry-attention",
        action="store_true",
        help="give the entries that needed attention (refused by the collector) another try",
    )

    token = commands.add_parser("token", help="the device token in the system keyring")
    token_commands = token.add_subparsers(dest="keyring_action", metavar="ACTION", required=True)
    token_commands.add_parser("set", help="read the token from standard input and keep it")
    token_commands.add_parser("clear", help="forget the token")

    config = commands.add_parser("config", help="show or change settings")
    config_commands = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    config_set = config_commands.add_parser("set", help="change a setting")
    config_set.add_argument("name", choices=["endpoint", "allow_insecure_http"])
    config_set.add_argument("value", metavar="VALUE")
    config_commands.add_parser("show", help="print the settings")


NAMES = frozenset({"sync", "token", "config"})


def run(
    args: argparse.Namespace,
    profile: Profile,
    env: Mapping[str, str],
    out: TextIO,
    stdin: TextIO,
    err: TextIO,
) -> int:
    """Dispatch one of :data:`NAMES` (called by ``earshot.cli.main``)."""
    from earshot.cli import sync_work
    from earshot_sync.credentials import TokenStore

    if args.command == "sync":
        return sync_work.cmd_sync(args, profile, env, out, err)
    if args.command == "token":
        return sync_work.cmd_token(args, profile, stdin, out, err, TokenStore())
    return sync_work.cmd_config(args, profile, env, out, err, TokenStore())
