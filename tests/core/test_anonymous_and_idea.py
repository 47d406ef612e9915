"""'Your idea' and 'don't record my name' in the core: validation, the journal, the command line."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from earshot.core.codec import from_dict, to_dict
from earshot.core.entry import MAX_IDEA, EntryInput, EntryInvalid, new_entry, revise
from earshot.core.export import ExportFormat, write
from earshot.core.journal import EntryQuery, Journal, migrate
from earshot.core.profile import Profile
from tests.core.test_cli import earshot

NAME = "Zebulon-Quince"


def _migrate(path: Path, how: str, revision: str) -> None:
    """Alembic's own upgrade or downgrade of the journal at ``path`` to ``revision``."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(migrate.MIGRATIONS.scripts))
            config.attributes["connection"] = connection
            getattr(command, how)(config, revision)
    finally:
        engine.dispose()


def test_anonymous_drops_any_name_before_anything_is_stored(journal: Journal) -> None:
    entry = journal.record(
        EntryInput(text="The new rule about returns is unfair", staff=NAME, anonymous=True),
        site="York",
    )
    assert (entry.staff, entry.anonymous, entry.site, entry.station) == (
        None,
        True,
        "York",
        "counter",
    )
    stored = journal.require(entry.id).entry
    assert (stored.staff, stored.anonymous) == (None, True)
    assert [revision["staff"] for revision in journal.history(entry.id)] == [None]


def test_no_way_of_making_an_entry_gives_an_anonymous_one_a_name() -> None:
    entry = new_entry(EntryInput(text="x", anonymous=True), device_id="pc", site="S")
    with pytest.raises(ValueError, match="carries no name") as refused:
        dataclasses.replace(entry, staff=NAME)
    assert NAME not in str(refused.value)
    payload = to_dict(entry) | {"staff": NAME}
    with pytest.raises(ValueError, match="carries no name"):
        from_dict(payload)


def test_a_hand_edited_anonymous_row_with_a_name_is_read_without_it(
    profile: Profile,
) -> None:
    journal = profile.open_journal()
    entry = journal.record(EntryInput(text="Queue too long", anonymous=True), site="York")
    path = journal.path
    journal.close()
    with sqlite3.connect(path) as connection:  # someone edits the file by hand
        connection.execute("UPDATE entries SET staff = ? WHERE uuid = ?", (NAME, str(entry.id)))
    connection.close()

    journal = profile.open_journal()
    try:
        stored = journal.require(entry.id).entry
        assert (stored.staff, stored.anonymous, stored.text) == (None, True, "Queue too long")
        listed = journal.page(EntryQuery(), 0, 10)
        assert [(item.entry.id, item.entry.staff) for item in listed] == [(entry.id, None)]
        sent = journal.claim_batch(10)  # what goes on the wire
        assert [(item["id"], item["staff"]) for item in sent] == [(str(entry.id), None)]
    finally:
        journal.close()


def test_a_row_marked_anonymous_by_hand_goes_out_without_the_saved_name(
    profile: Profile,
) -> None:
    journal = profile.open_journal()
    entry = journal.record(EntryInput(text="Queue too long", staff=NAME), site="York")
    path = journal.path
    journal.close()
    with sqlite3.connect(path) as connection:  # the row says anonymous; the payload names NAME
        connection.execute("UPDATE entries SET anonymous = 1 WHERE uuid = ?", (str(entry.id),))
    connection.close()

    journal = profile.open_journal()
    try:
        assert journal.require(entry.id).entry.staff is None  # as the log shows it
        sent = journal.claim_batch(10)  # what goes on the wire
        assert [(item["id"], item["staff"], item["anonymous"]) for item in sent] == [
            (str(entry.id), None, True)
        ]
        assert NAME not in json.dumps(sent)
    finally:
        journal.close()


def test_a_named_entry_keeps_its_name(journal: Journal) -> None:
    entry = journal.record(EntryInput(text="Lovely service", staff=NAME), site="York")
    stored = journal.require(entry.id).entry
    assert (stored.staff, stored.anonymous) == (NAME, False)


def test_the_idea_is_cleaned_like_the_words_and_blank_is_none() -> None:
    raw = "  Put a bench\r\nby the door\x00\x1b  "
    entry = new_entry(EntryInput(text="My legs hurt", idea=raw), device_id="pc", site="York")
    assert entry.idea == "Put a bench\nby the door"
    for blank in (None, "", "   \n\t "):
        assert new_entry(EntryInput(text="x", idea=blank), device_id="pc", site="S").idea is None


def test_an_idea_too_long_is_refused_with_a_sentence_and_every_other_problem() -> None:
    with pytest.raises(EntryInvalid) as refused:
        new_entry(EntryInput(text="", idea="x" * (MAX_IDEA + 1)), device_id="pc", site="S")
    problems = refused.value.problems
    assert any("text is empty" in problem for problem in problems)
    [too_long] = [problem for problem in problems if "idea" in problem]
    assert too_long.startswith("Your idea is too long: 2,001 characters")
    assert "2,000" in too_long
    just_fits = new_entry(EntryInput(text="x", idea="y" * MAX_IDEA), device_id="pc", site="S")
    assert just_fits.idea == "y" * MAX_IDEA


