"""The app around the windows: start-up, when it ends, the log hook, resources, translation."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QCheckBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from earshot.core.journal import Journal
from earshot.core.profile import Profile
from earshot.gui.app import EarshotApp
from earshot.gui.i18n import fill
from earshot.gui.main import run_app
from earshot.gui.resources import ENV_RESOURCES, Resources
from earshot.gui.services.window_state import WindowState
from earshot.gui.tray import FallbackWindow
from earshot.gui.windows.log_window import LogWindow
from earshot.gui.windows.quick_entry import QuickEntryWindow
from tests.mounts import make_read_only

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def controller(
    qtbot: QtBot, profile: Profile, journal: Journal, resources: Resources
) -> Iterator[EarshotApp]:
    app = EarshotApp(profile, journal, profile.settings, resources)
    qtbot.addWidget(app.quick_entry)
    qtbot.addWidget(app.quick_entry.toast)
    yield app
    if app.settings_box is not None:
        app.settings_box.close()


def start(qtbot: QtBot, controller: EarshotApp) -> QuickEntryWindow:
    controller.start()
    window = controller.quick_entry
    qtbot.waitActive(window)
    qtbot.waitUntil(window.form.text.hasFocus)
    return window


def test_qt_binding_keeps_none_alive(qapp: QApplication) -> None:
    """PySide6 6.12.0 under Python 3.11 dropped a reference to None on every void call."""
    box = QCheckBox()
    before = sys.getrefcount(None)
    for _ in range(1000):
        box.toggle()
    assert sys.getrefcount(None) > before - 100


def test_starts_with_the_cursor_in_the_text_box_and_escape_ends(
    qtbot: QtBot, controller: EarshotApp
) -> None:
    window = start(qtbot, controller)
    assert window.isVisible()
    with qtbot.waitSignal(controller.quit_requested):
        qtbot.keyClick(window.form.text, Qt.Key.Key_Escape)


def test_another_open_window_keeps_the_app_running(qtbot: QtBot, controller: EarshotApp) -> None:
    window = start(qtbot, controller)
    log_window = QWidget()  # stands in for the log window: any visible app window
    qtbot.addWidget(log_window)
    log_window.show()
    window.activateWindow()
    with qtbot.assertNotEmitted(controller.quit_requested, wait=200):
        qtbot.keyClick(window.form.text, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_with_a_way_back_in_hiding_does_not_end_the_app(
    qtbot: QtBot, controller: EarshotApp
) -> None:
    controller.quit_when_hidden = False  # as the tray sets it
    window = start(qtbot, controller)
    with qtbot.assertNotEmitted(controller.quit_requested, wait=200):
        qtbot.keyClick(window.form.text, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_after_a_save_the_app_ends_once_the_confirmation_is_gone(
    qtbot: QtBot, controller: EarshotApp, journal: Journal
) -> None:
    window = start(qtbot, controller)
    qtbot.keyClicks(window.form.text, "Lovely staff")
    with qtbot.waitSignal(window.saved):
        qtbot.keyClick(window.form.text, Qt.Key.Key_Return, CTRL)
    assert window.toast.isVisible()
    with qtbot.waitSignal(controller.quit_requested, timeout=10_000):
        pass
    assert not window.toast.isVisible()
    assert journal.waiting() == 1


def test_ctrl_l_and_the_button_call_the_log_hook(qtbot: QtBot, controller: EarshotApp) -> None:
    opened: list[str] = []
    controller.set_log_opener(lambda: opened.append("log"))
    window = start(qtbot, controller)
    qtbot.keyClick(window.form.text, Qt.Key.Key_L, CTRL)
    assert opened == ["log"]
    qtbot.mouseClick(window.log_button, Qt.MouseButton.LeftButton)
    assert opened == ["log", "log"]
    assert "Ctrl+L" in window.log_button.text()


def test_settings_problems_are_shown_without_blocking(
    qtbot: QtBot, profile: Profile, journal: Journal, resources: Resources
) -> None:
    profile.data_dir.settings.write_text("{ not json", encoding="utf-8")
    app = EarshotApp(profile, journal, profile.settings, resources)
    qtbot.addWidget(app.quick_entry)
    qtbot.addWidget(app.quick_entry.toast)
    window = start(qtbot, app)
    box = app.settings_box
    assert box is not None
    qtbot.addWidget(box)
    assert box.isVisible()
    assert not box.isModal()
    assert "is damaged" in box.informativeText()
    qtbot.keyClicks(window.form.text, "still works")
    assert window.form.text.toPlainText() == "still works"


def _answer_next_message_box(seen: list[str]) -> None:
    """Read and close the modal box run_app shows, once the event loop runs it."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.Close).click()

    QTimer.singleShot(0, answer)


