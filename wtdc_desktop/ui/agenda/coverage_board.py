"""The coverage board: delegation members as rows, half-hour slots of one day as columns."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from wtdc_desktop.domain import sessions as session_model
from wtdc_desktop.domain.session_details import role_label
from wtdc_desktop.instants import format_date, format_time, zone_label
from wtdc_desktop.i18n import _, isolate
from wtdc_desktop.store import sessions as session_store


class CoverageBoard(QWidget):
    """Members as rows, half-hour slots of one day as columns; a cell names the session covered.

    Signals:
        session_selected(str): a cell with a session was chosen (session id)
    """

    session_selected = Signal(str)

    def __init__(self, store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        self.table = QTableWidget(self)
        self.table.setAccessibleName(_("Coverage board"))
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.table.horizontalHeader().setDefaultSectionSize(64)
        self.table.cellClicked.connect(self._on_cell)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.caption)
        lay.addWidget(self.table, 1)
        self.day: dt.date | None = None
        self.tz: dt.tzinfo = dt.timezone.utc
        self.meeting: str | None = None
        self._stale = False  # a day was given while the board was hidden

    def show_day(self, meeting: str | None, day: dt.date, tz: dt.tzinfo) -> None:
        """Show a day (built when the board is on screen: it is another tab most of the time)."""
        self.meeting, self.day, self.tz = meeting, day, tz
        self._stale = True
        if self.isVisible():
            self.reload()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self) -> None:
        if self.day is None:
            return
        self._stale = False
        day, tz = self.day, self.tz
        sessions = [s for s in session_store.sessions_for_day(self.store, day, tz, meeting=self.meeting)]
        members = session_store.members(self.store)
        asg = session_store.assignments(self.store)
        pri = session_store.priorities(self.store)
        by_id = {s.id: s for s in sessions}
        active = [s for s in sessions if s.active]
        if active:
            first = min(s.starts_at for s in active).astimezone(tz).hour
            last_end = max(s.ends_at for s in active).astimezone(tz)
            last = min(24, last_end.hour + (1 if last_end.minute or last_end.date() == day else 0)) \
                if last_end.date() == day else 24
        else:
            first, last = 8, 18
        slots = session_model.time_slots(day, tz, minutes=30, first_hour=min(first, 23), last_hour=max(last, first + 1))
        conflicts = session_store.conflicts(self.store, self.meeting)
        double = {(c.member, sid) for c in conflicts if c.kind == session_model.DOUBLE_BOOKED for sid in c.sessions}
        uncovered_must = [s for s in active if pri.get(s.id) == "must" and not any(a.session == s.id for a in asg)]

        self.table.clear()
        self.table.setColumnCount(len(slots))
        self.table.setRowCount(len(members) + 1)
        self.table.setHorizontalHeaderLabels([format_time(a, tz) for a, _b in slots])
        self.table.setVerticalHeaderLabels([m.name for m in members] + [_("Must cover, uncovered")])
        for row, m in enumerate(members):
            present = m.present_on(day)
            mine = [(by_id[a.session], a.role) for a in asg if a.member == m.name and a.session in by_id]
            for col, (a, b) in enumerate(slots):
                here = [(s, role) for s, role in mine if s.active and session_model.overlaps(s.starts_at, s.ends_at, a, b)]
                item = QTableWidgetItem()
                if here:
                    item.setText(" / ".join(_short(s) for s, _r in here))
                    item.setToolTip("\n".join(f"{s.title} ({role_label(r)})" for s, r in here))
                    item.setData(Qt.UserRole, here[0][0].id)
                    clash = len(here) > 1 or any((m.name, s.id) in double for s, _r in here)
                    item.setBackground(QBrush(QColor("#f4b6b6" if clash else "#b9dfc1")))
                elif not present:
                    item.setBackground(QBrush(QColor("#e0e0e0")))
                    item.setToolTip(_("{member} is not present that day.").format(member=isolate(m.name)))
                self.table.setItem(row, col, item)
        row = len(members)
        for col, (a, b) in enumerate(slots):
            here = [s for s in uncovered_must if session_model.overlaps(s.starts_at, s.ends_at, a, b)]
            item = QTableWidgetItem(" / ".join(_short(s) for s in here))
            if here:
                item.setBackground(QBrush(QColor("#f7d08a")))
                item.setData(Qt.UserRole, here[0].id)
                item.setToolTip("\n".join(s.title for s in here))
            self.table.setItem(row, col, item)
        self.caption.setText(_("{day}: times in {zone}. Green: covered; red: double-booked; grey: absent.").format(
            day=format_date(day, "full"), zone=zone_label(tz, slots[0][0] if slots else None)))

    def _on_cell(self, row: int, col: int) -> None:
        item = self.table.item(row, col)
        sid = item.data(Qt.UserRole) if item else None
        if sid:
            self.session_selected.emit(sid)


def _short(s: session_model.Session) -> str:
    return s.room or s.id.rsplit("/", 1)[-1]
