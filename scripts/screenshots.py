"""Render every view of the window to PNG, offscreen: ``--out DIR [--data-dir DIR] [--lang CODE]``.

One PNG per view, named after it (``documents.png``…), plus the search
dialog (``search.png`` with a note and a position among the hits, and
``search-words.png``), the settings dialog, the shortcut list, the timetable import dialog,
the New position dialog, a proposal with its position and its changes since
version 1 (``proposal-position.png``) and the Sync view after a refused file
(``sync.png``). On the demo content by default, then its next bundle (one
proposal revised), a position, a note and a member covering the opening
session (``--demo-only`` leaves these out), with "today" set to the demo
conference's first day so that the Today view has something to show
(``--today`` changes it). Run with ``QT_SCALE_FACTOR=2`` to check the window
at 200 %.
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
    parser.add_argument("--demo-only", action="store_true",
                        help="the demo content alone (no revised proposal, position, note or member)")
    args = parser.parse_args()

    from PySide6.QtCore import QSettings, QThread
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
    data_dir = args.data_dir
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="wtdc-shots-"))
        if not args.demo_only:
            _delegates_day(data_dir)
    today = dt.datetime.fromisoformat(args.today)
    window = open_window(data_dir, today=lambda: today)
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    window.show()
    args.out.mkdir(parents=True, exist_ok=True)

    def save(widget, name: str) -> None:
        waited = 0
        while waited < 1000 and any(getattr(v, "loading", False) for v in window.views.values()):
            app.processEvents()  # views that fill on a worker (What changed) or in the next turn (Agenda)
            QThread.msleep(10)
            waited += 1
        for _ in range(3):
            app.processEvents()
        path = args.out / f"{name}.png"
        widget.grab().save(str(path))
        print(path)

    for key, _label, _type in NAVIGATION:
        if key == "sync":
            continue  # shown last, after a refused file
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

    _dialogs_and_states(app, window, save)
    window.close()
    QApplication.processEvents()
    return 0


def _dialogs_and_states(app, window, save) -> None:
    """Search, a proposal compared, the dialogs, and last the Sync view after a refused file."""
    window.show_view("documents")
    window.open_search()
    window.search.query.setText("interregionales")
    window.search.run_search()
    window.search.resize(900, 560)
    save(window.search, "search-words")
    window.search.query.setText("financement")  # and the note and the position on WD2/2.1
    window.search.run_search()
    save(window.search, "search")
    window.search.hide()

    # A proposal with the delegation's position on it and its changes since version 1
    window.show_view("proposals")
    window.views["proposals"].select_record("WD2/2.1")
    window.views["proposals"].detail.show_comparison()  # as What changed opens it
    save(window, "proposal-position")

    from wtdc_desktop.ui.positions import NewPositionDialog

    dialog = NewPositionDialog(window.store, window)
    dialog.show()
    dialog.kind.setCurrentIndex(max(0, dialog.kind.findData("proposal")))
    dialog.ident.setText("WD2/2")
    save(dialog, "new-position")
    dialog.reject()

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

    # The Sync view after a refused file: a ZIP that is no bundle
    import zipfile

    refused = Path(tempfile.mkdtemp(prefix="w")) / "Downloads" / "photos.zip"
    refused.parent.mkdir()
    with zipfile.ZipFile(refused, "w") as z:
        z.writestr("photo.txt", "not a bundle")
    window.show_view("sync")
    window.sync.sync_path(refused)
    while window.sync.running:
        app.processEvents()
    save(window, "sync")


def _delegates_day(data_dir: Path) -> None:
    """The demo, then its next bundle (proposal WD2/2.1's text and status revised), a position and a
    note on that proposal, and a member covering the opening plenary."""
    import json
    import shutil

    from wtdc_desktop.bundles.writer import build_bundle
    from wtdc_desktop.workspace import Workspace

    with Workspace.open(data_dir) as ws:
        ws.load_demo()
        src = Path(tempfile.mkdtemp(prefix="wtdc-shots-src-")) / "demo"
        shutil.copytree(ROOT / "resources" / "demo", src)
        manifest = json.loads((src / "manifest.json").read_text("utf-8"))
        manifest["sequence"] += 1
        (src / "manifest.json").write_text(json.dumps(manifest, indent=1), "utf-8")
        path = src / "records" / "proposal.jsonl"
        proposals = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
        for p in proposals:
            if p["id"] == "WD2/2.1":
                p["text"] = "toutes " + p["text"] + " Le financement du développement sera examiné en séance plénière."
                p["status"] = "agreed"
        path.write_text("".join(json.dumps(p, ensure_ascii=False, sort_keys=True) + "\n" for p in proposals), "utf-8")
        build_bundle(src, src.parent / "demo-2.wtdc.zip")
        ws.apply_bundle(src.parent / "demo-2.wtdc.zip", source="demo")
        ws.set_position("proposal", "WD2/2.1", stance="support_with_amendments", priority="high",
                        owner="Amina K.", changed_by="Amina K.",
                        brief="Soutenir la **proposition 2.1**, avec la région ATU.\n\n"
                              "- Demander un segment sur le *financement*\n- Lier à la Résolution 24")
        ws.save_note("proposal", "WD2/2.1", "À voir avec la région ATU : le **financement** du segment.",
                     author="Amina K.")
        ws.save_member("Amina K.")
        ws.assign_member("WTDC-21/S01", "Amina K.")


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
