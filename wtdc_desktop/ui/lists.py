"""A list of one record type: filter field, lazy table, detail pane."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QTimer, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QLabel, QLineEdit, QSplitter, QTableView, QVBoxLayout, QWidget

from wtdc_desktop.i18n import _, ngettext
from wtdc_desktop.ui.detail import DetailPane
from wtdc_desktop.ui.later import put_off, reload_put_off
from wtdc_desktop.ui.models import RecordTableModel
from wtdc_desktop.ui.view import wants


class RecordListView(QWidget):
    """A filter field, a lazy table and a detail pane for one record type.

    Signals:
        open_record_requested(str, str): a link in the detail pane names another record
        store_changed(Changes): the detail pane wrote the delegation's layer (a star, a note…)
    """

    open_record_requested = Signal(str, str)
    store_changed = Signal(object)
    FILTER_DELAY_MS = 150

    def __init__(self, store, type_name: str, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.type_name = type_name
        self.filter = QLineEdit(self)
        self.filter.setClearButtonEnabled(True)
        self.filter.setPlaceholderText(_("Filter (words, symbols)…"))
        self.filter.setAccessibleName(_("Filter the list"))
        self.model = RecordTableModel(store, type_name, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        # Indicator first: enabling sorting sorts by the indicator (already the model's order: no query).
        self.table.horizontalHeader().setSortIndicator(1, Qt.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectRows)
        self.table.setSelectionMode(QTableView.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.Interactive)
        self.table.setAccessibleName(_("Records"))
        bold = self.table.font()
        bold.setBold(True)  # a new or changed record's row is bold
        widest = "★ ✎ " + max((_("new"), _("changed")), key=lambda w: QFontMetrics(bold).horizontalAdvance(w))
        self.table.setColumnWidth(0, max(70, QFontMetrics(bold).horizontalAdvance(widest) + 16))  # marks unclipped
        self.table.setColumnWidth(1, 170)
        if len(self.model.columns) > 2:
            self.table.setColumnWidth(2, 360)
        self.detail = DetailPane(store, self)
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
        self.setTabOrder(self.filter, self.table)
        self.setTabOrder(self.table, self.detail.star)

        self._filter_timer = QTimer(self, singleShot=True, interval=self.FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.filter.textChanged.connect(lambda _t: self._filter_timer.start())
        self.filter.returnPressed.connect(self.apply_filter)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.model.modelReset.connect(self._update_count)
        self.detail.navigate.connect(self.open_record_requested)
        self.detail.marks_changed.connect(lambda _t, rid: self.model.refresh_marks(rid))
        self.detail.store_changed.connect(self.store_changed)
        self._update_count()

    def apply_filter(self) -> None:
        self._filter_timer.stop()
        self.model.set_filter(self.filter.text())

    def _update_count(self) -> None:
        n = self.model._total
        self.count_label.setText(ngettext("{count} record", "{count} records", n).format(count=n))

    def _on_current(self, current, _previous) -> None:
        rid = self.model.record_id(current.row())
        if rid is None:
            self.detail.clear()
            return
        self.detail.show_record(self.type_name, rid)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        reload_put_off(self)

    def reload(self, changes=None) -> None:
        if wants(changes, records=(self.type_name,), delegation=("position",)):
            if put_off(self, changes):  # hidden behind another view: when it is shown
                return
            self.model.reload()
        elif wants(changes, delegation=("star", "read", "note")):
            self.model.refresh_marks()  # the marks column and the bold of unread rows, rows kept

    def show_record(self, type_name: str, record_id: str) -> bool:
        self.select_record(record_id)
        return True

    def select_record(self, record_id: str) -> bool:
        """Select a record in the list (clearing the filter if it hides it); show it in any case."""
        for attempt in range(2):
            row = self.model.row_of(record_id)
            if row is not None:
                index = self.model.index(row, 1)
                self.table.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
                self.table.scrollTo(index)
                return True
            if attempt == 0 and self.filter.text():
                self.filter.clear()
                self.apply_filter()
        return self.detail.show_record(self.type_name, record_id)
