"""Whole-request answers of the real collector: 400, 401, 413, 415, and nothing to read back."""

from __future__ import annotations

import gzip
import json
import socket
import zlib
from pathlib import Path
from typing import Any

import pytest
import requests

from earshot_sync.protocol import ENTRIES_PATH, INFO_PATH, OPENAPI_PATH, decode_results
from tests.collector.conftest import batch, make_entry
from tests.collector_server import Collector, running_collector

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def database(tmp_path: Path) -> str:
    """SQLite only: these answers come before the store; test_ingest covers both stores."""
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


def post_body(collector: Collector, body: bytes, headers: dict[str, str] | None = None) -> Any:
    return requests.post(
        collector.url + ENTRIES_PATH,
        data=body,
        headers=collector.headers | JSON | (headers or {}),
        timeout=60,
    )


def still_works(collector: Collector) -> None:
    entry = make_entry()
    answer = requests.post(
        collector.url + ENTRIES_PATH, json=batch(entry), headers=collector.headers, timeout=60
    )
    assert answer.status_code == 200
    assert decode_results(answer.content, [entry])[0].status == "stored"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"this is not json", "not JSON"),
        (b"\xff\xfe garbage bytes", "not JSON"),
        (b"", "not JSON"),
        (b"[1, 2, 3]", "must be a JSON object"),
        (b'{"entries": "no"}', "'entries' must be a list"),
        (b'{"entries": []}', "'sent_at'"),
        (b'{"entries": [], "sent_at": "2026-11-23T10:00:00"}', "'sent_at'"),
        (b'{"entries": [], "sent_at": "0001-01-01T00:00:00+05:00"}', "'sent_at'"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"sent_at": "2026-11-23T10:00:00Z", "entries": ' + b"[" * 50_000, "nested too deeply"),
    ],
    ids=[
        "text",
        "bytes",
        "empty",
        "array",
        "entries-string",
        "no-sent-at",
        "naive-sent-at",
        "sent-at-before-year-1-in-utc",
        "deep-array",
        "deep-inside",
    ],
)
def test_a_body_that_is_not_a_batch_is_400_with_a_reason(
    collector: Collector, body: bytes, says: str
) -> None:
    answer = post_body(collector, body)
    assert answer.status_code == 400
    assert says in answer.json()["detail"]
    assert collector.count() == 0
    still_works(collector)


def test_a_broken_gzip_stream_is_400(collector: Collector) -> None:
    zipped = gzip.compress(json.dumps(batch(make_entry())).encode())
    answer = post_body(collector, zipped[: len(zipped) // 2], {"Content-Encoding": "gzip"})
    assert answer.status_code == 400
    assert "gzip" in answer.json()["detail"]
    answer = post_body(collector, b"not gzip at all", {"Content-Encoding": "gzip"})
    assert answer.status_code == 400
    assert collector.count() == 0


def test_an_unknown_content_encoding_is_415(collector: Collector) -> None:
    answer = post_body(collector, json.dumps(batch()).encode(), {"Content-Encoding": "br"})
    assert answer.status_code == 415
    assert "gzip" in answer.json()["detail"]


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "not-even-a-scheme"],
)
def test_no_or_unknown_token_is_401_and_nothing_is_stored(
    collector: Collector, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    entry = make_entry()
    for method, path in (("POST", ENTRIES_PATH), ("GET", INFO_PATH)):
        answer = requests.request(
            method, collector.url + path, json=batch(entry), headers=headers, timeout=60
        )
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"] == "Bearer"
        assert answer.json()["detail"]
    assert collector.count() == 0


def test_a_revoked_token_is_refused_at_once_and_others_still_work(collector: Collector) -> None:
    other = collector.add_device("second-till")
    still_works(collector)
    collector.revoke_device("test-device")
    answer = requests.post(
        collector.url + ENTRIES_PATH,
        json=batch(make_entry()),
        headers=collector.headers,
        timeout=60,
    )
    assert answer.status_code == 401
    assert "revoked" in answer.json()["detail"]
    assert (
        requests.get(collector.url + INFO_PATH, headers=collector.headers, timeout=60).status_code
        == 401
    )
    answer = requests.get(
        collector.url + INFO_PATH, headers={"Authorization": f"Bearer {other}"}, timeout=60
    )
    assert answer.status_code == 200
    assert collector.count() == 1


def test_too_many_entries_is_413_and_nothing_is_stored(tmp_path: Path) -> None:
    with running_collector(tmp_path / "c", max_entries=5) as collector:
        info = requests.get(collector.url + INFO_PATH, headers=collector.headers, timeout=60)
        assert info.json()["max_entries"] == 5
        entries = [make_entry() for _ in range(6)]
        answer = requests.post(
            collector.url + ENTRIES_PATH,
            json=batch(*entries),
            headers=collector.headers,
            timeout=60,
        )
        assert answer.status_code == 413
        assert "at most 5" in answer.json()["detail"]
        answer = requests.post(
            collector.url + ENTRIES_PATH,
            json=batch(*entries[:5]),
            headers=collector.headers,
            timeout=60,
        )
        assert answer.status_code == 200
        assert collector.count() == 5


def test_too_many_bytes_is_413_whether_declared_or_chunked(tmp_path: Path) -> None:
    # A body well past what the server reads in one go (64 KiB), but within what it drains:
    # answering 413 while the client still sends would reach the client as a reset instead.
    with running_collector(tmp_path / "c", max_bytes=300_000) as collector:
        entries = [make_entry(text="y" * 9_000) for _ in range(90)]
        body = json.dumps(batch(*entries)).encode()
        assert 3 * 300_000 > len(body) > 2 * 300_000
        answer = post_body(collector, body)  # with Content-Length
        assert answer.status_code == 413
        assert "300000 bytes" in answer.json()["detail"]

        def chunked() -> Any:
            for start in range(0, len(body), 4096):
                yield body[start : start + 4096]

        answer = post_body(collector, chunked())  # type: ignore[arg-type]
        assert answer.status_code == 413
        assert collector.count() == 0
        still_works(collector)


def test_a_huge_declared_length_is_413_before_any_body_is_sent(collector: Collector) -> None:
    request = (
        f"POST {ENTRIES_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {collector.token}\r\nContent-Type: application/json\r\n"
        "Content-Length: 100000000000\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", collector.port), timeout=30) as connection:
        connection.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(4096)
            assert chunk, f"closed without an answer: {answer!r}"
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413 ")


