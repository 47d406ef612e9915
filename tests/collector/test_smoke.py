"""The main flow against the real ``earshot-collector serve`` process, on SQLite and PostgreSQL."""

from __future__ import annotations

import requests

from earshot_sync.protocol import ENTRIES_PATH, INFO_PATH, decode_info, decode_results
from tests.collector.conftest import batch, make_entry
from tests.collector_server import Collector


def test_a_batch_is_stored_once_and_a_repeat_is_a_duplicate(collector: Collector) -> None:
    entries = [make_entry() for _ in range(3)]
    body = batch(*entries)
    first = requests.post(
        collector.url + ENTRIES_PATH, json=body, headers=collector.headers, timeout=30
    )
    assert first.status_code == 200
    assert [r.status for r in decode_results(first.content, entries)] == ["stored"] * 3
    again = requests.post(
        collector.url + ENTRIES_PATH, json=body, headers=collector.headers, timeout=30
    )
    assert [r.status for r in decode_results(again.content, entries)] == ["duplicate"] * 3
    assert collector.count() == 3
    assert {e["id"] for e in collector.entries()} == {e["id"] for e in entries}


def test_info_answers_limits_and_clock(collector: Collector) -> None:
    answer = requests.get(collector.url + INFO_PATH, headers=collector.headers, timeout=30)
    assert answer.status_code == 200
    info = decode_info(answer.content)
    assert info.protocol == 1
    assert info.max_entries == 500
