"""The main window: navigation, one list per record type, a detail pane."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QMainWindow, QSplitter, QStackedWidget,
    QTableView, QTextBrowser, QVBoxLayout, QWidget,
)

from wtdc_desktop import APP_NAME
from wtdc_desktop.domain.records import PUBLISHED_TYPES
from wtdc_desktop.domain.render import record_to_html
from wtdc_desktop.i18n import N_, _
from wtdc_desktop.store import queries
from wtdc_desktop.ui.models import RecordTableModel

log = logging.getLogger(__name__)

#: Navigation entries: (key, label, record type shown or None for a summary page)
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


class SafeTextBrowser(QTextBrowser):
    """Shows sanitised HTML; never loads anything (no remote, no file:, no qrc:)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.load_attempts = 0

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 - Qt's name
        self.load_attempts += 1
        return None


class RecordListView(QWidget):
    """A filter field, a lazy table and a detail pane for one record type."""

    def __init__(self, store, type_name: str, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.type_name = type_name
        self.filter = QLineEdit(self)
        self.filter.setClearButtonEnabled(True)
        self.filter.setPlaceholderText(_("Filter…"))
        self.filter.setAccessibleName(_("Filter the list"))
        self.model = RecordTableModel(store, type_name, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSortIndicator(0, Qt.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectRows)
        self.table.setSelectionMode(QTableView.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAccessibleName(_("Records"))
        self.table.setColumnWidth(0, 160)
        if "title" in self.model.columns or "name" in self.model.columns:
            self.table.setColumnWidth(1, 340)
        self.detail = SafeTextBrowser(self)
        self.detail.setAccessibleName(_("Details"))
        self.count_label = QLabel(self)

        left = QWidget(self)
        lay = QVBoxLayout(left)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.filter)
        lay.addWidget(self.table)
        lay.addWidget(self.count_label)
        self.splitter = QSplitter(Qt.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.splitter)

        self.filter.textChanged.connect(self._on_filter)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self._update_count()

    def _on_filter(self, text: str) -> None:
        self.model.set_filter(text)
        self._update_count()

    def _update_count(self) -> None:
        self.count_label.setText(_("{count} records").format(count=self.model._total))

    def _on_current(self, current, _previous) -> None:
        rid = self.model.record_id(current.row())
        if rid is None:
            self.detail.clear()
            return
        record = queries.get_record(self.store, self.type_name, rid)
        if record is None:
            self.detail.setHtml(_("This record is no longer in the store."))
            return
        rtype = PUBLISHED_TYPES[self.type_name]
        self.detail.setHtml(record_to_html(self.type_name, record, markdown_fields=rtype.markdown))


class PlaceholderView(QWidget):
    def __init__(self, text: str, parent=None) -> None:
        super().__init__(parent)
        label = QLabel(text, self)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        lay = QVBoxLayout(self)
        lay.addWidget(label)


class MainWindow(QMainWindow):
    def __init__(self, store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(APP_NAME)
        self.nav = QListWidget(self)
        self.nav.setAccessibleName(_("Navigation"))
        self.stack = QStackedWidget(self)
        self.views: dict[str, QWidget] = {}
        for key, label, type_name in NAVIGATION:
            item = QListWidgetItem(_(label))
            item.setData(Qt.UserRole, key)
            self.nav.addItem(item)
            if type_name:
                view: QWidget = RecordListView(store, type_name, self)
            else:
                view = PlaceholderView(_("{view}: coming soon.").format(view=_(label)), self)
            self.views[key] = view
            self.stack.addWidget(view)
        self.nav.setFixedWidth(200)
        central = QWidget(self)
        lay = QHBoxLayout(central)
        lay.addWidget(self.nav)
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(3)
        self._shortcuts()
        self.refresh_status()
        self.resize(1200, 760)

    def _shortcuts(self) -> None:
        for i in range(min(9, self.nav.count())):
            sc = QShortcut(QKeySequence(f"Ctrl+{i + 1}"), self)
            sc.activated.connect(lambda row=i: self.nav.setCurrentRow(row))
        QShortcut(QKeySequence.Quit, self, activated=self.close)

    def show_view(self, key: str) -> None:
        for row in range(self.nav.count()):
            if self.nav.item(row).data(Qt.UserRole) == key:
                self.nav.setCurrentRow(row)
                return

    def refresh_status(self) -> None:
        counts = queries.counts(self.store)
        self.statusBar().showMessage(
            _("{documents} documents, {proposals} proposals, {sessions} sessions").format(
                documents=counts["document"], proposals=counts["proposal"], sessions=counts["session"]
            )
        )

    def reload(self) -> None:
        for view in self.views.values():
            if isinstance(view, RecordListView):
                view.model.reload()
                view._update_count()
        self.refresh_status()

    def closeEvent(self, event) -> None:  # noqa: N802
        QSettings().setValue("window/geometry", self.saveGeometry())
        super().closeEvent(event)
