"""``earshot --self-test`` from this venv (CI runs it in the frozen bundle: ci-selftest.sh).

It runs as a user would run it, a subprocess, against a real Secret Service (gnome-keyring in
its own D-Bus session) and a real collector on loopback; the failures are the real ones too: no
keyring session, nothing listening, a wrong path, a refused token, an untrusted certificate.
"""

from __future__ import annotations

import io
import shutil
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import secretstorage

from earshot.cli import selftest
from earshot_sync import local_collector
from tests.collector_server import Collector, running_collector
from tests.faultserver import fault_server
from tests.keyring_session import KeyringSession, keyring_session
from tests.system import require

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 240


@pytest.fixture(scope="module")
def resources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app's icons and its compiled English catalogue (make translations builds it in the
    tree; here it is built into a temporary copy, so the test does not depend on it)."""
    folder = tmp_path_factory.mktemp("resources")
    shutil.copytree(ROOT / "resources" / "icons", folder / "icons")
    (folder / "translations").mkdir()
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    subprocess.run(
        [
            str(lrelease),
            "-silent",
            str(ROOT / "resources" / "translations" / "earshot_en.ts"),
            "-qm",
            str(folder / "translations" / "earshot_en.qm"),
        ],
        check=True,
        timeout=120,
    )
    return folder


@pytest.fixture(scope="module")
def collector(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collector]:
    with running_collector(tmp_path_factory.mktemp("collector")) as running:
        yield running


@pytest.fixture
def keyring(tmp_path: Path) -> Iterator[KeyringSession]:
    with keyring_session(tmp_path / "keyring") as session:
        yield session


@pytest.fixture
def base_env(env: dict[str, str], resources: Path) -> dict[str, str]:
    environ = dict(env)
    environ["QT_QPA_PLATFORM"] = "offscreen"
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):  # offscreen only, whatever desktop runs pytest
        environ.pop(name, None)
    environ["EARSHOT_RESOURCES"] = str(resources)
    return environ


def self_test(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "earshot", "--self-test", *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def lines(done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """``{check name: "PASS  ..." or "FAIL  ..."}`` from the self-test's output."""
    found: dict[str, str] = {}
    for line in done.stdout.splitlines():
        if line.startswith(("PASS  ", "FAIL  ")):
            name = line[6:].split(":", 1)[0]
            found[name] = line
    return found


def test_every_check_passes_with_a_real_keyring_and_collector(
    base_env: dict[str, str],
    keyring: KeyringSession,
    collector: Collector,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    environ = {**base_env, **keyring.env, "EARSHOT_TOKEN": collector.token}

    done = self_test(environ, "--collector", collector.url)

    assert done.returncode == 0, done.stdout + done.stderr
    found = lines(done)
    assert set(found) == {"Qt", "journal", "keyring", "trust store", "collector"}
    assert all(line.startswith("PASS") for line in found.values()), done.stdout
    assert "SecretService" in found["keyring"]
    assert "offscreen" in found["Qt"]
    assert done.stdout.splitlines()[-1] == "All 5 checks passed."
    assert collector.token not in done.stdout + done.stderr
    # The user's own data is never touched: no journal or settings in the profile's folder,
    # no secret left behind in the keyring.
    assert not data_dir.exists()
    with keyring.active(monkeypatch):
        connection = secretstorage.dbus_init()
        try:
            items = secretstorage.get_default_collection(connection).search_items(
                {"service": "earshot-self-test"}
            )
            assert list(items) == []
        finally:
            connection.close()


def test_no_keyring_session_fails_and_says_why(base_env: dict[str, str], tmp_path: Path) -> None:
    environ = dict(base_env)
    # A D-Bus address where nothing listens: no Secret Service, as on a bare Linux box.
    environ["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={tmp_path / 'no-bus'}"
    environ["HOME"] = str(tmp_path / "home")

    done = self_test(environ)

    assert done.returncode == 1
    found = lines(done)
    assert found["keyring"].startswith("FAIL  keyring: no secure keyring")
    assert "Secret Service" in found["keyring"]
    assert found["journal"].startswith("PASS")  # one failure does not hide the other answers
    assert "1 of 4 checks failed: keyring." in done.stdout


def refused_port() -> Iterator[int]:
    # Bound but not listening: the port stays ours, so nothing else can answer on it.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def closed_port() -> Iterator[int]:
    yield from refused_port()


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("collector.example", "is not a web address"),
        ("http://collector.example", "is not encrypted"),
        ("{url}/not-the-collector", "answered 404; check the collector's address"),
        ("http://127.0.0.1:{closed}", "nothing answers at 127.0.0.1:{closed} (connection refused)"),
        ("https://no-such-host.invalid", "the name 'no-such-host.invalid' is not known"),
    ],
)
def test_a_wrong_collector_address_fails_and_says_why(
    base_env: dict[str, str],
    keyring: KeyringSession,
    collector: Collector,
    closed_port: int,
    address: str,
    expected: str,
) -> None:
    environ = {**base_env, **keyring.env, "EARSHOT_TOKEN": collector.token}
    url = address.format(url=collector.url, closed=closed_port)

    done = self_test(environ, "--collector", url)

    assert done.returncode == 1
    found = lines(done)
    assert found["collector"].startswith("FAIL  collector:")
    assert expected.format(closed=closed_port) in found["collector"]
    assert [name for name, line in found.items() if line.startswith("FAIL")] == ["collector"]
    assert collector.token not in done.stdout + done.stderr


