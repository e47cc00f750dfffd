"""Timetable imports (frab XML, frab JSON, iCalendar) and calendar exports."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import icalendar
import pytest

from helpers import run_cli
from wtdc_desktop.exchange import frab, ics
from wtdc_desktop.exchange.timetable import TimetableError

UTC = dt.timezone.utc
ZURICH = ZoneInfo("Europe/Zurich")

GUID = "7b1c2a00-0000-4000-8000-0000000000{:02d}"

FRAB_XML = """<?xml version="1.0" encoding="utf-8"?>
<schedule>
  <version>v1</version>
  <conference>
    <acronym>rpm-eur-21</acronym><title>Réunion préparatoire – Europe</title>
    <start>2021-10-30</start><end>2021-11-01</end><time_zone_name>Europe/Zurich</time_zone_name>
  </conference>
  <day index="1" date="2021-10-30" start="2021-10-30T06:00:00+02:00" end="2021-10-31T05:59:00+02:00">
    <room name="Salle A">
      <event guid="{g1}" id="1"><date>2021-10-30T09:00:00+02:00</date><start>09:00</start>
        <duration>02:00</duration><room>Salle A</room><title>Plénière d’ouverture</title><track>Plénière</track>
        <language>fr</language></event>
      <event guid="{g3}" id="3"><date>2021-10-30T23:30:00+02:00</date><start>23:30</start>
        <duration>01:30</duration><room>Salle A</room><title>Groupe ad hoc (nuit)</title></event>
    </room>
    <room name="Salle B">
      <event guid="{g2}" id="2"><date>2021-10-30T09:00:00+02:00</date><start>09:00</start>
        <duration>01:30</duration><room>Salle B</room><title>Groupe de travail 1</title><track>GT 1</track></event>
    </room>
  </day>
  <day index="2" date="2021-11-01" start="2021-11-01T06:00:00+01:00" end="2021-11-02T05:59:00+01:00">
    <room name="Salle A">
      <event guid="{g4}" id="4"><date>2021-11-01T09:00:00+01:00</date><start>09:00</start>
        <duration>01:00</duration><room>Salle A</room><title>Deuxième jour</title></event>
    </room>
  </day>
