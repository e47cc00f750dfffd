"""The coverage board (delegation members by time slots of a day); its PDF export is exchange/coverage_pdf.py.

PDF goes through Qt (QTextDocument printed by QPdfWriter), so the command line
can write one with an offscreen QGuiApplication.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from wtdc_desktop.domain import agenda as ag
from wtdc_desktop.exchange.coverage_pdf import (  # noqa: F401 - the Agenda view exports and labels with these
    coverage_html, export_pdf, export_pdf_offscreen, priority_label, role_label, write_pdf,
)
from wtdc_desktop.formatting import format_date, format_time, zone_label
from wtdc_desktop.i18n import _
from wtdc_desktop.store import agenda as sa



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

    def show_day(self, meeting: str | None, day: dt.date, tz: dt.tzinfo) -> None:
        """Show a day (built when the board is on screen: it is another tab most of the time)."""
        self.meeting, self.day, self.tz = meeting, day, tz
        self._stale = True
        if self.isVisible():
            self.reload()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if getattr(self, "_stale", False):
            self.reload()

    def reload(self) -> None:
        if self.day is None:
            return
        self._stale = False
        day, tz = self.day, self.tz
        sessions = [s for s in sa.sessions_for_day(self.store, day, tz, meeting=self.meeting)]
        members = sa.members(self.store)
        asg = sa.assignments(self.store)
        pri = sa.priorities(self.store)
        by_id = {s.id: s for s in sessions}
        active = [s for s in sessions if s.active]
        if active:
            first = min(s.starts_at for s in active).astimezone(tz).hour
            last_end = max(s.ends_at for s in active).astimezone(tz)
            last = min(24, last_end.hour + (1 if last_end.minute or last_end.date() == day else 0)) \
                if last_end.date() == day else 24
        else:
            first, last = 8, 18
        slots = ag.time_slots(day, tz, minutes=30, first_hour=min(first, 23), last_hour=max(last, first + 1))
        conflicts = sa.conflicts(self.store, self.meeting)
        double = {(c.member, sid) for c in conflicts if c.kind == ag.DOUBLE_BOOKED for sid in c.sessions}
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
                here = [(s, role) for s, role in mine if s.active and ag.overlaps(s.starts_at, s.ends_at, a, b)]
                item = QTableWidgetItem()
                if here:
                    item.setText(" / ".join(_short(s) for s, _r in here))
                    item.setToolTip("\n".join(f"{s.title} ({role_label(r)})" for s, r in here))
                    item.setData(Qt.UserRole, here[0][0].id)
                    clash = len(here) > 1 or any((m.name, s.id) in double for s, _r in here)
                    item.setBackground(QBrush(QColor("#f4b6b6" if clash else "#b9dfc1")))
                elif not present:
                    item.setBackground(QBrush(QColor("#e0e0e0")))
                    item.setToolTip(_("{member} is not present that day.").format(member=m.name))
                self.table.setItem(row, col, item)
        row = len(members)
        for col, (a, b) in enumerate(slots):
            here = [s for s in uncovered_must if ag.overlaps(s.starts_at, s.ends_at, a, b)]
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


def _short(s: ag.Session) -> str:
    return s.room or s.id.rsplit("/", 1)[-1]


# --- members ----------------------------------------------------------------------------------------

class MembersPanel(QWidget):
    """The delegation's members (name, role, languages, days present), who uses this computer,
    and how early reminders come.

    Signals:
        changed(): members or settings were saved
    """

    changed = Signal()

    def __init__(self, store, parent=None) -> None:
        from PySide6.QtWidgets import (
            QFormLayout, QHBoxLayout, QLineEdit, QListWidget, QPushButton, QSpinBox,
        )
        from PySide6.QtWidgets import QComboBox as _Combo

        super().__init__(parent)
        self.store = store
        self.days: list[dt.date] = []
        self.table = QTableWidget(self)
        self.table.setAccessibleName(_("Delegation members"))
        self.table.setColumnCount(4)
        self.table.setHorizontalHeaderLabels([_("Name"), _("Role"), _("Languages"), _("Days present")])
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.name_edit = QLineEdit(self)
        self.role_edit = QLineEdit(self)
        self.role_edit.setPlaceholderText(_("e.g. head of delegation, adviser"))
        self.languages_edit = QLineEdit(self)
        self.languages_edit.setPlaceholderText(_("language codes, e.g. fr, en, ar"))
        self.days_list = QListWidget(self)
        self.days_list.setAccessibleName(_("Days present"))
        self.days_list.setMaximumHeight(110)
        self.save_button = QPushButton(_("Save member"), self)
        self.remove_button = QPushButton(_("Remove member"), self)
        self.new_button = QPushButton(_("New member"), self)
        self.me_box = _Combo(self)
        self.me_box.setAccessibleName(_("The member using this computer"))
        self.minutes = QSpinBox(self)
        self.minutes.setRange(0, 240)
        self.minutes.setSuffix(" " + _("min"))
        self.minutes.setAccessibleName(_("Minutes before a session to remind"))
        self.status = QLabel(self)
        self.status.setWordWrap(True)

        form = QFormLayout()
        form.addRow(_("Name"), self.name_edit)
        form.addRow(_("Role"), self.role_edit)
        form.addRow(_("Languages"), self.languages_edit)
        form.addRow(_("Days present (none ticked: every day)"), self.days_list)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        form.addRow(buttons)
        form.addRow(_("I am"), self.me_box)
        form.addRow(_("Remind me before my sessions"), self.minutes)
        lay = QHBoxLayout(self)
        lay.addWidget(self.table, 3)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.status)
        right.addStretch(1)
        lay.addLayout(right, 2)

        self.table.currentCellChanged.connect(lambda row, _c, _pr, _pc: self._load_row(row))
        self.save_button.clicked.connect(self.save)
        self.remove_button.clicked.connect(self.remove)
        self.new_button.clicked.connect(self.clear_form)
        self.me_box.activated.connect(self._on_me)
        self.minutes.editingFinished.connect(self._on_minutes)
        self.reload()

    def set_days(self, days: list[dt.date]) -> None:
        self.days = list(days)
        self._fill_days(())

    def _fill_days(self, ticked) -> None:
        from PySide6.QtWidgets import QListWidgetItem

        self.days_list.clear()
        for d in sorted(set(self.days) | set(ticked)):
            item = QListWidgetItem(format_date(d, "full"))
            item.setData(Qt.UserRole, d.isoformat())
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if d in ticked else Qt.Unchecked)
            self.days_list.addItem(item)

    def reload(self) -> None:
        members = sa.members(self.store)
        self.table.setRowCount(len(members))
        for row, m in enumerate(members):
            days = ", ".join(format_date(d, "short") for d in m.days_present) or _("every day")
            for col, text in enumerate([m.name, m.role or "", ", ".join(m.languages), days]):
                self.table.setItem(row, col, QTableWidgetItem(text))
        me = sa.me(self.store)
        self.me_box.clear()
        self.me_box.addItem(_("(nobody: remind me of every session we cover)"), None)
        for m in members:
            self.me_box.addItem(m.name, m.name)
        self.me_box.setCurrentIndex(max(0, self.me_box.findData(me)) if me else 0)
        self.minutes.setValue(sa.reminder_minutes(self.store))
        self.remove_button.setEnabled(bool(members))

    def _load_row(self, row: int) -> None:
        item = self.table.item(row, 0) if row >= 0 else None
        m = sa.member(self.store, item.text()) if item else None
        if m is None:
            return
        self.name_edit.setText(m.name)
        self.role_edit.setText(m.role or "")
        self.languages_edit.setText(", ".join(m.languages))
        self._fill_days(m.days_present)

    def clear_form(self) -> None:
        self.table.clearSelection()
        for edit in (self.name_edit, self.role_edit, self.languages_edit):
            edit.clear()
        self._fill_days(())
        self.name_edit.setFocus()

    def save(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            self.status.setText(_("A delegation member needs a name."))
            return
        days = [dt.date.fromisoformat(self.days_list.item(i).data(Qt.UserRole))
                for i in range(self.days_list.count()) if self.days_list.item(i).checkState() == Qt.Checked]
        languages = [x.strip() for x in self.languages_edit.text().replace(";", ",").split(",") if x.strip()]
        sa.save_member(self.store, name, role=self.role_edit.text().strip() or None, languages=languages,
                       days_present=days)
        self.status.setText(_("{name} saved.").format(name=name))
        self.reload()
        self.changed.emit()

    def remove(self) -> None:
        name = self.name_edit.text().strip()
        if not name or sa.member(self.store, name) is None:
            return
        sa.remove_member(self.store, name)
        if sa.me(self.store) == name:
            sa.set_setting(self.store, sa.SETTING_ME, None)
        self.status.setText(_("{name} removed, with their assignments.").format(name=name))
        self.clear_form()
        self.reload()
        self.changed.emit()

    def _on_me(self, index: int) -> None:
        sa.set_setting(self.store, sa.SETTING_ME, self.me_box.itemData(index))
        self.changed.emit()

    def _on_minutes(self) -> None:
        sa.set_setting(self.store, sa.SETTING_REMINDER_MINUTES, str(self.minutes.value()))
        self.changed.emit()
