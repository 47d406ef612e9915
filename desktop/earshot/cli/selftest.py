"""``earshot --self-test``: what a desktop bundle can get wrong, checked from inside it.

A frozen app can lack a Qt platform plugin, its icons, the journal's migration scripts, the
keyring's backends (found through package metadata) or the OS trust store. Each check prints
one line, PASS or FAIL with a plain reason, and the exit code is 0 only if all pass: a windowed
build has no console, so IT reads the exit code.

The self-test never touches the user's own data: the journal is a new one in a temporary
folder, the keyring secret is a throwaway under its own service name, deleted again, and the
collector round trip only reads the protocol info with the token from ``EARSHOT_TOKEN``.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import ssl
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from earshot import __version__

KEYRING_SERVICE = "earshot-self-test"
ENV_REPORT = "EARSHOT_SELF_TEST_REPORT"  # where the Qt check's child writes what it found
QT_CHILD_TIMEOUT_S = 60.0
COLLECTOR_TIMEOUT = (5.0, 15.0)  # (connect, read) seconds


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    reason: str

    def line(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'}  {self.name}: {self.reason}"


def frozen() -> bool:
    """Whether this runs inside a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False))


def self_command() -> list[str]:
    """How to start this same Earshot again: the bundle's program, or Python with the module."""
    return [sys.executable] if frozen() else [sys.executable, "-m", "earshot"]


# -- Qt -------------------------------------------------------------------------------------


def requested_platform(env: Mapping[str, str]) -> str:
    """The Qt platform this environment asks for (Qt's own choice when none is named)."""
    named = env.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0].strip()
    if named:
        return named
    if sys.platform == "win32":
        return "windows"
    if sys.platform == "darwin":
        return "cocoa"
    wayland = env.get("WAYLAND_DISPLAY") and (
        env.get("XDG_SESSION_TYPE") == "wayland" or not env.get("DISPLAY")
    )
    return "wayland" if wayland else "xcb"


def _no_display(env: Mapping[str, str]) -> bool:
    """Linux outside a desktop session (ssh, a service): Qt's own choice, xcb, cannot start."""
    return (
        sys.platform == "linux"
        and not env.get("QT_QPA_PLATFORM", "").strip()
        and requested_platform(env) == "xcb"
        and not env.get("DISPLAY")
    )


def _platforms_to_try(env: Mapping[str, str]) -> list[str]:
    # offscreen is how the app's own tests and a headless self-test run, so the bundle needs it
    # too; xcb is what a Linux desktop uses (Wayland sessions run it through XWayland). Without
    # a display xcb is not tried (see check_qt); a platform named in QT_QPA_PLATFORM always is.
    wanted = [] if _no_display(env) else [requested_platform(env)]
    wanted.append("offscreen")
    if sys.platform == "linux" and env.get("DISPLAY"):
        wanted.append("xcb")  # also on a Wayland session that has XWayland
    return list(dict.fromkeys(wanted))


def bundle_root() -> Path | None:
    """The frozen app's own folder (PyInstaller's ``_MEIPASS``); None when not frozen."""
    if not frozen():
        return None
    return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)).resolve()


def qt_child(platform: str, out: TextIO | None) -> int:
    """In a child process: start Qt on ``platform``, draw the app icon, load the English
    catalogue; write the findings as JSON to the file the parent named in ``ENV_REPORT`` (a
    windowed build has no stdout), else to ``out``. A platform that cannot start makes Qt abort
    the process, which the parent reports as a failure (it cannot take the self-test down)."""
    from PySide6.QtCore import QTranslator
    from PySide6.QtGui import QGuiApplication

    from earshot.gui.resources import Resources

    app = QGuiApplication([sys.argv[0], "-platform", platform])
    resources = Resources.locate(os.environ)
    pixmap = resources.icon("earshot").pixmap(32, 32)
    translator = QTranslator()
    found = {
        "platform": app.platformName(),
        "resources": str(resources.root),
        "icon": not pixmap.isNull(),
        "translation": translator.load("earshot_en", str(resources.translations)),
    }
    report = os.environ.get(ENV_REPORT)
    if report:
        Path(report).write_text(json.dumps(found), encoding="utf-8")
    elif out is not None:
        print(json.dumps(found), file=out, flush=True)
    return 0


