"""Agenda: time zones, conflicts, members and assignments, changes after a sync, reminders, CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from helpers import run_cli, write_records
from wtdc_desktop.domain import sessions as ag

UTC = dt.timezone.utc
ZURICH = ZoneInfo("Europe/Zurich")
ADDIS = ZoneInfo("Africa/Addis_Ababa")


def S(id, start, end, **kw):  # noqa: N802 - a short constructor for readable cases
    return ag.Session(id=id, title=id, starts_at=dt.datetime.fromisoformat(start).astimezone(UTC),
                      ends_at=dt.datetime.fromisoformat(end).astimezone(UTC), meeting="M", **kw)


# --- pure logic -----------------------------------------------------------------------------

def test_touching_sessions_do_not_overlap_but_overlapping_ones_do():
    a = S("a", "2021-11-08T10:00:00+03:00", "2021-11-08T12:00:00+03:00")
    b = S("b", "2021-11-08T12:00:00+03:00", "2021-11-08T13:00:00+03:00")
    c = S("c", "2021-11-08T11:59:00+03:00", "2021-11-08T13:00:00+03:00")
    assert not a.overlaps(b) and not b.overlaps(a)
    assert a.overlaps(c) and c.overlaps(b)


def test_double_booking_is_flagged_only_for_overlapping_sessions():
    sessions = [S("a", "2021-11-08T10:00:00+03:00", "2021-11-08T12:00:00+03:00"),
                S("b", "2021-11-08T12:00:00+03:00", "2021-11-08T13:00:00+03:00"),
                S("c", "2021-11-08T12:30:00+03:00", "2021-11-08T14:00:00+03:00")]
    members = [ag.Member("Amina"), ag.Member("Bob")]
    touching = [ag.Assignment("a", "Amina"), ag.Assignment("b", "Amina")]
    assert ag.find_conflicts(sessions, members, touching, {}, ADDIS) == []
    found = ag.find_conflicts(sessions, members, touching + [ag.Assignment("c", "Amina", "observer")], {}, ADDIS)
    assert [(c.kind, c.sessions, c.member) for c in found] == [("double_booked", ("b", "c"), "Amina")]


def test_cancelled_sessions_raise_no_conflict():
    sessions = [S("a", "2021-11-08T10:00:00+03:00", "2021-11-08T12:00:00+03:00"),
                S("b", "2021-11-08T11:00:00+03:00", "2021-11-08T13:00:00+03:00", status="cancelled")]
    found = ag.find_conflicts(sessions, [ag.Member("Amina")],
                              [ag.Assignment("a", "Amina"), ag.Assignment("b", "Amina")], {"b": "must"}, ADDIS)
    assert found == []


def test_must_cover_uncovered_and_understaffed():
    sessions = [S("a", "2021-11-08T10:00:00+03:00", "2021-11-08T12:00:00+03:00"),
                S("b", "2021-11-08T10:30:00+03:00", "2021-11-08T12:30:00+03:00"),
                S("c", "2021-11-08T11:00:00+03:00", "2021-11-08T11:30:00+03:00"),
                S("d", "2021-11-09T10:00:00+03:00", "2021-11-09T12:00:00+03:00")]
    pri = {"a": "must", "b": "must", "c": "should", "d": "must"}
    # two members, but Bob is only there on the 9th
    members = [ag.Member("Amina"), ag.Member("Bob", days_present=(dt.date(2021, 11, 9),))]
    found = ag.find_conflicts(sessions, members, [ag.Assignment("a", "Amina"), ag.Assignment("d", "Bob")], pri, ADDIS)
    kinds = [(c.kind, c.sessions) for c in found]
    assert ("must_uncovered", ("b",)) in kinds
    assert ("must_uncovered", ("a",)) not in kinds and ("must_uncovered", ("c",)) not in kinds
    assert ("understaffed", ("a", "b")) in kinds
    # with Bob present every day, two members for two parallel must sessions: enough
    members = [ag.Member("Amina"), ag.Member("Bob")]
    covered = [ag.Assignment("a", "Amina"), ag.Assignment("b", "Bob"), ag.Assignment("d", "Bob")]
    assert ag.find_conflicts(sessions, members, covered, pri, ADDIS) == []


def test_language_conflict_unless_interpretation_is_noted():
    held_in_ar = S("a", "2021-11-08T10:00:00+03:00", "2021-11-08T12:00:00+03:00", language=("ar",))
    members = [ag.Member("Amina", languages=("fr", "en")), ag.Member("Karim", languages=("ar-EG", "fr"))]
    asg = [ag.Assignment("a", "Amina"), ag.Assignment("a", "Karim", "support")]
    found = ag.find_conflicts([held_in_ar], members, asg, {}, ADDIS)
    assert [(c.kind, c.member) for c in found] == [("language", "Amina")]
    interpreted = ag.Session(**{**held_in_ar.__dict__, "interpretation": "ar/en/fr"})
    assert ag.find_conflicts([interpreted], members, asg, {}, ADDIS) == []


def test_nine_local_stays_nine_local_across_the_dst_change():
    # Europe/Zurich leaves summer time on 2021-10-31 at 03:00.
    before = ag.at_local(dt.date(2021, 10, 30), dt.time(9), ZURICH)
    after = ag.at_local(dt.date(2021, 11, 1), dt.time(9), ZURICH)
    assert before.tzinfo is UTC and after.tzinfo is UTC
    assert (before.hour, after.hour) == (7, 8)  # UTC moves by an hour …
    assert before.astimezone(ZURICH).hour == after.astimezone(ZURICH).hour == 9  # … the wall clock does not
    start, end = ag.day_bounds(dt.date(2021, 10, 31), ZURICH)
    assert end - start == dt.timedelta(hours=25)
    slots = ag.time_slots(dt.date(2021, 10, 31), ZURICH, minutes=60)
    assert len(slots) == 25 and slots[0][0] == start and slots[-1][1] == end


def test_session_past_midnight_is_on_both_days():
    late = S("late", "2021-11-08T22:30:00+03:00", "2021-11-09T01:00:00+03:00")
    assert late.days(ADDIS) == [dt.date(2021, 11, 8), dt.date(2021, 11, 9)]
    assert late.on_day(dt.date(2021, 11, 9), ADDIS)
    assert not late.on_day(dt.date(2021, 11, 10), ADDIS)
    ending_at_midnight = S("e", "2021-11-08T22:00:00+03:00", "2021-11-09T00:00:00+03:00")
    assert ending_at_midnight.days(ADDIS) == [dt.date(2021, 11, 8)]


def test_no_naive_datetimes_accepted():
    with pytest.raises(ValueError):
        ag.parse_instant("2021-11-08T10:00:00")
    with pytest.raises(ValueError):
        ag.local_day(dt.datetime(2021, 11, 8, 10), ADDIS)


def test_default_day_is_today_while_the_meeting_runs_else_its_first_day():
    days = [dt.date(2021, 11, 8), dt.date(2021, 11, 9), dt.date(2021, 11, 10)]
    during = dt.datetime(2021, 11, 9, 5, 0, tzinfo=UTC)
    assert ag.default_day(days, during, ADDIS) == dt.date(2021, 11, 9)
    long_after = dt.datetime(2026, 1, 1, tzinfo=UTC)
    assert ag.default_day(days, long_after, ADDIS) == dt.date(2021, 11, 8)


def test_reminders_from_a_fake_clock():
    sessions = [S("a", "2021-11-08T10:00:00+03:00", "2021-11-08T12:00:00+03:00"),
                S("b", "2021-11-08T10:00:00+03:00", "2021-11-08T12:00:00+03:00", status="cancelled")]
    at = lambda text: dt.datetime.fromisoformat(text)  # noqa: E731
    assert ag.due_reminders(sessions, at("2021-11-08T09:44:00+03:00"), 15, set()) == []
    due = ag.due_reminders(sessions, at("2021-11-08T09:45:00+03:00"), 15, set())
    assert [r.session for r in due] == ["a"]
    assert ag.due_reminders(sessions, at("2021-11-08T09:50:00+03:00"), 15, {due[0].key}) == []
    assert ag.due_reminders(sessions, at("2021-11-08T10:00:00+03:00"), 15, set()) == []  # started
    assert ag.next_reminder_at(sessions, at("2021-11-08T09:00:00+03:00"), 15) == at("2021-11-08T09:45:00+03:00")


# --- store and CLI ---------------------------------------------------------------------------

def test_list_session_json_gives_instants_with_offset_and_room(demo_store):
    code, out, err = run_cli("list", "session", "--json", "--data-dir", demo_store.data_dir)
    assert code == 0, err
    sessions = json.loads(out)
    assert sessions
    for s in sessions:
        start = dt.datetime.fromisoformat(s["starts_at"])
        end = dt.datetime.fromisoformat(s["ends_at"])
        assert start.utcoffset() is not None and end.utcoffset() is not None
        assert start < end
        assert "room" in s
    first = next(s for s in sessions if s["id"] == "WTDC-21/S01")
    assert dt.datetime.fromisoformat(first["starts_at"]) == dt.datetime(2021, 11, 8, 6, 30, tzinfo=UTC)
    assert first["room"] == "Salle 1"


def test_members_assignments_and_conflicts_on_the_command_line(demo_store):
    d = ("--data-dir", demo_store.data_dir)
    assert run_cli("member", "add", "Amina", "--languages", "fr,en", "--role", "head", *d)[0] == 0
    assert run_cli("member", "add", "Bob", "--languages", "en", "--days", "2021-11-09", *d)[0] == 0
    code, out, _ = run_cli("member", "list", "--json", *d)
    assert {m["name"]: m["languages"] for m in json.loads(out)} == {"Amina": ["fr", "en"], "Bob": ["en"]}
    # S02 and S03 run in parallel (14:30-17:30 on the 8th)
    assert run_cli("assign", "WTDC-21/S02", "Amina", *d)[0] == 0
    assert run_cli("assign", "WTDC-21/S03", "Amina", "--role", "support", *d)[0] == 0
    assert run_cli("session-priority", "WTDC-21/S04", "must", *d)[0] == 0
    code, out, err = run_cli("conflicts", "--json", *d)
    assert code == 0, err
    found = json.loads(out)
    assert isinstance(found, list) and all("kind" in c for c in found)
    mine = [(c["kind"], sorted(c["sessions"]), c["member"]) for c in found]
    assert ("double_booked", ["WTDC-21/S02", "WTDC-21/S03"], "Amina") in mine
    assert ("must_uncovered", ["WTDC-21/S04"], None) in mine
    assert ("understaffed", ["WTDC-21/S02", "WTDC-21/S03", "WTDC-21/S04"], None) not in mine  # S02/S03 not must
    code, _, err = run_cli("assign", "WTDC-21/S99", "Amina", *d)
    assert code == 2 and "WTDC-21/S99" in err and err.count("\n") == 1
    code, _, err = run_cli("assign", "WTDC-21/S01", "Nobody", *d)
    assert code == 2 and "Nobody" in err


def test_priorities_and_assignments_are_not_touched_by_a_sync(demo_store, tmp_path):
    from wtdc_desktop.store import sessions as sa

    sa.save_member(demo_store, "Amina")
    sa.assign(demo_store, "WTDC-21/S01", "Amina", "lead")
    sa.set_priority(demo_store, "WTDC-21/S01", "must")
    from helpers import DEMO_SOURCE, copy_source, read_records, set_header
    from wtdc_desktop.bundles.apply import apply_bundle

    src = copy_source(DEMO_SOURCE, tmp_path / "src")
    sessions = read_records(src, "session")
    for s in sessions:
        if s["id"] == "WTDC-21/S01":
            s["starts_at"] = "2021-11-08T10:00:00+03:00"
            s["room"] = "Salle 4"
        if s["id"] == "WTDC-21/S02":
            s["status"] = "cancelled"
    write_records(src, "session", sessions)
    manifest = json.loads((src / "manifest.json").read_text("utf-8"))
    set_header(src, sequence=manifest["sequence"] + 1)
    from wtdc_desktop.bundles.writer import build_bundle

    build_bundle(src, tmp_path / "next.wtdc.zip")
    apply_bundle(demo_store, tmp_path / "next.wtdc.zip")
    assert sa.priorities(demo_store) == {"WTDC-21/S01": "must"}
    assert [(a.session, a.member) for a in sa.assignments(demo_store)] == [("WTDC-21/S01", "Amina")]
    changes = {c.session: c for c in sa.session_changes(demo_store)}
    assert set(changes) == {"WTDC-21/S01", "WTDC-21/S02"}
    assert set(changes["WTDC-21/S01"].kinds) == {"moved", "room"}
    assert changes["WTDC-21/S01"].members == ("Amina",)
    assert changes["WTDC-21/S02"].kinds == ("cancelled",)
    sa.dismiss_changes(demo_store)
    assert sa.session_changes(demo_store) == []


def test_sessions_for_a_day_in_the_meeting_zone(demo_store):
    from wtdc_desktop.store import sessions as sa

    tz = sa.meeting_zone(demo_store, "WTDC-21")
    assert getattr(tz, "key", None) == "Africa/Addis_Ababa"
    day = sa.sessions_for_day(demo_store, dt.date(2021, 11, 9), tz, meeting="WTDC-21")
    assert [s.id for s in day] == ["WTDC-21/S05", "WTDC-21/S06", "WTDC-21/S07", "WTDC-21/S08"]
    assert {s.room for s in day} == {"Salle 1", "Salle 2", "Salle 3"}
    assert next(s for s in day if s.id == "WTDC-21/S08").cancelled


def test_coverage_csv(demo_store, tmp_path):
    from wtdc_desktop.store import sessions as sa

    sa.save_member(demo_store, "Amina")
    sa.save_member(demo_store, "Zoé")
    sa.assign(demo_store, "WTDC-21/S02", "Zoé", "observer")
    out = tmp_path / "coverage.csv"
    code, _, err = run_cli("export-coverage", "--out", out, "--data-dir", demo_store.data_dir)
    assert code == 0, err
    import csv

    rows = list(csv.reader(out.read_text("utf-8-sig").splitlines()))
    assert rows[0][-2:] == ["Amina", "Zoé"]
    s02 = next(r for r in rows if r[0] == "WTDC-21/S02")
    assert s02[2:5] == ["2021-11-08", "14:30", "17:30"] and s02[-1] == "observer" and s02[-2] == ""


@pytest.mark.gui
def test_coverage_pdf_from_the_command_line(demo_store, tmp_path, qapp):
    import pypdf

    from wtdc_desktop.store import sessions as sa

    sa.save_member(demo_store, "Amina")
    sa.assign(demo_store, "WTDC-21/S02", "Amina", "lead")
    out = tmp_path / "coverage.pdf"
    code, _, err = run_cli("export-coverage", "--out", out, "--data-dir", demo_store.data_dir)
    assert code == 0, err
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    words = text.split()
    assert "Amina" in words and "lead" in words and "Salle" in words
    assert not list(tmp_path.glob(".*.part"))


def test_bad_member_input_is_one_clear_line(store):
    d = ("--data-dir", store.data_dir)
    code, _, err = run_cli("member", "add", "Amina", "--days", "2021-11-31", *d)
    assert code == 2 and "2021-11-31" in err and err.count("\n") == 1
    code, _, err = run_cli("member", "add", "  ", *d)
    assert code == 2 and err.startswith("error: ")
    code, out, _ = run_cli("member", "list", "--json", *d)
    assert json.loads(out) == []
    code, _, err = run_cli("agenda-settings", "--me", "Nobody", *d)
    assert code == 2 and "Nobody" in err


def test_session_details_render_escaped_without_qt():
    from wtdc_desktop.domain.session_details import AgendaDocument, AgendaItem, SessionDetails, session_html

    s = dataclasses.replace(S("M/S1", "2021-11-09T09:30:00+03:00", "2021-11-09T12:30:00+03:00", room="Salle <1>",
                              committee="M/COM1"), title="<script>alert(1)</script> Plenary")
    details = SessionDetails(
        session=s, committee_name="Committee 1", priority="must",
        assignments=(ag.Assignment("M/S1", "Amina", "support"),),
        changes=(ag.SessionChange("M/S1", (ag.ROOM,), {"room": "Salle 9"}, {"room": "Salle <1>"}, ("Amina",)),),
        agenda=(AgendaItem("1", "Opening", (AgendaDocument("D/1", "Report", read=True, stance="support"),
                                            AgendaDocument("D/2"))),),
        url="javascript:alert(1)")
    conflicts = [ag.Conflict(ag.DOUBLE_BOOKED, ("M/S1", "M/S2"), "Amina"), ag.Conflict(ag.MUST_UNCOVERED, ("M/S3",))]
    out = session_html(details, conflicts, ADDIS, ZURICH)
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "Salle &lt;1&gt;" in out and "Committee: Committee 1" in out and "Priority: must cover" in out
    assert "Your time:" in out  # Zurich is not Addis Ababa's offset
    assert "<mark>Changed by the last sync (room changed); before: Salle 9.</mark>" in out
    assert "Amina — support" in out
    assert "overlapping sessions: M/S1, M/S2" in out and "nobody is assigned" not in out  # only its own conflicts
    assert out.count('<a href="wtdc:document/') == 2 and out.count('<a href="wtdc:position/document') == 2
    assert "D/1 — Report</a> (read, our position: support)" in out and "D/2</a> (not read)" in out
    # each document links to the delegation's position on it: to edit it, or to write it
    assert 'position/document%2FD%2F1" rel="noopener noreferrer">Edit position</a>' in out
    assert 'position/document%2FD%2F2" rel="noopener noreferrer">Write position</a>' in out
    assert "javascript" not in out  # the sanitiser drops the link to a scheme it does not allow
    assert "no longer in the store" in session_html(None, [], ADDIS, ADDIS)


def test_session_details_are_read_in_a_fixed_number_of_statements(demo_store, tmp_path):
    from wtdc_desktop.domain.session_details import session_html
    from wtdc_desktop.store import positions, record_marks
    from wtdc_desktop.store import sessions as sa

    sa.save_member(demo_store, "Amina", languages=["fr"])
    sa.assign(demo_store, "WTDC-21/S06", "Amina", "observer")
    sa.set_priority(demo_store, "WTDC-21/S06", "should")
    sa.set_session_language(demo_store, "WTDC-21/S06", ["en", "fr"], "all six")
    record_marks.mark_read(demo_store, "document", "TDAG-WD2-20/1")
    positions.save_position(demo_store, "document", "TDAG-WD2-20/1", stance="support")
    statements = []
    demo_store.conn.set_trace_callback(statements.append)
    try:
        details = sa.session_details(demo_store, "WTDC-21/S06")
    finally:
        demo_store.conn.set_trace_callback(None)
    assert len(statements) <= 6  # a fixed few, not several per document
    assert details.session.language == ("en", "fr") and details.session.interpretation == "all six"
    assert details.priority == "should" and details.committee_name
    assert [(a.member, a.role) for a in details.assignments] == [("Amina", "observer")]
    docs = [d for item in details.agenda for d in item.documents]
    assert docs and all(d.id == "TDAG-WD2-20/1" and d.read and d.stance == "support" and d.title for d in docs)
    out = session_html(details, sa.conflicts(demo_store, "WTDC-21"), sa.meeting_zone(demo_store, "WTDC-21"), UTC)
    assert "our position: support" in out and "Amina — observer" in out
    assert sa.session_details(demo_store, "WTDC-21/S99") is None
