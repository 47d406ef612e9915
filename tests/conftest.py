"""Fixtures for every test: a fresh data directory and journal per test, and the CI switch.

Under ``EARSHOT_NO_SKIP=1`` (as ``.ci/run`` sets it) a skipped test is reported as a failure:
a test that did not run is never counted as passing.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

# Qt runs without a display unless a test starts its own X server for a subprocess.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from earshot.core.journal import Journal
from earshot.core.profile import Profile

NO_SKIP = os.environ.get("EARSHOT_NO_SKIP") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, None, None]:
    outcome = yield
    report = outcome.get_result()
    if NO_SKIP and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under EARSHOT_NO_SKIP=1, so failed: {reason}"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "earshot-home"


@pytest.fixture
def env(data_dir: Path, tmp_path: Path) -> dict[str, str]:
    """An environment for subprocesses: this test's data directory, no system settings."""
    environ = dict(os.environ)
    environ["EARSHOT_HOME"] = str(data_dir)
    environ["EARSHOT_SYSTEM_SETTINGS"] = str(tmp_path / "no-system-settings.json")
    environ.pop("EARSHOT_TOKEN", None)
    return environ


@pytest.fixture
def profile(data_dir: Path, env: dict[str, str]) -> Profile:
    return Profile.resolve(data_dir, env)


@pytest.fixture
def journal(profile: Profile) -> Iterator[Journal]:
    opened = profile.open_journal()
    yield opened
    opened.close()
