"""The collector's code stays in pieces a reader can hold: no function (a route factory such as
``router(web)`` or ``create_app`` above all) longer than MAX_LINES, counted from its ``def`` to
its last line, docstring included. A longer one is split into well-named pieces."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import earshot_sync.collector

MAX_LINES = 60
COLLECTOR = Path(earshot_sync.collector.__file__).parent


def long_functions(source: str, limit: int = MAX_LINES) -> list[tuple[str, int, int]]:
    """(name, first line, length) of every function, nested ones too, longer than ``limit``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            assert node.end_lineno is not None
            length = node.end_lineno - node.lineno + 1
            if length > limit:
                found.append((node.name, node.lineno, length))
    return found


def test_no_collector_function_is_longer_than_the_limit() -> None:
    sources = sorted(COLLECTOR.rglob("*.py"))
    assert COLLECTOR / "app.py" in sources  # the right folder, not an empty one
    too_long = [
        f"{path.relative_to(COLLECTOR.parent.parent)}:{line} {name}() is {length} lines"
        for path in sources
        for name, line, length in long_functions(path.read_text(encoding="utf-8"))
    ]
    assert too_long == [], f"longer than {MAX_LINES} lines; split them:\n" + "\n".join(too_long)


def test_the_count_runs_from_the_def_to_the_last_line_nested_and_async_too() -> None:
    lines = "".join(f"    x{n} = {n}\n" for n in range(58))
    fits = f'def fits():\n    """Doc."""\n{lines}'  # 60 lines: the def, the docstring, 58 more
    assert long_functions(fits) == []
    assert long_functions(fits + "    return x0\n") == [("fits", 1, 61)]
    nested = "async def outer():\n" + textwrap.indent(fits, "    ") + "    return fits\n"
    assert long_functions(nested) == [("outer", 1, 62)]
    assert long_functions(nested, limit=59) == [("outer", 1, 62), ("fits", 2, 60)]
