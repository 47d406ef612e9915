"""Export what the log shows, to CSV or JSON Lines, without freezing the window.

The file is written whole or not at all: the rows go to a temporary file beside the target,
which replaces the target only when every row is written. The log window runs
:func:`export_to` on a :class:`~earshot.gui.services.tasks.TaskRunner` (a million rows take a
while); it touches no widget, and :func:`failure_message` turns whatever it raised into words
for the person, in the UI thread.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from earshot.core.export import ExportFormat, write
from earshot.core.journal import EntryQuery, Journal, JournalError


class ExportFailed(Exception):
    """The export could not be written; ``str(error)`` is for the user."""


def export_to(
    journal: Journal, query: EntryQuery, target: Path, export_format: ExportFormat
) -> int:
    """Write the entries of ``query`` to ``target`` atomically; returns how many were written."""
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    try:
        # newline="" lets the csv module write its own line endings (RFC 4180).
        with temporary.open("w", encoding="utf-8", newline="") as file:
            count = write(journal.iter_entries(query), file, export_format)
            file.flush()
            os.fsync(file.fileno())
        temporary.replace(target)
    except OSError as error:
        _discard(temporary)
        reason = error.strerror or str(error)
        raise ExportFailed(
            f"Earshot could not write the export to {target}: {reason}. Pick another folder "
            "(your Documents folder, say) and try again. Your entries are unchanged."
        ) from error
    except JournalError as error:
        _discard(temporary)
        raise ExportFailed(str(error)) from error
    except BaseException:
        _discard(temporary)
        raise
    return count


def _discard(temporary: Path) -> None:
    # On a read-only or vanished folder the half-written file cannot be removed either, and
    # that must not hide the first error.
    with contextlib.suppress(OSError):
        temporary.unlink(missing_ok=True)


def failure_message(error: Exception) -> str:
    """What to tell the person when :func:`export_to` raised ``error``."""
    if isinstance(error, ExportFailed):
        return str(error)
    # The runner has logged the traceback; the person gets the kind of problem only.
    return (
        f"The export stopped because of an unexpected problem ({type(error).__name__}). "
        "Nothing was written. Your entries are unchanged."
    )


def format_for(path: Path, name_filter: str) -> ExportFormat:
    """The format the person asked for: the file's ending first, else the picked filter."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        return ExportFormat.JSONL
    if suffix == ".csv":
        return ExportFormat.CSV
    return ExportFormat.JSONL if "jsonl" in name_filter else ExportFormat.CSV


class ExportFileDialog(QFileDialog):
    """Where to save the export and in which format (CSV or JSON Lines)."""

    def __init__(self, parent: QWidget, directory: str = "") -> None:
        super().__init__(parent, self.tr("Export the entries shown"), directory)
        self.setObjectName("export_dialog")
        self.setAccessibleName(self.tr("Export the entries shown"))
        self.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        self.setFileMode(QFileDialog.FileMode.AnyFile)
        self.csv_filter = self.tr("CSV for spreadsheets (*.csv)")
        self.jsonl_filter = self.tr("JSON Lines for programs (*.jsonl)")
        self.setNameFilters([self.csv_filter, self.jsonl_filter])
        self.setDefaultSuffix("csv")
        self.filterSelected.connect(self._filter_picked)

    def _filter_picked(self, name_filter: str) -> None:
        self.setDefaultSuffix("jsonl" if name_filter == self.jsonl_filter else "csv")

    def chosen(self) -> tuple[Path, ExportFormat] | None:
        files = self.selectedFiles()
        if not files:
            return None
        path = Path(files[0])
        return path, format_for(path, self.selectedNameFilter())
