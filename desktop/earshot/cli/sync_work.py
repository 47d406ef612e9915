"""What ``earshot sync``, ``earshot token`` and ``earshot config`` do.

Their arguments are parsed in :mod:`earshot.cli.sync`.

Imported only when one of them runs: requests, keyring and truststore cost ~170 ms to load,
which ``earshot add`` should not pay.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import logging
import time
from collections.abc import Mapping
from typing import TextIO

from earshot.core.entry import SyncState
from earshot.core.profile import Profile
from earshot.core.settings import SettingsProblem, to_document
from earshot_sync.connect import NotReady, connect
from earshot_sync.credentials import (
    ENV_TOKEN,
    CredentialsProblem,
    NoKeyring,
    Token,
    TokenStore,
)
from earshot_sync.sender import Outcome, Sender, SenderHooks, SenderState
from earshot_sync.sender_lock import SenderBusy, SenderLock
from earshot_sync.transport import EndpointProblem, check_endpoint

EXIT_OK, EXIT_FAILED = 0, 1


class PrintHooks(SenderHooks):
    """Says what happens, in plain words, one line per change."""

    def __init__(self, out: TextIO, err: TextIO, verbose: bool) -> None:
        self._out, self._err, self._verbose = out, err, verbose

    def state_changed(self, state: SenderState, message: str) -> None:
        print(message, file=self._err if state is SenderState.NEEDS_ATTENTION else self._out)

    def batch_done(self, acknowledged: int, attention: int, waiting: int) -> None:
        if self._verbose or attention:
            extra = f", {attention} need attention" if attention else ""
            print(f"Sent {acknowledged}{extra}; {waiting} still waiting.", file=self._out)

    def warning(self, message: str) -> None:
        print(f"Warning: {message}", file=self._err)


def cmd_sync(
    args: argparse.Namespace, profile: Profile, env: Mapping[str, str], out: TextIO, err: TextIO
) -> int:
    preferences = profile.preferences()
    try:
        client = connect(
            preferences.endpoint,
            allow_insecure_http=preferences.allow_insecure_http,
            env=env,
            tokens=TokenStore(),
        )
    except NotReady as problem:
        print(f"earshot: {problem}", file=err)
        return EXIT_FAILED
    # The hooks speak on the command line; the sender's log lines are for the app's log file.
    logging.getLogger("earshot_sync").addHandler(logging.NullHandler())
    journal = profile.open_journal()
    lock = SenderLock(journal.path)
    try:
        lock.acquire()
    except SenderBusy as busy:
        journal.close()
        print(f"earshot: {busy}", file=err)
        return EXIT_FAILED
    try:
        if args.retry_attention:
            again = journal.requeue_attention()
            noun = "entry" if again == 1 else "entries"
            print(f"{again} {noun} that needed attention will be tried again.", file=out)
        sender = Sender(journal, client, PrintHooks(out, err, args.verbose))
        deadline = None if args.max_time is None else time.monotonic() + args.max_time
        try:
            result = sender.run(once=args.once, deadline=deadline)
        except KeyboardInterrupt:
            journal.release_sending()
            print("Stopped.", file=err)
            result = None
        counts = journal.status()
    finally:
        lock.release()
        journal.close()
    waiting = counts[SyncState.QUEUED] + counts[SyncState.SENDING]
    attention = counts[SyncState.NEEDS_ATTENTION]
    sent_now = result.acknowledged if result else 0
    print(f"Sent {sent_now} entries now; {waiting} still waiting.", file=out)
    if attention:
        print(
            f"{attention} entries need attention (see 'earshot status'); they are kept on this PC.",
            file=err,
        )
    if result is not None and result.outcome is Outcome.TOKEN_REFUSED:
        return EXIT_FAILED
    return EXIT_OK if waiting == 0 else EXIT_FAILED


def _endpoint(profile: Profile, err: TextIO) -> str | None:
    preferences = profile.preferences()
    if not preferences.endpoint:
        print(
            "earshot: Set the collector's address first, as the token belongs to it: "
            "earshot config set endpoint https://your-collector.example",
            file=err,
        )
        return None
    try:
        return check_endpoint(
            preferences.endpoint, allow_insecure_http=preferences.allow_insecure_http
        )
    except EndpointProblem as problem:
        print(f"earshot: {problem}", file=err)
        return None


def _read_token(stdin: TextIO) -> str:
    if stdin.isatty():
        return getpass.getpass("Device token (not shown): ")
    return stdin.readline()


def cmd_token(
    args: argparse.Namespace,
    profile: Profile,
    stdin: TextIO,
    out: TextIO,
    err: TextIO,
    tokens: TokenStore,
) -> int:
    endpoint = _endpoint(profile, err)
    if endpoint is None:
        return EXIT_FAILED
    try:
        if args.keyring_action == "set":
            try:
                token = Token(_read_token(stdin))
            except ValueError as problem:
                print(f"earshot: The device token was not saved: {problem}.", file=err)
                return EXIT_FAILED
            tokens.set(endpoint, token)
            print(f"The device token for {endpoint} is saved in the system keyring.", file=out)
            _requeue_after_new_token(profile, out)
        elif tokens.clear(endpoint):
            print(f"The device token for {endpoint} is removed from the keyring.", file=out)
        else:
            print(f"There was no device token for {endpoint} in the keyring.", file=out)
    except (NoKeyring, CredentialsProblem) as problem:
        print(f"earshot: {problem}", file=err)
        return EXIT_FAILED
    return EXIT_OK


def _requeue_after_new_token(profile: Profile, out: TextIO) -> None:
    # Entries are never parked because of a refused token (they stay queued), so there is
    # nothing to requeue; the next sync simply tries with the new token.
    journal = profile.open_journal()
    try:
        waiting = journal.waiting()
    finally:
        journal.close()
    if waiting:
        print(f"{waiting} entries are waiting; run 'earshot sync' to send them now.", file=out)


_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def cmd_config(
    args: argparse.Namespace,
    profile: Profile,
    env: Mapping[str, str],
    out: TextIO,
    err: TextIO,
    tokens: TokenStore,
) -> int:
    preferences = profile.preferences()
    if args.config_command == "show":
        for name, shown in to_document(preferences).items():
            print(f"{name} = {json.dumps(shown, ensure_ascii=False)}", file=out)
        print(f"device token = {_token_status(preferences.endpoint, env, tokens)}", file=out)
        return EXIT_OK
    value: str | bool
    if args.name == "endpoint":
        try:
            value = check_endpoint(args.value, allow_insecure_http=preferences.allow_insecure_http)
        except EndpointProblem as problem:
            print(f"earshot: {problem}", file=err)
            return EXIT_FAILED
        changed = dataclasses.replace(preferences, endpoint=value)
    else:
        word = args.value.strip().lower()
        if word not in _TRUE + _FALSE:
            print(f"earshot: {args.name} must be true or false, not {args.value!r}.", file=err)
            return EXIT_FAILED
        value = word in _TRUE
        changed = dataclasses.replace(preferences, allow_insecure_http=value)
    try:
        profile.settings.save(changed)
    except SettingsProblem as problem:
        print(f"earshot: {problem}", file=err)
        return EXIT_FAILED
    print(f"{args.name} is now {value}.", file=out)
    return EXIT_OK


def _token_status(endpoint: str, env: Mapping[str, str], tokens: TokenStore) -> str:
    if env.get(ENV_TOKEN, "").strip():
        return f"set by {ENV_TOKEN} (it overrides the keyring)"
    if not endpoint:
        return "not set (no collector address)"
    try:
        found = tokens.get(endpoint)
    except (NoKeyring, CredentialsProblem) as problem:
        return f"unknown ({problem})"
    return "set in the system keyring" if found else "not set"
