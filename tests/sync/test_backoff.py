"""The retry schedule: full jitter under an exponential ceiling, capped; Retry-After parsed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from earshot_sync.backoff import (
    CAP_SECONDS,
    MAX_RETRY_AFTER_SECONDS,
    MIN_RETRY_AFTER_SECONDS,
    Backoff,
    full_jitter,
    parse_retry_after,
)


def ceiling(low: float, high: float) -> float:
    return high  # the largest draw: shows the ceiling itself


def test_the_ceiling_doubles_then_stays_at_the_cap() -> None:
    ceilings = [full_jitter(n, base=1, cap=300, draw=ceiling) for n in range(12)]

    assert ceilings[:9] == [1, 2, 4, 8, 16, 32, 64, 128, 256]
    assert ceilings[9:] == [300, 300, 300]


def test_weeks_offline_never_overflow() -> None:
    assert full_jitter(100_000, draw=ceiling) == CAP_SECONDS


def test_the_draw_is_between_zero_and_the_ceiling() -> None:
    draws = [full_jitter(5, base=1, cap=300) for _ in range(500)]

    assert all(0 <= draw <= 32 for draw in draws)
    assert len(set(draws)) > 100  # jittered, not one fixed value


def test_the_schedule_grows_and_resets_after_a_success() -> None:
    backoff = Backoff(base=1, cap=300, draw=ceiling)

    assert [backoff.next_delay() for _ in range(4)] == [1, 2, 4, 8]
    backoff.reset()
    assert backoff.next_delay() == 1


def test_retry_after_wins_over_the_schedule_but_still_counts() -> None:
    backoff = Backoff(base=1, cap=300, draw=ceiling)

    assert backoff.next_delay(retry_after=42) == 42
    assert backoff.next_delay() == 2


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120), (" 7 ", 7), ("0", 0), ("999999", MAX_RETRY_AFTER_SECONDS)],
)
def test_retry_after_in_seconds(header: str, seconds: float) -> None:
    assert parse_retry_after(header) == seconds


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(minutes=5), usegmt=True)

    assert parse_retry_after(later, now=now) == 300
    assert parse_retry_after("Mon, 23 Nov 2026 11:00:00 GMT", now=now) == 0  # in the past


@pytest.mark.parametrize(
    "header", [None, "", "soon", "-5", "1.5", "Mon, 99 Foo 2026", "²", "1²", "٣", "１０"]
)
def test_an_unreadable_retry_after_falls_back_to_backoff(header: str | None) -> None:
    assert parse_retry_after(header) is None


def test_retry_after_zero_still_waits_a_moment() -> None:
    # "Retry-After: 0" on every answer must not become a busy loop of requests.
    backoff = Backoff(base=1, cap=300, draw=ceiling)

    delays = [backoff.next_delay(retry_after=parse_retry_after("0")) for _ in range(3)]

    assert delays == [MIN_RETRY_AFTER_SECONDS] * 3
    assert MIN_RETRY_AFTER_SECONDS >= 1