</schedule>
""".format(g1=GUID.format(1), g2=GUID.format(2), g3=GUID.format(3), g4=GUID.format(4))


def frab_json(rooms_day1: dict, zone: str | None = "Africa/Addis_Ababa") -> bytes:
    conference = {"acronym": "wtdc21", "title": "WTDC-21 (timetable)", "start": "2021-11-08", "end": "2021-11-09",
                  "days": [{"index": 1, "date": "2021-11-08", "day_start": "2021-11-08T06:00:00+03:00",
                            "day_end": "2021-11-09T05:59:00+03:00", "rooms": rooms_day1}]}
    if zone:
        conference["time_zone_name"] = zone
    return json.dumps({"schedule": {"version": "1", "conference": conference}}, ensure_ascii=False).encode()


def ev(n: int, start: str, duration: str, room: str, title: str, **extra) -> dict:
    return {"guid": GUID.format(n), "id": n, "date": f"2021-11-08T{start}:00+03:00", "start": start,
            "duration": duration, "room": room, "title": title, **extra}


# --- frab --------------------------------------------------------------------------------

def test_frab_xml_parallel_rooms_guids_dst_and_past_midnight():
    table = frab.parse_xml(FRAB_XML.encode(), "schedule.xml")
    assert table.conference.timezone == "Europe/Zurich"
    by_guid = {e.guid: e for e in table.events}
    assert set(by_guid) == {GUID.format(i) for i in (1, 2, 3, 4)}
    first, parallel, night, later = (by_guid[GUID.format(i)] for i in (1, 2, 3, 4))
    assert (first.room, parallel.room) == ("Salle A", "Salle B")
    assert first.starts_at == parallel.starts_at
    # 09:00 local on both sides of the change from summer time (31 October 2021)
    assert first.starts_at.astimezone(ZURICH).time() == later.starts_at.astimezone(ZURICH).time() == dt.time(9)
    assert first.starts_at.astimezone(UTC).hour == 7 and later.starts_at.astimezone(UTC).hour == 8
    # 23:30 + 1:30 ends on the next calendar day
    assert night.ends_at.astimezone(ZURICH) == dt.datetime(2021, 10, 31, 1, 0, tzinfo=ZURICH)
    assert first.ends_at - first.starts_at == dt.timedelta(hours=2)


def test_frab_json_without_zone_uses_the_offsets_and_start_before_day_start_is_next_day():
    rooms = {"Salle 1": [ev(1, "09:30", "03:00", "Salle 1", "Plénière")],
             "Salle 2": [ev(2, "09:30", "01:00", "Salle 2", "Commission 1"),
                         {"guid": GUID.format(3), "start": "01:00", "duration": "00:45", "room": "Salle 2",
                          "title": "Rédaction"}]}
    table = frab.parse_json(frab_json(rooms, zone=None), "schedule.json")
    by_guid = {e.guid: e for e in table.events}
    assert by_guid[GUID.format(1)].starts_at.utcoffset() == dt.timedelta(hours=3)
    assert by_guid[GUID.format(1)].starts_at.astimezone(UTC) == dt.datetime(2021, 11, 8, 6, 30, tzinfo=UTC)
    late = by_guid[GUID.format(3)]  # no date: 01:00 is before the day's 06:00 start, so the 9th
    assert late.starts_at.astimezone(UTC) == dt.datetime(2021, 11, 8, 22, 0, tzinfo=UTC)


def test_broken_timetables_are_refused_with_the_place():
    with pytest.raises(TimetableError, match="bad.xml"):
        frab.parse_xml(b"<schedule><day", "bad.xml")
    with pytest.raises(TimetableError, match="<html>"):
        frab.parse_xml(b"<html/>", "page.xml")
    bad = frab_json({"Salle 1": [ev(1, "09:30", "three hours", "Salle 1", "X")]})
    with pytest.raises(TimetableError, match="duration"):
        frab.parse_json(bad, "s.json")
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><schedule>&b;</schedule>'
    with pytest.raises(TimetableError):
        frab.parse_xml(bomb, "bomb.xml")


def test_import_creates_the_meeting_and_reimport_keeps_assignments(store, tmp_path):
    from wtdc_desktop.store import sessions as sa

    path = tmp_path / "schedule.json"
    rooms = {"Salle 1": [ev(1, "09:30", "03:00", "Salle 1", "Plénière")],
             "Salle 2": [ev(2, "09:30", "01:00", "Salle 2", "Commission 1", track="Commission 1")]}
    path.write_bytes(frab_json(rooms))
    code, out, err = run_cli("import-schedule", path, "--meeting", "WTDC-21", "--json", "--data-dir", store.data_dir)
    assert code == 0, err
    result = json.loads(out)
    assert result["meeting_created"] and result["events"] == 2
    meeting = sa.meeting(store, "WTDC-21")
    assert meeting["timezone"] == "Africa/Addis_Ababa" and meeting["starts_on"] == "2021-11-08"
    plenary_id = f"WTDC-21/{GUID.format(1)}"
    sa.save_member(store, "Amina")
    sa.assign(store, plenary_id, "Amina", "lead")
    sa.set_priority(store, plenary_id, "must")

    # the publisher moves the plenary to another room and a later hour, drops the commission
    rooms = {"Salle 3": [ev(1, "10:00", "03:00", "Salle 3", "Plénière (déplacée)")]}
    path.write_bytes(frab_json(rooms))
    code, out, err = run_cli("import-schedule", path, "--meeting", "WTDC-21", "--json", "--data-dir", store.data_dir)
    assert code == 0, err
    assert json.loads(out)["counts"]["session"]["withdrawn"] == 1
    assert [(a.session, a.member) for a in sa.assignments(store)] == [(plenary_id, "Amina")]
    assert sa.priorities(store) == {plenary_id: "must"}
    moved = sa.session(store, plenary_id)
    assert (moved.room, moved.starts_at) == ("Salle 3", dt.datetime(2021, 11, 8, 7, 0, tzinfo=UTC))
    changes = {c.session: c for c in sa.session_changes(store)}
    assert set(changes[plenary_id].kinds) == {"moved", "room"} and changes[plenary_id].members == ("Amina",)
    assert "withdrawn" in changes[f"WTDC-21/{GUID.format(2)}"].kinds
    # the same file again changes nothing
    code, out, _ = run_cli("import-schedule", path, "--meeting", "WTDC-21", "--json", "--data-dir", store.data_dir)
    assert json.loads(out)["outcome"] == "unchanged"


def test_import_does_not_overwrite_a_published_meeting(demo_store, tmp_path):
    from wtdc_desktop.store import sessions as sa

    before = sa.meeting(demo_store, "WTDC-21")
    path = tmp_path / "extra.json"
    path.write_bytes(frab_json({"Salle 9": [ev(7, "18:00", "01:00", "Salle 9", "Réunion régionale")]}))
    code, _, err = run_cli("import-schedule", path, "--meeting", "WTDC-21", "--data-dir", demo_store.data_dir)
    assert code == 0, err
    assert sa.meeting(demo_store, "WTDC-21") == before
    ids = {s.id for s in sa.sessions(demo_store, meeting="WTDC-21")}
    assert f"WTDC-21/{GUID.format(7)}" in ids and "WTDC-21/S01" in ids


def test_a_broken_file_leaves_the_store_unchanged(store, tmp_path):
    from helpers import table_fingerprint

    path = tmp_path / "broken.json"
    path.write_bytes(b'{"schedule": {"conference": ')
    before = table_fingerprint(store)
    code, _, err = run_cli("import-schedule", path, "--meeting", "X", "--data-dir", store.data_dir)
    assert code == 2 and "broken.json" in err and err.startswith("error: ")
    after = table_fingerprint(store)
    assert {k: v for k, v in after.items() if k != "schedule_source"} == \
        {k: v for k, v in before.items() if k != "schedule_source"}


# --- iCalendar --------------------------------------------------------------------------

ICS_TEXT = (
    "BEGIN:VCALENDAR\r\n"
    "VERSION:2.0\r\n"
    "PRODID:-//Example//Timetable//EN\r\n"
    "X-WR-CALNAME:Réunion – Genève\r\n"
    "BEGIN:VTIMEZONE\r\n"
    "TZID:Europe/Zurich\r\n"
    "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
    "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"
    "DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:utc-1@example.org\r\n"
    "DTSTAMP:20211001T000000Z\r\n"
    "DTSTART:20211030T070000Z\r\n"
    "DTEND:20211030T090000Z\r\n"
    "SUMMARY:Séance plénière\\, ouverture\\; point 1\r\n"
    "LOCATION:Salle A\r\n"
    "DESCRIPTION:Première ligne\\nDeuxième ligne avec une description assez longue pour être \r\n"
    " pliée sur plusieurs lignes selon la RFC 5545 – «ça marche»\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:tzid-2@example.org\r\n"
    "DTSTAMP:20211001T000000Z\r\n"
    "DTSTART;TZID=Europe/Zurich:20211101T090000\r\n"
    "DTEND;TZID=Europe/Zurich:20211101T103000\r\n"
    "SUMMARY:Groupe de travail – 日本語 – العربية\r\n"
    "LOCATION:Salle B\r\n"
    "STATUS:CANCELLED\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:floating-3@example.org\r\n"
    "DTSTAMP:20211001T000000Z\r\n"
    "DTSTART:20211031T233000\r\n"
    "DURATION:PT1H\r\n"
    "SUMMARY:Rédaction (nuit)\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_ics_with_crlf_folding_escapes_non_ascii_and_all_time_forms():
    table = ics.parse(ICS_TEXT.encode("utf-8"), "t.ics", default_zone="Europe/Zurich")
    by_uid = {e.guid: e for e in table.events}
    utc_event = by_uid["utc-1@example.org"]
    assert utc_event.title == "Séance plénière, ouverture; point 1"
    assert utc_event.description.startswith("Première ligne\nDeuxième ligne")
    assert "pliée sur plusieurs lignes" in utc_event.description and "«ça marche»" in utc_event.description
    assert utc_event.starts_at.astimezone(ZURICH).time() == dt.time(9)  # 07:00Z in summer time
    tzid_event = by_uid["tzid-2@example.org"]
    assert tzid_event.title == "Groupe de travail – 日本語 – العربية"
    assert tzid_event.starts_at.astimezone(UTC) == dt.datetime(2021, 11, 1, 8, 0, tzinfo=UTC)  # winter time
    assert tzid_event.status == "cancelled"
    floating = by_uid["floating-3@example.org"]
    assert floating.starts_at.astimezone(UTC) == dt.datetime(2021, 10, 31, 22, 30, tzinfo=UTC)
    assert floating.ends_at.astimezone(ZURICH) == dt.datetime(2021, 11, 1, 0, 30, tzinfo=ZURICH)


def test_floating_times_without_a_zone_are_refused():
    with pytest.raises(TimetableError, match="floating"):
        ics.parse(ICS_TEXT.replace("X-WR-CALNAME", "X-NAME").encode(), "t.ics")


def test_ics_import_through_the_cli(store, tmp_path):
    from wtdc_desktop.store import sessions as sa

    path = tmp_path / "t.ics"
    path.write_bytes(ICS_TEXT.replace("X-WR-CALNAME:", "X-WR-TIMEZONE:Europe/Zurich\r\nX-WR-CALNAME:").encode())
    code, _, err = run_cli("import-schedule", path, "--meeting", "RPM-EUR-21", "--data-dir", store.data_dir)
    assert code == 0, err
    assert sa.meeting(store, "RPM-EUR-21")["timezone"] == "Europe/Zurich"
    sessions = {s.id: s for s in sa.sessions(store)}
    assert sessions["RPM-EUR-21/tzid-2@example.org"].cancelled


def test_exported_ics_parses_back_with_the_same_uids_instants_and_tzids(demo_store, tmp_path):
    from wtdc_desktop.store import sessions as sa

    sa.save_member(demo_store, "Amina")
    for sid in ("WTDC-21/S01", "WTDC-21/S02", "WTDC-21/S08"):
        sa.assign(demo_store, sid, "Amina")
    out = tmp_path / "amina.ics"
    code, _, err = run_cli("export-ics", "--member", "Amina", "--out", out, "--data-dir", demo_store.data_dir)
    assert code == 0, err
    cal = icalendar.Calendar.from_ical(out.read_bytes())
    events = cal.walk("VEVENT")
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Africa/Addis_Ababa"]
    expected = {s.id: s for s in sa.sessions(demo_store) if s.id in ("WTDC-21/S01", "WTDC-21/S02", "WTDC-21/S08")}
    got = {}
    for e in events:
        assert e["DTSTART"].params["TZID"] == "Africa/Addis_Ababa"
        got[str(e["UID"])] = (e.decoded("DTSTART"), e.decoded("DTEND"), str(e["STATUS"]))
    assert set(got) == {ics.session_uid(sid) for sid in expected}
    for sid, s in expected.items():
        start, end, status = got[ics.session_uid(sid)]
        assert start == s.starts_at and end == s.ends_at
        assert status == ("CANCELLED" if s.cancelled else "CONFIRMED")
    # a second export keeps the UIDs (a calendar updates instead of duplicating)
    out2 = tmp_path / "again.ics"
    run_cli("export-ics", "--member", "Amina", "--out", out2, "--data-dir", demo_store.data_dir)
    again = {str(e["UID"]) for e in icalendar.Calendar.from_ical(out2.read_bytes()).walk("VEVENT")}
    assert again == set(got)


def test_export_ics_of_an_unknown_member_fails_cleanly(demo_store, tmp_path):
    code, _, err = run_cli("export-ics", "--member", "Nobody", "--out", tmp_path / "x.ics",
                           "--data-dir", demo_store.data_dir)
    assert code == 2 and "Nobody" in err and not (tmp_path / "x.ics").exists()


@pytest.fixture
def served(tmp_path):
    """A loopback HTTP server over a folder (plain http is accepted only on this computer)."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    root = tmp_path / "www"
    root.mkdir()

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_import_from_a_url_uses_conditional_requests(store, served):
    root, base = served
    (root / "schedule.json").write_bytes(frab_json({"Salle 1": [ev(1, "09:30", "03:00", "Salle 1", "Plénière")]}))
    url = f"{base}/schedule.json"
    code, out, err = run_cli("import-schedule", url, "--meeting", "WTDC-21", "--json", "--data-dir", store.data_dir)
    assert code == 0, err
    assert json.loads(out)["outcome"] == "applied"
    code, out, err = run_cli("import-schedule", url, "--meeting", "WTDC-21", "--json", "--data-dir", store.data_dir)
    assert code == 0, err
    assert json.loads(out)["outcome"] == "not_modified"  # If-Modified-Since answered 304
    code, _, err = run_cli("import-schedule", f"{base}/missing.json", "--meeting", "WTDC-21",
                           "--data-dir", store.data_dir)
    assert code == 2 and "404" in err


