"""The main window: the navigation and its views, records opened by link, settings, and state.

Its parts live beside it: ui/navigation.py (the areas and their views), ui/menus.py (menus and
shortcuts), ui/banners.py (messages above the views), ui/sync_status.py (the status bar's sync).
Actions go through the window's :class:`~wtdc_desktop.workspace.Workspace`; what they change
reaches every built view through ``reload(changes)``, and each view decides whether to refresh.
"""

from __future__ import annotations

import importlib
import logging
import sys
from functools import partial

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication, QDialog, QListWidget, QListWidgetItem, QMainWindow, QMessageBox, QSplitter, QStackedWidget,
    QVBoxLayout, QWidget,
)

from wtdc_desktop import APP_NAME, __version__
from wtdc_desktop.domain.constants import DEFAULT_INTERVAL_MINUTES
from wtdc_desktop.domain.links import position_subject
from wtdc_desktop.domain.records import PUBLISHED_TYPES
from wtdc_desktop.i18n import _, isolate, ngettext
from wtdc_desktop.store import related
from wtdc_desktop.ui.banners import Banner, BannerLayout  # noqa: F401 - Banner: the type of window.banners' widgets
from wtdc_desktop.ui.language import isolate_item_views, language_changed, switch_language
from wtdc_desktop.ui.later import reload_now
from wtdc_desktop.ui.menus import build_menus, shortcuts_dialog
from wtdc_desktop.ui.navigation import NAVIGATION, VIEW_OF_TYPE, LazyViews, RecordDialog, make_view
from wtdc_desktop.ui.prefs import setting
from wtdc_desktop.ui.sync_status import SyncStatus
from wtdc_desktop.ui.sync_view import SyncController
from wtdc_desktop.workspace import Changes, Outcome, changes_of_sync, demo_bundle_path