def _qt_failure(platform: str, stderr: str, code: int) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    # Qt names the cause first ("qt.qpa.xcb: could not connect to display", "Could not load
    # the Qt platform plugin ..."); the long advice after it is for developers.
    cause = next((line for line in lines if line.startswith(("qt.qpa", "Could not"))), "")
    cause = cause or (lines[-1] if lines else f"it ended with code {code}")
    return f"Qt could not start on the {platform!r} platform: {cause[:300]}"


def check_qt(
    env: Mapping[str, str],
    run: Callable[..., subprocess.CompletedProcess[str]],
    bundle: Path | None = None,
) -> Check:
    """Qt starts on the platforms this session uses, draws the icon, loads the catalogue.

    ``bundle``: the frozen app's folder; icons found outside it (EARSHOT_RESOURCES, a source
    tree) fail the check, since the bundle would then pass on files it does not carry.
    """
    started: list[str] = []
    details: list[str] = []
    resources: object = None
    for platform in _platforms_to_try(env):
        try:
            done, found = _run_qt_child(platform, env, run)
        except subprocess.TimeoutExpired:
            return Check("Qt", False, f"starting Qt on {platform!r} did not finish in time")
        if done.returncode != 0 or found is None:
            return Check("Qt", False, _qt_failure(platform, done.stderr, done.returncode))
        started.append(str(found.get("platform")))
        if not found.get("icon"):
            return Check(
                "Qt",
                False,
                f"the app icon does not draw (no icons in {found.get('resources')}, or Qt's "
                "SVG support is missing from the bundle)",
            )
        if not found.get("translation"):
            details.append("the English catalogue earshot_en.qm was not found")
        resources = found.get("resources")
        if bundle is not None and not Path(str(resources)).resolve().is_relative_to(bundle):
            return Check(
                "Qt",
                False,
                f"the icons and translations were found in {resources}, outside the bundle "
                f"({bundle}): the bundle's own are missing (unset EARSHOT_RESOURCES to check)",
            )
    if details:
        return Check("Qt", False, "; ".join(details) + f" (looked in {resources}/translations)")
    reason = f"started on {', '.join(started)}; icons and translations in {resources}"
    if _no_display(env):
        reason += (
            "; xcb not checked: no display (run the self-test in the user's desktop session "
            "to check it)"
        )
    return Check("Qt", True, reason)


def _run_qt_child(
    platform: str, env: Mapping[str, str], run: Callable[..., subprocess.CompletedProcess[str]]
) -> tuple[subprocess.CompletedProcess[str], dict[str, object] | None]:
    with tempfile.TemporaryDirectory(prefix="earshot-self-test-") as folder:
        report = Path(folder) / "qt.json"
        child_env = dict(env)
        child_env.pop("QT_QPA_PLATFORM", None)  # "-platform" decides
        child_env[ENV_REPORT] = str(report)
        done = run(
            [*self_command(), "--self-test-qt", platform],
            env=child_env,
            capture_output=True,
            text=True,
            timeout=QT_CHILD_TIMEOUT_S,
            check=False,
        )
        try:
            value = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return done, None
    return done, value if isinstance(value, dict) else None


# -- journal ----------------------------------------------------------------------------------


