"""The HTTP session the sender uses: TLS checked against the OS trust store, proxies, timeouts.

Shop floors sit behind corporate proxies that re-sign TLS with the company's own CA, which IT
installs in the operating system's trust store, not in certifi's bundle; ``truststore`` makes
Python verify against that store (Windows, macOS and the Linux CA files) through an
``ssl.SSLContext`` we hand to urllib3 here, without patching the ``ssl`` module for the whole
process. Proxies come from the environment (``HTTPS_PROXY``, ``NO_PROXY``), as requests does
with ``trust_env``. A plain ``http://`` address would send the device token in clear, so it is
refused unless it is loopback or IT allowed it explicitly.
"""

from __future__ import annotations

import ipaddress
import ssl
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import truststore
from requests.adapters import HTTPAdapter

# (connect, read) seconds: every request has both, so a dead link never hangs the sender.
DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 60.0)


class EndpointProblem(ValueError):
    """The collector's address cannot be used; the message says why, for a person."""


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_endpoint(url: str, *, allow_insecure_http: bool = False) -> str:
    """The collector's base address, tidied (no trailing slash); :class:`EndpointProblem` if not.

    ``https://`` is always fine; ``http://`` only on this PC (loopback) or when allowed.
    """
    text = url.strip()
    if not text:
        raise EndpointProblem("The collector's address is empty.")
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        raise EndpointProblem(
            f"{text!r} is not a web address. It should look like https://feedback.example.com"
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise EndpointProblem(
            f"{text!r} is not a web address. It should look like https://feedback.example.com"
        )
    if parts.username or parts.password:
        raise EndpointProblem(
            "The collector's address must not contain a user name or password; "
            "the device token is set with: earshot token set"
        )
    if parts.query or parts.fragment:
        raise EndpointProblem("The collector's address must not contain '?' or '#'.")
    if scheme == "http" and not (allow_insecure_http or _is_loopback(parts.hostname)):
        raise EndpointProblem(
            f"{text!r} is not encrypted (http://), so the device token and the feedback could "
            "be read on the way. Use the https:// address of the collector, or ask IT to set "
            "allow_insecure_http if this network really has no TLS."
        )
    netloc = parts.netloc.rsplit("@", 1)[-1]
    del port
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


class TrustStoreAdapter(HTTPAdapter):
    """An adapter whose TLS connections (direct or through a proxy) verify with the OS store."""

    def __init__(self, ssl_context: ssl.SSLContext, **kwargs: Any) -> None:
        self._ssl_context = ssl_context
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._ssl_context
        super().init_poolmanager(*args, **kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        proxy_kwargs["ssl_context"] = self._ssl_context
        return super().proxy_manager_for(proxy, **proxy_kwargs)

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        super().cert_verify(conn, url, verify, cert)
        if verify is True:
            # requests points every verified connection at certifi's bundle, which urllib3
            # would load into our context on top of the OS store; the OS store alone decides.
            conn.ca_certs = None
            conn.ca_cert_dir = None


def os_trust_context() -> ssl.SSLContext:
    """A client TLS context that verifies against the operating system's trust store."""
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def make_session(ssl_context: ssl.SSLContext | None = None) -> requests.Session:
    """A session for the collector: OS trust store for https, environment proxies, no retries.

    Retrying is the sender's job (it knows Retry-After and never gives up), so urllib3's own
    retries are off: one request is one attempt.
    """
    session = requests.Session()
    session.trust_env = True
    context = ssl_context or os_trust_context()
    session.mount("https://", TrustStoreAdapter(context, max_retries=0))
    session.mount("http://", HTTPAdapter(max_retries=0))
    session.headers["User-Agent"] = "earshot-sender"
    return session
