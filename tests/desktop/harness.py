"""The app as ``run_app`` builds it, without sending, with a line protocol for tests.

Run on a real X server (``QT_QPA_PLATFORM=xcb``) by ``tests/desktop``. It is the real app as the
composition root :func:`~earshot.gui.main.compose` builds it (windows, tray, hotkey, single
instance), with no sync service; the only addition is stdin: each line ``status`` is answered on
stdout with one JSON object that says what is on screen (tray geometry and tooltip, fallback
window, hotkey, quick entry, focus), ``settings`` opens the settings window as the tray menu
does, and ``quit`` ends the app. ``ready`` is printed once the shell runs, ``second`` if another
instance was already running (then it exits at once, as the app does).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from PySide6.QtCore import QSocketNotifier
from PySide6.QtWidgets import QApplication

from earshot.core.profile import Profile
from earshot.gui.app import EarshotApp
from earshot.gui.main import compose
from earshot.gui.resources import Resources
from earshot.gui.services.single_instance import claim_instance
from earshot.gui.shell import DesktopShell


def status(app: QApplication, controller: EarshotApp, shell: DesktopShell) -> dict[str, object]:
    icon = shell.tray.icon
    geometry = icon.geometry()
    fallback = shell.tray.fallback
    active = app.activeWindow()
    focus = app.focusWidget()
    window = controller.quick_entry
    return {
        "in_tray": shell.tray.in_tray,
        "tray_geometry": [geometry.x(), geometry.y(), geometry.width(), geometry.height()],
        "tooltip": shell.tray.tooltip(),
        "fallback_visible": fallback is not None and fallback.isVisible(),
        "fallback_window": int(fallback.winId()) if fallback is not None else 0,
        "fallback_minimized": fallback is not None and fallback.isMinimized(),
        "hotkey": str(shell.hotkey.current() or ""),
        "hotkey_backend": shell.hotkey.name,
        "hotkey_problem": shell.hotkey_problem,
        "quick_entry_visible": window.isVisible(),
        "quick_entry_window": int(window.winId()),
        "active_window": active.objectName() if active is not None else "",
        "focus": focus.accessibleName() if focus is not None else "",
        "pid": os.getpid(),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--hidden", action="store_true", help="start without the quick entry")
    args = parser.parse_args()
    env = dict(os.environ)
    profile = Profile.resolve(args.data_dir, env)
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Earshot")
    instance = claim_instance(profile.data_dir.root)
    if instance is None:
        print("second", flush=True)
        return 0
    resources = Resources.locate(env)
    journal = profile.open_journal()
    desktop = compose(app, profile, journal, resources, instance, env)
    app.aboutToQuit.connect(desktop.shutdown)
    controller, shell = desktop.windows, desktop.shell

    def answer() -> None:
        line = sys.stdin.readline()
        command = line.strip()
        if not line or command == "quit":
            app.quit()
        elif command == "status":
            print(json.dumps(status(app, controller, shell)), flush=True)
        elif command == "settings":
            shell.tray.settings.emit()  # as the tray menu's Settings does

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(answer)
    desktop.start(show_quick_entry=not args.hidden)
    print("ready", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
