"""What the app's start-up does not import: it is loaded when first needed (``make bench``).

Each probe is a fresh interpreter importing what ``earshot`` imports before the tray shows; this
test process has imported everything the other tests use.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

START_UP = "import earshot.cli, earshot.gui.main"


@pytest.mark.parametrize(
    "module",
    [
        "earshot.gui.windows.log_window",  # on "Open log"
        "earshot.gui.windows.settings_window",  # on "Settings"
        "earshot.gui.services.sender",  # half a second after start-up (SyncLater)
        "requests",
        "keyring",
    ],
)
def test_start_up_does_not_import(module: str) -> None:
    probe = f"import sys; {START_UP}; print({module!r} in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False", f"{module} is imported at start-up"


def test_the_probe_sees_an_imported_module() -> None:
    probe = f"import sys; {START_UP}; print('earshot.gui.windows.quick_entry' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "True"
