"""The main window: navigation, one view per area, search, banners, sync in the status bar."""

from __future__ import annotations

import importlib
import logging

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QDialog, QDialogButtonBox, QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow,
    QMessageBox, QProgressBar, QPushButton, QSplitter, QStackedWidget, QTableWidget, QTableWidgetItem, QToolButton,
    QVBoxLayout, QWidget,
)

from wtdc_desktop import APP_NAME, __version__
from wtdc_desktop.domain.constants import DEFAULT_INTERVAL_MINUTES
from wtdc_desktop.domain.records import PUBLISHED_TYPES
from wtdc_desktop.domain.render import link_sections_html
from wtdc_desktop.formatting import format_number
from wtdc_desktop.i18n import N_, _, ngettext
from wtdc_desktop.instants import format_instant_or_text
from wtdc_desktop.store import positions, published, related, syncs
from wtdc_desktop.ui.browser import SafeTextBrowser
from wtdc_desktop.ui.prefs import setting
from wtdc_desktop.ui.sync_view import SyncController, SyncView, outcome_text
from wtdc_desktop.ui.today import TodayView

# The other views' modules (lists, changes, search, settings…) are imported when their view or
# dialog is first built: the window paints sooner, and a large store opens as fast as a small one.

log = logging.getLogger(__name__)

#: Navigation entries: (key, label, record type listed or None)
NAVIGATION = (
    ("today", N_("Today"), None),
    ("changes", N_("What changed"), None),
    ("agenda", N_("Agenda"), "session"),
    ("documents", N_("Documents"), "document"),
    ("resolutions", N_("Resolutions"), "resolution"),
    ("proposals", N_("Proposals"), "proposal"),
    ("questions", N_("Questions"), "question"),
    ("contacts", N_("Contacts"), "contact"),
    ("priorities", N_("Priorities and budget"), "priority"),
    ("positions", N_("Positions"), None),
    ("sync", N_("Sync"), None),
)
#: Views with their own module, used when it is installed: key -> (module, class).
SPECIALISED = {
    "agenda": ("wtdc_desktop.ui.agenda", "AgendaView"),
    "positions": ("wtdc_desktop.ui.positions", "PositionsView"),
    "contacts": ("wtdc_desktop.ui.contacts", "ContactsView"),
    "priorities": ("wtdc_desktop.ui.budget", "BudgetView"),
}
#: Which view lists a record type.
VIEW_OF_TYPE = {type_name: key for key, _label, type_name in NAVIGATION if type_name}


def specialised_view(key: str, store, parent):
    """The specialised view of ``key`` if its module is there, else None (the generic list is used)."""
    spec = SPECIALISED.get(key)
    if spec is None:
        return None
    try:
        module = importlib.import_module(spec[0])
        cls = getattr(module, spec[1])
    except (ImportError, AttributeError):
        return None
    try:
        return cls(store, parent)
    except Exception:  # noqa: BLE001 - a broken view must not stop the window
        log.exception("the %s view could not be built; showing the plain list", key)
        return None


class Banner(QFrame):
    """A dismissable message above the views."""

    def __init__(self, key: str, text: str, parent=None, actions: list[tuple[str, object]] | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setFrameShape(QFrame.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.palette().ColorRole.AlternateBase)
        self.label = QLabel(text, self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 4, 4)
        lay.addWidget(self.label, 1)
        self.buttons = []
        for label, slot in actions or []:
            b = QPushButton(label, self)
            b.clicked.connect(slot)
            lay.addWidget(b)
            self.buttons.append(b)
        close = QToolButton(self)
        close.setText("✕")
        close.setAccessibleName(_("Dismiss this message"))
        close.setToolTip(_("Dismiss"))
        close.clicked.connect(self.dismiss)
        lay.addWidget(close)
        self.setAccessibleName(text)

    def dismiss(self) -> None:
        self.hide()
        self.deleteLater()


class PositionsList(QWidget):
    """The delegation's positions, listed (the full view comes with its own module)."""

    def __init__(self, store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.browser = SafeTextBrowser(self)
        self.browser.setAccessibleName(_("Positions"))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.browser)
        self.open_record_requested = self.browser.navigate
        self.reload()

    def reload(self) -> None:
        items = [(p["subject"]["type"], p["subject"]["id"], p["subject"]["id"],
                  f"{p['stance']} · {p.get('status') or ''}") for p in positions.list_positions(self.store)]
        self.browser.setHtml(link_sections_html([(_("Positions"), items, _("No position recorded yet."))]))


class RecordDialog(QDialog):
    """A record without a list of its own (a meeting, a committee…), shown in a dialog."""

    def __init__(self, store, type_name: str, record_id: str, parent=None) -> None:
        super().__init__(parent)
        from wtdc_desktop.ui.detail import DetailPane

        self.setWindowTitle(_("Record {id}").format(id=record_id))
        self.detail = DetailPane(store, self)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.detail, 1)
        lay.addWidget(buttons)
        self.detail.show_record(type_name, record_id)
        self.resize(700, 560)


