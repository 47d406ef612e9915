"""``earshot-collector digest``: the monthly huddle digest as an HTML or PDF file.

cli.py adds the subcommand with :func:`add_arguments` and hands the parsed arguments to
:func:`run`. What a person mistyped (the month, the time zone, the file name) is a usage error
(exit 2) caught while parsing, before the store is opened.
"""

from __future__ import annotations

import argparse
import errno
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from earshot_sync.collector.digest.figures import UnknownSite, build_digest
from earshot_sync.collector.digest.month import BadMonth, BadTimeZone, Month, parse_time_zone
from earshot_sync.collector.digest.render import render_html, render_pdf
from earshot_sync.collector.store import Store

EXIT_OK, EXIT_FAILED = 0, 1
FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--month", type=_month, required=True, metavar="YYYY-MM", help="e.g. 2026-11"
    )
    parser.add_argument("--site", metavar="SITE", help="only this site (default: every site)")
    parser.add_argument(
        "--tz",
        type=_time_zone,
        default=ZoneInfo("UTC"),
        metavar="ZONE",
        help="the time zone whose days count, e.g. Europe/Berlin (default: UTC)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=_output,
        required=True,
        metavar="FILE",
        help="the file to write: FILE.pdf to print (one page per site) or FILE.html",
    )


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except BadMonth as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _time_zone(text: str) -> ZoneInfo:
    try:
        return parse_time_zone(text)
    except BadTimeZone as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _format(path: Path) -> str | None:
    # By the end of the name, so that ".pdf" (a hidden file) is a PDF too.
    return FORMATS.get("." + path.name.rsplit(".", 1)[-1].lower()) if "." in path.name else None


def _output(text: str) -> Path:
    path = Path(text)
    if _format(path) is None:
        raise argparse.ArgumentTypeError(
            f"'{text}' does not end in .pdf or .html: the name says which to write, "
            "e.g. digest-2026-11.pdf"
        )
    return path


def run(
    args: argparse.Namespace, store: Store, out: TextIO, err: TextIO, now: datetime | None = None
) -> int:
    month: Month = args.month
    output: Path = args.output
    site = args.site if args.site is None else args.site.strip()
    try:
        digest = build_digest(store, month, tz=args.tz, site=site, now=now or datetime.now(UTC))
    except UnknownSite as error:
        print(str(error), file=err)
        return EXIT_FAILED
    if _format(output) == "pdf":
        content = render_pdf(digest)
    else:
        content = render_html(digest).encode("utf-8")
    problem = _write(output, content)
    if problem:
        print(f"Cannot write the digest to '{output}': {problem}", file=err)
        return EXIT_FAILED
    where = f" at {digest.site}" if digest.site else ""
    if digest.empty:
        print(f"Nothing was heard in {month.label}{where}; the digest says so.", file=err)
    pages = max(1, len(digest.sites))
    print(
        f"Wrote the digest for {month.label}{where} to '{output}' "
        f"({pages} {'page' if pages == 1 else 'pages'}).",
        file=err,
    )
    return EXIT_OK


def _write(path: Path, content: bytes) -> str | None:
    """Write ``content`` to ``path``; a plain reason if that cannot be done."""
    created = False
    try:
        with path.open("wb") as target:
            created = True
            target.write(content)
        return None
    except OSError as error:
        if created:
            # The disk filled up after the file was made: leave no half-written digest.
            path.unlink(missing_ok=True)
        return _reason(error)


def _reason(error: OSError) -> str:
    if isinstance(error, IsADirectoryError):
        return "that is a folder. Give a file name, e.g. digest.pdf."
    if isinstance(error, FileNotFoundError | NotADirectoryError):
        return "there is no such folder."
    if isinstance(error, PermissionError):
        return "you may not write there. Choose another folder."
    if error.errno == errno.EROFS:
        return "that folder cannot be written to (it is read-only). Choose another folder."
    if error.errno == errno.ENOSPC:
        return "the disk is full. Free some space or choose another disk."
    return error.strerror or type(error).__name__
