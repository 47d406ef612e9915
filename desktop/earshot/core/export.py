"""Exports of the journal: CSV for spreadsheets, JSON Lines for programs."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from enum import StrEnum
from typing import Any, TextIO

from earshot.core.codec import to_dict
from earshot.core.journal import StoredEntry
from earshot_sync.fields import FIELD_NAMES
from earshot_sync.spreadsheet import csv_cell

COLUMNS: tuple[str, ...] = (*FIELD_NAMES, "sync_state")


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


def _row(stored: StoredEntry) -> dict[str, Any]:
    return to_dict(stored.entry) | {"sync_state": stored.sync_state.value}


def write_csv(rows: Iterable[StoredEntry], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for stored in rows:
        row = _row(stored)
        writer.writerow([csv_cell(row[column]) for column in COLUMNS])
        count += 1
    return count


def write_jsonl(rows: Iterable[StoredEntry], out: TextIO) -> int:
    count = 0
    for stored in rows:
        out.write(json.dumps(_row(stored), ensure_ascii=False) + "\n")
        count += 1
    return count


def write(rows: Iterable[StoredEntry], out: TextIO, export_format: ExportFormat) -> int:
    """Write ``rows`` to ``out``; returns how many entries were written."""
    if export_format is ExportFormat.CSV:
        return write_csv(rows, out)
    return write_jsonl(rows, out)
