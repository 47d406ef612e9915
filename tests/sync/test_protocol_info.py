"""A collector's /info as the sender reads it: limits kept within reason, other versions refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from earshot_sync.protocol import (
    MAX_INFO_BYTES,
    MAX_INFO_ENTRIES,
    PROTOCOL_VERSION,
    NotOurAnswer,
    ProtocolMismatch,
    decode_info,
)


def info_body(**changes: Any) -> bytes:
    document = {
        "protocol": PROTOCOL_VERSION,
        "max_entries": 500,
        "max_bytes": 2 * 1024 * 1024,
        "server_time": "2026-11-23T12:00:00+00:00",
    }
    document.update(changes)
    return json.dumps(document).encode()


def test_a_usual_answer_is_read_as_it_is() -> None:
    info = decode_info(info_body())

    assert (info.protocol, info.max_entries, info.max_bytes) == (1, 500, 2 * 1024 * 1024)


def test_huge_limits_are_clamped() -> None:
    info = decode_info(info_body(max_entries=10**9, max_bytes=10**15))

    assert info.max_entries == MAX_INFO_ENTRIES == 1000
    assert info.max_bytes == MAX_INFO_BYTES == 8 * 1024 * 1024


def test_tiny_limits_are_raised_to_a_floor() -> None:
    info = decode_info(info_body(max_entries=-5, max_bytes=3))

    assert (info.max_entries, info.max_bytes) == (1, 1024)


@pytest.mark.parametrize(
    "body",
    [
        b'{"protocol": 1, "max_entries": Infinity, "max_bytes": 1024, '
        b'"server_time": "2026-11-23T12:00:00+00:00"}',
        b'{"protocol": 1, "max_entries": 10, "max_bytes": 1e999, '
        b'"server_time": "2026-11-23T12:00:00+00:00"}',
        info_body(server_time="0001-01-01T00:00:00+05:00"),
    ],
    ids=["infinite-entries", "infinite-bytes", "time-out-of-range"],
)
def test_an_answer_out_of_range_is_not_ours(body: bytes) -> None:
    with pytest.raises(NotOurAnswer):
        decode_info(body)


@pytest.mark.parametrize("version", [0, 2, 17])
def test_another_protocol_version_is_refused_with_a_plain_message(version: int) -> None:
    with pytest.raises(ProtocolMismatch) as refused:
        decode_info(info_body(protocol=version))

    message = str(refused.value)
    assert f"version {version} of the sync protocol" in message
    assert f"this app speaks version {PROTOCOL_VERSION}" in message
    assert "Ask IT" in message
    assert not isinstance(refused.value, NotOurAnswer)  # not a "sign-in page" message
