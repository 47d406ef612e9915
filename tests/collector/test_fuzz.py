"""Random JSON in every field of an entry, posted to the real collector: never a 5xx.

A bad entry must get its own ``rejected`` result; an answer of 500 would fail the whole batch,
and the sender would send that batch again forever.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from earshot_sync.protocol import ENTRIES_PATH, WIRE_FIELDS
from tests.collector.conftest import make_entry
from tests.collector_server import Collector

# Strings near the edges of what the fields mean, beside the random ones.
EDGES = st.sampled_from(
    [
        "",
        " ",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:59:59-14:00",
        "2026-11-23T10:00:00",
        "2026-11-23T10:00:00Z",
        "2026-02-30T10:00:00+00:00",
        "urn:uuid:12345678-1234-5678-1234-567812345678",
        "{12345678-1234-5678-1234-567812345678}",
        "12345678123456781234567812345678",
        "x" * 10_001,
        "\x00",
        "praise",
        "positive",
    ]
)


def _at_offset(moment: datetime, minutes: int) -> str:
    return moment.replace(tzinfo=timezone(timedelta(minutes=minutes))).isoformat()


OFFSETS = st.integers(-23 * 60 - 59, 23 * 60 + 59)
# Moments near year 1 or 9999 with any UTC offset: some leave datetime's range in UTC.
EDGE_TIMES = st.builds(
    _at_offset,
    st.datetimes(max_value=datetime(1, 1, 2)) | st.datetimes(min_value=datetime(9999, 12, 30)),
    OFFSETS,
)
TIMES = st.builds(_at_offset, st.datetimes(), OFFSETS)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),  # floats: NaN, inf too
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
FIELDS = sorted(WIRE_FIELDS)  # the optional ones too (idea, anonymous)


@pytest.mark.parametrize("field", FIELDS)
def test_any_value_in_a_field_never_fails_the_batch(collector: Collector, field: str) -> None:
    # The collector is not an argument of the @given function: Hypothesis would print its
    # fields, device token included, with a failing example.
    @settings(max_examples=40, deadline=None)
    @given(value=EDGE_TIMES | EDGES | TIMES | JSON_VALUES, drop=st.booleans())
    def post_one(value: Any, drop: bool) -> None:
        fuzzed = make_entry(**{field: value})
        if drop:
            del fuzzed[field]
        good = make_entry(text="the entry beside the odd one")
        body = json.dumps({"sent_at": "2026-11-23T10:00:00+00:00", "entries": [fuzzed, good]})

        answer = requests.post(
            collector.url + ENTRIES_PATH,
            data=body.encode("utf-8", "surrogatepass"),
            headers=collector.headers | {"Content-Type": "application/json"},
            timeout=60,
        )

        assert answer.status_code == 200, answer.text
        results = answer.json()["results"]
        assert len(results) == 2
        assert results[0]["status"] in ("stored", "duplicate", "conflict", "rejected")
        assert results[1] == {"id": good["id"], "revision": 1, "status": "stored", "reason": None}

    post_one()