def test_a_refused_or_missing_token_fails_and_is_never_shown(
    base_env: dict[str, str], keyring: KeyringSession, collector: Collector
) -> None:
    wrong = "not-the-device-token-" + "x" * 20
    refused = self_test(
        {**base_env, **keyring.env, "EARSHOT_TOKEN": wrong}, "--collector", collector.url
    )
    missing = self_test({**base_env, **keyring.env}, "--collector", collector.url)

    assert refused.returncode == 1
    assert "refused the device token (401)" in lines(refused)["collector"]
    assert wrong not in refused.stdout + refused.stderr
    assert missing.returncode == 1
    assert "set the device token in EARSHOT_TOKEN" in lines(missing)["collector"]


def test_a_certificate_this_pc_does_not_trust_fails(
    base_env: dict[str, str], keyring: KeyringSession, tmp_path: Path
) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            require("openssl", "openssl"),
            *("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with fault_server(token="self-signed-test-token", tls=context) as server:
        environ = {**base_env, **keyring.env, "EARSHOT_TOKEN": "self-signed-test-token"}
        done = self_test(environ, "--collector", server.url)

    assert done.returncode == 1
    assert "certificate is not trusted by this PC" in lines(done)["collector"]


def test_missing_icons_or_translations_fail_the_qt_check(
    base_env: dict[str, str], keyring: KeyringSession, tmp_path: Path, resources: Path
) -> None:
    no_icons = tmp_path / "no-icons"
    (no_icons / "icons").mkdir(parents=True)
    (no_icons / "icons" / "earshot.svg").write_text("not an SVG", encoding="utf-8")
    no_catalogue = tmp_path / "no-catalogue"
    shutil.copytree(resources / "icons", no_catalogue / "icons")

    broken_icon = self_test({**base_env, **keyring.env, "EARSHOT_RESOURCES": str(no_icons)})
    no_qm = self_test({**base_env, **keyring.env, "EARSHOT_RESOURCES": str(no_catalogue)})

    assert broken_icon.returncode == 1
    assert "the app icon does not draw" in lines(broken_icon)["Qt"]
    assert no_qm.returncode == 1
    assert "earshot_en.qm was not found" in lines(no_qm)["Qt"]


def test_a_qt_platform_that_cannot_start_fails_without_ending_the_self_test(
    base_env: dict[str, str], keyring: KeyringSession, tmp_path: Path
) -> None:
    # xcb with no X server: Qt aborts the process it starts in, here the check's child.
    environ = {**base_env, **keyring.env, "QT_QPA_PLATFORM": "xcb"}
    environ["DISPLAY"] = ":99999"

    done = self_test(environ)

    assert done.returncode == 1
    assert "Qt could not start on the 'xcb' platform" in lines(done)["Qt"]
    assert lines(done)["journal"].startswith("PASS")


def test_collector_without_self_test_is_a_usage_error(base_env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "earshot", "--collector", "https://collector.example"],
        env=base_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "--collector goes with --self-test" in done.stderr


@pytest.mark.parametrize(
    "extra",
    [["add", "The lift is broken"], ["--data-dir", "/tmp/somewhere"], ["status"]],
    ids=["add", "data-dir", "status"],
)
def test_self_test_with_a_command_or_data_dir_is_a_usage_error(
    base_env: dict[str, str], extra: list[str]
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "earshot", "--self-test", *extra],
        env=base_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--self-test runs on its own" in done.stderr
    assert "PASS" not in done.stdout


def test_a_frozen_app_never_starts_the_loopback_collector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert local_collector.available()  # here the collector is installed
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert not local_collector.available()


@pytest.mark.parametrize(
    ("environ", "platforms"),
    [
        ({}, ["offscreen"]),  # no display: xcb is reported as not checked
        ({"QT_QPA_PLATFORM": "offscreen"}, ["offscreen"]),
        ({"QT_QPA_PLATFORM": "wayland;xcb"}, ["wayland", "offscreen"]),
        ({"DISPLAY": ":0"}, ["xcb", "offscreen"]),
        ({"WAYLAND_DISPLAY": "wayland-0"}, ["wayland", "offscreen"]),
        (
            {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"},
            ["wayland", "offscreen", "xcb"],
        ),
    ],
)
def test_the_qt_check_starts_the_platform_the_session_asks_for_and_offscreen(
    environ: dict[str, str], platforms: list[str]
) -> None:
    assert sys.platform == "linux"
    assert selftest._platforms_to_try(environ) == platforms


def test_without_a_display_xcb_is_reported_not_checked_and_the_rest_passes(
    base_env: dict[str, str], keyring: KeyringSession
) -> None:
    environ = {**base_env, **keyring.env}
    del environ["QT_QPA_PLATFORM"]  # Qt's own choice, xcb, with no DISPLAY: an ssh session

    done = self_test(environ)

    assert done.returncode == 0, done.stdout + done.stderr
    qt = lines(done)["Qt"]
    assert qt.startswith("PASS  Qt: started on offscreen"), qt
    assert "xcb not checked: no display" in qt
    assert "desktop session" in qt


def test_a_platform_named_without_a_display_still_fails(
    base_env: dict[str, str], keyring: KeyringSession
) -> None:
    done = self_test({**base_env, **keyring.env, "QT_QPA_PLATFORM": "xcb"})

    assert done.returncode == 1
    assert "Qt could not start on the 'xcb' platform" in lines(done)["Qt"]


def test_a_frozen_self_test_fails_on_resources_from_outside_the_bundle(
    base_env: dict[str, str], resources: Path, tmp_path: Path
) -> None:
    # EARSHOT_RESOURCES points outside the bundle: its icons would hide missing ones inside.
    outside = selftest.check_qt(base_env, subprocess.run, bundle=tmp_path / "bundle")
    assert not outside.passed
    assert f"found in {resources}, outside the bundle" in outside.reason
    assert "EARSHOT_RESOURCES" in outside.reason

    inside = selftest.check_qt(base_env, subprocess.run, bundle=resources.parent)
    assert inside.passed, inside.reason


def test_a_check_that_raises_is_reported_under_its_own_name(tmp_path: Path) -> None:
    def no_program(*args: object, **kwargs: object) -> subprocess.CompletedProcess[str]:
        raise FileNotFoundError("the bundle's program is gone")

    out = io.StringIO()
    code = selftest.run(None, {"QT_QPA_PLATFORM": "offscreen"}, out, run_child=no_program)

    assert code == 1
    qt = [line for line in out.getvalue().splitlines() if line.startswith("FAIL  Qt:")]
    assert qt == [
        'FAIL  Qt: the check itself failed (FileNotFoundError("the bundle\'s program is gone"))'
    ]
    assert "<lambda>" not in out.getvalue()