def test_a_damaged_journal_is_explained_and_left_alone(
    profile: Profile, env: dict[str, str]
) -> None:
    path = profile.data_dir.journal
    path.parent.mkdir(parents=True)
    garbage = b"this is not a database, but it is someone's file\n" * 100
    path.write_bytes(garbage)
    seen: list[str] = []
    _answer_next_message_box(seen)
    assert run_app(profile, env) == 1
    assert len(seen) == 1
    assert "journal file is damaged" in seen[0]
    assert path.read_bytes() == garbage


def test_a_read_only_data_directory_is_explained(
    profile: Profile, env: dict[str, str], tmpfs: Path
) -> None:
    make_read_only(tmpfs)
    read_only = Profile.resolve(tmpfs, env)
    seen: list[str] = []
    _answer_next_message_box(seen)
    assert run_app(read_only, env) == 1
    assert len(seen) == 1
    assert "not allowed to write in its folder" in seen[0]
    assert list(tmpfs.iterdir()) == []


def _when(ready: Callable[[], QWidget | None], then: Callable[[QWidget], None]) -> None:
    """Run ``then(widget)`` from the event loop once ``ready()`` finds the widget."""

    def attempt() -> None:
        widget = ready()
        if widget is None:
            QTimer.singleShot(20, attempt)
        else:
            then(widget)

    QTimer.singleShot(0, attempt)


def _visible(kind: type[QWidget]) -> QWidget | None:
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    return found[0] if found else None


def test_run_app_opens_the_log_keeps_running_and_quits_from_its_own_window(
    qtbot: QtBot, profile: Profile, env: dict[str, str]
) -> None:
    """Type, Ctrl+L opens the log, Esc hides the quick entry, closing the log leaves the app
    running (its task-bar window here: offscreen has no tray), and its Quit button ends it."""
    log_windows: list[QWidget] = []

    def quick_entry_focused() -> QWidget | None:
        window = _visible(QuickEntryWindow)
        ok = isinstance(window, QuickEntryWindow) and window.form.text.hasFocus()
        return window if ok else None

    def type_and_open_log(window: QWidget) -> None:
        assert isinstance(window, QuickEntryWindow)
        qtbot.keyClicks(window.form.text, "typed, then Esc")
        qtbot.keyClick(window.form.text, Qt.Key.Key_L, CTRL)
        _when(lambda: _visible(LogWindow), lambda log: hide_quick_entry(window, log))

    def hide_quick_entry(window: QuickEntryWindow, log: QWidget) -> None:
        log_windows.append(log)
        window.activateWindow()
        _when(lambda: window if window.isActiveWindow() else None, press_escape)

    def press_escape(window: QWidget) -> None:
        assert isinstance(window, QuickEntryWindow)
        qtbot.keyClick(window.form.text, Qt.Key.Key_Escape)
        log_windows[0].close()
        _when(lambda: _visible(FallbackWindow), quit_from_fallback)

    def quit_from_fallback(fallback: QWidget) -> None:
        assert isinstance(fallback, FallbackWindow)
        (quit_button,) = [b for b in fallback.buttons if b.text() == "&Quit Earshot"]
        qtbot.mouseClick(quit_button, Qt.MouseButton.LeftButton)

    _when(quick_entry_focused, type_and_open_log)
    # A guard, not a timing: if the steps above never finish, run_app returns 1, not 0.
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: QApplication.exit(1))
    guard.start(60_000)
    try:
        assert run_app(profile, env) == 0
    finally:
        guard.stop()
    assert len(log_windows) == 1
    assert QApplication.applicationName() == "Earshot"
    journal = profile.open_journal()
    try:
        draft = journal.load_draft("quick-entry")
    finally:
        journal.close()
    assert draft is not None
    assert draft["text"] == "typed, then Esc"