__all__ = ["MainWindow", "NAVIGATION", "VIEW_OF_TYPE", "apply_font_size"]

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, workspace, parent=None, *, today=None, periodic: bool = False,
                 initial_view: str | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.store = workspace.store
        self.setWindowTitle(APP_NAME)
        self.setObjectName("MainWindow")
        self.sync = SyncController(self.store.data_dir, self, store=self.store)
        self.history: list[tuple[str, str]] = []
        self.forward_stack: list[tuple[str, str]] = []
        #: set by tests and scripts that close the window without asking about unsaved notes
        self.close_discarding_notes = False

        self.nav = QListWidget(self)
        self.nav.setAccessibleName(_("Navigation"))
        # a focus ring one sees: the list's border in the highlight colour while it has the focus
        self.nav.setStyleSheet("QListWidget:focus { border: 2px solid palette(highlight); }")
        self.stack = QStackedWidget(self)
        # Views are built the first time they are shown (or asked for): start-up builds only the
        # first one, so a large store opens as fast as a small one.
        self._today = today
        self.views = LazyViews(self._build_view)
        for key, label, _type_name in NAVIGATION:
            item = QListWidgetItem(_(label))
            item.setData(Qt.UserRole, key)
            self.nav.addItem(item)
            self.views.declare(key)
            self.stack.addWidget(QWidget(self.stack))
        self.nav.setMinimumWidth(150)
        self.nav.setMaximumWidth(260)

        self.banners = BannerLayout(self)
        right = QWidget(self)
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(0, 0, 0, 0)
        rlay.addLayout(self.banners)
        rlay.addWidget(self.stack, 1)
        self.splitter = QSplitter(Qt.Horizontal, self)
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([190, 1000])
        self.setCentralWidget(self.splitter)
        self.nav.currentRowChanged.connect(self._on_nav)

        self._search = None
        self.sync_status = SyncStatus(self.statusBar(), self.sync)
        self.sync_label = self.sync_status.label
        build_menus(self)
        self._connect_sync(periodic)
        self.resize(1200, 760)
        # The view shown first is the only one built before the window appears (Today, or the
        # view the window was closed on, which restore_state() would otherwise switch to).
        keys = self.views.declared()
        self.nav.setCurrentRow(keys.index(initial_view) if initial_view in keys else 0)
        self.setTabOrder(self.nav, self.stack)
        # The record counts of the status bar (a count of every current document: tens of
        # milliseconds on a large store) come just after the first paint; the last sync at once.
        self.refresh_status(counts=False)
        QTimer.singleShot(0, self, lambda: None if self.store.closed else self.refresh_status())
        self.check_banners()
        language_changed().changed.connect(self.retranslate)
        self._preload = [name for name in PRELOADED if name not in sys.modules]
        QTimer.singleShot(PRELOAD_AFTER_MS, self, self._preload_next)

    def _preload_next(self) -> None:
        """Load the next module of :data:`PRELOADED`, then give the event loop a turn before the next."""
        while self._preload and self._preload[0] in sys.modules:
            self._preload.pop(0)
        if not self._preload:
            settle_after_build()
            return
        name = self._preload.pop(0)
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the view loads it again when opened, and says what fails
            log.warning("preloading %s failed", name, exc_info=True)
            self._preload = []
        QTimer.singleShot(0, self, self._preload_next)

    # -- building ------------------------------------------------------------------------

    def _build_view(self, key: str) -> QWidget:
        row = self.views.declared().index(key)
        view = make_view(key, self.store, self.sync, self, today=self._today)
        settle_after_build()
        placeholder = self.stack.widget(row)
        current = self.stack.currentIndex()
        self.stack.insertWidget(row, view)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        if current == row:
            self.stack.setCurrentIndex(row)
        view.open_record_requested.connect(self.open_record)
        view.store_changed.connect(partial(self._view_wrote, view))
        isolate_item_views(view)  # right to left: names and Latin titles in cells keep their order
        state = QSettings().value(f"views/{key}/splitter")
        inner = getattr(view, "splitter", None)  # the views with a list and a detail pane
        if isinstance(state, QByteArray) and isinstance(inner, QSplitter):
            inner.restoreState(state)
        return view

    @property
    def search(self):
        """The search dialog, made the first time it is opened."""
        if self._search is None:
            from wtdc_desktop.ui.search import SearchDialog

            self._search = SearchDialog(self.store, self)
            self._search.open_record.connect(self.open_record)
        return self._search

    def _connect_sync(self, periodic: bool) -> None:
        c = self.sync
        c.started.connect(self.sync_status.started)
        c.progress.connect(self.sync_status.progress)
        c.finished.connect(self._sync_finished)
        c.failed.connect(self._sync_failed)
        c.refused.connect(lambda reason: self.show_banner("refused", _("A bundle was refused: {reason}").format(
            reason=reason)))
        interval = setting("sync/interval", DEFAULT_INTERVAL_MINUTES, int)
        if periodic and interval and interval > 0:
            c.start_periodic(interval)

    # -- navigation ----------------------------------------------------------------------------

    def _on_nav(self, row: int) -> None:
        if row < 0:
            return
        key = self.nav.item(row).data(Qt.UserRole)
        built = self.views.is_built(key)
        view = self.views[key]  # built now if it is the first time (and then filled already)
        self.stack.setCurrentIndex(row)
        if built and key in ("today", "changes"):
            view.reload()

    def current_key(self) -> str:
        item = self.nav.currentItem()
        return item.data(Qt.UserRole) if item else "today"

    def show_view(self, key: str) -> None:
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.UserRole) == key:
                self.nav.setCurrentRow(row)
                return

    def open_record(self, type_name: str, record_id: str, *, remember: bool = True) -> bool:
        """Show a record in its view (an internal link, a search hit); False when the store lacks it."""
        if type_name == "position":  # a "position" link: the editor on the position on a record
            return self.open_position(*position_subject(record_id))
        found = related.resolve_reference(self.store, type_name, record_id) if type_name in PUBLISHED_TYPES else None
        if found is None:
            self.statusBar().showMessage(_("{id} is not in the store.").format(id=isolate(record_id, ltr=True)), 6000)
            return False
        type_name, record_id = found
        if remember:
            self.history.append((type_name, record_id))
            self.forward_stack.clear()
        key = VIEW_OF_TYPE.get(type_name)
        view = self.views.get(key) if key else None
        if view is not None:
            reload_now(view)  # a reload put off while it was hidden (a sync): its rows as they are now
            if view.show_record(type_name, record_id):
                self.show_view(key)
                return True
        dialog = RecordDialog(self.store, type_name, record_id, self)
        dialog.detail.navigate.connect(lambda t, i: (dialog.accept(), self.open_record(t, i)))
        dialog.detail.store_changed.connect(lambda changes: self.reload(changes, counts=False))
        dialog.show()
        self.record_dialog = dialog
        return True

    def open_position(self, subject_type: str, subject_id: str) -> bool:
        """Show (or start) the delegation's position on a record in the Positions view."""
        self.show_view("positions")
        self.views["positions"].open_subject(subject_type, subject_id)
        return True

    def go_back(self) -> None:
        if len(self.history) >= 2:
            self.forward_stack.append(self.history.pop())
            self.open_record(*self.history[-1], remember=False)

    def go_forward(self) -> None:
        if self.forward_stack:
            target = self.forward_stack.pop()
            self.history.append(target)
            self.open_record(*target, remember=False)

    def current_detail(self):
        """The detail pane of the view shown, if it has one."""
        return _detail_pane(self.views.get(self.current_key()))

    # -- actions -------------------------------------------------------------------------------

    def open_search(self) -> None:
        self.search.show()
        self.search.raise_()
        self.search.activateWindow()
        self.search.start()

    def focus_filter(self) -> None:
        view = self.views.get(self.current_key())
        field = getattr(view, "filter", None)  # the views with a filter field
        if field is not None:
            field.setFocus()
            field.selectAll()

    def toggle_star(self) -> None:
        detail = self.current_detail()
        if detail is not None:
            detail.toggle_star()

    def toggle_read(self) -> None:
        detail = self.current_detail()
        if detail is not None and detail.read.isEnabled():
            detail.read.toggle()

    def focus_notes(self) -> None:
        detail = self.current_detail()
        if detail is not None and detail.notes.isEnabled():
            detail.notes.setFocus()

    def open_settings(self) -> None:
        from wtdc_desktop.ui.settings import SettingsDialog

        dialog = SettingsDialog(self.store, self)
        if dialog.exec() != QDialog.Accepted:
            return
        restart = dialog.save()
        self.sync.set_interval(dialog.interval.value())
        apply_font_size(dialog.font_size.value())
        language = dialog.new_language()
        if language:
            self.change_language(language)  # the window is re-translated now, no restart needed
        self.reload(Changes.of(delegation=("source", "trust", "setting")), counts=False)
        if restart:
            self.offer_restart()

    # -- the interface language ----------------------------------------------------------------

    def change_language(self, lang: str) -> None:
        """Switch the interface language now: every open window re-translates itself (:meth:`retranslate`)."""
        switch_language(lang)

    def retranslate(self, _lang: str | None = None) -> None:
        """Show the window in the interface language now in use: the menus, the navigation, the status
        bar and the store's banners are translated again, and the views are rebuilt (the one shown at
        once, the others when next shown); pending notes are saved first."""
        self.unsaved_note_count()
        for action in self.shortcut_actions:
            self.removeAction(action)
            action.deleteLater()
        for entry in self.menuBar().actions():
            if entry.menu() is not None:
                entry.menu().deleteLater()
        self.menuBar().clear()
        build_menus(self)
        self.nav.setAccessibleName(_("Navigation"))
        for row, (_key, label, _type_name) in enumerate(NAVIGATION):
            self.nav.item(row).setText(_(label))
        current = self.current_key()
        detail = self.current_detail()
        shown = (detail.type_name, detail.record_id) if detail is not None and detail.record_id else None
        for key in [k for k in self.views.declared() if self.views.is_built(k)]:
            self._unbuild_view(key)
        view = self.views[current]  # built again, in the new language
        if shown is not None:
            view.show_record(*shown)  # the record that was shown stays shown
        for name in ("_search", "record_dialog", "shortcuts_dialog"):  # made again when next opened
            dialog = getattr(self, name, None)
            if dialog is not None:
                dialog.close()
                dialog.deleteLater()
                setattr(self, name, None)
        retranslate_status = getattr(self.sync_status, "retranslate", None)
        if retranslate_status is not None:
            retranslate_status()
        self.refresh_status()
        for key in ("refused", "error"):  # sentences made in the old language (a refusal stays in the
            self.banners.dismiss(key)     # status bar and the Sync view's log, which speak the new one)
        self.check_banners()

    def _unbuild_view(self, key: str) -> None:
        """Put the built view ``key`` back to a placeholder (it is built again when next asked for)."""
        view = dict.pop(self.views, key)
        inner = getattr(view, "splitter", None)
        if isinstance(inner, QSplitter):
            QSettings().setValue(f"views/{key}/splitter", inner.saveState())
        detail = _detail_pane(view)
        if detail is not None:
            detail._read_timer.stop()
        row = self.views.declared().index(key)
        current = self.stack.currentIndex()
        self.stack.insertWidget(row, QWidget(self.stack))
        self.stack.removeWidget(view)
        if current == row:
            self.stack.setCurrentIndex(row)
        view.hide()
        view.deleteLater()

    def offer_restart(self) -> None:
        """A setting only a new start applies (the data folder): offer to restart now."""
        from wtdc_desktop.ui.language import RESTART_NOTICE

        box = QMessageBox(QMessageBox.Question, _("Settings"), _(RESTART_NOTICE), QMessageBox.NoButton, self)
        now = box.addButton(_("Restart now"), QMessageBox.AcceptRole)
        box.addButton(_("Later"), QMessageBox.RejectRole)
        box.setDefaultButton(now)
        box.exec()
        if box.clickedButton() is now:
            self.restart()

    def restart(self) -> bool:
        """Start the application again with the same arguments (but ``--lang``: the language chosen
        in Settings applies), then close this window. False when the new process could not start."""
        import sys

        from PySide6.QtCore import QProcess

        args, skip = [], False
        for arg in sys.argv[1:]:
            if skip:
                skip = False
            elif arg == "--lang":
                skip = True
            elif not arg.startswith("--lang="):
                args.append(arg)
        program, prefix = (sys.executable, []) if getattr(sys, "frozen", False) else \
            (sys.executable, ["-m", "wtdc_desktop"])
        self.close()
        if not self.isVisible():  # not refused by unsaved notes
            return QProcess.startDetached(program, prefix + args)[0]
        return False

    def load_demo(self) -> None:
        self.sync.sync_path(demo_bundle_path(), source="demo")

    def show_shortcuts(self) -> None:
        self.shortcuts_dialog = shortcuts_dialog(self, self.shortcut_actions)
        self.shortcuts_dialog.show()

    def show_about(self) -> None:
        QMessageBox.about(self, APP_NAME, _("{app} {version}\n\nData folder: {folder}").format(
            app=APP_NAME, version=__version__, folder=self.store.data_dir))

    # -- banners and status ----------------------------------------------------------------------

    def show_banner(self, key: str, text: str, actions=None) -> Banner:
        return self.banners.show_banner(key, text, actions)

    def banner_texts(self) -> list[str]:
        return self.banners.texts()

    def check_banners(self) -> None:
        self.banners.check_store(self.store, load_demo=self.load_demo, add_source=self.open_settings)

    def refresh_status(self, counts: bool = True) -> None:
        self.sync_status.refresh(self.store, counts)

    def _sync_finished(self, results) -> None:
        self.sync_status.finished()
        # an action's Outcome says what it changed (an ITU import); a sync's results are looked at
        changes = results.changes if isinstance(results, Outcome) else changes_of_sync(results)
        if changes.records:
            self.reload(changes, counts=False)
        # The status bar's record counts (and last-sync time) in a turn of the event loop of their own:
        # on a large store, counting every table after the view in front has reloaded held the GUI
        # thread past 100 ms.
        QTimer.singleShot(0, self, self.refresh_status)
        self.banners.dismiss_resolved(self.store)

    def _sync_failed(self, message: str) -> None:
        self._sync_finished(None)
        if not any(message in text for text in self.banner_texts()):  # a refusal has its banner (and the
            self.statusBar().showMessage(message, 10000)                # status bar its "Last refusal")

    def _view_wrote(self, view: QWidget, changes: Changes) -> None:
        """A view's own action changed the store: the other views refresh what they show of it (and the
        status bar its record counts, after an import)."""
        self.reload(changes, counts=bool(changes.records), besides=view)

    def reload(self, changes: Changes | None = None, *, counts: bool = True, besides=None) -> None:
        """Tell every built view what changed (None: everything); each refreshes if it shows any of it.

        ``besides``: the view whose own action it was (it has refreshed what it shows of it).
        """
        for view in self.views.values():
            if view is besides:
                continue
            try:
                view.reload(changes)
            except Exception:  # noqa: BLE001 - one view failing must not stop the others (it is logged)
                log.exception("reloading a view failed")
        if counts:
            self.refresh_status()
    # -- state ------------------------------------------------------------------------------------

    def restore_state(self) -> None:
        s = QSettings()
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        splitter = s.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        # Each view's own splitter is restored when the view is built (_build_view).
        last = self.saved_view()
        if last in self.views:
            self.show_view(last)

    @staticmethod
    def saved_view() -> str | None:
        """The view the window was last closed on, as save_state() remembered it."""
        value = QSettings().value("window/view")
        return value if isinstance(value, str) else None

    def save_state(self) -> None:
        s = QSettings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/view", self.current_key())
        for key, view in self.views.items():
            inner = getattr(view, "splitter", None)
            if isinstance(inner, QSplitter):
                s.setValue(f"views/{key}/splitter", inner.saveState())

    def unsaved_note_count(self) -> int:
        """Save every pending note; the number that still could not be saved."""
        count = 0
        for view in self.views.values():
            detail = _detail_pane(view)
            if detail is not None:
                detail.save_note()
                if detail.unsaved_notes:
                    detail.retry_unsaved_notes()
                count += len(detail.unsaved_notes)
        return count

    def closeEvent(self, event) -> None:  # noqa: N802
        unsaved = self.unsaved_note_count()
        while unsaved and not self.close_discarding_notes:
            box = QMessageBox(QMessageBox.Warning, APP_NAME, ngettext(
                "{count} note could not be saved: the store cannot be written now. Try again, or close and lose it?",
                "{count} notes could not be saved: the store cannot be written now. Try again, or close and lose them?",
                unsaved).format(count=unsaved), QMessageBox.Retry | QMessageBox.Discard | QMessageBox.Cancel, self)
            box.setDefaultButton(QMessageBox.Retry)
            answer = box.exec()
            if answer == QMessageBox.Cancel:
                event.ignore()
                return
            if answer == QMessageBox.Discard:
                break
            unsaved = self.unsaved_note_count()
        for view in self.views.values():
            detail = _detail_pane(view)
            if detail is not None:
                detail._read_timer.stop()
        self.save_state()
        self.sync.stop()
        super().closeEvent(event)