def check_journal() -> Check:
    from earshot.core.entry import EntryInput
    from earshot.core.journal import Journal, JournalError
    from earshot.core.journal.migrate import SCHEMA_HEAD

    with tempfile.TemporaryDirectory(prefix="earshot-self-test-") as folder:
        path = Path(folder) / "journal.sqlite3"
        text = f"self-test {uuid.uuid4()}"
        try:
            journal = Journal.open(path)
            try:
                saved = journal.record(EntryInput(text=text), site="")
            finally:
                journal.close()
            journal = Journal.open(path)  # again: a journal at head opens without migrating
            try:
                stored = journal.get(saved.id)
            finally:
                journal.close()
        except JournalError as error:
            return Check("journal", False, f"a new journal could not be used: {error}")
        except Exception as error:  # a missing migration script or module in the bundle
            return Check("journal", False, f"a new journal could not be made ({error!r:.300})")
    if stored is None or stored.entry.text != text:
        return Check("journal", False, "an entry saved in a new journal did not read back")
    return Check(
        "journal", True, f"a new journal migrated to schema {SCHEMA_HEAD}; save and read back"
    )


# -- keyring ----------------------------------------------------------------------------------


def check_keyring() -> Check:
    import keyring
    import keyring.errors

    from earshot_sync.credentials import NoKeyring, secure_backend

    try:
        backend = secure_backend(keyring.get_keyring())
    except NoKeyring:
        found = type(keyring.get_keyring())
        return Check(
            "keyring",
            False,
            f"no secure keyring ({found.__module__}.{found.__name__}): on Linux the Secret "
            "Service (GNOME Keyring, KWallet) of a logged-in desktop session is needed",
        )
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    user = f"self-test-{uuid.uuid4()}"
    secret = secrets.token_urlsafe(24)
    try:
        backend.set_password(KEYRING_SERVICE, user, secret)
        try:
            read_back = backend.get_password(KEYRING_SERVICE, user)
        finally:
            backend.delete_password(KEYRING_SERVICE, user)
        gone = backend.get_password(KEYRING_SERVICE, user) is None
    except keyring.errors.KeyringError as error:
        return Check(
            "keyring",
            False,
            f"{name} did not keep a throwaway secret ({type(error).__name__}); if the keyring "
            "is locked, unlock it (log in to the desktop again)",
        )
    if read_back != secret:
        return Check("keyring", False, f"{name} gave back another secret than it was given")
    if not gone:
        return Check("keyring", False, f"{name} kept a secret it was told to delete")
    return Check("keyring", True, f"{name}: a throwaway secret saved, read and deleted")


# -- trust store ------------------------------------------------------------------------------


def check_trust_store() -> Check:
    from earshot_sync.transport import os_trust_context

    try:
        context = os_trust_context()
    except Exception as error:
        return Check("trust store", False, f"no TLS context from the OS trust store ({error!r})")
    if context.verify_mode != ssl.CERT_REQUIRED or not context.check_hostname:
        return Check("trust store", False, "the TLS context does not check certificates")
    if sys.platform != "linux":
        # Windows and macOS are asked at each handshake; there is nothing to count here.
        return Check("trust store", True, "TLS checks certificates with the OS trust store")
    return _linux_certificates()


def _linux_certificates() -> Check:
    probe = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        count = _load_os_certificates(probe)
    except (OSError, ssl.SSLError) as error:
        return Check("trust store", False, f"the OS certificates could not be read ({error})")
    defaults = ssl.get_default_verify_paths()
    if count:
        return Check("trust store", True, f"{count} CA certificates from the OS trust store")
    if defaults.capath and any(Path(defaults.capath).glob("*.0")):
        # A hashed folder is read certificate by certificate during a handshake.
        return Check("trust store", True, f"CA certificates in {defaults.capath}")
    return Check(
        "trust store",
        False,
        "no CA certificates found on this PC (on Debian and Ubuntu: install ca-certificates)",
    )


