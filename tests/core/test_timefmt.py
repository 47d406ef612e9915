"""Journal times: fixed-width ISO-8601 UTC text, so that text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from earshot.core.journal.timefmt import from_db, to_db

moments = st.datetimes(
    min_value=datetime(1000, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=-11)), timezone(timedelta(hours=14))]),
)


@given(moments)
def test_written_as_strftime_wrote_it_and_read_back_unchanged(moment: datetime) -> None:
    # The format the journal has always held (rows written before stay comparable as text).
    assert to_db(moment) == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert from_db(to_db(moment)) == moment


@given(moments, moments)
def test_text_order_is_time_order(first: datetime, second: datetime) -> None:
    assert (to_db(first) < to_db(second)) == (first < second)


def test_whole_seconds_keep_their_microseconds() -> None:
    assert to_db(datetime(2026, 1, 1, 9, 0, tzinfo=UTC)) == "2026-01-01T09:00:00.000000Z"


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        to_db(datetime(2026, 1, 1, 9, 0))  # naive on purpose
