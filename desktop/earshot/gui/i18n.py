"""Translators: Qt's own (for its standard buttons and dialogs) and Earshot's.

Earshot's English catalogue is installed first as the fallback: it holds the English plural
forms ("1 entry", "2 entries"), which the source strings cannot. The user's language, when a
catalogue exists for it, is installed after it and so is asked first.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

CATALOGUE = "earshot"


def install_translators(
    app: QCoreApplication, translations: Path, locale: QLocale | None = None
) -> list[QTranslator]:
    """Install every catalogue found; return them (the caller keeps them alive)."""
    locale = locale or QLocale.system()
    installed: list[QTranslator] = []

    def install(translator: QTranslator, loaded: bool) -> None:
        if loaded and app.installTranslator(translator):
            installed.append(translator)

    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt = QTranslator(app)
    install(qt, qt.load(locale, "qtbase", "_", qt_dir))
    english = QTranslator(app)
    install(english, english.load(f"{CATALOGUE}_en", str(translations)))
    if locale.language() not in (QLocale.Language.English, QLocale.Language.C):
        own = QTranslator(app)
        install(own, own.load(locale, CATALOGUE, "_", str(translations)))
    return installed


def remove_translators(app: QCoreApplication, translators: list[QTranslator]) -> None:
    for translator in translators:
        app.removeTranslator(translator)


def fill(template: str, *values: str) -> str:
    """Qt's ``QString.arg`` for PySide, which hands back ``str``: "%1", "%2"… in any order.

    One pass, so a "%1" inside a value (a path, an error message) is left alone.
    """
    return re.sub(
        r"%(\d+)",
        lambda match: values[int(match[1]) - 1] if 0 < int(match[1]) <= len(values) else match[0],
        template,
    )
