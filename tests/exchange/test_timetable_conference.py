"""A timetable goes into its own conference: the meeting named from the file, a refusal (unless
``--into M``) before merging a foreign conference or moving sessions, the zone from the offsets its
times carry, the c3voc schedule JSON of schema version 2, and files without sessions."""

from __future__ import annotations

import datetime as dt
import json

from helpers import ROOT, run_cli
from wtdc_desktop.exchange import frab

UTC = dt.timezone.utc
CONGRESS = ROOT / "tests" / "data" / "schedule-v2-38c3.json"
GUID = "4f3c1a52-7d0e-5b11-9c2a-3e7a51c0d00{}"


def _sessions(store, meeting):
    from wtdc_desktop.store import sessions as sa

    return {s.id: s for s in sa.sessions(store, meeting=meeting)}


def test_the_schema_2_layout_reads_events_rooms_and_tracks():
    table = frab.parse_json(CONGRESS.read_bytes(), "schedule.json")
    assert table.conference.acronym == "38c3" and table.conference.timezone == "Europe/Berlin"
    by_guid = {e.guid: e for e in table.events}
    assert len(by_guid) == 4
    opening, spectrum, workshop, late = (by_guid[GUID.format(i)] for i in (1, 2, 3, 4))
    assert opening.starts_at.astimezone(UTC) == dt.datetime(2024, 12, 27, 9, 30, tzinfo=UTC)
    assert opening.ends_at - opening.starts_at == dt.timedelta(minutes=30)
    assert (opening.room, opening.track, opening.persons) == ("Saal 1", "CCC", ["Ada Example"])
    assert spectrum.room == "Saal GLITCH"  # a room given by its guid only, named from conference.rooms
    assert spectrum.title == "Spectrum for everyone: community networks and the radio regulations"
    assert spectrum.description == "How small operators reach the unconnected."
    assert workshop.track == "Hardware & Making" and workshop.language == "de"
    assert late.starts_at.date() == dt.date(2024, 12, 28) and late.track is None


def test_without_meeting_the_file_s_own_conference_becomes_the_meeting(demo_store):
    from wtdc_desktop.store import sessions as sa

    before = _sessions(demo_store, "WTDC-21")
    code, out, err = run_cli("import-schedule", CONGRESS, "--data-dir", demo_store.data_dir)
    assert code == 0, err
    assert "Imported 4 events" in out and "into 38C3" in out
    meeting = sa.meeting(demo_store, "38C3")
    assert (meeting["title"], meeting["timezone"]) == ("38th Chaos Communication Congress", "Europe/Berlin")
    assert set(_sessions(demo_store, "38C3")) == {f"38C3/{GUID.format(i)}" for i in (1, 2, 3, 4)}
    assert _sessions(demo_store, "WTDC-21") == before  # the conference of the delegation is untouched


def test_a_foreign_conference_is_refused_into_a_meeting_unless_into(demo_store):
    before = _sessions(demo_store, "WTDC-21")
    code, out, err = run_cli("import-schedule", CONGRESS, "--meeting", "WTDC-21", "--data-dir", demo_store.data_dir)
    assert code != 0 and out == ""
    message = err.strip()
    assert message.count("\n") == 0 and "“38th Chaos Communication Congress” (Berlin (UTC+1))" in message
    assert "WTDC-21" in message and "Addis Ababa (UTC+3)" in message and "--into WTDC-21" in message
    assert _sessions(demo_store, "WTDC-21") == before
    code, out, err = run_cli("import-schedule", CONGRESS, "--into", "WTDC-21", "--json",
                             "--data-dir", demo_store.data_dir)
    assert code == 0, err
    assert json.loads(out)["events"] == 4
    assert f"WTDC-21/{GUID.format(1)}" in _sessions(demo_store, "WTDC-21")


def test_the_same_conference_goes_into_its_meeting_without_asking(demo_store, tmp_path):
    path = tmp_path / "wtdc.json"
    path.write_text(json.dumps({"schedule": {"version": "1", "conference": {
        "acronym": "wtdc-21", "title": "WTDC-21", "time_zone_name": "Africa/Addis_Ababa",
        "days": [{"index": 1, "date": "2021-11-08", "rooms": {"Salle 9": [
            {"guid": "side-1", "date": "2021-11-08T18:00:00+03:00", "start": "18:00", "duration": "01:00",
             "room": "Salle 9", "title": "Réunion régionale"}]}}]}}}), "utf-8")
    code, _, err = run_cli("import-schedule", path, "--meeting", "WTDC-21", "--data-dir", demo_store.data_dir)
    assert code == 0, err
    assert "WTDC-21/side-1" in _sessions(demo_store, "WTDC-21")


