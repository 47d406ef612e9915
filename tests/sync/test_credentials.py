"""The device token in the real Secret Service (gnome-keyring), and nowhere it should not be."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.backends.chainer import ChainerBackend

from earshot_sync.credentials import NoKeyring, Token, TokenStore, resolve_token
from tests.keyring_session import KeyringSession

SHOP = "https://collector.shop.example"
OTHER = "https://collector.other.example"


def test_a_token_is_kept_per_collector_address(secret_service: KeyringSession) -> None:
    store = TokenStore(secret_service.backend())

    store.set(SHOP, Token("tok-shop-1"))
    store.set(OTHER, Token("tok-other-1"))
    store.set(SHOP, Token("tok-shop-2"))

    assert store.get(SHOP) == Token("tok-shop-2")
    assert store.get(OTHER) == Token("tok-other-1")
    assert store.clear(SHOP) is True
    assert store.get(SHOP) is None
    assert store.clear(SHOP) is False
    assert TokenStore(secret_service.backend()).get(OTHER) == Token("tok-other-1")


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_no_secure_keyring_is_said_plainly_and_nothing_is_stored(backend: object) -> None:
    store = TokenStore(backend)  # type: ignore[arg-type]

    with pytest.raises(NoKeyring, match="does not store the token in a file"):
        store.set(SHOP, Token("tok-nowhere"))
    with pytest.raises(NoKeyring):
        store.get(SHOP)


class _Chain(ChainerBackend):  # type: ignore[misc]
    """keyring's real chain, over the members given instead of the ones discovered.

    keyrings.alt (a plaintext file beside the Secret Service) is not installed here, and
    keyring's own insecure backends have too low a priority to be discovered into a chain.
    """

    def __init__(self, members: Sequence[KeyringBackend]) -> None:
        super().__init__()
        self._members = list(members)

    @property
    def backends(self) -> list[KeyringBackend]:
        return self._members


def test_a_chain_led_by_the_secret_service_keeps_the_token_there_and_ignores_the_rest(
    secret_service: KeyringSession,
) -> None:
    store = TokenStore(_Chain([secret_service.backend(), fail.Keyring(), null.Keyring()]))

    store.set(SHOP, Token("tok-chained"))

    assert store.get(SHOP) == Token("tok-chained")
    assert TokenStore(secret_service.backend()).get(SHOP) == Token("tok-chained")
    # A token the Secret Service lacks: the chain itself would go on to ask the fail backend,
    # which raises; the insecure members are never asked.
    assert store.get(OTHER) is None
    assert store.clear(SHOP) is True
    assert store.clear(SHOP) is False
    assert TokenStore(secret_service.backend()).get(SHOP) is None


@pytest.mark.parametrize(
    "first", [null.Keyring(), fail.Keyring(), None], ids=["null first", "fail first", "empty"]
)
def test_a_chain_not_led_by_a_secure_keyring_stores_nothing(
    secret_service: KeyringSession, first: KeyringBackend | None
) -> None:
    members = [] if first is None else [first, secret_service.backend()]
    store = TokenStore(_Chain(members))

    with pytest.raises(NoKeyring, match="does not store the token in a file"):
        store.set(SHOP, Token("tok-nowhere"))
    assert TokenStore(secret_service.backend()).get(SHOP) is None


def test_the_environment_overrides_the_keyring(secret_service: KeyringSession) -> None:
    store = TokenStore(secret_service.backend())
    store.set(SHOP, Token("tok-keyring"))

    assert resolve_token(SHOP, {"EARSHOT_TOKEN": "tok-env"}, store) == Token("tok-env")
    assert resolve_token(SHOP, {"EARSHOT_TOKEN": "  "}, store) == Token("tok-keyring")
    assert resolve_token(OTHER, {}, store) is None


def test_a_token_does_not_show_itself() -> None:
    token = Token("  tok-very-secret-123\n")

    assert token.reveal() == "tok-very-secret-123"
    for shown in (repr(token), str(token), f"{token}", f"{[token]}"):
        assert "tok-very-secret" not in shown


@pytest.mark.parametrize("value", ["", "   \n", "two words", "tab\there", "naïve"])
def test_a_token_that_cannot_travel_in_a_header_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="token") as raised:
        Token(value)
    assert value.strip() == "" or value not in str(raised.value)


def test_every_spelling_of_one_address_finds_the_same_token(
    secret_service: KeyringSession,
) -> None:
    store = TokenStore(secret_service.backend())

    store.set("HTTPS://Collector.Shop.Example:8443/api/", Token("tok-spelled"))

    assert store.get("https://collector.shop.example:8443/api") == Token("tok-spelled")
    assert store.get(" https://collector.shop.example:8443/api/ ") == Token("tok-spelled")
    assert store.get("https://collector.shop.example/api") is None  # another port
    assert store.get("http://collector.shop.example:8443/api") is None  # another scheme
