"""A collector server installed the way its README says: ``pip install '.[collector]'``.

One fresh venv for the module: the package built from a copy of the source and installed
(not editable) with only the ``collector`` extra, from the local wheels pip is set up with.
Then: no Qt nor any other part of the ``desktop`` extra is installed; the collector imports,
starts as ``python -m earshot_sync.collector``, and answers a device; and the desktop's own
commands that need the extra say in one line what to install instead of a traceback.

The copy is what pip would build from anyway; building in the working tree would leave
setuptools' build/lib behind, which keeps modules that were since moved or deleted and puts
them into the next wheel (https://github.com/pypa/setuptools/issues/1871).
"""

from __future__ import annotations

import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from importlib.metadata import packages_distributions, requires
from pathlib import Path

import pytest
import requests
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from earshot import __version__
from earshot.extras import DESKTOP_MODULES
from earshot_sync.protocol import INFO_PATH, PROTOCOL_VERSION

ROOT = Path(__file__).resolve().parents[2]
# Building the package and installing the collector's dependencies took 35-45 s (the whole
# module 52-74 s) from pip's local wheels on a busy 2-core machine; the timeouts leave room.
INSTALL_TIMEOUT_S = 600
pytestmark = pytest.mark.timeout(INSTALL_TIMEOUT_S + 120)
QT = {"pyside6", "pyside6-essentials", "pyside6-addons", "shiboken6"}


def desktop_extra() -> set[str]:
    """The distributions the ``desktop`` extra adds on this platform (the dev venv's metadata)."""
    names = set()
    for line in requires("earshot") or []:
        requirement = Requirement(line)
        marker = requirement.marker
        # In the extra (and for this platform), and not a base dependency with a marker.
        if marker and marker.evaluate({"extra": "desktop"}) and not marker.evaluate({"extra": ""}):
            names.add(canonicalize_name(requirement.name))
    return names


def test_the_desktop_modules_are_the_desktop_extra() -> None:
    """earshot.extras checks for the desktop extra by module name: the same distributions."""
    assert {canonicalize_name(name) for name in DESKTOP_MODULES.values()} == desktop_extra()
    provided = packages_distributions()
    for module, distribution in DESKTOP_MODULES.items():
        providers = {canonicalize_name(name) for name in provided.get(module, [])}
        assert canonicalize_name(distribution) in providers, module


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("collector-install")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for folder in ("desktop", "sync"):
        shutil.copytree(ROOT / folder, source / folder, ignore=skip)
    target = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(target)], check=True, timeout=120)
    installed = run(
        target, "python", "-m", "pip", "install", "--quiet", f"{source}[collector]",
        "--no-compile",  # half the install's time; what runs is compiled when first imported
        timeout=INSTALL_TIMEOUT_S,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    return target


def environment(**extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    environ.pop("EARSHOT_TOKEN", None)
    return environ | extra


def run(
    venv: Path, program: str, *args: str, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    """``program`` from the venv's bin/, outside the repository (so nothing of it is found)."""
    return subprocess.run(
        [str(venv / "bin" / program), *args],
        cwd=venv,
        env=environment(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def earshot_home(tmp_path: Path) -> dict[str, str]:
    """A new data folder for ``earshot``, and no system-wide settings."""
    return {
        "EARSHOT_HOME": str(tmp_path / "home"),
        "EARSHOT_SYSTEM_SETTINGS": str(tmp_path / "no-system-settings.json"),
    }


def test_neither_qt_nor_the_rest_of_the_desktop_extra_is_installed(venv: Path) -> None:
    listed = run(venv, "python", "-m", "pip", "list", "--format", "json")
    installed = {canonicalize_name(row["name"]) for row in json.loads(listed.stdout)}
    assert {"earshot", "fastapi", "uvicorn", "sqlalchemy"} <= installed
    assert installed & QT == set()
    assert installed & desktop_extra() == set()


def test_the_collector_imports_nothing_of_the_desktop(venv: Path) -> None:
    code = (
        "import sys, earshot_sync.collector.app, earshot_sync.collector.cli\n"
        "import json; print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
    )
    done = run(venv, "python", "-c", code)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout))
    assert loaded & {"earshot", "PySide6", "shiboken6", *DESKTOP_MODULES} == set()


def test_the_collector_module_tells_its_version(venv: Path) -> None:
    done = run(venv, "python", "-m", "earshot_sync.collector", "--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"earshot-collector {__version__}")


@pytest.fixture
def serving(venv: Path, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """``python -m earshot_sync.collector serve`` on a free loopback port: (its URL, a token)."""
    home = {"EARSHOT_COLLECTOR_HOME": str(tmp_path / "collector")}
    added = run(venv, "python", "-m", "earshot_sync.collector", "add-device", "till-1", **home)
    assert added.returncode == 0, added.stderr
    command = ["-m", "earshot_sync.collector", "serve", "--port", "0", "--no-access-log"]
    process = subprocess.Popen(
        [str(venv / "bin" / "python"), *command],
        cwd=venv,
        env=environment(**home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield listening_url(process), added.stdout.strip()
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    # Stopped as a service manager stops it (SIGTERM): uvicorn shuts down, then raises the signal
    # again so that the exit status tells it was stopped by one.
    assert process.returncode == -signal.SIGTERM, stderr
    assert "Finished server process" in stderr


def listening_url(process: subprocess.Popen[str], timeout: float = 60) -> str:
    """The URL of the "listening on" line it prints once it accepts connections."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while selector.select(max(0.0, deadline - time.monotonic())):
            line = process.stdout.readline()
            if not line:
                break  # it ended
            found = re.search(r"listening on (http://\S+)", line)
            if found:
                return found.group(1)
    process.kill()
    raise AssertionError(f"the collector did not start: {process.communicate()[1]}")


def test_the_collector_module_serves_a_device(serving: tuple[str, str]) -> None:
    url, token = serving
    assert url.startswith("http://127.0.0.1:")
    device = {"Authorization": f"Bearer {token}"}
    response = requests.get(url + INFO_PATH, headers=device, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["protocol"] == PROTOCOL_VERSION


@pytest.mark.parametrize(
    ("args", "feature"),
    [
        ((), "the desktop app"),
        (("capture",), "earshot capture"),
        (("sync", "--once"), "earshot sync"),
        (("token", "clear"), "earshot token"),
        (("config", "show"), "earshot config"),
        (("--self-test",), "earshot --self-test"),
    ],
)
def test_desktop_commands_say_what_to_install(
    venv: Path, tmp_path: Path, args: Sequence[str], feature: str
) -> None:
    done = run(venv, "earshot", *args, **earshot_home(tmp_path))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    line = f"earshot: {feature} needs the desktop extra, not installed here (missing "
    assert done.stderr.startswith(line)
    assert done.stderr.rstrip().endswith("pip install '.[desktop]' in Earshot's source folder")
    assert len(done.stderr.splitlines()) == 1


def test_add_status_and_export_need_no_desktop_extra(venv: Path, tmp_path: Path) -> None:
    home = earshot_home(tmp_path)
    added = run(venv, "earshot", "add", "The queue was too long", **home)
    assert added.returncode == 0, added.stderr
    status = run(venv, "earshot", "status", "--json", **home)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["queued"] == 1
    exported = run(venv, "earshot", "export", "--format", "jsonl", **home)
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["text"] == "The queue was too long"
