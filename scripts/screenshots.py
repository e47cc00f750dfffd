"""Render every view of the window to PNG, offscreen: ``--out DIR [--data-dir DIR] [--lang CODE]``."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, help="a store to show (default: a fresh one with the demo)")
    parser.add_argument("--lang", default="en")
    args = parser.parse_args()

    from PySide6.QtCore import Qt

    from wtdc_desktop.ui.app import apply_language, make_app, open_window
    from wtdc_desktop.ui.main_window import NAVIGATION

    app = make_app()
    apply_language(app, args.lang)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="wtdc-shots-"))
    window = open_window(data_dir)
    window.resize(1280, 800)
    window.show()
    args.out.mkdir(parents=True, exist_ok=True)
    for key, _label, _type in NAVIGATION:
        window.show_view(key)
        view = window.views[key]
        table = getattr(view, "table", None)
        if table is not None and table.model().rowCount() > 0:
            table.selectRow(0)
        app.processEvents()
        path = args.out / f"{key}.png"
        window.grab().save(str(path))
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
