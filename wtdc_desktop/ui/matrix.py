"""The proposals matrix: targets by regions, colour-coded actions, and the proposals side by side."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QLabel, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from wtdc_desktop.domain import matrix as matrix_domain
from wtdc_desktop.domain.brief import target_detail_html
from wtdc_desktop.domain.links import make_link
from wtdc_desktop.domain.positions import labels as all_labels
from wtdc_desktop.i18n import _, ngettext
from wtdc_desktop.store import proposal_matrix, published
from wtdc_desktop.ui.browser import SafeTextBrowser
from wtdc_desktop.ui.negotiation_widgets import (
    ACTION_COLOURS, MIXED_COLOURS, STANCE_COLOURS, fill_combo,
)
from wtdc_desktop.ui.language import directed_html

ROLE_KEY = Qt.UserRole + 1


class ProposalsMatrixView(QWidget):
    """Rows are targets, columns the regions (with their organizations) and our position.

    Signals:
        open_record_requested(str, str): a link to a record was chosen (type, id)
    """

    open_record_requested = Signal(str, str)

    def __init__(self, store, parent=None, *, load: bool = True, background: bool = False) -> None:
        super().__init__(parent)
        self.store = store
        #: arrange the matrix and write a row's detail on a worker thread (seconds on a store of
        #: tens of thousands of proposals); the window's tab uses it, tests and scripts need not
        self.background = background
        self._generation = {"rows": 0, "detail": 0}
        self._workers: set = set()
        self.rows: list[matrix_domain.MatrixRow] = []
        self.meeting = QComboBox(self)
        self.meeting.setAccessibleName(_("Meeting"))
        self.committee = QComboBox(self)
        self.committee.setAccessibleName(_("Committee"))
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(_("Meeting:"), self))
        filters.addWidget(self.meeting, 1)
        filters.addWidget(QLabel(_("Committee:"), self))
        filters.addWidget(self.committee, 1)
        self.table = QTableWidget(self)
        self.table.setAccessibleName(_("Proposals matrix"))
        self.table.setSelectionBehavior(QTableWidget.SelectRows)
        self.table.setSelectionMode(QTableWidget.SingleSelection)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.detail = SafeTextBrowser(self)
        self.detail.setAccessibleName(_("Current text and proposals side by side"))
        self.detail.navigate.connect(self.open_record_requested)
        splitter = QSplitter(Qt.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(filters)
        lay.addWidget(self.summary)
        lay.addWidget(splitter, 1)
        self.meeting.currentIndexChanged.connect(self._refresh)
        self.committee.currentIndexChanged.connect(self._refresh)
        self.table.currentCellChanged.connect(lambda row, *_a: self._show_row(row))
        if load:  # else the owner fills it when it is first shown (reload)
            self.reload()

    # -- data ------------------------------------------------------------------------------

    def reload(self) -> None:
        meetings = published.list_records(self.store, "meeting")
        committees = published.list_records(self.store, "committee")
        fill_combo(self.meeting, [(_("All meetings"), None)] + [(f"{m['id']} – {m.get('title') or ''}", m["id"])
                                                               for m in meetings])
        fill_combo(self.committee, [(_("All committees"), None)] + [(f"{c['id']} – {c.get('name') or ''}", c["id"])
                                                                   for c in committees])
        self._refresh()

    def _refresh(self) -> None:
        meeting, committee = self.meeting.currentData(), self.committee.currentData()
        if not self.background:
            self.rows = proposal_matrix.matrix(self.store, meeting=meeting, committee=committee)
            self._fill()
            return
        self.summary.setText(_("Arranging the proposals…"))
        self.table.setEnabled(False)
        self._in_background("rows", self._arranged,
                            lambda store: proposal_matrix.matrix(store, meeting=meeting, committee=committee))

    def _arranged(self, result) -> None:
        generation, rows = result
        if generation != self._generation["rows"]:
            return  # the filters changed since: a newer result is coming
        self.table.setEnabled(True)
        self.rows = rows
        self._fill()

    def _in_background(self, kind: str, done, compute) -> None:
        """Run ``compute(store)`` on a worker with its own connection; ``done((generation, value))``
        runs on the GUI thread, and drops results that a newer request made stale."""
        from wtdc_desktop.ui.workers import Worker, reading_store, start

        self._generation[kind] += 1
        generation, data_dir = self._generation[kind], self.store.data_dir

        def task(_worker):
            with reading_store(data_dir) as store:  # a connection of the worker's thread
                return generation, compute(store)

        worker = Worker(task)
        worker.signals.finished.connect(done)
        worker.signals.failed.connect(self._failed)
        self._workers.add(worker)
        worker.signals.finished.connect(lambda _r, w=worker: self._workers.discard(w))
        worker.signals.failed.connect(lambda _e, w=worker: self._workers.discard(w))
        start(worker)

    def _failed(self, reason: str) -> None:
        self.table.setEnabled(True)
        self.summary.setText(_("The matrix could not be arranged: {reason}").format(reason=reason))

    def _columns(self) -> list[str]:
        used = {c for r in self.rows for c in r.cells}
        return [c for c in matrix_domain.COLUMNS if c != matrix_domain.OTHER or c in used]

    def _fill(self) -> None:
        labels = all_labels()
        orgs = proposal_matrix.organizations_by_region(self.store)
        columns = self._columns()
        headers = [_("Target"), _("Title")]
        for c in columns:
            if c == matrix_domain.OTHER:
                headers.append(_("Other sources"))
            else:
                headers.append(c + ("\n" + ", ".join(orgs.get(c, [])[:3]) if orgs.get(c) else ""))
        headers += [_("Our position"), _("Assessment")]
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            kind = labels["subject"].get(row.target_type, row.target_type)
            first = QTableWidgetItem(row.target_id)
            first.setData(ROLE_KEY, (row.target_type, row.target_id))
            first.setToolTip(kind)
            self.table.setItem(i, 0, first)
            self.table.setItem(i, 1, QTableWidgetItem(row.title or kind))
            for j, column in enumerate(columns, 2):
                entries = row.cells.get(column, [])
                item = QTableWidgetItem()
                if entries:
                    actions = row.actions(column)
                    text = "/".join(actions)
                    if len(entries) > 1:
                        text += f" ×{len(entries)}"
                    item.setText(text)
                    bg, fg = ACTION_COLOURS.get(actions[0], MIXED_COLOURS) if len(actions) == 1 else MIXED_COLOURS
                    item.setBackground(QBrush(QColor(bg)))
                    item.setForeground(QBrush(QColor(fg)))
                    item.setToolTip("\n".join(
                        "{id}: {action} ({status})".format(
                            id=e.proposal_id, action=e.action,
                            status=labels["proposal_status"].get(e.status or "", e.status or "–"))
                        for e in entries))
                    item.setTextAlignment(Qt.AlignCenter)
                self.table.setItem(i, j, item)
            ours = QTableWidgetItem(labels["stance"].get(row.ours, "") if row.ours else "–")
            if row.ours:
                ours.setForeground(QBrush(QColor(STANCE_COLOURS.get(row.ours, "#000000"))))
            self.table.setItem(i, len(columns) + 2, ours)
            assessment = QTableWidgetItem(_(matrix_domain.ASSESSMENT_LABELS[row.assessment]))
            if row.assessment == matrix_domain.QUICK:
                assessment.setForeground(QBrush(QColor("#2e7d32")))
            elif row.assessment == matrix_domain.NEGOTIATE:
                assessment.setForeground(QBrush(QColor("#c62828")))
            self.table.setItem(i, len(columns) + 3, assessment)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(1, min(280, max(120, self.table.columnWidth(1))))
        self.table.horizontalHeader().setStretchLastSection(True)
        counts = matrix_domain.summary(self.rows)
        self.summary.setText(ngettext(
            "{targets} target: {quick} likely quick (all regions agree), {negotiate} need negotiation, {single} "
            "proposed by one region only, {none} by no region.",
            "{targets} targets: {quick} likely quick (all regions agree), {negotiate} need negotiation, {single} "
            "proposed by one region only, {none} by no region.", len(self.rows)).format(
            targets=len(self.rows), quick=counts[matrix_domain.QUICK], negotiate=counts[matrix_domain.NEGOTIATE],
            single=counts[matrix_domain.SINGLE], none=counts[matrix_domain.NO_REGION]))
        if self.rows:
            blocked = self.table.blockSignals(True)  # show the first row's detail once, not twice
            self.table.selectRow(0)
            self.table.blockSignals(blocked)
            self._show_row(0)
        else:
            self.detail.setHtml("<p>" + _("No proposal matches these filters.") + "</p>")

    def select_target(self, target_type: str, target_id: str) -> bool:
        for i in range(self.table.rowCount()):
            if self.table.item(i, 0).data(ROLE_KEY) == (target_type, target_id):
                blocked = self.table.blockSignals(True)
                self.table.selectRow(i)
                self.table.blockSignals(blocked)
                self._show_row(i)
                return True
        return False

    def _show_row(self, row: int) -> None:
        if not 0 <= row < len(self.rows):
            return
        r = self.rows[row]
        meeting, committee = self.meeting.currentData(), self.committee.currentData()

        def detail_html(store) -> str:  # no widget here: it may run on a worker
            detail = proposal_matrix.target_detail(store, r.target_type, r.target_id, meeting=meeting, committee=committee)
            return directed_html(target_detail_html(detail, labels=all_labels(), link=make_link,
                                                    assessment=_(matrix_domain.ASSESSMENT_LABELS[r.assessment])))

        if self.background:
            self._in_background("detail", self._detail_written, detail_html)
        else:
            self.detail.setHtml(detail_html(self.store))

    def _detail_written(self, result) -> None:
        generation, html = result
        if generation == self._generation["detail"]:
            self.detail.setHtml(html)
