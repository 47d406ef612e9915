"""How big a request to the pages may be: the real collector over loopback refuses files and
big bodies before any route reads them; the device API keeps its own, larger limit."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import requests

from tests.browser import site
from tests.collector.web.conftest import LONG_TEXT, Site
from tests.collector.web.html import text

LIMIT = 64 * 1024


def _status_and_page(raw: bytes) -> tuple[int, str]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body.decode("utf-8", "replace")


def test_a_big_file_part_is_refused_before_it_is_read(shared: Site) -> None:
    parts = urlsplit(shared.url)
    boundary = "earshot-test-boundary"
    start = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="name"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    declared = 30 * 1024 * 1024
    head = (
        f"POST /sign-in HTTP/1.1\r\nHost: {parts.netloc}\r\nOrigin: {shared.url}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    ).encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as connection:
        # Only the start of the 30 MB is sent: the answer must come without the rest.
        connection.sendall(head + start + b"x" * 65536)
        raw = b""
        while b"</html>" not in raw:
            chunk = connection.recv(65536)
            if not chunk:
                break
            raw += chunk
    status, page = _status_and_page(raw)
    assert status == 415
    assert "The pages of this site take no files." in text(page)


def test_a_small_file_part_is_refused_too(shared: Site) -> None:
    answer = requests.post(
        shared.url + "/sign-in",
        files={"name": ("name.txt", b"Dana")},
        headers={"Origin": shared.url},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 415
    assert "take no files" in text(answer.text)
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_a_form_bigger_than_any_form_is_refused(shared: Site) -> None:
    answer = requests.post(
        shared.url + "/sign-in",
        data={"name": "n" * (LIMIT + 1), "password": "whatever-password"},
        headers={"Origin": shared.url},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 413
    assert "bigger than any form of this site can be" in text(answer.text)


def test_a_streamed_body_without_a_length_is_counted(shared: Site) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"name=Dana&password="
        for _ in range(8):
            yield b"p" * 16384  # 128 KiB in all, sent chunked: no Content-Length

    answer = requests.post(
        shared.url + "/sign-in",
        data=chunks(),
        headers={"Origin": shared.url, "Content-Type": "application/x-www-form-urlencoded"},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 413
    assert "bigger than any form" in text(answer.text)


def test_a_form_of_ordinary_size_still_works(shared: Site) -> None:
    session = site.signed_in(shared.collector)
    assert session.get(shared.url + "/", allow_redirects=False, timeout=30).status_code == 200


def test_the_device_api_keeps_its_own_larger_limit(shared: Site) -> None:
    before = shared.collector.count()
    # About 100 KB of JSON in one batch: more than a page's form may be.
    batch = [site.entry(text=LONG_TEXT) for _ in range(10)]
    site.post_entries(shared.collector, batch)
    assert shared.collector.count() == before + 10
