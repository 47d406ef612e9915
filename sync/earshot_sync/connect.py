"""From a PC's settings to a ready :class:`~earshot_sync.client.CollectorClient`, or why not.

The app and ``earshot sync`` both start here, so both say the same thing when the collector's
address or the device token is missing.
"""

from __future__ import annotations

from collections.abc import Mapping

from earshot_sync.client import CollectorClient
from earshot_sync.credentials import (
    ENV_TOKEN,
    CredentialsProblem,
    NoKeyring,
    TokenStore,
    resolve_token,
)
from earshot_sync.transport import DEFAULT_TIMEOUT, EndpointProblem, check_endpoint, make_session


class NotReady(Exception):
    """Sending cannot start; the message says what a person should do."""


def connect(
    endpoint: str,
    *,
    allow_insecure_http: bool,
    env: Mapping[str, str],
    tokens: TokenStore,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
) -> CollectorClient:
    if not endpoint.strip():
        raise NotReady(
            "No collector address is set, so entries stay on this PC. Set it with: "
            "earshot config set endpoint https://your-collector.example"
        )
    try:
        address = check_endpoint(endpoint, allow_insecure_http=allow_insecure_http)
    except EndpointProblem as problem:
        raise NotReady(str(problem)) from None
    try:
        token = resolve_token(address, env, tokens)
    except ValueError as problem:  # a token with spaces in it
        raise NotReady(
            f"The device token (from {ENV_TOKEN} or the keyring) is not usable: {problem}. "
            "Set it again with: earshot token set"
        ) from None
    except (NoKeyring, CredentialsProblem) as problem:
        raise NotReady(str(problem)) from None
    if token is None:
        raise NotReady(
            f"No device token is set for {address}. Ask IT for this PC's token and set it "
            "with: earshot token set (it reads the token from standard input)"
        )
    return CollectorClient(address, token, make_session(), timeout)