def _load_os_certificates(probe: ssl.SSLContext) -> int:
    """Load into ``probe`` the CA certificates truststore would use on Linux; their count.

    truststore's public API loads them only during a handshake, so the count comes from its
    private helper (truststore/_openssl.py: OpenSSL's default file or folder, else the
    distributions' usual bundle files), pinned with truststore in pyproject.toml. Should a
    later truststore drop it, the standard library's default paths are counted instead.
    """
    try:
        from truststore._openssl import _configure_context
    except ImportError:
        probe.load_default_certs()
        return int(probe.cert_store_stats()["x509_ca"])
    with _configure_context(probe):
        return int(probe.cert_store_stats()["x509_ca"])


# -- collector --------------------------------------------------------------------------------


def check_collector(url: str, env: Mapping[str, str]) -> Check:
    from earshot_sync.client import CollectorClient, SendFailed, Unreachable
    from earshot_sync.credentials import ENV_TOKEN, Token
    from earshot_sync.transport import EndpointProblem, check_endpoint, make_session

    try:
        address = check_endpoint(url)
    except EndpointProblem as problem:
        return Check("collector", False, str(problem))
    raw = env.get(ENV_TOKEN, "").strip()
    if not raw:
        return Check(
            "collector", False, f"set the device token in {ENV_TOKEN} to test the collector"
        )
    try:
        token = Token(raw)
    except ValueError as problem:
        return Check("collector", False, f"the token in {ENV_TOKEN} is not usable: {problem}")
    client = CollectorClient(address, token, make_session(), COLLECTOR_TIMEOUT)
    try:
        info = client.info()
    except Unreachable as failure:
        return Check("collector", False, _why_unreachable(address) or failure.message)
    except SendFailed as failure:
        return Check("collector", False, failure.message)
    return Check(
        "collector",
        True,
        f"{address} answered with protocol {info.protocol} and accepted the device token",
    )


def _why_unreachable(address: str) -> str | None:
    """A plainer cause than "the connection failed" when the name or the port is the problem."""
    parts = urlsplit(address)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=COLLECTOR_TIMEOUT[0]):
            return None  # it listens: the client's own message (TLS, timeout) says more
    except socket.gaierror:
        return f"the name {host!r} is not known on this network (check the address)"
    except ConnectionRefusedError:
        return (
            f"nothing answers at {host}:{port} (connection refused): is the collector running, "
            "and is the port right?"
        )
    except OSError:
        return None


# -- all of it --------------------------------------------------------------------------------


def run(
    collector: str | None,
    env: Mapping[str, str],
    out: TextIO | None,
    run_child: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run,
) -> int:
    """Run every check, print one line each; 0 if all passed, 1 if not."""
    where = f"bundle in {Path(sys.executable).parent}" if frozen() else f"Python {sys.executable}"
    _say(out, f"Earshot {__version__} self-test ({where})")
    # Named here: a check that raises is reported under its own name, not "<lambda>".
    steps: list[tuple[str, Callable[[], Check]]] = [
        ("Qt", lambda: check_qt(env, run_child, bundle_root())),
        ("journal", check_journal),
        ("keyring", check_keyring),
        ("trust store", check_trust_store),
    ]
    if collector is not None:
        steps.append(("collector", lambda: check_collector(collector, env)))
    results: list[Check] = []
    for name, step in steps:
        result = _guarded(name, step)
        results.append(result)
        _say(out, result.line())
    failed = [result.name for result in results if not result.passed]
    if failed:
        _say(out, f"{len(failed)} of {len(results)} checks failed: {', '.join(failed)}.")
        return 1
    _say(out, f"All {len(results)} checks passed.")
    return 0


def _guarded(name: str, step: Callable[[], Check]) -> Check:
    # One broken check (a module missing from the bundle) must not hide the others' answers.
    try:
        return step()
    except Exception as error:
        return Check(name, False, f"the check itself failed ({error!r:.300})")


def _say(out: TextIO | None, line: str) -> None:
    # A windowed build on Windows has no console: sys.stdout is None, the exit code remains.
    if out is not None:
        print(line, file=out, flush=True)
