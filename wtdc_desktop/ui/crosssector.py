"""Cross-sector map: declared links between resolutions (and Questions), and likely overlaps to check."""

from __future__ import annotations

from babel.numbers import format_percent
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox, QHBoxLayout, QLabel, QPushButton, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from wtdc_desktop.i18n import N_, _, current_language
from wtdc_desktop.store import overlaps
from wtdc_desktop.workspace import Workspace

LINK_KINDS = {"related": N_("related"), "overlap": N_("overlap"), "supersedes": N_("supersedes")}
DECISIONS = {"confirmed": N_("Confirmed overlap"), "dismissed": N_("Dismissed")}


def _item(text: str, data=None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if data is not None:
        item.setData(Qt.UserRole, data)
    return item


class CrossSectorView(QWidget):
    """Signals:
        open_record_requested(str, str): a record was double-clicked (type, id)
        store_changed(Changes): an overlap was confirmed, dismissed or forgotten
    """

    open_record_requested = Signal(str, str)
    store_changed = Signal(object)

    def __init__(self, store, parent=None, *, load: bool = True) -> None:
        super().__init__(parent)
        self.store = store
        self.workspace = Workspace(store)
        self.suggestions: list[dict] = []
        self.links = QTableWidget(self)
        self.links.setAccessibleName(_("Declared links"))
        self.suggested = QTableWidget(self)
        self.suggested.setAccessibleName(_("Suggested overlaps"))
        for t in (self.links, self.suggested):
            t.setEditTriggers(QTableWidget.NoEditTriggers)
            t.setSelectionBehavior(QTableWidget.SelectRows)
            t.verticalHeader().setVisible(False)
            t.horizontalHeader().setStretchLastSection(True)
            t.cellDoubleClicked.connect(lambda row, col, table=t: self._open(table, row, col))
        explain = QLabel(_("Suggestions are computed on this computer from the similarity of titles and texts "
                           "(shared significant words). They are hints to check, not findings: confirm the pairs "
                           "that really overlap and dismiss the others; your choice is kept."), self)
        explain.setWordWrap(True)
        self.confirm = QPushButton(_("Confirm overlap"), self)
        self.dismiss = QPushButton(_("Dismiss"), self)
        self.forget = QPushButton(_("Undo decision"), self)
        self.show_dismissed = QCheckBox(_("Show dismissed suggestions"), self)
        buttons = QHBoxLayout()
        for w in (self.confirm, self.dismiss, self.forget):
            buttons.addWidget(w)
        buttons.addStretch(1)
        buttons.addWidget(self.show_dismissed)
        top = QWidget(self)
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(QLabel("<b>" + _("Declared links (published with the resolutions and Questions)") + "</b>", self))
        tl.addWidget(self.links)
        bottom = QWidget(self)
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(QLabel("<b>" + _("Likely overlaps (suggestions)") + "</b>", self))
        bl.addWidget(explain)
        bl.addWidget(self.suggested, 1)
        bl.addLayout(buttons)
        splitter = QSplitter(Qt.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(splitter)
        self.confirm.clicked.connect(lambda: self._decide("confirmed"))
        self.dismiss.clicked.connect(lambda: self._decide("dismissed"))
        self.forget.clicked.connect(lambda: self._decide(None))
        self.show_dismissed.toggled.connect(self.reload)
        if load:  # else the owner fills it when it is first shown (reload)
            self.reload()

    def reload(self) -> None:
        links = overlaps.declared_links(self.store)
        self.links.clear()
        self.links.setColumnCount(4)
        self.links.setHorizontalHeaderLabels([_("From"), _("Link"), _("To"), _("Title of the target")])
        self.links.setRowCount(len(links))
        for i, link in enumerate(links):
            self.links.setItem(i, 0, _item(link["from"]["id"], (link["from"]["type"], link["from"]["id"])))
            self.links.setItem(i, 1, _item(_(LINK_KINDS.get(link["kind"], link["kind"]))))
            self.links.setItem(i, 2, _item(link["to"], (link["from"]["type"], link["to"])))
            self.links.setItem(i, 3, _item(link.get("to_title") or ""))
        self.links.resizeColumnsToContents()
        self.suggestions = overlaps.overlap_suggestions(self.store, include_decided=self.show_dismissed.isChecked())
        self.suggested.clear()
        headers = [_("First"), _("Title"), _("Second"), _("Title"), _("Similarity"), _("Shared words"),
                   _("Decision")]
        self.suggested.setColumnCount(len(headers))
        self.suggested.setHorizontalHeaderLabels(headers)
        self.suggested.setRowCount(len(self.suggestions))
        lang = current_language()
        for i, s in enumerate(self.suggestions):
            self.suggested.setItem(i, 0, _item(s["a"]["id"], (s["a"]["type"], s["a"]["id"])))
            self.suggested.setItem(i, 1, _item(s["a"]["title"]))
            self.suggested.setItem(i, 2, _item(s["b"]["id"], (s["b"]["type"], s["b"]["id"])))
            self.suggested.setItem(i, 3, _item(s["b"]["title"]))
            score = _item(format_percent(s["score"], locale=lang))
            score.setToolTip(_("titles {title}, texts {text}").format(
                title=format_percent(s["title_score"], locale=lang), text=format_percent(s["text_score"], locale=lang)))
            self.suggested.setItem(i, 4, score)
            self.suggested.setItem(i, 5, _item(", ".join(s["shared_words"])))
            decision = _item(_(DECISIONS[s["decision"]]) if s["decision"] else _("To check"))
            if s["decision"] == "confirmed":
                decision.setForeground(QBrush(QColor("#2e7d32")))
            elif s["decision"] == "dismissed":
                decision.setForeground(QBrush(QColor("#757575")))
            self.suggested.setItem(i, 6, decision)
        self.suggested.resizeColumnsToContents()
        for col in (1, 3):
            self.suggested.setColumnWidth(col, min(260, self.suggested.columnWidth(col)))
        if self.suggestions:
            self.suggested.selectRow(0)

    def _decide(self, decision: str | None) -> None:
        row = self.suggested.currentRow()
        if not 0 <= row < len(self.suggestions):
            return
        s = self.suggestions[row]
        outcome = self.workspace.decide_overlap((s["a"]["type"], s["a"]["id"]), (s["b"]["type"], s["b"]["id"]),
                                                decision, score=s["score"])
        self.reload()
        self.store_changed.emit(outcome.changes)

    def _open(self, table: QTableWidget, row: int, col: int) -> None:
        item = table.item(row, col)
        data = item.data(Qt.UserRole) if item else None
        if data is None and table.item(row, 0) is not None:
            data = table.item(row, 0).data(Qt.UserRole)
        if data:
            self.open_record_requested.emit(*data)
