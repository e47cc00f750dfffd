"""The list of the day's sessions beside the grid: time, room, title (marked when cancelled or
changed) and who covers each."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem

from wtdc_desktop.domain import sessions as session_model
from wtdc_desktop.domain.session_details import change_label, status_label
from wtdc_desktop.instants import format_time_range
from wtdc_desktop.i18n import _


class SessionList(QTreeWidget):
    """One row per session; each row's ``Qt.UserRole`` data (column 0) is the session id."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setAccessibleName(_("Sessions of the day"))
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setHeaderLabels([_("Time"), _("Room"), _("Session"), _("Coverage")])
        self.setColumnWidth(0, 110)
        self.setColumnWidth(1, 70)
        self.setColumnWidth(2, 220)

    def show_sessions(self, sessions: list[session_model.Session], tz: dt.tzinfo, changes: dict[str, tuple[str, ...]],
                      who: dict[str, list[str]]) -> None:
        """Fill the list (without signals): ``changes`` by session id, ``who`` covers each (as shown)."""
        self.blockSignals(True)
        self.clear()
        for s in sessions:
            marks = []
            if s.cancelled:
                marks.append(status_label(s))
            elif s.status == "changed" or s.id in changes:
                marks.append("⚠ " + ", ".join(change_label(k) for k in changes.get(s.id, ())) if s.id in changes
                             else "⚠ " + _("changed"))
            title = s.title + (f" [{'; '.join(marks)}]" if marks else "")
            item = QTreeWidgetItem([format_time_range(s.starts_at, s.ends_at, tz), s.room or "", title,
                                    ", ".join(who.get(s.id, []))])
            item.setData(0, Qt.UserRole, s.id)
            item.setToolTip(2, s.title)
            if s.cancelled:
                font = item.font(2)
                font.setStrikeOut(True)
                item.setFont(2, font)
                for col in range(4):
                    item.setForeground(col, QBrush(QColor("#757575")))
            elif s.status == "changed" or s.id in changes:
                item.setForeground(2, QBrush(QColor("#bf360c")))
            self.addTopLevelItem(item)
        self.blockSignals(False)

    def select(self, sid: str | None) -> None:
        """Make the session's row current (without signals)."""
        for i in range(self.topLevelItemCount()):
            item = self.topLevelItem(i)
            if item.data(0, Qt.UserRole) == sid:
                self.blockSignals(True)
                self.setCurrentItem(item)
                self.blockSignals(False)
                break
