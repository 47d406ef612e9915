"""The direction of dependencies, read from the imports (docs/architecture.md):

    fields, protocol, outbox, schema_migrations, spreadsheet   (earshot_sync: the shared bottom)
        ↑                         ↑                    ↑
    earshot.core            sync client           collector
        ↑                   (earshot_sync.*)     (earshot_sync.collector)
        └──── earshot.cli, earshot.gui ─┘

Every ``import`` of every module is read with ``ast``, those inside functions and under
``TYPE_CHECKING`` too: a lazy import is still a dependency. A test fails naming the module and
the import that crosses a line.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"earshot": ROOT / "desktop" / "earshot", "earshot_sync": ROOT / "sync" / "earshot_sync"}

# Below everything: standard library only (and each other, for the protocol).
BOTTOM = {
    "earshot_sync.fields",
    "earshot_sync.protocol",
    "earshot_sync.outbox",
    "earshot_sync.schema_migrations",
    "earshot_sync.spreadsheet",
}


def _module_name(package: str, path: Path) -> str:
    parts = path.relative_to(PACKAGES[package]).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((package, *parts))


def _imports(path: Path, module: str, modules: set[str]) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            for alias in node.names:
                # "from earshot_sync import fields" imports the module earshot_sync.fields.
                submodule = f"{source}.{alias.name}"
                yield submodule if submodule in modules else source


def _all_imports() -> dict[str, set[str]]:
    paths = {
        _module_name(package, path): path
        for package, folder in PACKAGES.items()
        for path in sorted(folder.rglob("*.py"))
    }
    return {module: set(_imports(path, module, set(paths))) for module, path in paths.items()}


IMPORTS = _all_imports()


def _within(name: str, *prefixes: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def _crossings(modules: list[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{module} imports {imported}"
        for module in modules
        for imported in IMPORTS[module]
        if _within(imported, *forbidden)
    )


def _modules(*prefixes: str) -> list[str]:
    return [module for module in IMPORTS if _within(module, *prefixes)]


def test_the_scan_sees_the_modules_and_their_imports() -> None:
    # A scan that found nothing would pass every rule below.
    assert "earshot.core.journal.journal" in IMPORTS
    assert "earshot_sync.collector.app" in IMPORTS
    assert "earshot_sync.protocol" in IMPORTS["earshot_sync.collector.batch"]
    assert any(_within(name, "PySide6") for name in IMPORTS["earshot.gui.hotkey"])


def test_nothing_in_the_sync_package_imports_the_desktop_app() -> None:
    assert _crossings(_modules("earshot_sync"), ("earshot", "PySide6", "shiboken6")) == []


def test_the_shared_bottom_stands_on_the_standard_library_alone() -> None:
    outside = sorted(
        f"{module} imports {imported}"
        for module in BOTTOM
        for imported in IMPORTS[module]
        if imported not in BOTTOM
        and imported.partition(".")[0] not in sys.stdlib_module_names
        # The migration runner is SQLAlchemy's and Alembic's by nature.
        and not (
            module == "earshot_sync.schema_migrations"
            and _within(imported, "sqlalchemy", "alembic")
        )
    )
    assert outside == []


def test_the_collector_depends_on_the_shared_bottom_only() -> None:
    client = tuple(
        module
        for module in _modules("earshot_sync")
        if module not in BOTTOM
        and module != "earshot_sync"
        and not _within(module, "earshot_sync.collector")
    )
    assert "earshot_sync.sender" in client
    assert _crossings(_modules("earshot_sync.collector"), client) == []


def test_the_sync_client_never_imports_the_collector() -> None:
    client = [
        module
        for module in _modules("earshot_sync")
        if not _within(module, "earshot_sync.collector")
    ]
    assert _crossings(client, ("earshot_sync.collector",)) == []


def test_the_core_imports_no_qt_no_collector_no_sync_client_and_no_ui() -> None:
    sync_client = tuple(
        module
        for module in _modules("earshot_sync")
        if module not in BOTTOM and module != "earshot_sync"
    )
    forbidden = ("PySide6", "shiboken6", "earshot.gui", "earshot.cli", *sync_client)
    assert _crossings(_modules("earshot.core"), forbidden) == []


def test_the_desktop_app_never_imports_the_collector() -> None:
    # It starts one on loopback as a separate process (earshot_sync.local_collector).
    assert _crossings(_modules("earshot"), ("earshot_sync.collector",)) == []


@pytest.mark.parametrize(
    ("forbidden", "crossing"),
    [
        (("earshot",), "earshot_sync.sender imports earshot.core.entry"),
        (("PySide6",), "earshot_sync.sender imports PySide6.QtCore"),
    ],
)
def test_a_crossing_is_named(forbidden: tuple[str, ...], crossing: str) -> None:
    # The rules can fail: an import added to a module shows up as its crossing.
    module, _, imported = crossing.partition(" imports ")
    IMPORTS[module].add(imported)
    try:
        assert _crossings([module], forbidden) == [crossing]
    finally:
        IMPORTS[module].discard(imported)


def _loaded_after(statement: str) -> list[str]:
    probe = f"{statement}\nimport sys\nprint('\\n'.join(sorted(name for name in sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return result.stdout.split()


def test_the_collector_loads_neither_the_desktop_app_nor_qt() -> None:
    loaded = _loaded_after(
        "import earshot_sync.collector.app, earshot_sync.collector.cli, "
        "earshot_sync.collector.store"
    )
    assert "earshot_sync.collector.app" in loaded
    assert [name for name in loaded if _within(name, "earshot", "PySide6", "shiboken6")] == []


def test_the_core_loads_no_qt_and_no_collector() -> None:
    loaded = _loaded_after(
        "import earshot.core.journal, earshot.core.export, earshot.core.codec, "
        "earshot.core.settings"
    )
    assert "earshot.core.journal" in loaded
    assert [
        name for name in loaded if _within(name, "PySide6", "earshot_sync.collector", "requests")
    ] == []
