"""Export what the log shows, to CSV or JSON Lines, without freezing the window.

The file is written whole or not at all: the rows go to a temporary file beside the target,
which replaces the target only when every row is written. The writing runs on a worker thread
(a million rows take a while); the worker never touches a widget and reports back through
signals that Qt delivers on the window's thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from earshot.core.export import ExportFormat, write
from earshot.core.journal import EntryQuery, Journal, JournalError

log = logging.getLogger(__name__)


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


class ExportSignals(QObject):
    finished = Signal(int, str)  # how many entries, the target path
    failed = Signal(str)  # a message for the user


class ExportJob(QRunnable):
    """One export on a worker thread; connect to ``signals`` before starting it."""

    def __init__(
        self, journal: Journal, query: EntryQuery, target: Path, export_format: ExportFormat
    ) -> None:
        super().__init__()
        self.signals = ExportSignals()
        self._journal = journal
        self._query = query
        self._target = target
        self._format = export_format

    def run(self) -> None:
        try:
            count = export_to(self._journal, self._query, self._target, self._format)
        except ExportFailed as error:
            self.signals.failed.emit(str(error))
            return
        except Exception as error:  # a worker must always report back, whatever happened
            log.exception("export to %s failed", self._target)
            self.signals.failed.emit(
                f"The export stopped because of an unexpected problem ({type(error).__name__}). "
                "Nothing was written. Your entries are unchanged."
            )
            return
        self.signals.finished.emit(count, str(self._target))


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
