"""Exports: CSV a spreadsheet opens safely, JSON Lines a program reads back exactly."""

from __future__ import annotations

import csv
import io
import json

from earshot.core.entry import EntryInput
from earshot.core.export import COLUMNS, ExportFormat, write
from earshot.core.journal import EntryQuery, Journal

HOSTILE = ["=1+2", "+SUM(A1)", "-3", "@cmd", "שלום 👋", 'quote " and, comma\nnewline']


def test_csv_neutralises_formulas_and_keeps_everything_else(journal: Journal) -> None:
    for text in HOSTILE:
        journal.record(EntryInput(text=text, tags=["=evil"]), site="Leeds")
    out = io.StringIO(newline="")
    assert write(journal.iter_entries(EntryQuery()), out, ExportFormat.CSV) == len(HOSTILE)
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert list(rows[0]) == list(COLUMNS)
    by_text = sorted(row["text"] for row in rows)
    assert by_text == sorted("'" + t if t[0] in "=+-@\t" else t for t in HOSTILE)
    assert {row["tags"] for row in rows} == {"'=evil"}


def test_jsonl_round_trips_exactly(journal: Journal) -> None:
    for text in HOSTILE:
        journal.record(EntryInput(text=text), site="Leeds")
    out = io.StringIO()
    write(journal.iter_entries(EntryQuery()), out, ExportFormat.JSONL)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert sorted(row["text"] for row in rows) == sorted(HOSTILE)
    assert all(row["sync_state"] == "queued" for row in rows)
