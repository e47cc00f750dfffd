"""The window's timetable import: the file's own conference as a new meeting by default, an existing
meeting only as a deliberate choice, confirmations that name both conferences and zones, sessions
that would move counted and asked about, and a file without sessions said in the banner."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from helpers import ROOT
from wtdc_desktop.store import sessions as sa

UTC = dt.timezone.utc
CONGRESS = ROOT / "tests" / "data" / "schedule-v2-38c3.json"


@pytest.fixture
def view(qtbot, demo_store):
    from wtdc_desktop.ui.agenda import AgendaView

    class Clock:
        def __call__(self):
            return dt.datetime(2026, 5, 1, tzinfo=UTC)

    v = AgendaView(demo_store, clock=Clock(), reminders=False)
    qtbot.addWidget(v)
    v.resize(1300, 800)
    v.show()
    qtbot.waitExposed(v)
    return v


@pytest.fixture
def questions(monkeypatch):
    """The confirmations asked, answered with ``questions.answer`` (No unless a test says Yes)."""

    class Asked(list):
        answer = QMessageBox.No

    asked = Asked()

    def question(parent, title, text, *args):
        asked.append(text.replace("\u2068", "").replace("\u2069", ""))  # as read: without the bidi isolates
        return asked.answer

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def _open(qtbot, view, path):
    """The import dialog for ``path``, once the file has been read (on a worker thread)."""
    view.open_import_dialog(str(path))
    qtbot.waitUntil(lambda: view.import_dialog is not None and view.import_dialog.isVisible(), timeout=20000)
    return view.import_dialog


def _ok(dialog):
    return dialog.buttons.button(QDialogButtonBox.Ok)


def _wait_imported(qtbot, view, meeting):
    qtbot.waitUntil(lambda: view.meeting == meeting and view.bar.import_button.isEnabled(), timeout=20000)


def test_a_new_meeting_named_from_the_file_is_the_default(view, demo_store, qtbot, questions):
    before = {s.id for s in sa.sessions(demo_store, meeting="WTDC-21")}
    dialog = _open(qtbot, view, CONGRESS)
    assert dialog.isVisible() and dialog.new_radio.isChecked()
    assert dialog.name_edit.text() == "38th Chaos Communication Congress"
    assert "4 sessions" in dialog.summary.text() and "Berlin" in dialog.summary.text()
    assert not dialog.meeting_box.isEnabled()  # an existing meeting is a deliberate choice
    qtbot.keyClick(dialog.name_edit, Qt.Key_Return)  # Enter takes the default: the file's own conference
    _wait_imported(qtbot, view, "38C3")
    assert sa.meeting(demo_store, "38C3")["timezone"] == "Europe/Berlin"
    assert questions == []
    assert sa.meeting(demo_store, "38C3")["title"] == "38th Chaos Communication Congress"
    assert len(sa.sessions(demo_store, meeting="38C3")) == 4
    assert {s.id for s in sa.sessions(demo_store, meeting="WTDC-21")} == before
    assert "4 events imported into 38C3." in view.message_banner.label.text()


def test_the_new_meeting_can_be_renamed(view, demo_store, qtbot, questions):
    dialog = _open(qtbot, view, CONGRESS)
    dialog.name_edit.setText("")
    assert not _ok(dialog).isEnabled()
    dialog.name_edit.setText("Congrès 38C3")
    _ok(dialog).click()
    _wait_imported(qtbot, view, "Congrès-38C3")
    assert sa.meeting(demo_store, "Congrès-38C3")["title"] == "Congrès 38C3"


def test_an_existing_meeting_of_another_conference_is_confirmed(view, demo_store, qtbot, questions):
    before = {s.id for s in sa.sessions(demo_store, meeting="WTDC-21")}
    dialog = _open(qtbot, view, CONGRESS)
    dialog.existing_radio.setChecked(True)
    assert dialog.meeting_box.isEnabled()
    dialog.meeting_box.setCurrentIndex(dialog.meeting_box.findData("WTDC-21"))
    _ok(dialog).click()
    assert len(questions) == 1
    text = questions[0]
    assert "“38th Chaos Communication Congress” (Berlin (UTC+1))" in text
    assert "WTDC-21" in text and "Addis Ababa (UTC+3)" in text and "4 sessions" in text
    assert dialog.isVisible()  # answered No: back to the choice, nothing imported
    assert {s.id for s in sa.sessions(demo_store, meeting="WTDC-21")} == before
    questions.answer = QMessageBox.Yes
    _ok(dialog).click()
    _wait_imported(qtbot, view, "WTDC-21")
    assert len({s.id for s in sa.sessions(demo_store, meeting="WTDC-21")} - before) == 4


def test_sessions_that_would_move_are_counted_and_asked_about(view, demo_store, qtbot, questions):
    from wtdc_desktop.exchange.timetable_import import import_schedule

    import_schedule(demo_store, str(CONGRESS))  # imported earlier under its own meeting, 38C3
    dialog = _open(qtbot, view, CONGRESS)
    dialog.name_edit.setText("Congress side events")
    _ok(dialog).click()
    assert questions == ["This file was imported into 38C3 before. Importing it into Congress-side-events moves "
                         "its 4 sessions from 38C3 to Congress-side-events. Move them?"]
    assert len(sa.sessions(demo_store, meeting="38C3")) == 4  # nothing silently withdrawn
    # importing it again into its own meeting asks nothing
    dialog.name_edit.setText("38th Chaos Communication Congress")
    _ok(dialog).click()
    _wait_imported(qtbot, view, "38C3")
    assert len(questions) == 1


def test_a_file_without_sessions_is_said_not_imported(view, demo_store, qtbot, tmp_path, questions):
    doc = json.loads(CONGRESS.read_text("utf-8"))
    doc["schedule"]["events"] = []
    path = tmp_path / "no-sessions.json"
    path.write_text(json.dumps(doc), "utf-8")
    view.open_import_dialog(str(path))
    qtbot.waitUntil(lambda: view.message_banner.isVisible() and view.bar.import_button.isEnabled(), timeout=20000)
    assert view.import_dialog is None
    text = view.message_banner.label.text()
    assert view.message_banner.isVisible() and str(path) in text and "holds no session" in text
    assert "new" not in text and sa.meeting(demo_store, "38C3") is None


def test_a_zone_taken_from_the_offsets_is_said(view, demo_store, qtbot, tmp_path, questions):
    path = tmp_path / "camp.json"
    path.write_text(json.dumps({"schedule": {"version": "1", "conference": {
        "acronym": "camp", "title": "Summer camp",
        "days": [{"index": 1, "date": "2025-08-01", "rooms": {"Tent": [
            {"guid": "c-1", "date": "2025-08-01T10:00:00+02:00", "start": "10:00", "duration": "01:00",
             "room": "Tent", "title": "Welcome"}]}}]}}}), "utf-8")
    dialog = _open(qtbot, view, path)
    note = "No time zone named in the file; using the offset its times carry, UTC+02:00."
    assert dialog.zone_note.isVisibleTo(dialog) and dialog.zone_note.text() == note
    _ok(dialog).click()
    _wait_imported(qtbot, view, "CAMP")
    assert note in view.message_banner.label.text()
    assert "UTC+2" in view.bar.zone_label.text() and "GMT-2" not in view.bar.zone_label.text()


def test_a_long_meeting_title_is_cut_with_an_ellipsis_not_clipped(view, demo_store, qtbot, questions):
    """"TDAG-20 “25e réunion du Groupe consultatif pour le développem" cut mid-word at the box's
    edge: the label ends with "…" inside the box, and the whole title is its tooltip."""
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    dialog = _open(qtbot, view, CONGRESS)
    dialog.existing_radio.setChecked(True)
    box = dialog.meeting_box
    long_one = next(i for i in range(box.count()) if len(box.itemData(i, Qt.ToolTipRole)) > 60)
    box.setCurrentIndex(long_one)
    option = QStyleOptionComboBox()
    box.initStyleOption(option)
    field = box.style().subControlRect(QStyle.CC_ComboBox, option, QStyle.SC_ComboBoxEditField, box).width()
    assert box.fontMetrics().horizontalAdvance(box.currentText()) <= field
    assert box.currentText().endswith("…")
    assert box.itemData(long_one, Qt.ToolTipRole).startswith(box.currentText()[:-1])
    dialog.reject()
