"""Render resources/icons/earshot.svg into the icons Windows and macOS builds need.

    .venv/bin/python packaging/make_icons.py

writes packaging/windows/earshot.ico (16 to 256 px) and packaging/macos/earshot.icns (16 to
1024 px): Qt draws the SVG, Pillow (the ``package`` extra: ``pip install -e '.[package]'``)
writes the containers.
Both are committed, so building on Windows or macOS needs no extra tool. Run again after
changing the app icon.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "resources" / "icons" / "earshot.svg"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE} is not a usable SVG")
    # Qt draws the SVG (Pillow cannot); Pillow writes the ICO and ICNS containers, scaling the
    # 1024 px drawing down for each size they hold.
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    render(renderer, 1024).save(buffer, "PNG")
    image = Image.open(io.BytesIO(bytes(data.data())))
    windows = ROOT / "packaging" / "windows" / "earshot.ico"
    macos = ROOT / "packaging" / "macos" / "earshot.icns"
    windows.parent.mkdir(exist_ok=True)
    macos.parent.mkdir(exist_ok=True)
    image.save(windows, sizes=[(side, side) for side in (16, 24, 32, 48, 64, 128, 256)])
    image.save(macos)
    print(f"wrote {windows} and {macos}")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
