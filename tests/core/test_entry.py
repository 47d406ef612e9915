"""The entry and its validation: clear messages, odd characters kept or cleaned, never lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from earshot.core.entry import (
    MAX_TEXT,
    EntryInput,
    EntryInvalid,
    Kind,
    Sentiment,
    clean_text,
    new_entry,
    parse_tags,
    revise,
    tombstone,
)

STATIONS = ("counter", "warehouse", "phone")


def make(text: str = "The queue was too long", **fields: object) -> EntryInput:
    return EntryInput(text=text, **fields)  # type: ignore[arg-type]


def problems_of(data: EntryInput) -> tuple[str, ...]:
    with pytest.raises(EntryInvalid) as caught:
        new_entry(data, device_id="pc-1", site="Leeds", stations=STATIONS)
    return caught.value.problems


def test_a_new_entry_carries_identity_time_and_offset() -> None:
    now = datetime(2026, 11, 23, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    entry = new_entry(
        make(kind="Complaint", sentiment="negative", tags="Queue, wait time,queue", staff=" Ann "),
        device_id="pc-1",
        site="Leeds",
        stations=STATIONS,
        now=now,
    )
    assert entry.revision == 1
    assert entry.created_at == datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
    assert entry.created_at.tzinfo == UTC
    assert entry.kind is Kind.COMPLAINT
    assert entry.sentiment is Sentiment.NEGATIVE
    assert entry.tags == ("queue", "wait time")
    assert entry.staff == "Ann"
    assert entry.device_id == "pc-1"
    assert entry.site == "Leeds"
    assert entry.id != new_entry(make(), device_id="pc-1", site="Leeds").id


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n", "\x00\x00"])
def test_empty_text_says_what_to_do(text: str) -> None:
    assert problems_of(make(text)) == ("Write down what the customer said: the text is empty.",)


def test_the_limit_is_ten_thousand_characters() -> None:
    assert new_entry(make("é" * MAX_TEXT), device_id="d", site="s").text == "é" * MAX_TEXT
    (problem,) = problems_of(make("a" * (MAX_TEXT + 1)))
    assert "10,001 characters" in problem
    assert "up to 10,000" in problem


def test_a_five_megabyte_paste_is_refused_with_its_size() -> None:
    (problem,) = problems_of(make("word " * 1_000_000))
    assert "too long" in problem
    assert "4,999,999 characters" in problem  # trailing space trimmed


def test_every_problem_is_reported_at_once() -> None:
    problems = problems_of(make("", kind="rant", sentiment="furious", station="roof"))
    assert len(problems) == 4
    assert any("praise, complaint, suggestion, question, other" in p for p in problems)
    assert any("negative, neutral, positive" in p for p in problems)
    assert any('"roof" is not a station here' in p for p in problems)


def test_nul_bytes_and_control_characters_are_dropped() -> None:
    entry = new_entry(make("too\x00 slow\x1b[31m\r\nreally"), device_id="d", site="s")
    assert entry.text == "too slow[31m\nreally"


def test_a_lone_surrogate_becomes_a_replacement_character() -> None:
    broken = "half an emoji: \ud83d!"
    entry = new_entry(make(broken), device_id="d", site="s")
    assert entry.text == "half an emoji: \ufffd!"
    entry.text.encode("utf-8")  # storable everywhere


def test_right_to_left_and_emoji_text_is_kept_exactly() -> None:
    text = "שירות מצוין 👍🏽 — خدمة ممتازة 👨‍👩‍👧"
    assert new_entry(make(text), device_id="d", site="s").text == text


def test_text_is_normalised_so_equal_words_compare_equal() -> None:
    assert clean_text("Cafe\u0301") == "Café"


def test_tags_are_split_trimmed_lowercased_and_unique() -> None:
    assert parse_tags(" Price;#Queue , queue,,") == ("price", "queue")
    assert parse_tags(["Late delivery", "late delivery"]) == ("late delivery",)


def test_too_many_or_too_long_tags() -> None:
    assert any("Too many tags" in p for p in problems_of(make(tags=[str(i) for i in range(21)])))
    assert any("tag is too long" in p for p in problems_of(make(tags=["x" * 41])))


def test_a_revision_keeps_identity_and_creation_time() -> None:
    first = new_entry(make(), device_id="d", site="s")
    second = revise(first, make("The queue was far too long", kind="complaint"))
    assert (second.id, second.created_at, second.revision) == (first.id, first.created_at, 2)
    assert second.text == "The queue was far too long"
    gone = tombstone(second)
    assert (gone.revision, gone.deleted, gone.text) == (3, True, second.text)


def test_local_time_is_the_recording_pcs_wall_clock() -> None:
    now = datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=-5)))
    entry = new_entry(make(), device_id="d", site="s", now=now)
    assert entry.utc_offset_minutes == -300
    assert entry.local_created_at().hour == 12


def test_a_surrogate_pair_from_utf16_becomes_its_emoji() -> None:
    assert clean_text("\ud83d\ude00") == "😀"