def test_moving_sessions_of_an_earlier_import_says_how_many_and_needs_into(demo_store):
    code, _, err = run_cli("import-schedule", CONGRESS, "--data-dir", demo_store.data_dir)
    assert code == 0, err
    code, out, err = run_cli("import-schedule", CONGRESS, "--meeting", "CONGRESS-SIDE",
                             "--data-dir", demo_store.data_dir)
    assert code != 0 and out == ""
    assert "moves its 4 sessions from 38C3 to CONGRESS-SIDE" in err and "--into CONGRESS-SIDE" in err
    assert len(_sessions(demo_store, "38C3")) == 4  # nothing silently withdrawn
    # the refusal did not change where the file is remembered: asking again says the same
    code, _, err = run_cli("import-schedule", CONGRESS, "--meeting", "CONGRESS-SIDE", "--data-dir",
                           demo_store.data_dir)
    assert code != 0 and "4 sessions" in err
    code, out, err = run_cli("import-schedule", CONGRESS, "--into", "CONGRESS-SIDE", "--data-dir",
                             demo_store.data_dir)
    assert code == 0, err
    assert "4 sessions moved" in out
    assert _sessions(demo_store, "38C3") == {} and len(_sessions(demo_store, "CONGRESS-SIDE")) == 4


def test_offsets_without_a_zone_name_become_the_meeting_s_zone(store, tmp_path):
    from wtdc_desktop.store import sessions as sa

    path = tmp_path / "camp.json"
    path.write_text(json.dumps({"schedule": {"version": "1", "conference": {
        "acronym": "camp", "title": "Summer camp", "start": "2025-08-01", "end": "2025-08-01",
        "days": [{"index": 1, "date": "2025-08-01", "day_start": "2025-08-01T08:00:00+02:00", "rooms": {"Tent": [
            {"guid": "c-1", "date": "2025-08-01T10:00:00+02:00", "start": "10:00", "duration": "01:00",
             "room": "Tent", "title": "Welcome"}]}}]}}}), "utf-8")
    code, out, err = run_cli("import-schedule", path, "--data-dir", store.data_dir)
    assert code == 0, err
    assert "No time zone named in the file; using the offset its times carry, UTC+02:00." in out
    meeting = sa.meeting(store, "CAMP")
    assert meeting["timezone"] == "Etc/GMT-2"  # the IANA name of UTC+02:00
    welcome = sa.session(store, "CAMP/c-1")
    assert welcome.starts_at.astimezone(sa.meeting_zone(store, "CAMP")).hour == 10


def test_a_timetable_without_sessions_is_refused(store, tmp_path):
    from wtdc_desktop.store import sessions as sa

    empty = json.loads(CONGRESS.read_text("utf-8"))
    empty["schedule"]["events"] = []
    path = tmp_path / "empty-schedule.json"
    path.write_text(json.dumps(empty), "utf-8")
    code, out, err = run_cli("import-schedule", path, "--data-dir", store.data_dir)
    assert code != 0 and out == ""
    assert err.strip() == f"error: {path} holds no session: nothing was imported."
    assert sa.meeting(store, "38C3") is None


def test_an_icalendar_file_names_its_meeting_from_its_calendar_name(store, tmp_path):
    from wtdc_desktop.store import sessions as sa

    path = tmp_path / "geneva.ics"
    path.write_bytes((
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//EN\r\nX-WR-CALNAME:Réunion – Genève\r\n"
        "X-WR-TIMEZONE:Europe/Zurich\r\nBEGIN:VEVENT\r\nUID:g-1@example.org\r\nDTSTAMP:20210901T000000Z\r\n"
        "DTSTART:20211030T090000\r\nDTEND:20211030T100000\r\nSUMMARY:Plénière\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n").encode())
    code, out, err = run_cli("import-schedule", path, "--data-dir", store.data_dir)
    assert code == 0, err
    meeting = sa.meeting(store, "Réunion-Genève")
    assert (meeting["title"], meeting["timezone"]) == ("Réunion – Genève", "Europe/Zurich")
    assert sa.session(store, "Réunion-Genève/g-1@example.org").starts_at == dt.datetime(2021, 10, 30, 7, tzinfo=UTC)
