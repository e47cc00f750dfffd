"""What changed: the records a sync brought, changed or withdrew, mine first.

Built with ``deferred=True`` (by the window), the view reads what changed on a worker thread (with its
own store connection): counting and comparing the records a large sync changed takes longer than the
GUI thread may block. ``loading`` is true until the list is shown; a view used on its own (a test, a
dialog) reads at once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QHBoxLayout, QLabel, QSplitter, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from wtdc_desktop.domain.records import PUBLISHED_TYPES
from wtdc_desktop.formatting import format_number
from wtdc_desktop.i18n import _, ngettext
from wtdc_desktop.instants import format_datetime
from wtdc_desktop.store import changes as store_changes
from wtdc_desktop.store import syncs
from wtdc_desktop.ui.detail import DetailPane, field_labels
from wtdc_desktop.ui.today import _change_word
from wtdc_desktop.ui.later import put_off, reload_put_off
from wtdc_desktop.ui.view import wants
from wtdc_desktop.ui.workers import LatestRead, Worker, reading_store, start

WHY = {"starred": lambda: _("starred"), "noted": lambda: _("noted"), "position": lambda: _("position"),
       "assigned": lambda: _("covered")}
#: a row's kind of change (new, changed, withdrawn, restored)
ROLE_CHANGE = Qt.UserRole + 2


class ChangesView(QWidget):
    """Signals:
        open_record_requested(str, str): a link in the detail pane names a record
        store_changed(Changes): the detail pane wrote the delegation's layer (a star, a note…)
    """

    open_record_requested = Signal(str, str)
    store_changed = Signal(object)

    def __init__(self, store, parent=None, *, deferred: bool = False) -> None:
        super().__init__(parent)
        self.store = store
        self.deferred = deferred
        self.reading = LatestRead(self, store, self._show)
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
        self.tree.itemExpanded.connect(self._expanded)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._activated)
        self.detail.navigate.connect(self.open_record_requested)
        self.detail.store_changed.connect(self.store_changed)
        self.reload()

    def show_record(self, type_name: str, record_id: str) -> bool:
        """What changed selects no record by link: the window shows it in its own view."""
        return False

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        reload_put_off(self)

    def reload(self, changes=None) -> None:
        if not wants(changes, any_record=True, syncs=True, delegation=("position", "star", "note")):
            return
        if put_off(self, changes):  # hidden behind another view: when it is shown
            return
        self.since.blockSignals(True)
        self.since.clear()
        self.since.addItem(_("the sync before the last one (what the last sync changed)"), None)
        for sync_id, at, source in syncs.applied_syncs(self.store):
            when = at
            try:
                when = format_datetime(at, fmt="short")
            except (ValueError, AttributeError):
                pass
            self.since.addItem(_("sync {n}, {when} ({source})").format(n=sync_id, when=when, source=source or "—"),
                               sync_id)
        self.since.addItem(_("the beginning (everything)"), 0)
        self.since.blockSignals(False)
        self._fill()

    #: Up to this many changes are listed one by one; past it (a first import, a large
    #: republication) records are grouped by type and change, each group listed when opened.
    LIST_LIMIT = 2000
    #: How many records an opened group lists at a time.
    PAGE = 500

    @property
    def loading(self) -> bool:
        """True while what changed is read on a worker (the list not shown yet)."""
        return self.reading.loading

    def _fill(self) -> None:
        since, limit = self.since.currentData(), self.LIST_LIMIT
        (self.reading.off if self.deferred else self.reading.here)(
            (since,), lambda store: read_changes(store, since, limit))

    def _show(self, since, read: dict) -> None:
        self.tree.clear()
        self._groups: dict[int, dict] = {}
        counts, total = read["counts"], read["total"]
        self.tree.setRootIsDecorated(total > self.LIST_LIMIT)  # groups show that they open
        items = read["items"]
        self.tree.addTopLevelItems([self._row(c) for c in items])
        mine = sum(1 for c in items if c["mine"])
        if total > self.LIST_LIMIT:  # the items are the delegation's only
            for (type_name, change), count in sorted(counts.items()):
                label = _(PUBLISHED_TYPES[type_name].plural) if type_name in PUBLISHED_TYPES else type_name
                group = QTreeWidgetItem([label, ngettext("{count} record", "{count} records", count).format(
                                         count=format_number(count)),
                                         _change_word(change), "", ""])
                group.setChildIndicatorPolicy(QTreeWidgetItem.ShowIndicator)
                self.tree.addTopLevelItem(group)
                self._groups[id(group)] = {"type": type_name, "change": change, "items": None, "shown": 0,
                                           "item": group}
        self.summary.setText(ngettext("{count} change", "{count} changes", total).format(count=format_number(total))
                             + " · " + ngettext("{mine} among my items", "{mine} among my items", mine).format(
                                 mine=format_number(mine)))

    @property
    def _labels(self) -> dict[str, str]:
        """The fields' names in the interface language."""
        if getattr(self, "_field_labels", None) is None:
            self._field_labels = field_labels()
        return self._field_labels

    def _row(self, c: dict) -> QTreeWidgetItem:
        label = _(PUBLISHED_TYPES[c["type"]].label) if c["type"] in PUBLISHED_TYPES else c["type"]
        row = QTreeWidgetItem([f"{label} {c['id']}", c["title"] or "", _change_word(c["change"]),
                               ", ".join(self._labels.get(f, f) for f in c.get("fields") or []),  # "Status", not "status"
                               ", ".join(WHY[w]() if w in WHY else w for w in c.get("why_mine") or [])])
        row.setData(0, Qt.UserRole, (c["type"], c["id"]))
        row.setData(0, ROLE_CHANGE, c["change"])
        if c["mine"]:
            for col in range(5):
                font = row.font(col)
                font.setBold(True)
                row.setFont(col, font)
        return row

    def _expanded(self, item: QTreeWidgetItem) -> None:
        group = self._groups.get(id(item))
        if group is None or group["items"] is not None or group.get("reading"):
            return
        since, type_name, change = self.since.currentData(), group["type"], group["change"]
        if not self.deferred:
            group["items"] = group_changes(self.store, since, type_name, change)
            self._more(group)
            return
        group["reading"] = True  # a group of a first import holds every record of its type: on a worker
        data_dir = self.store.data_dir

        def task(_worker):
            with reading_store(data_dir) as store:
                return group, group_changes(store, since, type_name, change)

        worker = Worker(task)
        worker.signals.finished.connect(self._group_read)
        worker.signals.failed.connect(lambda _message: group.update(reading=False))  # opened again, read again
        start(worker)

    def _group_read(self, result) -> None:
        group, items = result
        group["reading"] = False
        if any(g is group for g in self._groups.values()):  # the list was not filled again since
            group["items"] = items
            self._more(group)

    def _more(self, group: dict) -> None:
        """List the next page of a group's records (and a "more" line while some are left)."""
        parent: QTreeWidgetItem = group["item"]
        if parent.childCount() and parent.child(parent.childCount() - 1).data(0, Qt.UserRole) is None:
            parent.removeChild(parent.child(parent.childCount() - 1))
        start = group["shown"]
        page = group["items"][start:start + self.PAGE]
        parent.addChildren([self._row(c) for c in page])
        group["shown"] = start + len(page)
        left = len(group["items"]) - group["shown"]
        if left > 0:
            page = min(left, self.PAGE)
            more = QTreeWidgetItem([ngettext("Show {count} more…", "Show {count} more…", page).format(
                count=format_number(page)), "", "", "", ""])
            more.setData(1, Qt.UserRole, "more")
            parent.addChild(more)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.data(1, Qt.UserRole) == "more" and item.parent() is not None:
            group = self._groups.get(id(item.parent()))
            if group is not None:
                self._more(group)

    def _on_current(self, current, _previous) -> None:
        if current is None:
            self.detail.clear()
            return
        key = current.data(0, Qt.UserRole)
        if not key:  # a group or a "more" line
            self.detail.clear()
            return
        type_name, rid = key
        # A changed record opens on the comparison of its previous version with the current one.
        if self.detail.show_record(type_name, rid) and current.data(0, ROLE_CHANGE) == "changed":
            self.detail.show_comparison()


def read_changes(store, since, limit: int) -> dict:
    """What the view lists for changes after sync ``since``: the counts by (type, change), their total,
    and the changes themselves (up to ``limit`` of them; past it, the delegation's only). No Qt: a
    worker thread calls it."""
    counts = store_changes.change_counts(store, since)
    total = sum(counts.values())
    items = store_changes.changes_since(store, since, mine_only=total > limit)
    return {"counts": counts, "total": total, "items": items}


def group_changes(store, since, type_name: str, change: str) -> list[dict]:
    """The changes of one group of the view (a type, a kind of change), the delegation's left out
    (they are listed above the groups). No Qt: a worker thread calls it."""
    return [c for c in store_changes.changes_since(store, since, types=[type_name])
            if c["change"] == change and not c["mine"]]
