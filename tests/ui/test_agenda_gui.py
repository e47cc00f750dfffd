"""The Agenda view on the demo: day grid, list, filters, keyboard, coverage, changes, reminders."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from PySide6.QtCore import Qt

from wtdc_desktop.store import sessions as sa

pytestmark = pytest.mark.gui

UTC = dt.timezone.utc


class FakeClock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def make_view(qtbot, demo_store):
    from wtdc_desktop.ui.agenda import AgendaView

    def make(now: dt.datetime, **kw):
        view = AgendaView(demo_store, clock=FakeClock(now), **kw)
        qtbot.addWidget(view)
        view.resize(1300, 800)
        view.show()
        qtbot.waitExposed(view)
        return view

    return make


def _list_ids(view) -> list[str]:
    return [view.list.topLevelItem(i).data(0, Qt.UserRole) for i in range(view.list.topLevelItemCount())]


def test_opens_on_the_first_day_with_parallel_rooms_when_the_meeting_is_over(make_view, tmp_path):
    view = make_view(dt.datetime(2026, 5, 1, tzinfo=UTC), reminders=False)
    assert view.day == dt.date(2021, 11, 8)
    assert view.grid.lanes == ["Salle 1", "Salle 2", "Salle 3"]
    assert _list_ids(view) == ["WTDC-21/S01", "WTDC-21/S02", "WTDC-21/S03", "WTDC-21/S04"]
    # parallel sessions sit side by side: same top, different columns
    view.grid.repaint()
    r2, r3 = view.grid.session_rect("WTDC-21/S02"), view.grid.session_rect("WTDC-21/S03")
    assert r2.top() == r3.top() and r2.left() < r3.left()
    assert "Addis Ababa" in view.bar.zone_label.text()
    view.grab().save(str(tmp_path / "agenda.png"))


def test_opens_on_today_while_the_meeting_runs_and_marks_cancelled_and_changed(make_view):
    view = make_view(dt.datetime(2021, 11, 9, 8, 0, tzinfo=UTC), reminders=False)  # 11:00 in Addis Ababa
    assert view.day == dt.date(2021, 11, 9)
    items = {view.list.topLevelItem(i).data(0, Qt.UserRole): view.list.topLevelItem(i)
             for i in range(view.list.topLevelItemCount())}
    cancelled = items["WTDC-21/S08"]
    assert cancelled.font(2).strikeOut() and "cancelled" in cancelled.text(2)
    assert "changed" in items["WTDC-21/S06"].text(2)
    assert not items["WTDC-21/S05"].font(2).strikeOut()
    # the current-time line is drawn on that day
    assert view.grid.now == dt.datetime(2021, 11, 9, 8, 0, tzinfo=UTC)


def test_keyboard_moves_between_days_and_sessions_and_details_link_documents(make_view, qtbot):
    view = make_view(dt.datetime(2026, 5, 1, tzinfo=UTC), reminders=False)
    view.grid.setFocus()
    qtbot.keyClick(view.grid, Qt.Key_PageDown)
    assert view.day == dt.date(2021, 11, 9)
    qtbot.keyClick(view.grid, Qt.Key_PageDown)
    assert view.day == dt.date(2021, 11, 10)
    qtbot.keyClick(view.grid, Qt.Key_PageDown)  # no later day: stays
    assert view.day == dt.date(2021, 11, 10)
    qtbot.keyClick(view.grid, Qt.Key_PageUp)
    assert view.day == dt.date(2021, 11, 9)
    qtbot.keyClick(view.grid, Qt.Key_Down)
    assert view.current == "WTDC-21/S05"
    qtbot.keyClick(view.grid, Qt.Key_Down)
    assert view.current == "WTDC-21/S06"
    html = view.pane.details.toHtml()
    assert "Suite de l'examen de la Proposition 2.4" in html or "Suite de l&#x27;examen" in html
    assert "wtdc:document/TDAG-WD2-20%2F1" in html and "not read" in html
    with qtbot.waitSignal(view.open_record_requested) as blocker:
        view.pane.details.anchorClicked.emit(__import__("PySide6.QtCore", fromlist=["QUrl"]).QUrl(
            "wtdc:document/TDAG-WD2-20%2F1"))
    assert blocker.args == ["document", "TDAG-WD2-20/1"]


def test_filters_and_assigning_from_the_view(make_view, demo_store):
    sa.save_member(demo_store, "Amina", languages=["fr"])
    view = make_view(dt.datetime(2026, 5, 1, tzinfo=UTC), reminders=False)
    view.select_session("WTDC-21/S02")
    view.pane.member_box.setCurrentIndex(view.pane.member_box.findData("Amina"))
    view.pane.role_box.setCurrentIndex(view.pane.role_box.findData("support"))
    view.pane.assign_button.click()
    assert [(a.session, a.member, a.role) for a in sa.assignments(demo_store)] == [("WTDC-21/S02", "Amina", "support")]
    view.pane.priority_box.setCurrentIndex(view.pane.priority_box.findData("must"))
    view.pane.priority_box.activated.emit(view.pane.priority_box.currentIndex())
    assert sa.priorities(demo_store) == {"WTDC-21/S02": "must"}
    view.bar.covered_check.setChecked(True)
    assert _list_ids(view) == ["WTDC-21/S02"]
    view.bar.covered_check.setChecked(False)
    view.bar.room_box.setCurrentIndex(view.bar.room_box.findData("Salle 3"))
    assert _list_ids(view) == ["WTDC-21/S04"]
    view.bar.room_box.setCurrentIndex(0)
    view.bar.committee_box.setCurrentIndex(view.bar.committee_box.findData("WTDC-21/COM2"))
    assert _list_ids(view) == ["WTDC-21/S03"]
    view.bar.committee_box.setCurrentIndex(0)
    view.bar.lane_box.setCurrentIndex(view.bar.lane_box.findData("committee"))
    assert view.grid.lanes == ["WTDC-21/COM1", "WTDC-21/COM2", "WTDC-21/COM4", "WTDC-21/PLEN"]


def test_right_to_left_mirrors_the_grid(make_view):
    view = make_view(dt.datetime(2026, 5, 1, tzinfo=UTC), reminders=False)
    view.grid.repaint()
    ltr = view.grid.session_rect("WTDC-21/S01")
    view.setLayoutDirection(Qt.RightToLeft)
    view.grid.repaint()
    rtl = view.grid.session_rect("WTDC-21/S01")
    width = view.grid.width()
    assert ltr.left() < width / 2 < rtl.right()
    assert abs((width - rtl.right()) - ltr.left()) < 1


def test_changes_after_a_sync_name_the_member(qtbot, demo_store, tmp_path):
    from helpers import DEMO_SOURCE, copy_source, read_records, set_header, write_records
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.bundles.writer import build_bundle

    sa.save_member(demo_store, "Amina")
    sa.assign(demo_store, "WTDC-21/S03", "Amina")
    src = copy_source(DEMO_SOURCE, tmp_path / "src")
    sessions = read_records(src, "session")
    for s in sessions:
        if s["id"] == "WTDC-21/S03":
            s["room"] = "Salle 7"
    write_records(src, "session", sessions)
    set_header(src, sequence=json.loads((src / "manifest.json").read_text("utf-8"))["sequence"] + 1)
    build_bundle(src, tmp_path / "b.wtdc.zip")
    apply_bundle(demo_store, tmp_path / "b.wtdc.zip")
    from wtdc_desktop.ui.agenda import AgendaView

    view = AgendaView(demo_store, clock=FakeClock(dt.datetime(2026, 5, 1, tzinfo=UTC)), reminders=False)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.changes_notified) as blocker:
        pass  # emitted once the event loop turns
    assert blocker.args[0] == [("WTDC-21/S03", ["Amina"])]
    with qtbot.assertNotEmitted(view.changes_notified):
        view.reload()  # notified once, not at every reload
    view.show()
    assert view.banner.isVisible()
    assert "Amina" in view.banner.label.text() and "room changed" in view.banner.label.text()
    assert view.grid.changes["WTDC-21/S03"] == ("room",)
    view.banner.button.click()
    assert not view.banner.isVisible() and sa.session_changes(demo_store) == []


def test_reminders_fire_from_a_fake_clock_into_the_banner(make_view, demo_store, qtbot):
    from wtdc_desktop.ui.agenda.reminders import ReminderService

    sa.save_member(demo_store, "Amina")
    sa.assign(demo_store, "WTDC-21/S05", "Amina")  # 09:30 in Addis Ababa on the 9th = 06:30 UTC
    sa.set_setting(demo_store, sa.SETTING_ME, "Amina")
    sa.set_setting(demo_store, sa.SETTING_REMINDER_MINUTES, "10")
    clock = FakeClock(dt.datetime(2021, 11, 9, 6, 15, tzinfo=UTC))
    service = ReminderService(demo_store, clock=clock, use_tray=False)
    assert service.check() == []  # 15 minutes before: not yet
    clock.now = dt.datetime(2021, 11, 9, 6, 20, tzinfo=UTC)
    with qtbot.waitSignal(service.reminded) as blocker:
        service.check()
    assert blocker.args[0] == "WTDC-21/S05" and "Salle 1" in blocker.args[1] and "9:30" in blocker.args[1]
    assert service.check() == []  # once only

    view = make_view(dt.datetime(2021, 11, 9, 6, 0, tzinfo=UTC))
    view.reminders.use_tray = False
    sa.assign(demo_store, "WTDC-21/S07", "Amina", "observer")
    view.clock.now = dt.datetime(2021, 11, 9, 6, 25, tzinfo=UTC)
    view.reminders.check()
    assert view.message_banner.isVisible() and "Session spéciale" in view.message_banner.label.text()


def test_members_panel_saves_members_days_and_me(make_view, demo_store):
    view = make_view(dt.datetime(2026, 5, 1, tzinfo=UTC), reminders=False)
    panel = view.members
    assert panel.days_list.count() == 3  # the meeting's days with sessions
    panel.name_edit.setText("Karim")
    panel.role_edit.setText("adviser")
    panel.languages_edit.setText("ar, fr")
    panel.days_list.item(1).setCheckState(Qt.Checked)
    panel.save_button.click()
    karim = sa.member(demo_store, "Karim")
    assert karim.languages == ("ar", "fr") and karim.days_present == (dt.date(2021, 11, 9),)
    assert view.pane.member_box.findData("Karim") >= 0  # offered for assignments at once
    panel.me_box.setCurrentIndex(panel.me_box.findData("Karim"))
    panel.me_box.activated.emit(panel.me_box.currentIndex())
    assert sa.me(demo_store) == "Karim"
    panel.remove_button.click()
    assert sa.member(demo_store, "Karim") is None and sa.me(demo_store) is None


def test_language_note_raises_and_interpretation_clears_the_conflict(make_view, demo_store):
    sa.save_member(demo_store, "Amina", languages=["fr"])
    sa.assign(demo_store, "WTDC-21/S01", "Amina")
    view = make_view(dt.datetime(2026, 5, 1, tzinfo=UTC), reminders=False)
    view.select_session("WTDC-21/S01")
    view.pane.language_edit.setText("en")
    view.pane.language_button.click()
    assert [c.kind for c in sa.conflicts(demo_store)] == ["language"]
    assert "does not list en" in view.pane.details.toPlainText()
    view.pane.interpretation_edit.setText("fr, en, ar")
    view.pane.language_button.click()
    assert sa.conflicts(demo_store) == []


def test_import_a_timetable_from_the_view(make_view, demo_store, qtbot, tmp_path):
    path = tmp_path / "rpm.json"
    path.write_text(json.dumps({"schedule": {"conference": {
        "acronym": "rpm", "title": "RPM", "start": "2021-03-01", "end": "2021-03-01", "time_zone_name": "Africa/Kigali",
        "days": [{"index": 1, "date": "2021-03-01", "rooms": {"Room A": [
            {"guid": "g-1", "date": "2021-03-01T09:00:00+02:00", "start": "09:00", "duration": "01:00",
             "room": "Room A", "title": "Opening"}]}}]}}}), "utf-8")
    view = make_view(dt.datetime(2026, 5, 1, tzinfo=UTC), reminders=False)
    view.start_import(str(path), "RPM-21")  # runs on a worker thread; the view reloads when it is done
    qtbot.waitUntil(lambda: view.meeting == "RPM-21" and view.bar.import_button.isEnabled(), timeout=20000)
    assert view.day == dt.date(2021, 3, 1)
    assert _list_ids(view) == ["RPM-21/g-1"]
    assert view.bar.meeting_box.isVisibleTo(view)  # two meetings now: the choice is offered


def test_imported_timetables_fetched_again_by_a_sync_show_their_moves(make_view, demo_store, qtbot, tmp_path):
    from PySide6.QtCore import QTimer

    from wtdc_desktop.exchange.timetable_import import import_schedule, reimport_schedules

    path = tmp_path / "side-events.json"

    def write(start: str, room: str) -> None:
        path.write_text(json.dumps({"schedule": {"conference": {
            "acronym": "side", "title": "Side events", "time_zone_name": "Africa/Addis_Ababa",
            "days": [{"index": 1, "date": "2021-11-08", "rooms": {room: [
                {"guid": "side-1", "date": f"2021-11-08T{start}:00+03:00", "start": start, "duration": "01:00",
                 "room": room, "title": "Side event"}]}}]}}}), "utf-8")

    write("18:00", "Salle 9")
    import_schedule(demo_store, str(path), "WTDC-21", confirmed=True)  # side events added to WTDC-21 on purpose
    sa.save_member(demo_store, "Amina")
    sa.assign(demo_store, "WTDC-21/side-1", "Amina")
    view = make_view(dt.datetime(2026, 5, 1, tzinfo=UTC), reminders=False)
    view._on_changes_seen()
    assert "WTDC-21/side-1" in _list_ids(view)
    write("19:00", "Salle 10")
    # The sync (bundles.scheduler) fetches remembered timetables again; the window then reloads its views.
    assert [item.outcome for _location, item in reimport_schedules(demo_store)] == ["applied"]
    view.reload()
    moved = sa.session(demo_store, "WTDC-21/side-1")
    assert (moved.room, moved.starts_at) == ("Salle 10", dt.datetime(2021, 11, 8, 16, 0, tzinfo=UTC))
    assert view.banner.isVisible() and "Amina" in view.banner.label.text()
    assert set(view.grid.changes["WTDC-21/side-1"]) == {"moved", "room"}
    # the view fetches nothing on a timer of its own (its timers: the current-time line, reminders)
    assert all(t.interval() <= 60_000 for t in view.findChildren(QTimer))


def test_an_empty_store_says_what_to_do(qtbot, store):
    from wtdc_desktop.ui.agenda import AgendaView

    view = AgendaView(store, clock=FakeClock(dt.datetime(2026, 5, 1, tzinfo=UTC)), reminders=False)
    qtbot.addWidget(view)
    view.show()
    assert view.day is None and view.list.topLevelItemCount() == 0
    assert "import a timetable" in view.bar.zone_label.text()
    view.step_day(1)
    view.go_today()  # jumps to today even without sessions
    assert view.day == dt.date(2026, 5, 1)


def test_a_link_to_a_session_opens_its_day(make_view):
    view = make_view(dt.datetime(2026, 5, 1, tzinfo=UTC), reminders=False)
    assert view.select_record("WTDC-21/S10")
    assert view.day == dt.date(2021, 11, 10) and view.current == "WTDC-21/S10"
    assert "Commission 3, deuxième séance" in view.pane.details.toPlainText()
    assert not view.select_record("WTDC-21/S99")


def test_assigning_in_the_agenda_of_the_window_writes_and_tells_the_other_views(window, monkeypatch):
    from wtdc_desktop.workspace import Changes

    window.workspace.save_member("Amina", languages=["fr"])
    window.show_view("agenda")
    view = window.views["agenda"]
    view.reload()
    told = []
    monkeypatch.setattr(window.views["today"], "reload", lambda changes=None: told.append(changes))
    monkeypatch.setattr(view, "reload", lambda changes=None: told.append(("agenda itself", changes)))
    view.select_session("WTDC-21/S02")
    view.pane.member_box.setCurrentIndex(view.pane.member_box.findData("Amina"))
    view.pane.role_box.setCurrentIndex(view.pane.role_box.findData("lead"))
    view.pane.assign_button.click()
    assert [(a.session, a.member, a.role) for a in sa.assignments(window.store)] == [("WTDC-21/S02", "Amina", "lead")]
    assert "Amina" in view.pane.details.toPlainText()  # the pane shows who covers the session
    assert told == [Changes.of(delegation=("assignment",))]  # Today is told; the agenda refreshed itself
