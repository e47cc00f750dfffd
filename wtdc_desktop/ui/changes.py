"""What changed: the records a sync brought, changed or withdrew, mine first."""

from __future__ import annotations

from babel.dates import format_datetime
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QLabel, QSplitter, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from wtdc_desktop.domain.records import PUBLISHED_TYPES
from wtdc_desktop.i18n import _, current_language, ngettext
from wtdc_desktop.store import queries
from wtdc_desktop.ui.detail import DetailPane
from wtdc_desktop.ui.today import _change_word

WHY = {"starred": lambda: _("starred"), "noted": lambda: _("noted"), "position": lambda: _("position"),
       "assigned": lambda: _("covered")}


def _changes_module():
    try:
        from wtdc_desktop.store import changes
    except ImportError:
        return None
    return changes if hasattr(changes, "changes_since") else None


class ChangesView(QWidget):
    """Signals:
        open_record_requested(str, str): a link in the detail pane names a record
    """

    open_record_requested = Signal(str, str)

    def __init__(self, store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.since = QComboBox(self)
        self.since.setAccessibleName(_("Changes since"))
        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName(_("Changed records"))
        self.tree.setHeaderLabels([_("Record"), _("Title"), _("Change"), _("Fields"), _("Why mine")])
        self.tree.setRootIsDecorated(False)
        self.tree.setColumnWidth(0, 170)
        self.tree.setColumnWidth(1, 300)
        self.tree.setColumnWidth(2, 90)
        self.detail = DetailPane(store, self)
        self.summary = QLabel(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Changes since:"), self))
        top.addWidget(self.since, 1)
        left = QWidget(self)
        llay = QVBoxLayout(left)
        llay.setContentsMargins(0, 0, 0, 0)
        llay.addLayout(top)
        llay.addWidget(self.tree, 1)
        llay.addWidget(self.summary)
        self.splitter = QSplitter(Qt.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.splitter)
        self.since.currentIndexChanged.connect(lambda _i: self._fill())
        self.tree.currentItemChanged.connect(self._on_current)
        self.detail.navigate.connect(self.open_record_requested)
        self.reload()

    def reload(self) -> None:
        self.since.blockSignals(True)
        self.since.clear()
        self.since.addItem(_("the sync before the last one (what the last sync changed)"), None)
        for sync_id, at, source in queries.applied_syncs(self.store):
            when = at
            try:
                import datetime as dt

                when = format_datetime(dt.datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(), "short",
                                       locale=current_language())
            except (ValueError, AttributeError):
                pass
            self.since.addItem(_("sync {n}, {when} ({source})").format(n=sync_id, when=when, source=source or "—"),
                               sync_id)
        self.since.addItem(_("the beginning (everything)"), 0)
        self.since.blockSignals(False)
        self._fill()

    def _fill(self) -> None:
        self.tree.clear()
        mod = _changes_module()
        if mod is None:
            self.summary.setText(_("This version cannot list changes yet."))
            return
        items = mod.changes_since(self.store, self.since.currentData())
        for c in items:
            label = _(PUBLISHED_TYPES[c["type"]].label) if c["type"] in PUBLISHED_TYPES else c["type"]
            row = QTreeWidgetItem([f"{label} {c['id']}", c["title"] or "", _change_word(c["change"]),
                                   ", ".join(c.get("fields") or []),
                                   ", ".join(WHY[w]() if w in WHY else w for w in c.get("why_mine") or [])])
            row.setData(0, Qt.UserRole, (c["type"], c["id"]))
            if c["mine"]:
                for col in range(5):
                    font = row.font(col)
                    font.setBold(True)
                    row.setFont(col, font)
            self.tree.addTopLevelItem(row)
        mine = sum(1 for c in items if c["mine"])
        self.summary.setText(ngettext("{count} change", "{count} changes", len(items)).format(count=len(items))
                             + " · " + ngettext("{mine} among my items", "{mine} among my items", mine).format(mine=mine))

    def _on_current(self, current, _previous) -> None:
        if current is None:
            self.detail.clear()
            return
        type_name, rid = current.data(0, Qt.UserRole)
        self.detail.show_record(type_name, rid)
