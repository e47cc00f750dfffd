"""Starting the window: the application object, language, store, first launch, errors."""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from wtdc_desktop import APP_ID, APP_NAME, __version__, startup_probe
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _
from wtdc_desktop.store.logfile import LOG_NAME, log_path  # noqa: F401 - LOG_NAME: named here before
from wtdc_desktop.store.logfile import FirstUseFileHandler as _FirstUseFileHandler
from wtdc_desktop.ui.language import apply_language, startup_language  # noqa: F401 - used by scripts too

log = logging.getLogger(__name__)


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_ID)
    app.setApplicationVersion(__version__)
    return app


#: Where a known problem (a locked store, a full disk) raised in a slot is shown; set to the window's banner.
user_error_sink: list = []
#: Where a damaged store found while the window runs is reported (the exception); set to the window's
#: damaged-store banner with its Restore button.
damaged_store_sink: list = []


def install_error_handling(data_dir: Path) -> Path:
    """Log to DATA/logs/wtdc-desktop.log; an unexpected exception is logged and shown once with the log's path.

    A known problem (a :class:`WtdcError`: locked store, full disk…) is shown in
    the window's banner when there is one, else in a dialog.
    """
    path = log_path(data_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        root = logging.getLogger()
        root.addHandler(_FirstUseFileHandler(path))
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)
    except OSError:
        log.warning("cannot write the log file %s", path)
    shown = {"done": False}

    def hook(exc_type, exc, tb) -> None:
        from wtdc_desktop.store.db import STORE_FILENAME, StoreDamaged, translate_sqlite_error

        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        logging.getLogger("wtdc_desktop").error("unexpected error:\n%s",
                                                "".join(traceback.format_exception(exc_type, exc, tb)))
        if isinstance(exc, sqlite3.Error):  # a query outside Store.execute: classified by its code
            exc = translate_sqlite_error(exc, Path(data_dir) / STORE_FILENAME) or exc
        if isinstance(exc, StoreDamaged) and damaged_store_sink:
            damaged_store_sink[-1](exc)
            return
        if isinstance(exc, WtdcError):
            if user_error_sink:
                user_error_sink[-1](exc.message)
                return
            message = exc.message
        elif shown["done"]:
            return
        else:
            message = _("Something unexpected went wrong ({error}); the details were written to {path}: please send "
                        "that file to whoever supports you.").format(error=exc_type.__name__, path=path)
        shown["done"] = True
        if QApplication.instance() is not None:
            QMessageBox.warning(None, APP_NAME, message)

    sys.excepthook = hook
    return path


def open_window(data_dir: Path | None, *, load_demo_if_empty: bool = True, today=None, periodic: bool = False,
                initial_view: str | None = None):
    """Open the store and build the main window (loading the demo on a first launch when asked)."""
    from wtdc_desktop.ui.main_window import MainWindow, settle_after_build
    from wtdc_desktop.workspace import Workspace

    workspace = Workspace.open(data_dir)
    if load_demo_if_empty and workspace.is_empty():
        workspace.load_demo()  # a first launch
    window = MainWindow(workspace, today=today, periodic=periodic, initial_view=initial_view)
    settle_after_build()  # what start-up imported and built
    return window


def run(data_dir: Path | None = None, lang: str | None = None) -> int:
    import gc

    from wtdc_desktop.ui import main_window

    main_window.FREEZE_WHAT_IS_BUILT = True  # one window for the whole session (main_window.settle_after_build)
    try:
        return _run(data_dir, lang)
    finally:  # a test that ran the application goes on with an ordinary collector
        main_window.FREEZE_WHAT_IS_BUILT = False
        gc.unfreeze()


def _run(data_dir: Path | None, lang: str | None) -> int:
    from wtdc_desktop.store.db import StoreDamaged, default_data_dir
    from wtdc_desktop.ui.main_window import MainWindow, apply_font_size

    app = make_app()
    settings = QSettings()
    apply_language(app, startup_language(lang))
    if data_dir is None and not os.environ.get("WTDC_DATA_DIR") and settings.value("data/folder"):
        data_dir = Path(str(settings.value("data/folder")))
    install_error_handling(data_dir or default_data_dir())
    try:
        apply_font_size(int(settings.value("view/font_size", 0) or 0))
    except (TypeError, ValueError):
        pass
    try:
        # A first launch opens on the built-in demo content (a banner offers to add a real source).
        window = open_window(data_dir, load_demo_if_empty=True, periodic=True,
                             initial_view=MainWindow.saved_view())  # reopened on the view it was closed on
    except StoreDamaged as exc:  # the banner and its Restore button, and no view reading the store
        from wtdc_desktop.ui.banners import DamagedStoreWindow

        holder = DamagedStoreWindow(exc, lambda: _show_main(open_window(data_dir, load_demo_if_empty=False,
                                                                        periodic=True)))
        holder.show()
        return app.exec()
    except WtdcError as exc:
        QMessageBox.critical(None, APP_NAME, exc.message)
        return exc.exit_code or 1
    window.restore_state()
    _show_main(window)
    return app.exec()


def _show_main(window) -> None:
    """Show the main window, its banners receiving the problems raised in its slots."""
    user_error_sink[:] = [lambda message: window.show_banner("error", message)]
    damaged_store_sink[:] = [lambda exc: show_damaged_in(window, exc)]
    window.sync.store_damaged.connect(lambda exc: show_damaged_in(window, exc))  # found by a sync's worker
    startup_probe.watch(window)  # the start-up benchmark's probe; nothing unless it is switched on
    # Quitting closes the store after a last quick check, so that the next start of this unchanged
    # file need not check it before the first paint (store/db.py, RELIABILITY.md §10).
    QApplication.instance().aboutToQuit.connect(lambda: None if window.store.closed else window.store.close(check=True))
    window.show()


def show_damaged_in(window, exc) -> None:
    """The store of a running window was found damaged: no more writes to it, and the banner whose
    Restore button closes the window, restores the backup chosen and opens the window again."""
    from wtdc_desktop.ui.banners import show_damaged

    window.store.damaged = True
    if window.banners.has("damaged"):
        return
    show_damaged(window.banners, exc, lambda name: restore_from(window, exc, name))


def restore_from(window, exc, name: str):
    """Close ``window`` (its notes cannot be saved into a damaged store), restore the backup ``name``
    and open a new main window on the restored store; the new window (None if the restore failed)."""
    from PySide6.QtGui import QGuiApplication

    from wtdc_desktop.store.backup import restore_backup

    window.close_discarding_notes = True
    window.sync.stop()
    window.store.close()
    QGuiApplication.setOverrideCursor(Qt.WaitCursor)
    try:
        restore_backup(exc.data_dir, name)
    except WtdcError as err:
        window.show_banner("error", err.message)
        return None
    finally:
        QGuiApplication.restoreOverrideCursor()
    window.hide()
    window.deleteLater()
    new = open_window(exc.data_dir, load_demo_if_empty=False, periodic=True)
    _show_main(new)
    return new