def _peak_memory_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1])


def test_a_gzip_bomb_is_413_without_the_memory_to_unpack_it(collector: Collector) -> None:
    # 1 GiB of zeros gzips to about 1 MiB: under the 2 MiB limit as sent, far over it unpacked.
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    bomb = b"".join(packer.compress(zeros) for _ in range(1024)) + packer.flush()
    assert len(bomb) < 2 * 1024 * 1024
    answer = post_body(collector, bomb, {"Content-Encoding": "gzip"})
    assert answer.status_code == 413
    assert "after gunzip" in answer.json()["detail"]
    assert collector.process is not None
    assert _peak_memory_kib(collector.process.pid) < 400 * 1024  # far below the 1 GiB inside
    still_works(collector)


def test_a_device_cannot_read_anything_back(collector: Collector) -> None:
    entry = make_entry()
    still_works(collector)
    requests.post(
        collector.url + ENTRIES_PATH, json=batch(entry), headers=collector.headers, timeout=60
    )
    for path in (
        ENTRIES_PATH,
        f"{ENTRIES_PATH}/{entry['id']}",
        "/api/v1/devices",
        "/api/v1/export",
    ):
        answer = requests.get(collector.url + path, headers=collector.headers, timeout=60)
        assert answer.status_code in (404, 405), path
        assert entry["text"] not in answer.text
    document = requests.get(collector.url + OPENAPI_PATH, timeout=60).json()
    assert set(document["paths"]) == {ENTRIES_PATH, INFO_PATH}
    assert list(document["paths"][ENTRIES_PATH]) == ["post"]
    assert list(document["paths"][INFO_PATH]) == ["get"]


def test_the_openapi_document_describes_the_batch(collector: Collector) -> None:
    document = requests.get(collector.url + OPENAPI_PATH, timeout=60).json()
    body = document["paths"][ENTRIES_PATH]["post"]["requestBody"]
    assert (
        body["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/BatchModel"
    )
    schemas = document["components"]["schemas"]
    assert set(schemas["WireEntry"]["required"]) >= {"id", "revision", "text", "deleted"}
    assert {"400", "401", "413", "415", "503"} <= set(
        document["paths"][ENTRIES_PATH]["post"]["responses"]
    )


def test_the_token_never_reaches_the_log(tmp_path: Path) -> None:
    # With uvicorn's access log on, as a deployment would run it.
    with running_collector(tmp_path / "c", serve_args=["--log-level", "debug"]) as collector:
        collector.serve_args.remove("--no-access-log")
        collector.restart()
        wrong = "Bearer wrong-" + collector.token[::-1]
        still_works(collector)
        requests.get(collector.url + INFO_PATH, headers={"Authorization": wrong}, timeout=60)
        post_body(collector, b"not json")
        log = collector.log()
    assert "POST /api/v1/entries" in log  # the access log did run
    assert collector.token not in log
    assert wrong.split()[1] not in log


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
def test_a_body_of_exactly_max_bytes_is_taken_and_one_more_is_413(
    tmp_path: Path, gzipped: bool
) -> None:
    limit = 50_000
    with running_collector(tmp_path / "c", max_bytes=limit) as collector:
        for extra, expected in ((0, 200), (1, 413)):
            document = json.dumps(batch(make_entry())).encode()
            body = document[:-1] + b" " * (limit + extra - len(document)) + b"}"
            assert len(body) == limit + extra
            headers = {}
            if gzipped:
                body = gzip.compress(body)
                headers = {"Content-Encoding": "gzip"}
            answer = post_body(collector, body, headers)
            assert answer.status_code == expected, answer.text
        assert collector.count() == 1