#: True in the application (``run()`` sets it), False in tests and scripts that build many windows:
#: see :func:`settle_after_build`.
FREEZE_WHAT_IS_BUILT = False

#: Modules of a view not built yet that take long to load, leaves first: loaded one per turn of the
#: event loop once the window is up, so that the view's first open does not hold the window while
#: Python loads its code (the Agenda's: 40–55 ms in one piece, no piece over 10 ms this way).
PRELOADED = (
    "wtdc_desktop.domain.sessions", "wtdc_desktop.domain.session_details", "wtdc_desktop.store.sessions",
    "wtdc_desktop.ui.agenda.banners", "wtdc_desktop.ui.agenda.coverage_board", "wtdc_desktop.ui.buttons",
    "wtdc_desktop.ui.agenda.day_bar", "wtdc_desktop.ui.agenda.day_grid", "wtdc_desktop.ui.agenda.members_panel",
    "wtdc_desktop.ui.agenda.reminders", "wtdc_desktop.ui.agenda.session_list",
    "wtdc_desktop.ui.agenda.session_pane", "wtdc_desktop.ui.agenda.view",
)
#: How long after the window is made the preloading starts (after its first paint).
PRELOAD_AFTER_MS = 300


def settle_after_build() -> None:
    """After the window or a view was built.

    Drops the source lines PySide read while modules were imported: its feature switching
    (``__feature__``) reads the whole source of every module imported after it, through
    ``inspect.getsource``, to look for "PySide6", and Python's ``linecache`` then keeps every line
    of every one of them (6 to 8 MB once every view is built; a traceback reads again the few lines
    it shows).

    In the application, also moves every object existing now (modules, the window, the views:
    kept for the whole session) out of the garbage collector's sight (``gc.freeze``): a full
    collection otherwise walks them all, 30 to 100 ms of a frozen window at a moment nobody chose
    (opening a view, typing in a filter). Objects freed by their count of references still are.
    """
    import linecache

    linecache.clearcache()
    if FREEZE_WHAT_IS_BUILT:
        import gc

        gc.freeze()


def _detail_pane(view):
    """A view's detail pane, or None (its module is loaded once a view with one has been built)."""
    detail = getattr(view, "detail", None)  # the views with a list and a detail pane
    if detail is None:
        return None
    from wtdc_desktop.ui.detail import DetailPane

    return detail if isinstance(detail, DetailPane) else None


def apply_font_size(points: int) -> None:
    app = QApplication.instance()
    if app is None:
        return
    font = app.font()
    if points and points > 0:
        font.setPointSize(points)
        app.setFont(font)
