"""Importing a timetable from the Agenda view: the dialogs that ask for the file and the meeting, and
the import itself on a worker thread (exchange/timetable_import.py, under the store's lock)."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget

from wtdc_desktop.i18n import _
from wtdc_desktop.ui.workers import Worker
from wtdc_desktop.workspace import Workspace


def ask_timetable(parent: QWidget, meeting: str | None) -> tuple[str, str] | None:
    """The timetable file and the meeting its sessions belong to (None if the user cancelled)."""
    path, _filter = QFileDialog.getOpenFileName(
        parent, _("Import a timetable"), "", _("Timetables (*.xml *.json *.ics);;All files (*)"))
    if not path:
        return None
    meeting, ok = QInputDialog.getText(parent, _("Import a timetable"),
                                       _("Meeting the sessions belong to (created if new):"), text=meeting or "")
    if ok and meeting.strip():
        return path, meeting.strip()
    return None


def import_worker(data_dir, location: str, meeting: str) -> Worker:
    """A worker (not yet started: connect to its signals, then ``ui.workers.start`` it) that imports
    ``location`` into ``meeting``; ``finished`` carries the :class:`~wtdc_desktop.workspace.Outcome` of
    ``Workspace.import_schedule`` (the import's result and what it changed), ``failed`` the error."""
    return Worker(lambda _worker: Workspace.import_schedule(data_dir, location, meeting))
