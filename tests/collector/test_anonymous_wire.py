"""'idea' and 'anonymous' on the wire: optional for older desktops, and no name with anonymous.

The protocol's checks and digest directly, then the real ``earshot-collector serve`` on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from typing import Any

import pytest

from earshot_sync.protocol import ENTRY_FIELDS, MAX_IDEA, content_digest, entry_problems
from tests.collector.conftest import make_entry
from tests.collector.test_ingest import post, post_raw, statuses
from tests.collector_server import Collector

NAME = "Zebulon-Quince"


def _digest_before_the_optional_fields(entry: dict[str, Any]) -> str:
    """content_digest as it was written before 'idea' and 'anonymous' (what stores hold)."""
    canonical = json.dumps(
        {name: entry.get(name) for name in ENTRY_FIELDS},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_the_defaults_written_out_keep_the_digest_of_an_older_desktops_entry() -> None:
    old = make_entry()
    assert content_digest(old) == _digest_before_the_optional_fields(old)
    assert content_digest(old | {"idea": None, "anonymous": False}) == content_digest(old)
    assert content_digest(old | {"idea": "Open a till"}) != content_digest(old)
    assert content_digest(old | {"staff": None, "anonymous": True}) != content_digest(
        old | {"staff": None}
    )
    assert content_digest(old | {"idea": ""}) != content_digest(old)  # "" is not "no idea"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"idea": 5}, "'idea' has the wrong type"),
        ({"idea": ["x"]}, "'idea' has the wrong type"),
        ({"anonymous": "yes"}, "'anonymous' has the wrong type"),
        ({"anonymous": 1}, "'anonymous' has the wrong type"),
        ({"anonymous": None}, "'anonymous' has the wrong type"),
        ({"idea": "y" * (MAX_IDEA + 1)}, f"'idea' is longer than {MAX_IDEA} characters"),
        ({"idea": "a\x00b"}, "the entry contains a NUL character"),
        (
            {"anonymous": True, "staff": NAME},
            "'staff' must be null when 'anonymous' is true: an anonymous entry carries no name",
        ),
        ({"anonymous": True, "staff": ""}, "'staff' must be null when 'anonymous' is true"),
    ],
)
def test_bad_optional_fields_are_named(changes: dict[str, Any], problem: str) -> None:
    problems = entry_problems(make_entry(**changes))
    assert any(found.startswith(problem) for found in problems), problems
    assert not any(NAME in found for found in problems)


def test_good_optional_fields_pass() -> None:
    assert entry_problems(make_entry()) == []
    assert entry_problems(make_entry(idea=None, anonymous=False)) == []
    assert entry_problems(make_entry(idea="y" * MAX_IDEA, staff=None, anonymous=True)) == []


def test_an_old_entry_sent_again_by_a_new_desktop_is_a_duplicate(collector: Collector) -> None:
    old = make_entry()  # no "idea", no "anonymous": as an older desktop sends it
    assert statuses(post(collector, [old])) == ["stored"]
    written_out = old | {"idea": None, "anonymous": False}
    assert statuses(post(collector, [written_out])) == ["duplicate"]
    assert statuses(post(collector, [old])) == ["duplicate"]
    assert statuses(post(collector, [old | {"idea": "Open a till"}])) == ["conflict"]
    assert collector.count() == 1
    [revision] = collector.revisions()
    assert revision["digest"] == _digest_before_the_optional_fields(old)


def test_anonymous_with_a_name_is_rejected_and_the_name_goes_nowhere(
    collector: Collector,
) -> None:
    named = make_entry(staff=NAME, anonymous=True, text="Rule about breaks is unfair")
    beside = make_entry(staff=None, anonymous=True, idea="Ask us before changing rules")
    [refused, stored] = post_raw(collector, [named, beside])
    assert refused.status.value == "rejected"
    assert refused.reason is not None
    assert "'staff' must be null when 'anonymous' is true" in refused.reason
    assert NAME not in refused.reason
    assert stored.status.value == "stored"
    assert [entry["id"] for entry in collector.entries()] == [beside["id"]]
    assert NAME not in json.dumps(collector.revisions(), default=str)
    assert NAME not in collector.log()


def test_the_collectors_export_has_the_idea_and_anonymous(collector: Collector) -> None:
    anonymous = make_entry(staff=None, anonymous=True, idea="=Put chairs by the door")
    old = make_entry(text="Sent by an older desktop")
    post(collector, [anonymous, old])
    rows = list(csv.DictReader(io.StringIO(collector.cli("export", "--format", "csv").stdout)))
    by_id = {row["id"]: row for row in rows}
    assert by_id[anonymous["id"]]["idea"] == "'=Put chairs by the door"
    assert (by_id[anonymous["id"]]["anonymous"], by_id[anonymous["id"]]["staff"]) == ("yes", "")
    assert (by_id[old["id"]]["anonymous"], by_id[old["id"]]["idea"]) == ("no", "")
    lines = collector.cli("export", "--format", "jsonl").stdout.splitlines()
    exported = {row["id"]: row for row in map(json.loads, lines)}
    assert (exported[old["id"]]["anonymous"], exported[old["id"]]["idea"]) == (False, None)
    assert exported[anonymous["id"]]["anonymous"] is True
