"""Today: the meetings the delegation follows, now and next, and empty states that tell the truth."""

from __future__ import annotations

import datetime as dt

import pytest

UTC = dt.timezone.utc
OPENING_DAY = dt.datetime(2021, 11, 8, 7, 0, tzinfo=UTC)  # during WTDC-21's opening plenary


@pytest.fixture
def today_of(demo_store, own_settings, qtbot):
    from wtdc_desktop.ui.today import TodayView

    views = []  # kept: a view made for one assertion lives to the end of the test

    def make(now=OPENING_DAY, store=demo_store):
        view = TodayView(store, now=lambda: now)
        qtbot.addWidget(view)
        views.append(view)
        return view

    return make


def _add_camp(store, tmp_path):
    """A meeting of kind conference that came later (a hacker camp's timetable), a session under way."""
    from small_bundles import build

    from wtdc_desktop.bundles.apply import apply_bundle

    records = {"meeting": [{"id": "CAMP-21", "kind": "conference", "title": "Hacker Camp 2021",
                            "starts_on": "2021-11-08", "ends_on": "2021-11-09", "timezone": "Europe/Berlin"}],
               "session": [{"id": "CAMP-21/1", "meeting": "CAMP-21", "title": "Lockpicking for beginners",
                            "starts_at": "2021-11-08T06:30:00Z", "ends_at": "2021-11-08T08:00:00Z"}]}
    apply_bundle(store, build(tmp_path / "camp", tmp_path / "camp.wtdc.zip", publisher="camp-timetable",
                              records=records, files={}), source="camp.wtdc.zip")


def test_today_follows_the_first_conference_not_the_last_timetable_imported(today_of, demo_store, tmp_path):
    _add_camp(demo_store, tmp_path)
    view = today_of()
    text = view.browser.toPlainText()
    assert "CMDT-21" in text.splitlines()[0]  # the delegation's conference heads the page
    assert "Lockpicking" not in text and "Hacker Camp" not in text
    assert view.followed.text() == "WTDC-21"


def test_the_meetings_followed_are_chosen_and_remembered(today_of, demo_store, tmp_path):
    _add_camp(demo_store, tmp_path)
    view = today_of()
    view.followed_menu.aboutToShow.emit()
    entries = {a.text().split(" – ")[0]: a for a in view.followed_menu.actions()}
    assert entries["WTDC-21"].isChecked() and not entries["CAMP-21"].isChecked()
    entries["CAMP-21"].setChecked(True)  # follow the camp too
    assert "Lockpicking for beginners" in view.browser.toPlainText()
    again = today_of()  # remembered
    assert again.followed.text() == "WTDC-21, CAMP-21"
    again.follow("WTDC-21", False)
    text = today_of().browser.toPlainText()
    assert "Lockpicking" in text and "Séance plénière d'ouverture" not in text


def test_now_and_next_sessions_with_who_covers_them(today_of, demo_store):
    from wtdc_desktop.store import sessions

    sessions.save_member(demo_store, "Amina K.")
    sessions.assign(demo_store, "WTDC-21/S01", "Amina K.")
    text = today_of().browser.toPlainText()
    opening = next(line for line in text.splitlines() if "Séance plénière d'ouverture" in line)
    assert "now, until 12:30" in opening and "covered by Amina K." in opening
    assert "Commission 1, première séance" in text  # the next one, later that day


def test_empty_states_say_why(today_of):
    later = dt.datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # the conference is over
    text = today_of(later).browser.toPlainText()
    assert "are over: the last ended on" in text
    assert "No deadline ahead for the meetings you follow." in text
    assert "You follow no item yet" in text
    # no agenda ahead: never "every proposal has a position" when none has one
    assert "Every proposal" not in text
    assert "No session ahead has an agenda yet" in text


def test_no_position_is_said_missing_for_nothing_and_present_only_when_true(today_of, demo_store):
    from wtdc_desktop.store import positions
    from wtdc_desktop.store.upcoming import proposals_without_position

    text = today_of().browser.toPlainText()
    assert "Every proposal" not in text and "WD2/2.1" in text  # none has a position: they are listed
    for p in proposals_without_position(demo_store, "2021-11-08T07:00:00Z", 500, ["WTDC-21"]):
        positions.save_position(demo_store, "proposal", p["id"], stance="support")
    text = today_of().browser.toPlainText()
    assert "Every proposal on the agendas ahead has a position." in text


def test_a_starred_record_is_followed_and_an_unchanged_one_says_so(today_of, demo_store):
    from wtdc_desktop.store import record_marks

    record_marks.set_star(demo_store, "proposal", "WD2/2.4")
    assert "WD2/2.4" in today_of().browser.toPlainText()  # the last sync brought it


def test_deadlines_ahead_of_the_followed_meeting_only(today_of):
    before = dt.datetime(2021, 10, 1, 9, 0, tzinfo=UTC)
    text = today_of(before).browser.toPlainText()
    section = text.split("Deadlines ahead")[1].split("Changed in the last sync")[0]
    assert "DL" in section or "[Exemple]" in section
    after = dt.datetime(2021, 11, 8, 7, 0, tzinfo=UTC)
    assert "No deadline ahead" in today_of(after).browser.toPlainText()


def test_a_cut_list_of_missing_positions_says_how_many_more_and_where(today_of, demo_store):
    from wtdc_desktop.store import upcoming

    missing = upcoming.proposals_without_position(demo_store, "2021-11-08T07:00:00Z", 10_000, ["WTDC-21"])
    assert len(missing) > 15  # the demo's agendas ahead hold more than Today lists
    text = today_of().browser.toPlainText()
    assert f"{len(missing) - 15} more: see “Missing on upcoming agendas” in Positions." in text
    assert missing[15]["id"] not in text.split("Positions still missing")[1]