def test_an_edit_can_add_an_idea_and_an_anonymous_edit_drops_the_name() -> None:
    first = new_entry(EntryInput(text="Too cold", staff=NAME), device_id="pc", site="S")
    second = revise(first, EntryInput(text="Too cold", staff=NAME, idea="Fix the door"))
    third = revise(second, EntryInput(text="Too cold", staff=NAME, anonymous=True))
    assert (second.staff, second.idea) == (NAME, "Fix the door")
    assert (third.staff, third.anonymous) == (None, True)


def test_codec_round_trip_and_revisions_saved_before_the_fields_existed() -> None:
    entry = new_entry(
        EntryInput(text="words", idea="an idea", anonymous=True), device_id="pc", site="S"
    )
    assert from_dict(to_dict(entry)) == entry
    old = to_dict(entry)
    del old["idea"], old["anonymous"]
    restored = from_dict(old)
    assert (restored.idea, restored.anonymous) == (None, False)


def test_search_finds_words_of_the_idea_too(journal: Journal) -> None:
    journal.record(
        EntryInput(text="The shelf is empty", idea="Order pumpernickel weekly"), site="S"
    )
    journal.record(EntryInput(text="Nice staff"), site="S")
    found = list(journal.iter_entries(EntryQuery(search="pumper")))
    assert [stored.entry.text for stored in found] == ["The shelf is empty"]
    edited = journal.edit(found[0].entry.id, EntryInput(text="The shelf is empty", idea="Ask"))
    assert list(journal.iter_entries(EntryQuery(search="pumper"))) == []
    assert journal.require(edited.id).entry.idea == "Ask"


def test_migration_0004_keeps_old_entries_and_adds_the_idea_to_search(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    _migrate(path, "upgrade", "0003")
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO revisions(uuid, revision, payload, saved_at) "
            "VALUES ('6f1c7a52-3f0e-4a55-9d0f-2f8a3e0c1b11', 1, '{}', '2026-11-01T00:00:00')"
        )
        db.execute(
            "INSERT INTO entries(uuid, revision, created_at, utc_offset_minutes, device_id, site, "
            "station, staff, kind, sentiment, text, tags, contact, follow_up, deleted, "
            "revised_at, sync_state, sync_note, outbox_order) VALUES ("
            "'6f1c7a52-3f0e-4a55-9d0f-2f8a3e0c1b11', 1, '2026-11-01T09:00:00.000000Z', 60, "
            "'pc', 'York', 'counter', 'Ana', 'complaint', NULL, 'The lift was broken', '[]', "
            "NULL, 0, 0, '2026-11-01T09:00:00.000000Z', 'sent', NULL, 1)"
        )
    journal = Journal.open(path)
    try:
        [old] = list(journal.iter_entries(EntryQuery(search="lift")))
        assert (old.entry.staff, old.entry.idea, old.entry.anonymous) == ("Ana", None, False)
        journal.record(EntryInput(text="Cold", idea="Fix the lift door"), site="York")
        assert len(list(journal.iter_entries(EntryQuery(search="lift")))) == 2
    finally:
        journal.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() == ("0004",)
        # The index and the entries agree (FTS5's own consistency check raises if not).
        db.execute("INSERT INTO entries_fts(entries_fts) VALUES ('integrity-check')")
    _migrate(path, "downgrade", "0003")
    with sqlite3.connect(path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(entries)")]
        assert "idea" not in columns
        assert "anonymous" not in columns
        # The idea went with its column: only the words of the old entry still say "lift".
        assert db.execute(
            "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH 'lift'"
        ).fetchone() == (1,)


def test_exports_have_the_idea_and_anonymous_columns(journal: Journal) -> None:
    journal.record(EntryInput(text="Too loud", idea="=1+1 softer music", anonymous=True), site="S")
    journal.record(EntryInput(text="Great", staff=NAME), site="S")
    out = io.StringIO()
    write(journal.iter_entries(), out, ExportFormat.CSV)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    by_text = {row["text"]: row for row in rows}
    assert by_text["Too loud"]["idea"] == "'=1+1 softer music"  # never a formula
    assert (by_text["Too loud"]["anonymous"], by_text["Too loud"]["staff"]) == ("yes", "")
    assert (by_text["Great"]["anonymous"], by_text["Great"]["staff"]) == ("no", NAME)
    assert NAME not in json.dumps(by_text["Too loud"])


def test_cli_add_with_an_idea_anonymously(env: dict[str, str]) -> None:
    added = earshot(
        env, "add", "The till queue is long", "--idea", "Open a second till", "--anonymous"
    )
    assert added.returncode == 0, added.stderr
    exported = earshot(env, "export", "--format", "jsonl")
    (row,) = [json.loads(line) for line in exported.stdout.splitlines()]
    assert (row["idea"], row["anonymous"], row["staff"]) == ("Open a second till", True, None)


def test_cli_refuses_a_name_and_anonymous_together(env: dict[str, str]) -> None:
    both = earshot(env, "add", "words", "--staff", NAME, "--anonymous")
    assert both.returncode == 2
    assert "argument --anonymous: not allowed with argument --staff" in both.stderr
    assert earshot(env, "status", "--json").stdout.strip().startswith('{"queued": 0')


def test_cli_idea_too_long_says_so_and_saves_nothing(env: dict[str, str]) -> None:
    refused = earshot(env, "add", "words", "--idea", "y" * (MAX_IDEA + 5))
    assert refused.returncode == 1
    assert "Your idea is too long" in refused.stderr
    assert json.loads(earshot(env, "status", "--json").stdout)["queued"] == 0
