"""An entry's fields are declared once (``earshot_sync.fields``); where a part cannot be derived
from the declaration, this test checks it against it and names the place that was forgotten.

The codec, the wire checks, the journal's and the collector's columns and the three exports
are derived; what is checked here is what a person reads or types, and the migrations.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
from pathlib import Path

import sqlalchemy as sa

from earshot.cli import build_parser
from earshot.core.entry import CHOICES, Entry, EntryInput
from earshot.core.journal import Journal
from earshot.core.journal.schema import COLUMN_NAMES
from earshot_sync.collector import schema as collector_schema
from earshot_sync.collector.columns import SHOWN
from earshot_sync.collector.reading import FeedItem
from earshot_sync.collector.store import Store
from earshot_sync.fields import FIELD_NAMES, FIELDS, Shape, collector_fields, typed_fields

ROOT = Path(__file__).resolve().parent.parent
GUI = ROOT / "desktop" / "earshot" / "gui"
TYPED = {field.name for field in typed_fields()}
# `earshot add` names an option after one of its values where that reads better.
CLI_OPTION = {"tags": "tag", "text": "text"}


def _missing(expected: set[str], present: set[str], where: str) -> list[str]:
    return [f"{name}: not in {where}" for name in sorted(expected - present)]


def test_the_entry_has_exactly_the_declared_fields() -> None:
    attributes = {field.name for field in dataclasses.fields(Entry)}
    assert _missing(set(FIELD_NAMES), attributes, "Entry (earshot/core/entry.py)") == []
    assert _missing(attributes, set(FIELD_NAMES), "earshot_sync/fields.py") == []


def test_what_a_person_types_is_in_entry_input() -> None:
    attributes = {field.name for field in dataclasses.fields(EntryInput)}
    assert _missing(TYPED, attributes, "EntryInput (earshot/core/entry.py)") == []
    assert _missing(attributes, TYPED, "the typed fields of earshot_sync/fields.py") == []


def test_every_choice_has_its_python_type_with_the_declared_values() -> None:
    for field in FIELDS:
        if field.shape is Shape.CHOICE:
            assert field.name in CHOICES, f"{field.name}: not in CHOICES (earshot/core/entry.py)"
            assert tuple(member.value for member in CHOICES[field.name]) == field.choices


def test_earshot_add_has_an_option_for_every_typed_field() -> None:
    # argparse has no public way to list a subcommand's options.
    commands = next(
        action
        for action in build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    add = commands.choices["add"]
    destinations = {action.dest for action in add._actions}
    expected = {CLI_OPTION.get(name, name) for name in TYPED}
    assert _missing(expected, destinations, "`earshot add` (earshot/cli/__init__.py)") == []


def _entry_input_calls() -> list[tuple[str, set[str]]]:
    """Each EntryInput(...) in the Qt layer that builds a whole entry: where, and its keywords."""
    calls = []
    for path in sorted(GUI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "EntryInput"
                and len(node.keywords) >= 5  # a blank form's few defaults are not a whole entry
            ):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                calls.append((where, {keyword.arg or "" for keyword in node.keywords}))
    return calls


def test_the_forms_and_the_draft_carry_every_typed_field() -> None:
    calls = _entry_input_calls()
    assert len(calls) >= 2  # the entry form's value and the quick entry's draft
    assert [
        problem for where, keywords in calls for problem in _missing(TYPED, keywords, where)
    ] == []


def test_a_draft_keeps_every_typed_field_but_the_name() -> None:
    from earshot.gui.windows.quick_entry import draft_payload

    # Never the name: a draft is written before "don't record my name" may be ticked.
    kept = set(draft_payload(EntryInput(text="words")))
    where = "draft_payload (earshot/gui/windows/quick_entry.py)"
    assert _missing(TYPED - {"staff"}, kept, where) == []
    assert "staff" not in kept


def test_the_journal_migrations_make_a_column_for_every_field(journal: Journal) -> None:
    engine = sa.create_engine(f"sqlite:///{journal.path}")
    try:
        columns = {column["name"] for column in sa.inspect(engine).get_columns("entries")}
    finally:
        engine.dispose()
    expected = {COLUMN_NAMES[name] for name in FIELD_NAMES}
    where = "the journal's migrations (earshot/core/journal/migrations/versions)"
    assert _missing(expected, columns, where) == []


def test_the_collector_migrations_make_a_column_for_every_field_it_keeps(tmp_path: Path) -> None:
    path = tmp_path / "collector.db"
    Store.open(f"sqlite:///{path}").close()
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        columns = {column["name"] for column in sa.inspect(engine).get_columns("current")}
    finally:
        engine.dispose()
    expected = {field.name for field in collector_fields()}
    where = "the collector's migrations (earshot_sync/collector/migrations/versions)"
    assert _missing(expected, columns, where) == []
    assert _missing(expected, set(collector_schema.current.c.keys()), "collector schema") == []


def test_the_pages_download_every_field_they_show() -> None:
    from earshot_sync.collector.web.export import COLUMNS

    where = "the pages' export COLUMNS (earshot_sync/collector/web/export.py)"
    assert _missing(set(SHOWN), set(COLUMNS), where) == []
    assert len(COLUMNS) == len(set(COLUMNS))


def test_the_collector_pages_read_every_field_they_show() -> None:
    attributes = {field.name for field in dataclasses.fields(FeedItem)}
    shown = {field.name for field in collector_fields()} - {"deleted"}
    where = "FeedItem (earshot_sync/collector/reading.py)"
    assert _missing(shown, attributes, where) == []
