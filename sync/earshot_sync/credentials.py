"""The device token: in the OS keyring, one per collector address, never anywhere else.

The keyring entry is service ``earshot``, user name = the collector's address. A token is
issued by one collector; keying it by address means a changed endpoint never receives the
token made for another one. ``EARSHOT_TOKEN`` overrides the keyring for unattended use.

If the PC has no secure keyring (no Secret Service on a bare Linux box), :class:`NoKeyring`
says so; there is deliberately no fallback to a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend

SERVICE = "earshot"
ENV_TOKEN = "EARSHOT_TOKEN"  # noqa: S105 (the variable's name, not a secret)


class Token:
    """A device token that does not show itself in a repr, a log line or a traceback."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        cleaned = value.strip()
        if not cleaned:
            raise ValueError("a device token cannot be empty")
        if any(ord(char) < 0x21 or ord(char) > 0x7E for char in cleaned):
            # It travels in an HTTP header: printable ASCII only, no spaces.
            raise ValueError(
                "a device token is one word of letters, digits and signs; this one has spaces "
                "or other characters in it"
            )
        self._value = cleaned

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Token(<hidden>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class NoKeyring(RuntimeError):
    """No secure keyring can be used; the message says what to do."""


class CredentialsProblem(RuntimeError):
    """The keyring refused or failed (locked, cancelled); the message says so for a person."""


_NOT_SECURE = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


def secure_backend(backend: KeyringBackend) -> KeyringBackend:
    """The backend to keep the token in: ``backend`` if it is secure; else :class:`NoKeyring`.

    A chain of backends (keyring's default when several are installed, say the Secret Service
    and keyrings.alt's plaintext file) stores with its highest-priority member, and reads and
    deletes by asking every member in turn. So a chain is used only when that first member is
    secure, and then that member alone: an insecure member is never written to nor read from.
    """
    if isinstance(backend, ChainerBackend):
        members = list(backend.backends)
        if members:
            return secure_backend(members[0])
    elif not type(backend).__module__.startswith(_NOT_SECURE):
        return backend
    raise NoKeyring(
        "This PC has no secure keyring to keep the device token in (on Linux: the "
        "Secret Service, from GNOME Keyring or KWallet, in a logged-in desktop session). "
        "Earshot does not store the token in a file. Start a desktop session with a "
        f"keyring, or set {ENV_TOKEN} for unattended use."
    )


def keyring_user(endpoint: str) -> str:
    """The keyring's user name for ``endpoint``: the same for every spelling of one address.

    The settings window, ``earshot token set`` and the sender may each hold the address as typed
    ("HTTPS://Collector.example/") or tidied ("https://collector.example"); all find one token.
    """
    text = endpoint.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    if not parts.hostname:
        return text
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), "", ""))


class TokenStore:
    """The device tokens in the OS keyring; ``backend`` is handed in by tests."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend

    def _keyring(self) -> KeyringBackend:
        return secure_backend(self._backend or keyring.get_keyring())

    def get(self, endpoint: str) -> Token | None:
        try:
            value = self._keyring().get_password(SERVICE, keyring_user(endpoint))
        except keyring.errors.KeyringError as error:
            raise CredentialsProblem(_keyring_failed("read", error)) from None
        return Token(value) if value else None

    def set(self, endpoint: str, token: Token) -> None:
        try:
            self._keyring().set_password(SERVICE, keyring_user(endpoint), token.reveal())
        except keyring.errors.KeyringError as error:
            raise CredentialsProblem(_keyring_failed("save", error)) from None

    def clear(self, endpoint: str) -> bool:
        """Forget the token of ``endpoint``; False if there was none."""
        try:
            self._keyring().delete_password(SERVICE, keyring_user(endpoint))
        except keyring.errors.PasswordDeleteError:
            return False
        except keyring.errors.KeyringError as error:
            raise CredentialsProblem(_keyring_failed("delete", error)) from None
        return True


def _keyring_failed(action: str, error: Exception) -> str:
    # The error's own text comes from the keyring daemon and never holds the secret.
    kind = type(error).__name__
    return (
        f"The system keyring could not {action} the device token ({kind}). If the keyring is "
        "locked, unlock it (log in to the desktop again) and retry."
    )


def resolve_token(endpoint: str, env: Mapping[str, str], store: TokenStore) -> Token | None:
    """``EARSHOT_TOKEN`` if set, else the keyring's token for ``endpoint``."""
    override = env.get(ENV_TOKEN, "").strip()
    if override:
        return Token(override)
    return store.get(endpoint)