# -- resources, translation and remembered state ------------------------------------------


def test_resources_are_found_in_the_source_tree(qapp: QApplication) -> None:
    found = Resources.locate({})
    assert (found.root / "icons" / "earshot.svg").is_file()
    for name in ("earshot", "saved"):
        icon = found.icon(name)
        assert not icon.isNull()
        assert not icon.pixmap(64, 64).isNull()  # QtSvg rendered it
    assert (found.translations / "earshot_en.ts").is_file()


def test_resources_follow_the_override(resources: Resources) -> None:
    assert Resources.locate({ENV_RESOURCES: str(resources.root)}) == resources


def test_english_plurals_come_from_the_catalogue(qapp: QApplication) -> None:
    def saved(n: int) -> str:
        return QApplication.translate(
            "QuickEntryWindow", "Saved. %n entries waiting to be sent.", "", n
        )

    assert saved(1) == "Saved. 1 entry waiting to be sent."
    assert saved(3) == "Saved. 3 entries waiting to be sent."


def test_fill_replaces_in_one_pass() -> None:
    assert fill("%2 then %1", "a%2", "b") == "b then a%2"
    assert fill("%1 of %2", "9") == "9 of %2"


def test_window_state_keeps_other_sections_and_survives_damage(tmp_path: Path) -> None:
    state = WindowState(tmp_path / "window-state.json")
    state.update("log_window", geometry="abc")
    state.update("quick_entry", staff="Ana")
    assert state.get("quick_entry", "staff") == "Ana"
    assert state.get("log_window", "geometry") == "abc"
    state.path.write_text("[broken", encoding="utf-8")
    assert state.get("quick_entry", "staff", "nobody") == "nobody"
    state.update("quick_entry", staff="Bea")
    assert state.get("quick_entry", "staff") == "Bea"


CATALOGUE = Path(__file__).resolve().parents[2] / "resources" / "translations" / "earshot_en.ts"
MY_MODULES = [
    "app",
    "widgets/choices",
    "widgets/entry_form",
    "models/log_model",
    "windows/quick_entry",
    "services/sender_later",
    "widgets/toast",
    "widgets/words_edit",
]


def _parse(ts: Path) -> ElementTree.ElementTree:
    return ElementTree.parse(ts)  # noqa: S314 -- our own catalogue and lupdate's output


def _sources(ts: Path) -> set[str]:
    return {node.text or "" for node in _parse(ts).iter("source")}


def test_english_catalogue_has_every_plural_form() -> None:
    for message in _parse(CATALOGUE).iter("message"):
        if message.get("numerus") == "yes":
            forms = [form.text for form in message.iter("numerusform")]
            assert len(forms) == 2, message.findtext("source")
            assert all(forms), f"no English plural for {message.findtext('source')!r}"


def test_english_catalogue_holds_the_quick_entry_strings(tmp_path: Path) -> None:
    """Run the real pyside6-lupdate; a new string needs `make lupdate` before it is committed."""
    gui = Path(__file__).resolve().parents[2] / "desktop" / "earshot" / "gui"
    fresh = tmp_path / "fresh.ts"
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    sources = [str(gui / f"{name}.py") for name in MY_MODULES]
    subprocess.run([str(lupdate), *sources, "-ts", str(fresh)], check=True, capture_output=True)
    missing = _sources(fresh) - _sources(CATALOGUE)
    assert missing == set(), "run `make lupdate`"
    assert len(_sources(fresh)) > 40
