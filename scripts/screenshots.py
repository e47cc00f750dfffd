"""Render every view of the window to PNG, offscreen: ``--out DIR [--data-dir DIR] [--lang CODE]``.

One PNG per view, named after it (``documents.png``…), plus the search
dialog, the settings dialog and the shortcut list. On the demo content by
default, with "today" set to the demo conference's first day so that the
Today view has something to show (``--today`` changes it). Run with
``QT_SCALE_FACTOR=2`` to check the window at 200 %.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, help="a store to show (default: a fresh one with the demo)")
    parser.add_argument("--lang", default="en")
    parser.add_argument("--today", default="2021-11-08T07:00:00+00:00",
                        help="the instant the Today view takes as now (ISO 8601 with offset)")
    parser.add_argument("--size", default="1280x800", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--dark", action="store_true", help="render with a dark palette (as a dark desktop gives)")
    args = parser.parse_args()

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from wtdc_desktop.ui.app import apply_language, make_app, open_window
    from wtdc_desktop.ui.main_window import NAVIGATION

    settings_dir = tempfile.mkdtemp(prefix="wtdc-shots-settings-")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, settings_dir)
    app = make_app()
    if args.dark:
        _dark_palette(app)
    apply_language(app, args.lang)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="wtdc-shots-"))
    today = dt.datetime.fromisoformat(args.today)
    window = open_window(data_dir, today=lambda: today)
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    window.show()
    args.out.mkdir(parents=True, exist_ok=True)

    def save(widget, name: str) -> None:
        for _ in range(3):
            app.processEvents()
        path = args.out / f"{name}.png"
        widget.grab().save(str(path))
        print(path)

    for key, _label, _type in NAVIGATION:
        window.show_view(key)
        view = window.views[key]
        if key == "resolutions" and hasattr(view, "select_record"):
            view.select_record("WTDC/24")
        elif key == "proposals" and hasattr(view, "select_record"):
            view.select_record("WD2/2.4")
        elif key == "documents" and hasattr(view, "select_record"):
            view.select_record("TDAG-WD2-20/1")
        else:
            table = getattr(view, "table", None) or getattr(view, "tree", None)
            if table is not None and table.model() is not None and table.model().rowCount() > 0:
                if hasattr(table, "selectRow"):
                    table.selectRow(0)
                else:
                    table.setCurrentItem(table.topLevelItem(0))
        save(window, key)

    window.show_view("documents")
    window.open_search()
    window.search.query.setText("interregionales")
    window.search.run_search()
    window.search.resize(900, 560)
    save(window.search, "search")
    window.search.hide()

    from wtdc_desktop.ui.settings import SettingsDialog

    dialog = SettingsDialog(window.store, window)
    dialog.show()
    save(dialog, "settings")
    dialog.hide()
    window.show_shortcuts()
    save(window.shortcuts_dialog, "shortcuts")
    window.shortcuts_dialog.hide()

    # The timetable import dialog, on a small c3voc schedule (another conference than the demo's).
    window.show_view("agenda")
    agenda = window.views["agenda"]
    agenda.open_import_dialog(str(ROOT / "tests" / "data" / "schedule-v2-38c3.json")).wait(30)
    for _ in range(20):  # the file is read on a worker thread; the dialog opens when it is done
        app.processEvents()
    importer = agenda.import_dialog
    if importer is not None:
        save(importer, "timetable-import")
        importer.existing_radio.setChecked(True)
        save(importer, "timetable-import-existing")
        importer.reject()
    window.close()
    QApplication.processEvents()
    return 0


def _dark_palette(app) -> None:
    """What a desktop in dark mode hands the application: the window follows the palette it is given."""
    from PySide6.QtGui import QColor, QPalette

    app.setStyle("Fusion")
    p = QPalette()
    for role, color in (
        (QPalette.Window, "#2b2b2b"), (QPalette.WindowText, "#e6e6e6"), (QPalette.Base, "#1e1e1e"),
        (QPalette.AlternateBase, "#333333"), (QPalette.Text, "#e6e6e6"), (QPalette.Button, "#353535"),
        (QPalette.ButtonText, "#e6e6e6"), (QPalette.Highlight, "#2f65ca"), (QPalette.HighlightedText, "#ffffff"),
        (QPalette.Link, "#8ab4f8"), (QPalette.PlaceholderText, "#9a9a9a"), (QPalette.ToolTipBase, "#333333"),
        (QPalette.ToolTipText, "#e6e6e6"),
    ):
        p.setColor(role, QColor(color))
    app.setPalette(p)


if __name__ == "__main__":
    sys.exit(main())
