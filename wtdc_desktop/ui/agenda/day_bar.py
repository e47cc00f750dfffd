"""The bar above the Agenda view's tabs: the meeting and the day (with previous, next and today), the
filters (columns by room or committee, a committee, a room, the sessions we cover, the second time
axis), which zone the times are in, and the import and export buttons.

The bar holds no state of its own beyond its widgets: the view connects to them and fills them.

Signals:
    export_requested(str): an export was chosen: "ics-me", "ics-covered", "ics-all", "board-csv", "board-pdf"
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QHBoxLayout, QLabel, QMenu, QPushButton, QToolButton, QVBoxLayout, QWidget,
)

from wtdc_desktop.instants import format_date
from wtdc_desktop.i18n import _
from wtdc_desktop.ui.buttons import MenuButton


class DayBar(QWidget):
    export_requested = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.meeting_box = QComboBox(self)
        self.meeting_box.setAccessibleName(_("Meeting"))
        self.prev_button = QToolButton(self)
        self.prev_button.setArrowType(Qt.LeftArrow if self.layoutDirection() != Qt.RightToLeft else Qt.RightArrow)
        self.prev_button.setToolTip(_("Previous day (Page Up)"))
        self.prev_button.setAccessibleName(_("Previous day"))
        self.next_button = QToolButton(self)
        self.next_button.setArrowType(Qt.RightArrow if self.layoutDirection() != Qt.RightToLeft else Qt.LeftArrow)
        self.next_button.setToolTip(_("Next day (Page Down)"))
        self.next_button.setAccessibleName(_("Next day"))
        self.day_box = QComboBox(self)
        self.day_box.setAccessibleName(_("Day"))
        self.day_box.setMinimumContentsLength(18)
        self.today_button = QPushButton(_("Today"), self)
        self.lane_box = QComboBox(self)
        self.lane_box.setAccessibleName(_("Columns"))
        self.lane_box.addItem(_("Columns: rooms"), "room")
        self.lane_box.addItem(_("Columns: committees"), "committee")
        self.committee_box = QComboBox(self)
        self.committee_box.setAccessibleName(_("Committee filter"))
        self.committee_box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.committee_box.setMinimumContentsLength(12)
        self.room_box = QComboBox(self)
        self.room_box.setAccessibleName(_("Room filter"))
        self.covered_check = QCheckBox(_("Sessions we cover"), self)
        self.laptop_check = QCheckBox(_("Also my time zone"), self)
        self.laptop_check.setChecked(True)
        self.zone_label = QLabel(self)
        self.zone_label.setWordWrap(True)
        self.import_button = QPushButton(_("Import timetable…"), self)
        self.import_button.setToolTip(_("A frab or Pentabarf schedule (XML or JSON) or an iCalendar file"))
        self.export_button = MenuButton(_("Export"), self)  # room for its arrow
        self.export_button.setPopupMode(QToolButton.InstantPopup)
        menu = QMenu(self.export_button)
        menu.addAction(_("My sessions (iCalendar)…"), lambda: self.export_requested.emit("ics-me"))
        menu.addAction(_("Sessions we cover (iCalendar)…"), lambda: self.export_requested.emit("ics-covered"))
        menu.addAction(_("Whole coverage board (iCalendar)…"), lambda: self.export_requested.emit("ics-all"))
        menu.addSeparator()
        menu.addAction(_("Coverage board (CSV)…"), lambda: self.export_requested.emit("board-csv"))
        menu.addAction(_("Coverage board (PDF)…"), lambda: self.export_requested.emit("board-pdf"))
        self.export_button.setMenu(menu)

        bar = QHBoxLayout()
        bar.addWidget(self.meeting_box)
        bar.addWidget(self.prev_button)
        bar.addWidget(self.day_box)
        bar.addWidget(self.next_button)
        bar.addWidget(self.today_button)
        bar.addStretch(1)
        # Filters on a row of their own, so the view fits a narrow (or 200 % scaled) screen.
        filters = QHBoxLayout()
        filters.addWidget(self.lane_box)
        filters.addWidget(self.committee_box, 1)
        filters.addWidget(self.room_box, 1)
        filters.addWidget(self.covered_check)
        filters.addWidget(self.laptop_check)
        third = QHBoxLayout()
        third.addWidget(self.zone_label, 1)
        third.addWidget(self.import_button)
        third.addWidget(self.export_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        lay.addLayout(filters)
        lay.addLayout(third)

    # -- filling

    def show_meetings(self, meetings: list[dict], current: str | None) -> int:
        """Offer the meetings (shown only when there are several); returns the index of ``current`` (-1)."""
        self.meeting_box.blockSignals(True)
        self.meeting_box.clear()
        for m in meetings:
            self.meeting_box.addItem(m["title"] or m["id"], m["id"])
        index = self.meeting_box.findData(current)
        self.meeting_box.setCurrentIndex(max(0, index))
        self.meeting_box.setVisible(len(meetings) > 1)
        self.meeting_box.blockSignals(False)
        return index

    def show_days(self, days: list[dt.date], day: dt.date | None) -> None:
        """Offer ``days`` (and ``day``, when it has no session) with ``day`` chosen."""
        self.day_box.blockSignals(True)
        self.day_box.clear()
        for d in sorted(set(days) | ({day} if day else set())):
            self.day_box.addItem(format_date(d, "full"), d.isoformat())
        self.day_box.setCurrentIndex(max(0, self.day_box.findData(day.isoformat() if day else None)))
        self.day_box.blockSignals(False)

    def choose_day(self, day: dt.date) -> None:
        """Make ``day`` the chosen one (added if it is not offered), without signals."""
        self.day_box.blockSignals(True)
        index = self.day_box.findData(day.isoformat())
        if index < 0:
            self.day_box.addItem(format_date(day, "full"), day.isoformat())
            index = self.day_box.findData(day.isoformat())
        self.day_box.setCurrentIndex(index)
        self.day_box.blockSignals(False)

    def show_filters(self, committees: list[str], committee_names: dict[str, str], rooms: list[str]) -> None:
        """Offer the committees and rooms of the meeting (keeping the chosen ones when still there)."""
        _fill(self.committee_box, _("All committees"), committees, lambda c: committee_names.get(c, c))
        _fill(self.room_box, _("All rooms"), rooms, str)

    # -- reading the filters

    def lane_key(self) -> str:
        return self.lane_box.currentData() or "room"

    def committee(self) -> str | None:
        return self.committee_box.currentData()

    def room(self) -> str | None:
        return self.room_box.currentData()


def _fill(box: QComboBox, all_label: str, values: list[str], label) -> None:
    current = box.currentData()
    box.blockSignals(True)
    box.clear()
    box.addItem(all_label, None)
    for v in values:
        box.addItem(label(v), v)
    box.setCurrentIndex(max(0, box.findData(current)) if current else 0)
    box.blockSignals(False)