class LazyViews(dict):
    """The navigation's views by key, each built by ``build(key)`` the first time it is asked for.

    ``values()`` and ``items()`` give the views built so far; ``in`` and ``get`` know every key.
    """

    def __init__(self, build) -> None:
        super().__init__()
        self._build = build
        self._keys: list[str] = []

    def declare(self, key: str) -> None:
        self._keys.append(key)

    def __contains__(self, key) -> bool:
        return key in self._keys

    def __getitem__(self, key: str) -> QWidget:
        if not dict.__contains__(self, key):
            if key not in self._keys:
                raise KeyError(key)
            dict.__setitem__(self, key, self._build(key))
        return dict.__getitem__(self, key)

    def get(self, key, default=None):
        return self[key] if key in self._keys else default

    def is_built(self, key: str) -> bool:
        return dict.__contains__(self, key)

    def declared(self) -> list[str]:
        """Every view's key, built or not, in navigation order."""
        return list(self._keys)


class MainWindow(QMainWindow):
    def __init__(self, store, parent=None, *, today=None, periodic: bool = False,
                 initial_view: str | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(APP_NAME)
        self.setObjectName("MainWindow")
        self.sync = SyncController(store.data_dir, self)
        self.history: list[tuple[str, str]] = []
        self.forward_stack: list[tuple[str, str]] = []
        #: set by tests and scripts that close the window without asking about unsaved notes
        self.close_discarding_notes = False

        self.nav = QListWidget(self)
        self.nav.setAccessibleName(_("Navigation"))
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

        self.banners = QVBoxLayout()
        self.banners.setContentsMargins(0, 0, 0, 0)
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
        self._status_widgets()
        self._actions()
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

    # -- building ------------------------------------------------------------------------

    def _build_view(self, key: str) -> QWidget:
        row = [k for k, _label, _t in NAVIGATION].index(key)
        type_name = NAVIGATION[row][2]
        view = self._make_view(key, type_name, self._today)
        placeholder = self.stack.widget(row)
        current = self.stack.currentIndex()
        self.stack.insertWidget(row, view)
        self.stack.removeWidget(placeholder)
        placeholder.deleteLater()
        if current == row:
            self.stack.setCurrentIndex(row)
        signal = getattr(view, "open_record_requested", None)
        if signal is not None:
            signal.connect(self.open_record)
        state = QSettings().value(f"views/{key}/splitter")
        inner = getattr(view, "splitter", None)
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

    def _make_view(self, key: str, type_name: str | None, today) -> QWidget:
        view = specialised_view(key, self.store, self)
        if view is not None:
            return view
        if key == "today":
            return TodayView(self.store, self, now=today)
        if key == "changes":
            from wtdc_desktop.ui.changes import ChangesView

            return ChangesView(self.store, self)
        if key == "sync":
            return SyncView(self.store, self.sync, self)
        if key == "positions":
            return PositionsList(self.store, self)
        from wtdc_desktop.ui.lists import RecordListView

        return RecordListView(self.store, type_name, self)

    def _status_widgets(self) -> None:
        self.sync_label = QLabel(self)
        self.sync_label.setAccessibleName(_("Last sync"))
        self.sync_progress = QProgressBar(self)
        self.sync_progress.setMaximumWidth(180)
        self.sync_progress.setVisible(False)
        self.sync_progress.setAccessibleName(_("Sync progress"))
        self.sync_cancel = QPushButton(_("Cancel sync"), self)
        self.sync_cancel.setVisible(False)
        self.sync_cancel.clicked.connect(self.sync.cancel)
        self.sync_button = QPushButton(_("Sync now"), self)
        self.sync_button.setAccessibleName(_("Sync every source now"))
        self.sync_button.clicked.connect(self.sync.sync_now)
        bar = self.statusBar()
        bar.addPermanentWidget(self.sync_label)
        bar.addPermanentWidget(self.sync_progress)
        bar.addPermanentWidget(self.sync_cancel)
        bar.addPermanentWidget(self.sync_button)

    def _action(self, menu, text: str, slot, shortcut=None, *, extra=()) -> QAction:
        action = QAction(text, self)
        keys = []
        if shortcut is not None:
            keys = QKeySequence.keyBindings(shortcut) if isinstance(shortcut, QKeySequence.StandardKey) \
                else [QKeySequence(shortcut)]
        keys += [QKeySequence(k) for k in extra]
        unique: list[QKeySequence] = []
        for k in keys:  # a standard key may already be one of the extras: never bind one twice
            if not k.isEmpty() and k not in unique:
                unique.append(k)
        keys = unique
        if keys:
            action.setShortcuts(keys)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        self.shortcut_actions.append(action)
        return action

    def _actions(self) -> None:
        self.shortcut_actions: list[QAction] = []
        mb = self.menuBar()
        file_menu = mb.addMenu(_("&File"))
        self._action(file_menu, _("Sync now"), self.sync.sync_now, QKeySequence.Refresh, extra=("Ctrl+R",))
        self._action(file_menu, _("Sync a bundle file…"), lambda: self.views["sync"]._choose_file()
                     if isinstance(self.views["sync"], SyncView) else None, "Ctrl+Shift+O")
        self._action(file_menu, _("Load the demo content"), self.load_demo)
        file_menu.addSeparator()
        self._action(file_menu, _("Settings…"), self.open_settings, QKeySequence.Preferences, extra=("Ctrl+,",))
        file_menu.addSeparator()
        self._action(file_menu, _("Quit"), self.close, QKeySequence.Quit, extra=("Ctrl+Q",))
        edit = mb.addMenu(_("&Edit"))
        self._action(edit, _("Search everything"), self.open_search, "Ctrl+K", extra=QKeySequence.keyBindings(
            QKeySequence.Find))
        self._action(edit, _("Filter this list"), self.focus_filter, "Ctrl+L")
        self._action(edit, _("Star or unstar the record"), self.toggle_star, "Ctrl+D")
        self._action(edit, _("Mark read or unread"), self.toggle_read, "Ctrl+U")
        self._action(edit, _("Edit my notes"), self.focus_notes, "Ctrl+N")
        go = mb.addMenu(_("&Go"))
        for i, (key, label, _type) in enumerate(NAVIGATION):
            shortcut = f"Ctrl+{i + 1}" if i < 9 else ("Ctrl+0" if i == 9 else None)
            self._action(go, _(label), lambda _c=False, k=key: self.show_view(k), shortcut)
        go.addSeparator()
        self._action(go, _("Back"), self.go_back, QKeySequence.Back)
        self._action(go, _("Forward"), self.go_forward, QKeySequence.Forward)
        help_menu = mb.addMenu(_("&Help"))
        self._action(help_menu, _("Keyboard shortcuts"), self.show_shortcuts, QKeySequence.HelpContents)
        self._action(help_menu, _("About WTDC Desktop"), self.show_about)

    def _connect_sync(self, periodic: bool) -> None:
        c = self.sync
        c.started.connect(self._sync_started)
        c.progress.connect(self._sync_progress)
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
        if built and key in ("today", "changes") and hasattr(view, "reload"):
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
        found = related.resolve_reference(self.store, type_name, record_id) if type_name in PUBLISHED_TYPES else None
        if found is None:
            self.statusBar().showMessage(_("{id} is not in the store.").format(id=record_id), 6000)
            return False
        type_name, record_id = found
        if remember:
            self.history.append((type_name, record_id))
            self.forward_stack.clear()
        key = VIEW_OF_TYPE.get(type_name)
        view = self.views.get(key) if key else None
        if view is not None and hasattr(view, "select_record"):
            self.show_view(key)
            view.select_record(record_id)
            return True
        if view is not None and hasattr(view, "show_record"):
            self.show_view(key)
            view.show_record(type_name, record_id)
            return True
        dialog = RecordDialog(self.store, type_name, record_id, self)
        dialog.detail.navigate.connect(lambda t, i: (dialog.accept(), self.open_record(t, i)))
        dialog.show()
        self.record_dialog = dialog
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
        field = getattr(view, "filter", None)
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
        if restart:
            QMessageBox.information(self, _("Settings"), _(
                "The new interface language or data folder will be used the next time you start WTDC Desktop."))
        for view in self.views.values():
            if isinstance(view, SyncView):
                view.reload()

    def load_demo(self) -> None:
        from wtdc_desktop.cli import demo_bundle_path

        self.sync.sync_path(demo_bundle_path(), source="demo")

    def show_shortcuts(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle(_("Keyboard shortcuts"))
        rows = [(a.text().replace("&", ""), ", ".join(k.toString(QKeySequence.NativeText) for k in a.shortcuts()))
                for a in self.shortcut_actions if a.shortcuts()]
        rows += [(_("Next field / previous field"), "Tab, Shift+Tab"),
                 (_("Open the selected search result"), "Enter")]
        table = QTableWidget(len(rows), 2, dialog)
        table.setAccessibleName(_("Keyboard shortcuts"))
        table.setHorizontalHeaderLabels([_("Action"), _("Keys")])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.NoEditTriggers)
        for r, (name, keys) in enumerate(rows):
            table.setItem(r, 0, QTableWidgetItem(name))
            table.setItem(r, 1, QTableWidgetItem(keys))
        table.setColumnWidth(0, 300)
        table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, dialog)
        buttons.rejected.connect(dialog.reject)
        lay = QVBoxLayout(dialog)
        lay.addWidget(table)
        lay.addWidget(buttons)
        dialog.resize(560, 520)
        self.shortcuts_dialog = dialog
        dialog.show()

    def show_about(self) -> None:
        QMessageBox.about(self, APP_NAME, _("{app} {version}\n\nData folder: {folder}").format(
            app=APP_NAME, version=__version__, folder=self.store.data_dir))

    # -- banners and status ----------------------------------------------------------------------

    def show_banner(self, key: str, text: str, actions=None) -> Banner:
        for i in range(self.banners.count()):
            w = self.banners.itemAt(i).widget()
            if isinstance(w, Banner) and w.key == key:
                w.dismiss()
        banner = Banner(key, text, self, actions)
        self.banners.addWidget(banner)
        banner.show()
        return banner

    def banner_texts(self) -> list[str]:
        out = []
        for i in range(self.banners.count()):
            w = self.banners.itemAt(i).widget()
            if isinstance(w, Banner) and not w.isHidden():
                out.append(w.label.text())
        return out

    def check_banners(self) -> None:
        if syncs.is_empty(self.store):
            self.show_banner("empty", _("Your store is empty. Load the demo content to try the application, or add "
                                        "a source (a folder or a publisher's address) to sync real material."),
                             [(_("Load the demo"), self.load_demo), (_("Add a source…"), self.open_settings)])
        elif syncs.only_demo_content(self.store):
            self.show_banner("demo", _("You are looking at the built-in demo content (a summary of TDAG's second web "
                                       "dialogue on WTDC reform). Add a source to sync real conference material."),
                             [(_("Add a source…"), self.open_settings)])
        try:
            stale = syncs.stale_channels(self.store) if hasattr(syncs, "stale_channels") else []
        except Exception:  # noqa: BLE001 - a banner must never stop the window
            log.exception("could not check for stale material")
            stale = []
        if stale:
            names = ", ".join(f"{s.publisher}/{s.channel}" for s in stale)
            self.show_banner("stale", _("The material of {streams} has passed its expiry date and nothing newer was "
                                        "synced: it may be out of date.").format(streams=names))

    def refresh_status(self, counts: bool = True) -> None:
        if counts:
            n = published.counts(self.store, types=("document", "proposal", "session"))
            self.statusBar().showMessage(
                _("{documents} documents, {proposals} proposals, {sessions} sessions").format(
                    documents=format_number(n["document"]), proposals=format_number(n["proposal"]),
                    sessions=format_number(n["session"])))
        per_source = syncs.last_sync_per_source(self.store)
        if per_source:
            latest = per_source[0]
            self.sync_label.setText(_("Last sync: {source}, {when} ({state})").format(
                source=_short(latest["source"]), when=format_instant_or_text(latest["finished_at"]),
                state=outcome_text(latest["outcome"])))
            self.sync_label.setToolTip("\n".join(
                f"{p['source']}: {format_instant_or_text(p['finished_at'])} — {outcome_text(p['outcome'])}"
                for p in per_source))
        else:
            self.sync_label.setText(_("Never synced"))

    def _sync_started(self) -> None:
        self.sync_progress.setRange(0, 0)
        self.sync_progress.setVisible(True)
        self.sync_cancel.setVisible(True)
        self.sync_button.setEnabled(False)

    def _sync_progress(self, done: int, total: int) -> None:
        self.sync_progress.setRange(0, max(0, total))
        self.sync_progress.setValue(done)

    def _sync_finished(self, results) -> None:
        self.sync_progress.setVisible(False)
        self.sync_cancel.setVisible(False)
        self.sync_button.setEnabled(True)
        if _changed_anything(results):
            self.reload()
        else:
            self.refresh_status()  # the last-sync time moved; the records did not
        for i in range(self.banners.count()):
            w = self.banners.itemAt(i).widget()
            if isinstance(w, Banner) and w.key == "empty" and not syncs.is_empty(self.store):
                w.dismiss()
            elif isinstance(w, Banner) and w.key == "demo" and not syncs.only_demo_content(self.store):
                w.dismiss()
        self.check_banners_stale_only()

    def check_banners_stale_only(self) -> None:
        try:
            from wtdc_desktop.store import syncs

            if hasattr(syncs, "stale_channels") and not syncs.stale_channels(self.store):
                for i in range(self.banners.count()):
                    w = self.banners.itemAt(i).widget()
                    if isinstance(w, Banner) and w.key == "stale":
                        w.dismiss()
        except Exception:  # noqa: BLE001
            log.exception("could not check for stale material")

    def _sync_failed(self, message: str) -> None:
        self._sync_finished(None)
        self.statusBar().showMessage(message, 10000)

    def reload(self) -> None:
        for view in self.views.values():
            if hasattr(view, "reload"):
                try:
                    view.reload()
                except Exception:  # noqa: BLE001 - one view failing must not stop the others
                    log.exception("reloading a view failed")
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


def _detail_pane(view):
    """A view's detail pane, or None (its module is loaded once a view with one has been built)."""
    detail = getattr(view, "detail", None)
    if detail is None:
        return None
    from wtdc_desktop.ui.detail import DetailPane

    return detail if isinstance(detail, DetailPane) else None


def _changed_anything(results) -> bool:
    """Whether a finished sync may have changed records (a list of sources none of which applied anything did not)."""
    from wtdc_desktop.bundles.sources import APPLIED

    if not isinstance(results, list):
        return True
    return any(getattr(r, "outcome", APPLIED) == APPLIED for r in results)


def _short(location: str | None) -> str:
    if not location:
        return "—"
    return location if len(location) <= 40 else "…" + location[-38:]


def apply_font_size(points: int) -> None:
    app = QApplication.instance()
    if app is None:
        return
    font = app.font()
    if points and points > 0:
        font.setPointSize(points)
        app.setFont(font)
