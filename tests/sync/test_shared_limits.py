"""The desktop core and the wire protocol keep their own copies of an entry's limits and words.

``earshot_sync.protocol`` must not import ``earshot.core`` (the collector is installed without
the desktop app), so each side defines them; this test keeps the two copies the same. A desktop
that let through an idea the collector refuses would leave that entry needing attention forever.
"""

from __future__ import annotations

import ast
from pathlib import Path

from earshot.core import entry as core
from earshot_sync import protocol


def test_the_text_and_idea_limits_are_the_same_on_both_sides() -> None:
    assert (core.MAX_TEXT, core.MAX_IDEA) == (protocol.MAX_TEXT, protocol.MAX_IDEA)


def test_the_kinds_and_moods_are_the_same_on_both_sides() -> None:
    assert tuple(kind.value for kind in core.Kind) == protocol.KINDS
    assert tuple(mood.value for mood in core.Sentiment) == protocol.SENTIMENTS


def test_the_protocol_does_not_import_the_desktop_app() -> None:
    tree = ast.parse(Path(protocol.__file__ or "").read_text(encoding="utf-8"))
    imported = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert imported
    assert not [name for name in imported if name == "earshot" or name.startswith("earshot.")]
