"""Importing a timetable from the Agenda view: the file, then the dialog that says what the file is
(its own conference and zone) and asks where its sessions go, then the import itself on a worker thread
(through the workspace, under the store's lock).

A timetable goes into a new meeting named from its own conference unless the user deliberately picks an
existing meeting from the list; a meeting of another conference or zone, and moving the sessions an
earlier import of the same file put in another meeting, are confirmed first.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QGridLayout, QLabel, QLineEdit, QMessageBox,
    QRadioButton, QStyle, QStyleOptionComboBox, QVBoxLayout, QWidget)

from wtdc_desktop.exchange.timetable_import import SchedulePreview, meeting_shown, zone_shown
from wtdc_desktop.i18n import _, ngettext
from wtdc_desktop.ui.workers import Worker
from wtdc_desktop.workspace import Workspace


def _isolated(text: str) -> str:
    """Text of its own direction inside a translated line (a Latin name in an Arabic sentence): FSI … PDI."""
    return f"\u2068{text}\u2069"


def ask_timetable_file(parent: QWidget) -> str | None:
    """The timetable file the user picks (None if they cancelled)."""
    path, _filter = QFileDialog.getOpenFileName(
        parent, _("Import a timetable"), "", _("Timetables (*.xml *.json *.ics);;All files (*)"))
    return path or None


class ImportTimetableDialog(QDialog):
    """Where the sessions of a timetable go: a new meeting named from the file (the default) or an
    existing meeting chosen from the list. ``choice()`` after it is accepted."""

    def __init__(self, preview: SchedulePreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle(_("Import a timetable"))
        when = preview.first_start
        summary = QLabel(ngettext(
            "This timetable is “{conference}”: {count} session, times in {zone}.",
            "This timetable is “{conference}”: {count} sessions, times in {zone}.", preview.events).format(
            conference=_isolated(preview.name), count=preview.events,
            zone=_isolated(zone_shown(preview.zone, when))), self)
        summary.setWordWrap(True)
        self.summary = summary
        self.zone_note = QLabel(preview.zone_note or "", self)
        self.zone_note.setWordWrap(True)
        self.zone_note.setVisible(bool(preview.zone_note))

        self.new_radio = QRadioButton(_("New meeting:"), self)
        self.name_edit = QLineEdit(preview.name, self)
        self.name_edit.setAccessibleName(_("Name of the new meeting"))
        self.existing_radio = QRadioButton(_("Add to an existing meeting:"), self)
        self.meeting_box = QComboBox(self)
        self.meeting_box.setAccessibleName(_("Existing meeting"))
        self.meetings = {m["id"]: m for m in preview.meetings}
        self.meeting_box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.meeting_box.setMinimumContentsLength(24)
        for m in preview.meetings:  # shown whole in the tooltip, cut with "…" to the box's width
            self.meeting_box.addItem(meeting_shown(m), m["id"])
            self.meeting_box.setItemData(self.meeting_box.count() - 1, meeting_shown(m), Qt.ToolTipRole)
        self.meeting_box.installEventFilter(self)
        if preview.earlier_meeting in self.meetings:
            self.meeting_box.setCurrentIndex(self.meeting_box.findData(preview.earlier_meeting))
        self.existing_radio.setEnabled(bool(preview.meetings))
        group = QButtonGroup(self)
        group.addButton(self.new_radio)
        group.addButton(self.existing_radio)
        self.new_radio.setChecked(True)

        choice = QGridLayout()
        choice.addWidget(self.new_radio, 0, 0)
        choice.addWidget(self.name_edit, 0, 1)
        choice.addWidget(self.existing_radio, 1, 0)
        choice.addWidget(self.meeting_box, 1, 1)
        choice.setColumnStretch(1, 1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        self.buttons.button(QDialogButtonBox.Ok).setText(_("Import"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.zone_note)
        layout.addLayout(choice)
        layout.addWidget(self.buttons)

        self.new_radio.toggled.connect(self._update)
        self.name_edit.textChanged.connect(self._update)
        self._update()
        self.setMinimumWidth(640)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is self.meeting_box and event.type() == QEvent.Resize:
            self._elide_meetings()
        return super().eventFilter(watched, event)

    def _elide_meetings(self) -> None:
        """Each meeting's label cut at its end to the box's width (a long title was clipped, in
        Arabic at its start)."""
        box = self.meeting_box
        option = QStyleOptionComboBox()
        box.initStyleOption(option)
        width = box.style().subControlRect(QStyle.CC_ComboBox, option, QStyle.SC_ComboBoxEditField, box).width()
        metrics = box.fontMetrics()
        for i in range(box.count()):
            box.setItemText(i, metrics.elidedText(box.itemData(i, Qt.ToolTipRole), Qt.ElideRight, max(width, 40)))

    def _update(self) -> None:
        new = self.new_radio.isChecked()
        self.name_edit.setEnabled(new)
        self.meeting_box.setEnabled(not new)
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(not new or bool(self.name_edit.text().strip()))

    def choice(self) -> tuple[str, str | None]:
        """(the meeting id, the title of a new meeting or None for an existing one)."""
        if self.new_radio.isChecked():
            name = " ".join(self.name_edit.text().split())
            return self.preview.meeting_id_for(name), name
        return self.meeting_box.currentData(), None

    def confirmations(self) -> list[tuple[str, str]]:
        """The questions to ask before importing into the chosen meeting: (title, text) pairs."""
        meeting_id, _title = self.choice()
        preview = self.preview
        questions = []
        target = self.meetings.get(meeting_id)
        if preview.differs_from(target):
            when = preview.first_start
            questions.append((_("Another conference"), ngettext(
                "The file is the timetable of “{conference}” ({zone}), not of the meeting {meeting} "
                "({meeting_zone}). Add its {count} session to {meeting} all the same?",
                "The file is the timetable of “{conference}” ({zone}), not of the meeting {meeting} "
                "({meeting_zone}). Add its {count} sessions to {meeting} all the same?", preview.events).format(
                conference=_isolated(preview.name), zone=_isolated(zone_shown(preview.zone, when)),
                meeting=_isolated(meeting_shown(target)),
                meeting_zone=_isolated(zone_shown(target.get("timezone"), when)), count=preview.events)))
        moved = preview.moves_to(meeting_id)
        if moved:
            questions.append((_("Move sessions"), ngettext(
                "This file was imported into {old} before. Importing it into {new} moves its {count} session "
                "from {old} to {new}. Move it?",
                "This file was imported into {old} before. Importing it into {new} moves its {count} sessions "
                "from {old} to {new}. Move them?", moved).format(
                old=_isolated(preview.earlier_meeting), new=_isolated(meeting_id), count=moved)))
        return questions

    def accept(self) -> None:
        for title, text in self.confirmations():
            answer = QMessageBox.question(self, title, text, QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
            if answer != QMessageBox.Yes:
                return  # back to the choice: nothing is imported
        super().accept()


def import_worker(data_dir, location: str, meeting: str, *, title: str | None = None,
                  confirmed: bool = False) -> Worker:
    """A worker (not yet started: connect to its signals, then ``ui.workers.start`` it) that imports
    ``location`` into ``meeting``; ``finished`` carries the :class:`~wtdc_desktop.workspace.Outcome` of
    ``Workspace.import_schedule`` (the import's result and what it changed), ``failed`` the error."""
    return Worker(lambda _worker: Workspace.import_schedule(
        data_dir, location, meeting, confirmed=confirmed, title=title))
