"""The transport: TLS against the OS trust store, proxies from the environment, no clear http."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from earshot.core.entry import SyncState
from earshot.core.journal import Journal
from earshot_sync.client import CollectorClient, Unreachable
from earshot_sync.credentials import Token
from earshot_sync.sender import Outcome, Sender
from earshot_sync.transport import EndpointProblem, check_endpoint, make_session
from tests.faultserver import INFO, FaultServer, fault_server
from tests.sync.conftest import fill, quick_backoff, states
from tests.system import require

SERVER_EXTENSIONS = (
    "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
    "basicConstraints=critical,CA:FALSE\n"
    "keyUsage=critical,digitalSignature,keyEncipherment\n"
    "extendedKeyUsage=serverAuth\n"
)


def _openssl(*args: str) -> None:
    subprocess.run(
        [require("openssl", "openssl"), *args], check=True, capture_output=True, timeout=60
    )


@pytest.fixture(scope="module")
def company_ca(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A company CA (as IT installs in the OS store) and a server certificate it signed."""
    root = tmp_path_factory.mktemp("pki")
    ca_key, ca, key, csr, cert = (
        root / name for name in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem")
    )
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-keyout", str(ca_key), "-out", str(ca), "-subj", "/CN=Earshot Test Company CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    _openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr),
        "-subj", "/CN=localhost",
    )  # fmt: skip
    extensions = root / "server.ext"
    extensions.write_text(SERVER_EXTENSIONS)
    _openssl(
        "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
        "-CAcreateserial", "-days", "2", "-out", str(cert), "-extfile", str(extensions),
    )  # fmt: skip
    return ca, cert, key


@pytest.fixture
def tls_server(company_ca: tuple[Path, Path, Path], token: str) -> Iterator[FaultServer]:
    _, cert, key = company_ca
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with fault_server(token=token, tls=context) as server:
        yield server


def test_a_certificate_the_os_does_not_trust_is_refused(
    tls_server: FaultServer, token: str
) -> None:
    client = CollectorClient(tls_server.url, Token(token), make_session(), timeout=(5, 5))

    with pytest.raises(Unreachable, match="certificate is not trusted by this PC"):
        client.info()


def test_the_company_ca_in_the_os_trust_store_is_trusted(
    tls_server: FaultServer,
    token: str,
    company_ca: tuple[Path, Path, Path],
    journal: Journal,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ca, _, _ = company_ca
    # OpenSSL's system store, as IT's installed CA bundle; certifi's bundle does not have it.
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    fill(journal, 3)

    client = CollectorClient(tls_server.url, Token(token), make_session(), timeout=(5, 5))
    result = Sender(journal, client, backoff=quick_backoff()).run(once=True)

    assert result.outcome is Outcome.DONE
    assert states(journal) == {SyncState.SENT: 3}
    # Plain requests (certifi) would not have trusted it: the OS store made the difference.
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(tls_server.url + INFO, timeout=5)


def test_proxies_come_from_the_environment(
    journal: Journal, server: FaultServer, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fault server plays the proxy and the collector: the host name exists nowhere else.
    monkeypatch.setenv("HTTP_PROXY", server.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    fill(journal, 2)
    endpoint = check_endpoint("http://collector.shop.invalid", allow_insecure_http=True)

    client = CollectorClient(endpoint, Token(token), make_session(), timeout=(5, 5))
    result = Sender(journal, client, backoff=quick_backoff()).run(once=True)

    assert result.outcome is Outcome.DONE
    assert states(journal) == {SyncState.SENT: 2}
    assert len(server.collector.stored) == 2


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080", "http://localhost:8080/collector/", "http://[::1]", "https://a.b"],
)
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    assert check_endpoint(url) == url.rstrip("/")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://collector.example.com", "not encrypted"),
        ("http://10.0.0.5:8000", "not encrypted"),
        ("", "empty"),
        ("collector.example.com", "not a web address"),
        ("https://", "not a web address"),
        ("https://example.com:99999999", "not a web address"),
        ("https://example.com/?x=1", "must not contain"),
        ("https://me:secret@example.com", "user name or password"),
    ],
)
def test_unusable_addresses_are_explained(url: str, message: str) -> None:
    with pytest.raises(EndpointProblem, match=message):
        check_endpoint(url)


def test_plain_http_elsewhere_only_when_allowed() -> None:
    assert (
        check_endpoint("http://collector.lan", allow_insecure_http=True) == "http://collector.lan"
    )
