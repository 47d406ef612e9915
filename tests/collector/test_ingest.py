"""Per-entry results against the real ``earshot-collector serve``, on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
import uuid
from typing import Any

import requests

from earshot_sync.protocol import ENTRIES_PATH, MAX_TEXT, Result, ResultStatus, decode_results
from tests.collector.conftest import batch, make_entry
from tests.collector_server import Collector


def post_raw(collector: Collector, entries: list[Any]) -> list[Result]:
    """The results as answered (for entries too broken for the sender's own checks)."""
    answer = requests.post(
        collector.url + ENTRIES_PATH, json=batch(*entries), headers=collector.headers, timeout=60
    )
    assert answer.status_code == 200, answer.text
    return [
        Result(item["id"], item["revision"], ResultStatus(item["status"]), item["reason"])
        for item in answer.json()["results"]
    ]


def post(collector: Collector, entries: list[Any]) -> list[Result]:
    """The results, checked the way the sender checks them."""
    answer = requests.post(
        collector.url + ENTRIES_PATH, json=batch(*entries), headers=collector.headers, timeout=60
    )
    assert answer.status_code == 200, answer.text
    return decode_results(answer.content, entries)


def statuses(results: list[Result]) -> list[str]:
    return [result.status.value for result in results]


def post_raw_entries(collector: Collector, entries: str) -> list[dict[str, Any]]:
    """Post a batch whose ``entries`` list is written as raw JSON text; its results."""
    body = f'{{"sent_at": "2026-11-23T10:00:00+00:00", "entries": {entries}}}'
    answer = requests.post(
        collector.url + ENTRIES_PATH,
        data=body.encode(),
        headers=collector.headers | {"Content-Type": "application/json"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    results: list[dict[str, Any]] = answer.json()["results"]
    return results


def test_new_entries_are_stored_and_a_repeat_is_a_duplicate_not_a_row(collector: Collector) -> None:
    entries = [make_entry(text=f"entry {n}") for n in range(5)]
    assert statuses(post(collector, entries)) == ["stored"] * 5
    assert statuses(post(collector, entries)) == ["duplicate"] * 5
    assert statuses(post(collector, entries[2:3])) == ["duplicate"]
    assert collector.count() == 5
    stored = {entry["id"]: entry for entry in collector.entries()}
    assert stored == {entry["id"]: entry for entry in entries}


def test_same_id_and_revision_with_other_content_is_a_conflict(collector: Collector) -> None:
    entry = make_entry()
    post(collector, [entry])
    changed = entry | {"text": "Someone changed this without a new revision."}
    [result] = post(collector, [changed])
    assert result.status == "conflict"
    assert not result.status.acknowledged
    assert collector.count() == 1
    assert collector.entries() == [entry]  # the first content stays


def test_repeats_inside_one_batch(collector: Collector) -> None:
    entry = make_entry()
    other = entry | {"text": "different words"}
    assert statuses(post(collector, [entry, entry, other])) == ["stored", "duplicate", "conflict"]
    assert collector.count() == 1


def test_one_bad_entry_never_blocks_the_rest(collector: Collector) -> None:
    good = [make_entry(text=f"good {n}") for n in range(4)]
    missing_text = make_entry()
    del missing_text["text"]
    bad = [
        make_entry(kind="rant"),
        make_entry(id="not-a-uuid"),
        make_entry(revision=0),
        make_entry(revision=2**70),
        make_entry(text="nul \x00 inside"),
        make_entry(text="x" * (MAX_TEXT + 1)),
        make_entry(created_at="yesterday"),
        make_entry(revision=True),
        missing_text,
    ]
    entries: list[Any] = [good[0], *bad[:4], good[1], *bad[4:], good[2], good[3]]
    results = post_raw(collector, entries)
    assert [result.id for result in results] == [entry["id"] for entry in entries]
    assert statuses(results) == [
        "stored",
        *["rejected"] * 4,
        "stored",
        *["rejected"] * 5,
        "stored",
        "stored",
    ]
    reasons = [result.reason for result in results if result.status == "rejected"]
    assert all(reasons)
    assert "'kind' must be one of" in reasons[0]
    assert "'text' is missing" in reasons[-1]
    assert collector.count() == 4
    assert sorted(e["id"] for e in collector.entries()) == sorted(e["id"] for e in good)


def test_an_entry_that_is_not_an_object_or_not_unicode_is_rejected_alone(
    collector: Collector,
) -> None:
    good = make_entry()
    lone_surrogate = json.dumps(make_entry()).replace('"counter"', '"\\ud800"')
    entries = f"[42, {lone_surrogate}, {json.dumps(good)}]"
    results = post_raw_entries(collector, entries)
    assert [r["status"] for r in results] == ["rejected", "rejected", "stored"]
    assert "not valid Unicode" in results[1]["reason"]
    assert collector.count() == 1


def test_gzip_body_is_accepted(collector: Collector) -> None:
    entries = [make_entry(text="zipped " * 50) for _ in range(20)]
    body = gzip.compress(json.dumps(batch(*entries)).encode())
    answer = requests.post(
        collector.url + ENTRIES_PATH,
        data=body,
        headers=collector.headers
        | {"Content-Type": "application/json", "Content-Encoding": "gzip"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    assert statuses(decode_results(answer.content, entries)) == ["stored"] * 20
    assert collector.count() == 20


def test_revisions_arriving_out_of_order_keep_the_newest_current(collector: Collector) -> None:
    first = make_entry(revision=1, text="first words")
    second = first | {"revision": 2, "text": "second words"}
    third = first | {"revision": 3, "text": "third words"}
    assert statuses(post(collector, [third])) == ["stored"]
    assert statuses(post(collector, [first, second])) == ["stored", "stored"]
    assert collector.entries() == [third]
    assert [row["revision"] for row in collector.revisions()] == [1, 2, 3]


def test_a_tombstone_deletes_and_a_late_older_revision_does_not_bring_it_back(
    collector: Collector,
) -> None:
    first = make_entry(revision=1)
    tombstone = first | {"revision": 2, "deleted": True, "text": ""}
    assert statuses(post(collector, [tombstone])) == ["stored"]
    assert statuses(post(collector, [first])) == ["stored"]
    assert collector.entries() == []
    assert collector.entries(include_deleted=True) == [tombstone]


def test_unknown_extra_fields_are_neither_stored_nor_part_of_the_content(
    collector: Collector,
) -> None:
    entry = make_entry()
    assert statuses(post(collector, [entry | {"x_extension": "from a newer sender"}])) == ["stored"]
    assert statuses(post(collector, [entry])) == ["duplicate"]
    assert collector.entries() == [entry]


def test_an_empty_batch_is_answered_with_no_results(collector: Collector) -> None:
    assert post(collector, []) == []


def test_what_was_acknowledged_survives_a_kill_and_a_resend_is_a_duplicate(
    collector: Collector,
) -> None:
    entries = [make_entry(text=f"before the crash {n}") for n in range(50)]
    assert statuses(post(collector, entries)) == ["stored"] * 50
    collector.kill()
    collector.restart()
    assert statuses(post(collector, entries)) == ["duplicate"] * 50
    assert collector.count() == 50


def test_other_spellings_of_one_uuid_are_rejected_not_stored_as_more_rows(
    collector: Collector,
) -> None:
    entry = make_entry()
    plain = uuid.UUID(entry["id"])
    spellings = [
        str(plain).upper(),
        "{" + str(plain) + "}",
        plain.hex,
        plain.urn,
        "urn:uuid:" + str(plain).upper(),
    ]
    others = [entry | {"id": spelling} for spelling in spellings]
    results = post_raw(collector, [entry, *others])
    assert statuses(results) == ["stored"] + ["rejected"] * len(others)
    assert [result.id for result in results] == [entry["id"], *spellings]
    assert all(f"like '{plain}'" in (result.reason or "") for result in results[1:])
    assert collector.count() == 1
    assert [stored["id"] for stored in collector.entries()] == [entry["id"]]


def test_a_time_out_of_range_in_utc_rejects_that_entry_only(collector: Collector) -> None:
    # Midnight of year 1 at +05:00 is still year 0 in UTC, which datetime cannot hold.
    early = "0001-01-01T00:00:00+05:00"
    late = "9999-12-31T23:59:59-05:00"
    good = [make_entry(text=f"good {n}") for n in range(2)]
    bad = [make_entry(created_at=early), make_entry(revised_at=late)]
    results = post_raw(collector, [good[0], *bad, good[1]])
    assert statuses(results) == ["stored", "rejected", "rejected", "stored"]
    assert "'created_at' is not an ISO-8601 time" in (results[1].reason or "")
    assert "'revised_at' is not an ISO-8601 time" in (results[2].reason or "")
    assert collector.count() == 2


def test_deeply_nested_values_reject_that_entry_only(collector: Collector) -> None:
    good = make_entry()
    deep = "[" * 700 + "]" * 700
    tags_deep = json.dumps(make_entry()).replace('["queue"]', deep)
    id_deep = json.dumps(make_entry()).replace('"id": "', '"id": ' + deep + ', "x": "')
    entries = f"[{tags_deep}, {id_deep}, {json.dumps(good)}]"
    results = post_raw_entries(collector, entries)
    assert [r["status"] for r in results] == ["rejected", "rejected", "stored"]
    assert "'tags' must be a list of strings" in results[0]["reason"]
    assert collector.count() == 1
