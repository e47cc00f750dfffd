"""Starting the window: the application object, language, store, first launch."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QLocale, QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from wtdc_desktop import APP_ID, APP_NAME, __version__
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _, is_rtl, set_language

log = logging.getLogger(__name__)


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_ID)
    app.setApplicationVersion(__version__)
    return app


def apply_language(app: QApplication, lang: str | None) -> str:
    lang = set_language(lang)
    QLocale.setDefault(QLocale(lang))
    app.setLayoutDirection(Qt.RightToLeft if is_rtl(lang) else Qt.LeftToRight)
    return lang


def open_window(data_dir: Path | None, *, load_demo_if_empty: bool = True):
    """Open the store and build the main window (loading the demo on a first launch)."""
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.cli import demo_bundle_path
    from wtdc_desktop.store import Store, queries
    from wtdc_desktop.ui.main_window import MainWindow

    store = Store(data_dir)
    if load_demo_if_empty and queries.is_empty(store):
        apply_bundle(store, demo_bundle_path(), source="demo")
    return MainWindow(store)


def run(data_dir: Path | None = None, lang: str | None = None) -> int:
    app = make_app()
    apply_language(app, lang or QSettings().value("interface/language"))
    try:
        window = open_window(data_dir)
    except WtdcError as exc:
        QMessageBox.critical(None, APP_NAME, exc.message)
        return exc.exit_code or 1
    window.show()
    return app.exec()