def test_plain_http_elsewhere_is_refused(store):
    code, _, err = run_cli("import-schedule", "http://example.org/schedule.xml", "--meeting", "X",
                           "--data-dir", store.data_dir)
    assert code == 2 and "https" in err


def test_import_from_a_folder_merges_its_timetables(store, tmp_path):
    from wtdc_desktop.store import sessions as sa

    folder = tmp_path / "timetables"
    folder.mkdir()
    (folder / "a.xml").write_text(FRAB_XML, "utf-8")
    (folder / "b.json").write_bytes(frab_json({"Salle 9": [ev(9, "18:00", "01:00", "Salle 9", "Soirée")]},
                                              zone="Europe/Zurich"))
    (folder / "notes.txt").write_text("not a timetable", "utf-8")
    code, out, err = run_cli("import-schedule", folder, "--meeting", "RPM-EUR-21", "--json",
                             "--data-dir", store.data_dir)
    assert code == 0, err
    assert json.loads(out)["events"] == 5
    assert sa.meeting(store, "RPM-EUR-21")["timezone"] == "Europe/Zurich"
    rooms = {s.room for s in sa.sessions(store, meeting="RPM-EUR-21")}
    assert rooms == {"Salle A", "Salle B", "Salle 9"}


def test_periodic_sync_reimports_remembered_timetables(store, tmp_path):
    """`sync` with no source (and so `sync --watch` and the window's periodic sync) re-imports timetables."""
    from wtdc_desktop.sync import sync_all
    from wtdc_desktop.store import sessions as sa

    path = tmp_path / "schedule.json"
    path.write_bytes(frab_json({"Salle 1": [ev(1, "09:30", "01:00", "Salle 1", "Plénière")]}))
    code, _, err = run_cli("import-schedule", path, "--meeting", "WTDC-21", "--data-dir", store.data_dir)
    assert code == 0, err
    path.write_bytes(frab_json({"Salle 2": [ev(1, "09:30", "01:00", "Salle 2", "Plénière")]}))
    results = sync_all(store.data_dir)
    timetable = [r for r in results if r.kind == "timetable"]
    assert [(r.location, r.outcome) for r in timetable] == [(str(path), "applied")]
    assert sa.session(store, f"WTDC-21/{GUID.format(1)}").room == "Salle 2"
    path.write_bytes(b"not a timetable")
    results = sync_all(store.data_dir)
    failed = [r for r in results if r.kind == "timetable"]
    assert failed[0].outcome == "failed" and str(path) in failed[0].location and failed[0].message
