"""The delegation's members (name, role, languages, days present), who uses this computer, and how
early reminders come: the Members tab of the Agenda view."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
    QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from wtdc_desktop.instants import format_date
from wtdc_desktop.i18n import _
from wtdc_desktop.store import sessions
from wtdc_desktop.workspace import Workspace


class MembersPanel(QWidget):
    """The delegation's members (name, role, languages, days present), who uses this computer,
    and how early reminders come.

    Signals:
        changed(): members or settings were saved
        store_changed(Changes): what such a save wrote (for the window's other views)
    """

    changed = Signal()
    store_changed = Signal(object)

    def __init__(self, store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.workspace = Workspace(store)
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
        self.me_box = QComboBox(self)
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
        self.days_list.clear()
        for d in sorted(set(self.days) | set(ticked)):
            item = QListWidgetItem(format_date(d, "full"))
            item.setData(Qt.UserRole, d.isoformat())
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if d in ticked else Qt.Unchecked)
            self.days_list.addItem(item)

    def reload(self) -> None:
        members = sessions.members(self.store)
        self.table.setRowCount(len(members))
        for row, m in enumerate(members):
            days = ", ".join(format_date(d, "short") for d in m.days_present) or _("every day")
            for col, text in enumerate([m.name, m.role or "", ", ".join(m.languages), days]):
                self.table.setItem(row, col, QTableWidgetItem(text))
        me = sessions.me(self.store)
        self.me_box.clear()
        self.me_box.addItem(_("(nobody: remind me of every session we cover)"), None)
        for m in members:
            self.me_box.addItem(m.name, m.name)
        self.me_box.setCurrentIndex(max(0, self.me_box.findData(me)) if me else 0)
        self.minutes.setValue(sessions.reminder_minutes(self.store))
        self.remove_button.setEnabled(bool(members))

    def _load_row(self, row: int) -> None:
        item = self.table.item(row, 0) if row >= 0 else None
        m = sessions.member(self.store, item.text()) if item else None
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
        outcome = self.workspace.save_member(name, role=self.role_edit.text().strip() or None, languages=languages,
                                             days_present=days)
        self.status.setText(_("{name} saved.").format(name=name))
        self.reload()
        self._saved(outcome)

    def remove(self) -> None:
        name = self.name_edit.text().strip()
        if not name or sessions.member(self.store, name) is None:
            return
        outcome = self.workspace.remove_member(name)  # and as "I am", if they were
        self.status.setText(_("{name} removed, with their assignments.").format(name=name))
        self.clear_form()
        self.reload()
        self._saved(outcome)

    def _on_me(self, index: int) -> None:
        self._saved(self.workspace.set_me(self.me_box.itemData(index)))

    def _on_minutes(self) -> None:
        self._saved(self.workspace.set_reminder_minutes(self.minutes.value()))

    def _saved(self, outcome) -> None:
        self.changed.emit()
        self.store_changed.emit(outcome.changes)
