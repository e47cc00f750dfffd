"""Priorities and budget: estimated cost against pledges, per region and overall, with a chart per region."""

from __future__ import annotations

import math

from babel.numbers import NumberFormatError, format_compact_decimal, format_percent, parse_decimal
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QLineEdit, QPushButton, QSizePolicy, QSplitter, QTableView, QTableWidget,
    QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from wtdc_desktop.domain import budget as budget_domain
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import N_, _, current_language
from wtdc_desktop.store import budget
from wtdc_desktop.ui.models import RowsTableModel
from wtdc_desktop.ui.negotiation_widgets import TabsFilledWhenOpened, money
from wtdc_desktop.ui.later import put_off, reload_put_off
from wtdc_desktop.ui.view import wants
from wtdc_desktop.workspace import Workspace

SERIES = (("estimated", N_("Estimated cost"), "#5c7fa8"), ("announced", N_("Pledges announced"), "#e0a030"),
          ("confirmed", N_("Pledges confirmed"), "#3c9a4c"))


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k at or above ``value``, so the four grid steps are round numbers."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 4, 5, 8, 10):
        if factor * magnitude >= value:
            return factor * magnitude
    return 10 * magnitude


class BudgetChart(QWidget):
    """Grouped bars per region (and currency): estimated cost, pledges announced, pledges confirmed."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.groups: list[tuple[str, str, budget_domain.Totals]] = []  # (region, currency, totals)
        self.setMinimumSize(360, 240)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setAccessibleName(_("Chart of estimated cost against pledges, per region"))

    def set_summary(self, summary: budget_domain.BudgetSummary) -> None:
        self.groups = [(region, currency, totals) for region, per in sorted(summary.by_region.items())
                       for currency, totals in sorted(per.items())]
        self.setAccessibleDescription("; ".join(
            _("{region}: estimated {estimated}, announced {announced}, confirmed {confirmed}").format(
                region=r, estimated=money(t.estimated, c), announced=money(t.announced, c),
                confirmed=money(t.confirmed, c)) for r, c, t in self.groups))
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(520, 300)

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        pal = self.palette()
        p.fillRect(self.rect(), pal.base())
        fm = p.fontMetrics()
        rtl = self.layoutDirection() == Qt.RightToLeft
        if not self.groups:
            p.setPen(pal.text().color())
            p.drawText(self.rect(), Qt.AlignCenter, _("No regional priority with a cost yet."))
            return
        legend_h = fm.height() + 10
        left, right, top, bottom = 12 + fm.horizontalAdvance("0000000"), 12, 10 + legend_h, 12 + 2 * fm.height()
        if rtl:
            left, right = right, left
        plot = QRectF(left, top, max(10, self.width() - left - right), max(10, self.height() - top - bottom))
        peak = nice_ceiling(max(max(t.estimated, t.announced, t.confirmed) for _r, _c, t in self.groups))
        lang = current_language()
        # Legend
        x = 12.0
        for _key, label, col in SERIES:
            text = _(label)
            w = 12 + 4 + fm.horizontalAdvance(text) + 16
            lx = self.width() - x - w if rtl else x
            p.fillRect(QRectF(lx if not rtl else lx + w - 12 - 16, 8, 12, 12), QColor(col))
            p.setPen(pal.text().color())
            tx = lx + 16 if not rtl else lx
            p.drawText(QRectF(tx, 4, w - 16, fm.height() + 4), (Qt.AlignRight if rtl else Qt.AlignLeft) | Qt.AlignVCenter,
                       text)
            x += w
        # Grid and axis labels
        grid = QPen(pal.mid().color())
        grid.setStyle(Qt.DotLine)
        for i in range(5):
            value = peak * i / 4
            y = plot.bottom() - plot.height() * i / 4
            p.setPen(grid)
            p.drawLine(plot.left(), y, plot.right(), y)
            p.setPen(pal.text().color())
            label = format_compact_decimal(value, locale=lang, fraction_digits=1)
            if rtl:
                p.drawText(QRectF(plot.right() + 4, y - fm.height() / 2, right - 6, fm.height()),
                           Qt.AlignLeft | Qt.AlignVCenter, label)
            else:
                p.drawText(QRectF(2, y - fm.height() / 2, left - 6, fm.height()), Qt.AlignRight | Qt.AlignVCenter,
                           label)
        # Bars
        n = len(self.groups)
        slot = plot.width() / n
        bar_w = min(36.0, slot * 0.8 / 3)
        for gi, (region, currency, totals) in enumerate(self.groups):
            index = n - 1 - gi if rtl else gi
            gx = plot.left() + slot * index + (slot - 3 * bar_w) / 2
            for si, (key, _label, col) in enumerate(SERIES):
                value = getattr(totals, key)
                h = plot.height() * value / peak
                bx = gx + bar_w * (2 - si if rtl else si)
                p.fillRect(QRectF(bx, plot.bottom() - h, bar_w - 2, h), QColor(col))
            p.setPen(pal.text().color())
            caption = region if len({c for _r, c, _t in self.groups}) == 1 else f"{region} ({currency})"
            p.drawText(QRectF(plot.left() + slot * index, plot.bottom() + 4, slot, fm.height()), Qt.AlignCenter,
                       caption)
            share = format_percent(totals.pledged / totals.estimated if totals.estimated else 0, locale=lang)
            text = _("{share} pledged").format(share=share)
            if fm.horizontalAdvance(text) > slot - 6:  # too narrow for the words: the share alone
                text = share
            p.drawText(QRectF(plot.left() + slot * index, plot.bottom() + 4 + fm.height(), slot, fm.height()),
                       Qt.AlignCenter, text)
        p.setPen(pal.text().color())
        p.drawLine(plot.left(), plot.bottom(), plot.right(), plot.bottom())
        p.end()


class BudgetView(QWidget):
    """Signals:
        open_record_requested(str, str): a priority or proposal was double-clicked (type, id)
        store_changed(Changes): the available budget was set
    """

    open_record_requested = Signal(str, str)
    store_changed = Signal(object)

    def __init__(self, store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.workspace = Workspace(store)
        self.summary: budget_domain.BudgetSummary | None = None
        self.amount = QLineEdit(self)
        self.amount.setAccessibleName(_("Available budget"))
        self.amount.setPlaceholderText(_("Amount"))
        self.currency = QLineEdit(self)
        self.currency.setAccessibleName(_("Currency"))
        self.currency.setMaxLength(3)
        self.currency.setFixedWidth(60)
        self.currency.setPlaceholderText("CHF")
        self.save_available = QPushButton(_("Set available budget"), self)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Available budget:"), self))
        top.addWidget(self.amount)
        top.addWidget(self.currency)
        top.addWidget(self.save_available)
        top.addWidget(self.message, 1)
        self.balance = QLabel(self)
        self.balance.setWordWrap(True)
        self.chart = BudgetChart(self)
        self.totals = QTableWidget(self)
        self.totals.setAccessibleName(_("Totals per region"))
        self.totals.setEditTriggers(QTableWidget.NoEditTriggers)
        self.totals.verticalHeader().setVisible(False)
        upper = QSplitter(Qt.Horizontal, self)
        upper.addWidget(self.chart)
        upper.addWidget(self.totals)
        upper.setStretchFactor(0, 1)
        upper.setStretchFactor(1, 1)
        upper.setSizes([560, 560])
        self.model = QStandardItemModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName(_("Regional priorities"))
        self.table.setEditTriggers(QTableView.NoEditTriggers)
        self.table.setSelectionBehavior(QTableView.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.doubleClicked.connect(lambda index: self._open(self.model, index.row(), "priority"))
        self.proposals_model = RowsTableModel([_("Proposal"), _("Regions"), _("Action"), _("Target"), _("Cost"),
                                               _("Title")], self, right_aligned=(4,),
                                              formatters={4: lambda cost: money(*cost)})
        self.proposals = QTableView(self)
        self.proposals.setModel(self.proposals_model)
        self.proposals.setAccessibleName(_("Proposals with a cost"))
        self.proposals.setEditTriggers(QTableView.NoEditTriggers)
        self.proposals.setSelectionBehavior(QTableView.SelectRows)
        self.proposals.verticalHeader().setVisible(False)
        self.proposals.horizontalHeader().setStretchLastSection(True)
        # Column widths from the first rows, not from every one of thousands of costed proposals.
        self.proposals.horizontalHeader().setResizeContentsPrecision(200)
        self.proposals.doubleClicked.connect(lambda index: self._open(self.proposals_model, index.row(), "proposal"))
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.table, _("Regional priorities"))
        self.tabs.addTab(self.proposals, _("Proposals with a cost"))
        # The costed proposals (thousands on a large store) are listed when their tab is first opened.
        self.lazy = TabsFilledWhenOpened(self.tabs, {self.proposals: self._fill_proposals})
        splitter = QSplitter(Qt.Vertical, self)
        splitter.addWidget(upper)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.balance)
        lay.addWidget(splitter, 1)
        self.save_available.clicked.connect(self.set_available)
        self.amount.returnPressed.connect(self.set_available)
        self.reload()

    def show_record(self, type_name: str, record_id: str) -> bool:
        """This view selects no single record: the window shows it in a dialog."""
        return False

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        reload_put_off(self)

    def reload(self, changes=None) -> None:
        if not wants(changes, any_record=True, delegation=("budget", "position")):
            return
        if put_off(self, changes):  # hidden behind another view: when it is shown
            return
        self.summary = budget.budget_summary(self.store)
        available = self.summary.available
        if available and not self.amount.hasFocus():
            self.amount.setText(money(available[0], None))
            self.currency.setText(available[1])
        self.chart.set_summary(self.summary)
        self._fill_totals()
        self._fill_priorities()
        self.lazy.refill()
        self._fill_balance()

    def _fill_balance(self) -> None:
        s = self.summary
        parts = []
        for currency, t in sorted(s.overall.items()):
            parts.append(_("Overall: estimated {estimated}, announced {announced}, confirmed {confirmed}, "
                           "unfunded {unfunded}.").format(
                estimated=money(t.estimated, currency), announced=money(t.announced, currency),
                confirmed=money(t.confirmed, currency), unfunded=money(t.unfunded, currency)))
        if s.available:
            balance = s.balance()
            amount, currency = s.available
            key = (_("The available budget {available} covers what is unfunded, with {balance} to spare.")
                   if balance >= 0 else
                   _("The available budget {available} falls short of what is unfunded by {balance}."))
            parts.append(key.format(available=money(amount, currency), balance=money(abs(balance), currency)))
        else:
            parts.append(_("Enter the available budget to compare it with what is unfunded."))
        self.balance.setText(" ".join(parts))

    def _fill_totals(self) -> None:
        s = self.summary
        headers = [_("Region"), _("Estimated cost"), _("Announced"), _("Confirmed"), _("Unfunded")]
        rows = [(r, c, t) for r, per in sorted(s.by_region.items()) for c, t in sorted(per.items())]
        rows += [(_("Total"), c, t) for c, t in sorted(s.overall.items())]
        self.totals.clear()
        self.totals.setColumnCount(len(headers))
        self.totals.setHorizontalHeaderLabels(headers)
        self.totals.setRowCount(len(rows))
        for i, (label, currency, t) in enumerate(rows):
            for j, value in enumerate((label, money(t.estimated, currency), money(t.announced, currency),
                                       money(t.confirmed, currency), money(t.unfunded, currency))):
                item = QTableWidgetItem(value)
                if j:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if i >= len(rows) - len(s.overall):
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.totals.setItem(i, j, item)
        self.totals.resizeColumnsToContents()

    def _fill_priorities(self) -> None:
        self.model.clear()
        self.model.setHorizontalHeaderLabels([_("Id"), _("Region"), _("Title"), _("Estimated cost"),
                                              _("Announced"), _("Confirmed")])
        for pr in budget.priorities(self.store):
            totals = budget_domain.priority_totals(pr)
            cost = pr.get("estimated_cost") or {}
            currency = cost.get("currency") or next(iter(totals), None)
            t = totals.get(currency, budget_domain.Totals()) if currency else budget_domain.Totals()
            cells = [pr["id"], pr.get("region") or "", pr.get("title") or "",
                     money(cost.get("amount"), cost.get("currency")), money(t.announced, currency),
                     money(t.confirmed, currency)]
            items = [QStandardItem(v) for v in cells]
            for it in items[3:]:
                it.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.model.appendRow(items)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(2, self.table.horizontalHeader().ResizeMode.Stretch)

    def _fill_proposals(self) -> None:
        rows = []
        for p in budget.costed_proposals(self.store):
            cost = p.get("cost") or {}
            target = p.get("target") or {}
            rows.append((p["id"], ", ".join(p["regions"]), p["action"] or "", str(target.get("id") or ""),
                         (cost.get("amount"), cost.get("currency")), p.get("title") or ""))
        self.proposals_model.set_rows(rows)
        self.proposals.resizeColumnsToContents()

    def set_available(self) -> bool:
        try:
            amount = float(parse_decimal(self.amount.text().strip(), locale=current_language()))
        except (NumberFormatError, ValueError):
            self.message.setText(_("“{value}” is not an amount.").format(value=self.amount.text()))
            return False
        try:
            outcome = self.workspace.set_available_budget(amount, self.currency.text() or "CHF")
        except WtdcError as exc:
            self.message.setText(exc.message)
            return False
        self.message.clear()
        self.amount.clearFocus()
        self.reload()
        self.store_changed.emit(outcome.changes)
        return True

    def _open(self, model, row: int, type_name: str) -> None:
        record_id = model.index(row, 0).data()
        if record_id:
            self.open_record_requested.emit(type_name, record_id)
