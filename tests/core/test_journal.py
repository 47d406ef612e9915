"""The journal through its public interface, on a real SQLite file per test."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from earshot.core.codec import to_dict
from earshot.core.entry import EntryInput, EntryInvalid, Kind, SyncState, new_entry
from earshot.core.journal import EntryQuery, Journal, JournalError, migrate
from earshot.core.journal.journal import RevisionConflict
from earshot_sync.outbox import Mark

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def record(journal: Journal, text: str, minutes: int = 0, **fields: object) -> uuid.UUID:
    data = EntryInput(text=text, **fields)  # type: ignore[arg-type]
    return journal.record(data, site="Leeds", now=T0 + timedelta(minutes=minutes)).id


def test_a_saved_entry_reads_back_exactly(journal: Journal) -> None:
    data = EntryInput(
        text="Ein Kunde: «zu teuer» 💸",
        kind=Kind.COMPLAINT,
        station="phone",
        staff="Ann",
        sentiment="negative",
        tags=["price"],
        contact="+44 113 496 0000",
        follow_up=True,
    )
    entry = journal.record(data, site="Leeds")
    stored = journal.require(entry.id)
    assert stored.entry == entry
    assert stored.sync_state is SyncState.QUEUED


def test_the_pragmas_make_a_commit_durable(journal: Journal) -> None:
    connection = sqlite3.connect(journal.path)
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    connection.close()
    with journal._read() as conn:  # the journal's own connection carries synchronous=FULL (2)
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2


def test_the_device_id_is_made_once_per_journal(journal: Journal, tmp_path: Path) -> None:
    again = Journal.open(journal.path)
    assert again.device_id == journal.device_id
    again.close()
    other = Journal.open(tmp_path / "other" / "journal.sqlite3")
    assert other.device_id != journal.device_id
    other.close()


def test_migrations_bring_a_new_journal_to_head(journal: Journal) -> None:
    assert migrate.head() == migrate.SCHEMA_HEAD, "update SCHEMA_HEAD with each new migration"
    with journal._read() as conn:
        assert migrate.current(conn) == migrate.head()


def test_an_edit_is_a_new_revision_and_the_old_words_are_kept(journal: Journal) -> None:
    entry_id = record(journal, "first words")
    journal.edit(entry_id, EntryInput(text="better words", kind="praise"))
    stored = journal.require(entry_id)
    assert (stored.entry.revision, stored.entry.text) == (2, "better words")
    assert [rev["text"] for rev in journal.history(entry_id)] == ["first words", "better words"]


def test_an_invalid_edit_changes_nothing(journal: Journal) -> None:
    entry_id = record(journal, "first words")
    with pytest.raises(EntryInvalid):
        journal.edit(entry_id, EntryInput(text=""))
    assert journal.require(entry_id).entry.text == "first words"
    assert len(journal.history(entry_id)) == 1


def test_delete_is_a_tombstone_revision_not_a_removal(journal: Journal) -> None:
    entry_id = record(journal, "wrong customer")
    journal.mark([Mark(str(entry_id), 1, acknowledged=True)])
    journal.delete(entry_id)
    stored = journal.require(entry_id)
    assert stored.entry.deleted
    assert stored.entry.revision == 2
    assert stored.sync_state is SyncState.QUEUED  # the collector must learn of it
    assert journal.count() == 0
    assert journal.count(EntryQuery(include_deleted=True)) == 1
    assert journal.history(entry_id)[0]["text"] == "wrong customer"


def test_a_stale_revision_is_refused(journal: Journal) -> None:
    entry = journal.record(EntryInput(text="hello"), site="s")
    journal.edit(entry.id, EntryInput(text="hello again"))
    with pytest.raises(RevisionConflict):
        journal.save(entry)  # revision 1 again
    assert journal.require(entry.id).entry.text == "hello again"


def test_editing_an_unknown_entry_says_so(journal: Journal) -> None:
    with pytest.raises(JournalError, match="no entry"):
        journal.edit(uuid.uuid4(), EntryInput(text="x"))


def test_pages_are_newest_first_and_filters_combine(journal: Journal) -> None:
    for minute in range(30):
        kind = "praise" if minute % 3 == 0 else "complaint"
        record(journal, f"entry {minute}", minute, kind=kind, station="counter")
    record(journal, "from the phone", 99, kind="question", station="phone", staff="Bo")
    texts = [s.entry.text for s in journal.page(EntryQuery(), 0, 3)]
    assert texts == ["from the phone", "entry 29", "entry 28"]
    assert [s.entry.text for s in journal.page(EntryQuery(), 29, 5)] == ["entry 1", "entry 0"]
    praise = EntryQuery(kinds=[Kind.PRAISE])
    assert journal.count(praise) == 10
    assert journal.count(EntryQuery(stations=["phone"], staff=["Bo"])) == 1
    window = EntryQuery(since=T0 + timedelta(minutes=10), until=T0 + timedelta(minutes=20))
    assert journal.count(window) == 10
    assert [s.entry.text for s in journal.iter_entries(window, chunk=3)] == [
        f"entry {m}" for m in range(19, 9, -1)
    ]


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("queue", 2),
        ("QUEUE long", 1),
        ("que", 3),  # prefixes match as you type: queue, Queue, question
        ("naïve", 1),
        ("naive", 1),  # diacritics folded
        ("קופה", 1),
        ('"unclosed', 0),
        ("AND OR NOT (", 0),
        ("price*)", 1),
        ("", 4),
    ],
)
def test_full_text_search_takes_whatever_is_typed(
    journal: Journal, search: str, found: int
) -> None:
    record(journal, "The queue was long")
    record(journal, "Queue moved fast", tags="price")
    record(journal, "A naïve question about the קופה")
    record(journal, "Nothing to see")
    assert journal.count(EntryQuery(search=search)) == found


def test_search_follows_edits(journal: Journal) -> None:
    entry_id = record(journal, "apples")
    journal.edit(entry_id, EntryInput(text="pears"))
    assert journal.count(EntryQuery(search="apples")) == 0
    assert journal.count(EntryQuery(search="pears")) == 1


def test_the_outbox_claims_oldest_first_and_acknowledges_per_revision(journal: Journal) -> None:
    ids = [record(journal, f"entry {n}", n) for n in range(5)]
    batch = journal.claim_batch(3)
    assert [payload["id"] for payload in batch] == [str(i) for i in ids[:3]]
    assert journal.status()[SyncState.SENDING] == 3
    # What goes on the wire is the payload saved with the revision: the entry as saved.
    assert journal.claim_batch(10) == [to_dict(journal.require(i).entry) for i in ids[3:]]
    # An edit while its first revision is on the way: the old acknowledgement must not count.
    journal.edit(ids[0], EntryInput(text="entry 0, corrected"))
    changed = journal.mark(
        [
            Mark(str(ids[0]), 1, acknowledged=True),
            Mark(str(ids[1]), 1, acknowledged=True),
            Mark(str(ids[2]), 1, acknowledged=False, note="rejected: text is empty"),
        ]
    )
    assert changed == 2
    assert journal.require(ids[0]).sync_state is SyncState.QUEUED
    assert journal.require(ids[2]).sync_note == "rejected: text is empty"
    assert journal.release_sending() == 2
    assert journal.waiting() == 3
    assert journal.requeue_attention() == 1
    assert journal.status() == {
        SyncState.QUEUED: 4,
        SyncState.SENDING: 0,
        SyncState.SENT: 1,
        SyncState.NEEDS_ATTENTION: 0,
    }
    # The edited entry is now the newest in the outbox, so it goes last.
    assert [payload["id"] for payload in journal.claim_batch(10)][-1] == str(ids[0])


def test_drafts_are_kept_until_cleared(journal: Journal) -> None:
    assert journal.load_draft("quick-entry") is None
    journal.save_draft("quick-entry", {"text": "half a thought 🤔"})
    journal.save_draft("quick-entry", {"text": "a whole thought"})
    reopened = Journal.open(journal.path)
    assert reopened.load_draft("quick-entry") == {"text": "a whole thought"}
    reopened.clear_draft("quick-entry")
    assert journal.load_draft("quick-entry") is None
    reopened.close()


def test_an_entry_made_elsewhere_keeps_its_device(journal: Journal) -> None:
    entry = new_entry(EntryInput(text="imported"), device_id="pc-9", site="York")
    journal.save(entry)
    assert journal.require(entry.id).entry.device_id == "pc-9"


def test_saving_an_entry_drops_its_draft_in_the_same_transaction(journal: Journal) -> None:
    journal.save_draft("quick-entry", {"text": "the customer said"})
    with pytest.raises(EntryInvalid):
        journal.record(EntryInput(text=""), site="s", clear_draft="quick-entry")
    assert journal.load_draft("quick-entry") == {"text": "the customer said"}
    journal.record(EntryInput(text="the customer said"), site="s", clear_draft="quick-entry")
    assert journal.load_draft("quick-entry") is None
    assert journal.count() == 1
