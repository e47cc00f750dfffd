"""Render resources/icons/wtdc-desktop.svg to the PNG, ICO and ICNS icons of the builds.

    python scripts/make_icons.py

PNGs (16 to 512 pixels) are rendered by Qt's SVG renderer, the same one the application uses;
the Windows .ico and macOS .icns are assembled from them with Pillow, a build-time tool only
(``pip install Pillow``; the application never imports it). Skipped with a message when Pillow
is missing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "wtdc-desktop.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render_pngs() -> dict[int, Path]:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - keeps Qt alive
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG} is not a valid SVG file")
    out = {}
    for size in SIZES:
        image = QImage(size, size, QImage.Format_ARGB32)
        image.fill(Qt.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = ICONS / f"wtdc-desktop-{size}.png"
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"could not write {path}")
        out[size] = path
    return out


def pillow_icons(pngs: dict[int, Path]) -> None:
    try:
        from PIL import Image
    except ImportError:
        print("Pillow is not installed: wtdc-desktop.ico and wtdc-desktop.icns were not regenerated.")
        return
    largest = Image.open(pngs[256])
    largest.save(ICONS / "wtdc-desktop.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    Image.open(pngs[512]).save(ICONS / "wtdc-desktop.icns")


def main() -> int:
    pngs = render_pngs()
    pillow_icons(pngs)
    for path in sorted(ICONS.iterdir()):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
