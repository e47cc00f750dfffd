"""Sessions and their coverage: a day's sessions, members, assignments, priorities, conflicts, changes.

Sessions are published records (written only by a bundle apply); members,
assignments, priorities and language notes are the delegation's own layer.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from wtdc_desktop.domain import sessions as session_model
from wtdc_desktop.domain.session_details import AgendaDocument, AgendaItem, SessionDetails
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _
from wtdc_desktop.instants import iso_utc, parse_instant, zone
from wtdc_desktop.store.changes import last_sync_id
from wtdc_desktop.store.db import Store, utcnow

SETTING_ME = "agenda.me"
SETTING_REMINDER_MINUTES = "agenda.reminder_minutes"
SETTING_CHANGES_SEEN = "agenda.changes_seen_sync"
DEFAULT_REMINDER_MINUTES = 15


class AgendaError(WtdcError):
    """A member, session or value the user named does not exist or is not valid."""


# --- sessions ------------------------------------------------------------------------

def _session_from_row(row, notes: dict | None = None) -> session_model.Session:
    langs: tuple[str, ...] = ()
    interpretation = None
    note = (notes or {}).get(row["id"])
    if note is not None:
        langs = tuple(note[0])
        interpretation = note[1]
    elif row["language"]:  # a timetable's own language field (frab), kept in the published record
        text = row["language"]
        value = json.loads(text) if text.startswith("[") else text
        langs = tuple(value) if isinstance(value, list) else tuple(str(value).split(","))
    return session_model.Session(
        id=row["id"], title=row["title"] or row["id"], starts_at=parse_instant(row["starts_at"]),
        ends_at=parse_instant(row["ends_at"]), meeting=row["meeting"], committee=row["committee"],
        room=row["room"], status=row["status"], withdrawn=bool(row["withdrawn"]),
        language=tuple(x.strip() for x in langs if x and x.strip()), interpretation=interpretation)


_SESSION_COLUMNS = ("id, title, starts_at, ends_at, meeting, committee, room, status, withdrawn, "
                    "json_extract(raw, '$.language') AS language")


def _language_notes(store: Store) -> dict[str, tuple[list[str], str | None]]:
    return {r[0]: (json.loads(r[1] or "[]"), r[2])
            for r in store.execute("SELECT session, languages, interpretation FROM my_session_language")}


def sessions(store: Store, *, meeting: str | None = None, start: dt.datetime | None = None,
             end: dt.datetime | None = None, include_withdrawn: bool = False) -> list[session_model.Session]:
    """Sessions (optionally of one meeting, optionally overlapping [start, end))."""
    clauses, params = [], []
    if not include_withdrawn:
        clauses.append("withdrawn = 0")
    if meeting:
        clauses.append("meeting = ?")
        params.append(meeting)
    if start is not None and end is not None:
        # stored as ...Z strings, which sort as instants
        clauses.append("starts_at < ? AND (ends_at > ? OR starts_at >= ?)")
        params += [iso_utc(end), iso_utc(start), iso_utc(start)]
    sql = f"SELECT {_SESSION_COLUMNS} FROM session"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += " ORDER BY starts_at, id"
    notes = _language_notes(store)
    return [_session_from_row(r, notes) for r in store.execute(sql, params) if r["starts_at"] and r["ends_at"]]


def sessions_for_day(store: Store, day: dt.date, tz: dt.tzinfo, *, meeting: str | None = None,
                     include_withdrawn: bool = False) -> list[session_model.Session]:
    start, end = session_model.day_bounds(day, tz)
    return session_model.sessions_on(sessions(store, meeting=meeting, start=start, end=end,
                                   include_withdrawn=include_withdrawn), day, tz)


def session(store: Store, session_id: str) -> session_model.Session | None:
    row = store.execute(f"SELECT {_SESSION_COLUMNS} FROM session WHERE id = ?", (session_id,)).fetchone()
    return _session_from_row(row, _language_notes(store)) if row else None


def session_details(store: Store, session_id: str) -> SessionDetails | None:
    """What a session's details show, in a fixed number of statements whatever its agenda holds:
    the session with its language note, committee name and priority; its assignments; the changes
    of the last syncs not yet dismissed; its agenda's documents with their titles, read marks and
    our positions. None when the session is not in the store."""
    row = store.execute(
        f"SELECT {_SESSION_COLUMNS}, raw, (SELECT name FROM committee c WHERE c.id = session.committee "
        "AND c.withdrawn = 0) AS committee_name, (SELECT priority FROM my_session_priority p "
        "WHERE p.session = session.id) AS priority, n.session AS noted, n.languages AS note_languages, "
        "n.interpretation AS note_interpretation FROM session "
        "LEFT JOIN my_session_language n ON n.session = session.id WHERE session.id = ?",
        (session_id,)).fetchone()
    if row is None:
        return None
    notes = {row["id"]: (json.loads(row["note_languages"] or "[]"), row["note_interpretation"])} \
        if row["noted"] is not None else {}
    record = json.loads(row["raw"])
    agenda = [item for item in record.get("agenda") or [] if isinstance(item, dict)]
    doc_ids = sorted({d for item in agenda for d in (item.get("documents") or [])})
    documents = {}
    if doc_ids:
        documents = {r["id"]: AgendaDocument(r["id"], r["title"], bool(r["read"]), r["stance"]) for r in store.execute(
            "SELECT j.value AS id, d.title, EXISTS (SELECT 1 FROM my_read r WHERE r.type = 'document' "
            "AND r.id = j.value) AS read, p.stance FROM json_each(?) j LEFT JOIN document d ON d.id = j.value "
            "LEFT JOIN my_position p ON p.subject_type = 'document' AND p.subject_id = j.value",
            (json.dumps(doc_ids),))}
    return SessionDetails(
        session=_session_from_row(row, notes), committee_name=row["committee_name"], priority=row["priority"],
        assignments=tuple(assignments(store, session_id)),
        changes=tuple(session_changes(store, session_id=session_id)),
        agenda=tuple(AgendaItem(item.get("item", ""), item.get("title"),
                                tuple(documents.get(d) or AgendaDocument(d) for d in item.get("documents") or []))
                     for item in agenda),
        url=str(record["url"]) if record.get("url") else None)


def meetings_with_sessions(store: Store) -> list[dict]:
    """Meetings that have sessions, with their zone and dates (most recent first)."""
    rows = store.execute(
        "SELECT s.meeting AS id, m.title, m.timezone, m.starts_on, m.ends_on, min(s.starts_at) AS first, "
        "count(*) AS n FROM session s LEFT JOIN meeting m ON m.id = s.meeting WHERE s.withdrawn = 0 "
        "GROUP BY s.meeting ORDER BY first DESC").fetchall()
    return [dict(r) for r in rows]


def meeting(store: Store, meeting_id: str) -> dict | None:
    row = store.execute("SELECT id, title, timezone, starts_on, ends_on, city FROM meeting WHERE id = ?",
                        (meeting_id,)).fetchone()
    return dict(row) if row else None


def all_meetings(store: Store) -> list[dict]:
    """Every meeting of the store (id, title, time zone), by title."""
    rows = store.execute("SELECT id, title, timezone FROM meeting WHERE withdrawn = 0 ORDER BY title, id").fetchall()
    return [dict(r) for r in rows]


def meeting_zone(store: Store, meeting_id: str | None) -> dt.tzinfo:
    m = meeting(store, meeting_id) if meeting_id else None
    return zone(m["timezone"] if m else None)


def committee_names(store: Store, meeting_id: str | None = None) -> dict[str, str]:
    sql, params = "SELECT id, name FROM committee WHERE withdrawn = 0", []
    if meeting_id:
        sql += " AND meeting = ?"
        params.append(meeting_id)
    return {r[0]: r[1] for r in store.execute(sql + " ORDER BY id", params)}


# --- members ---------------------------------------------------------------------------

def _member_from_row(row) -> session_model.Member:
    days = []
    for d in json.loads(row["days_present"] or "[]"):
        try:
            days.append(dt.date.fromisoformat(d))
        except (TypeError, ValueError):
            continue
    return session_model.Member(name=row["name"], role=row["role"], languages=tuple(json.loads(row["languages"] or "[]")),
                     days_present=tuple(sorted(days)))


def members(store: Store) -> list[session_model.Member]:
    return [_member_from_row(r) for r in
            store.execute("SELECT name, role, languages, days_present FROM my_member ORDER BY name COLLATE NOCASE")]


def member(store: Store, name: str) -> session_model.Member | None:
    row = store.execute("SELECT name, role, languages, days_present FROM my_member WHERE name = ?",
                        (name,)).fetchone()
    return _member_from_row(row) if row else None


def save_member(store: Store, name: str, *, role: str | None = None, languages: list[str] | None = None,
                days_present: list[dt.date] | None = None, me: bool = False) -> None:
    """Add a member or update the fields given (with ``me``, as the member using this computer)."""
    name = (name or "").strip()
    if not name:
        raise AgendaError(_("A delegation member needs a name."))
    with store.transaction() as conn:
        row = conn.execute("SELECT role, languages, days_present FROM my_member WHERE name = ?", (name,)).fetchone()
        values = {
            "role": role if role is not None else (row["role"] if row else None),
            "languages": json.dumps([x.strip() for x in languages if x.strip()]) if languages is not None
            else (row["languages"] if row else "[]"),
            "days_present": json.dumps(sorted(d.isoformat() for d in days_present)) if days_present is not None
            else (row["days_present"] if row else "[]"),
        }
        conn.execute(
            "INSERT INTO my_member (name, role, languages, days_present, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET role = excluded.role, languages = excluded.languages, "
            "days_present = excluded.days_present, updated_at = excluded.updated_at",
            (name, values["role"], values["languages"], values["days_present"], utcnow()))
        if me:
            _put_setting(conn, SETTING_ME, name)


def remove_member(store: Store, name: str) -> None:
    """Remove a member with their assignments (and as the member using this computer, if they were)."""
    with store.transaction() as conn:
        conn.execute("DELETE FROM my_assignment WHERE member = ?", (name,))
        conn.execute("DELETE FROM my_member WHERE name = ?", (name,))
        conn.execute("DELETE FROM setting WHERE key = ? AND value = ?", (SETTING_ME, name))


# --- assignments and priorities ------------------------------------------------------------

def assign(store: Store, session_id: str, member_name: str, role: str = "lead") -> None:
    if role not in session_model.ROLES:
        raise AgendaError(_("“{role}” is not a coverage role; choose lead, support or observer.").format(role=role))
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM session WHERE id = ?", (session_id,)).fetchone() is None:
            raise AgendaError(_("There is no session “{id}” in the store.").format(id=session_id))
        if conn.execute("SELECT 1 FROM my_member WHERE name = ?", (member_name,)).fetchone() is None:
            raise AgendaError(_("“{name}” is not a member of the delegation; add them with member add.").format(
                name=member_name))
        conn.execute(
            "INSERT INTO my_assignment (id, session, member, role, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (session, member) DO UPDATE SET role = excluded.role, updated_at = excluded.updated_at",
            (uuid.uuid4().hex, session_id, member_name, role, utcnow()))


def unassign(store: Store, session_id: str, member_name: str) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM my_assignment WHERE session = ? AND member = ?", (session_id, member_name))


def write_colleague_assignment(conn, record: dict, local_id: str | None, *, updated_at: str, origin: str) -> None:
    """Take a colleague's assignment (a delegation-bundle record) over the local one ``local_id`` (None: new).

    A member who only appears in a colleague's plan becomes one (coverage views list members).
    """
    role = record.get("role") or "lead"
    conn.execute("INSERT INTO my_member (name, languages, days_present, updated_at) VALUES (?, '[]', '[]', ?) "
                 "ON CONFLICT (name) DO NOTHING", (record["member"], utcnow()))
    if local_id is None:
        conn.execute("INSERT INTO my_assignment (id, session, member, role, updated_at, origin) VALUES (?, ?, ?, ?, ?, ?)",
                     (record["id"], record["session"], record["member"], role, updated_at, origin))
    else:
        conn.execute("UPDATE my_assignment SET id = ?, session = ?, member = ?, role = ?, updated_at = ?, origin = ? "
                     "WHERE id = ?", (record["id"], record["session"], record["member"], role, updated_at, origin,
                                      local_id))


def delete_assignment(conn, assignment_id: str) -> None:
    """Remove an assignment by its id, in the caller's transaction (a colleague removed it)."""
    conn.execute("DELETE FROM my_assignment WHERE id = ?", (assignment_id,))


def assignments(store: Store, session_id: str | None = None) -> list[session_model.Assignment]:
    sql, params = "SELECT session, member, role FROM my_assignment", []
    if session_id:
        sql += " WHERE session = ?"
        params.append(session_id)
    return [session_model.Assignment(r[0], r[1], r[2]) for r in store.execute(sql + " ORDER BY session, member", params)]


def set_priority(store: Store, session_id: str, priority: str | None) -> None:
    if priority is not None and priority not in session_model.PRIORITIES:
        raise AgendaError(_("“{priority}” is not a priority; choose must, should or optional.").format(
            priority=priority))
    with store.transaction() as conn:
        if priority is None:
            conn.execute("DELETE FROM my_session_priority WHERE session = ?", (session_id,))
            return
        if conn.execute("SELECT 1 FROM session WHERE id = ?", (session_id,)).fetchone() is None:
            raise AgendaError(_("There is no session “{id}” in the store.").format(id=session_id))
        conn.execute("INSERT INTO my_session_priority (session, priority, updated_at) VALUES (?, ?, ?) "
                     "ON CONFLICT (session) DO UPDATE SET priority = excluded.priority, "
                     "updated_at = excluded.updated_at", (session_id, priority, utcnow()))


def priorities(store: Store) -> dict[str, str]:
    return {r[0]: r[1] for r in store.execute("SELECT session, priority FROM my_session_priority")}


def set_session_language(store: Store, session_id: str, languages: list[str] | None,
                         interpretation: str | None = None) -> None:
    with store.transaction() as conn:
        if not languages and not interpretation:
            conn.execute("DELETE FROM my_session_language WHERE session = ?", (session_id,))
            return
        conn.execute(
            "INSERT INTO my_session_language (session, languages, interpretation, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (session) DO UPDATE SET languages = excluded.languages, "
            "interpretation = excluded.interpretation, updated_at = excluded.updated_at",
            (session_id, json.dumps(languages or []), interpretation or None, utcnow()))


# --- coverage and conflicts ------------------------------------------------------------------

def conflicts(store: Store, meeting_id: str | None = None) -> list[session_model.Conflict]:
    """Coverage conflicts of one meeting (or of all meetings, each in its own zone)."""
    all_sessions = sessions(store, meeting=meeting_id)
    meetings = sorted({s.meeting or "" for s in all_sessions})
    out: list[session_model.Conflict] = []
    mem, asg, pri = members(store), assignments(store), priorities(store)
    for m in meetings:
        group = [s for s in all_sessions if (s.meeting or "") == m]
        out += session_model.find_conflicts(group, mem, asg, pri, meeting_zone(store, m or None))
    return out


def covered_session_ids(store: Store, member_name: str | None = None) -> set[str]:
    sql, params = "SELECT DISTINCT session FROM my_assignment", []
    if member_name:
        sql += " WHERE member = ?"
        params.append(member_name)
    return {r[0] for r in store.execute(sql, params)}


def my_sessions(store: Store, member_name: str | None = None) -> list[session_model.Session]:
    """Sessions a member covers (or, without a member, every session the delegation covers)."""
    ids = covered_session_ids(store, member_name)
    return [s for s in sessions(store) if s.id in ids]


# --- settings of this machine ----------------------------------------------------------------

def get_setting(store: Store, key: str, default: str | None = None) -> str | None:
    row = store.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_setting(store: Store, key: str, value: str | None) -> None:
    with store.transaction() as conn:
        _put_setting(conn, key, value)


def _put_setting(conn, key: str, value: str | None) -> None:
    """Set (None: remove) a setting in the caller's transaction."""
    if value is None:
        conn.execute("DELETE FROM setting WHERE key = ?", (key,))
    else:
        conn.execute("INSERT INTO setting (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def me(store: Store) -> str | None:
    return get_setting(store, SETTING_ME)


def reminder_minutes(store: Store) -> int:
    try:
        return max(0, int(get_setting(store, SETTING_REMINDER_MINUTES, str(DEFAULT_REMINDER_MINUTES))))
    except (TypeError, ValueError):
        return DEFAULT_REMINDER_MINUTES


def reminded_keys(store: Store) -> set[str]:
    return {r[0] for r in store.execute("SELECT key FROM reminder_sent")}


def mark_reminded(store: Store, reminder: session_model.Reminder) -> None:
    with store.transaction() as conn:
        conn.execute("INSERT OR IGNORE INTO reminder_sent (key, session, fired_at) VALUES (?, ?, ?)",
                     (reminder.key, reminder.session, utcnow()))


# --- changes after a sync ------------------------------------------------------------------------

def session_changes(store: Store, after_sync: int | None = None, *,
                    session_id: str | None = None) -> list[session_model.SessionChange]:
    """Sessions moved, re-roomed, cancelled or withdrawn by syncs after ``after_sync`` (of one session
    with ``session_id``).

    The comparison is with the version current before those syncs (kept in
    ``record_version``); by default the changes the user has not yet dismissed.
    """
    if after_sync is None:
        after_sync = int(get_setting(store, SETTING_CHANGES_SEEN, "0") or 0)
    sql = ("SELECT s.id, s.raw, s.withdrawn, "
           " (SELECT v.raw FROM record_version v WHERE v.type = 'session' AND v.id = s.id "
           "  AND v.superseded_sync > ? ORDER BY v.vid LIMIT 1) AS before "
           "FROM session s WHERE (s.changed_sync > ? OR coalesce(s.withdrawn_sync, 0) > ?)")
    params: list = [after_sync, after_sync, after_sync]
    if session_id is not None:
        sql += " AND s.id = ?"
        params.append(session_id)
    rows = store.execute(sql, params).fetchall()
    if not rows:
        return []
    who: dict[str, list[str]] = {}
    for a in assignments(store, session_id):
        who.setdefault(a.session, []).append(a.member)
    out = []
    for r in rows:
        after = json.loads(r["raw"])
        before = json.loads(r["before"]) if r["before"] else (after if r["withdrawn"] else None)
        if before is None:
            continue  # a new session
        kinds = session_model.compare_versions(before, after, withdrawn=bool(r["withdrawn"]))
        if kinds:
            out.append(session_model.SessionChange(r["id"], kinds, before, after, tuple(sorted(who.get(r["id"], [])))))
    return sorted(out, key=lambda c: (c.after.get("starts_at") or "", c.session))


def dismiss_changes(store: Store) -> None:
    set_setting(store, SETTING_CHANGES_SEEN, str(last_sync_id(store) or 0))


# --- schedule sources -----------------------------------------------------------------------------

def schedule_source(store: Store, location: str) -> dict | None:
    row = store.execute("SELECT * FROM schedule_source WHERE location = ?", (location,)).fetchone()
    return dict(row) if row else None


def schedule_sources(store: Store) -> list[dict]:
    return [dict(r) for r in store.execute("SELECT * FROM schedule_source ORDER BY location")]


def record_schedule_import(store: Store, *, location: str, meeting_id: str, channel: str, fmt: str | None,
                           outcome: str, message: str | None = None, content_sha256: str | None = None,
                           events: dict[str, str] | None = None, etag: str | None = None,
                           last_modified: str | None = None) -> None:
    """Remember a schedule source and, after an apply, its guid → session id map."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO schedule_source (location, meeting, channel, format, last_checked, last_outcome, "
            "last_message, content_sha256, etag, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (location) DO UPDATE SET meeting = excluded.meeting, channel = excluded.channel, "
            "format = coalesce(excluded.format, format), last_checked = excluded.last_checked, "
            "last_outcome = excluded.last_outcome, last_message = excluded.last_message, "
            "content_sha256 = coalesce(excluded.content_sha256, content_sha256), "
            "etag = coalesce(excluded.etag, etag), last_modified = coalesce(excluded.last_modified, last_modified)",
            (location, meeting_id, channel, fmt, utcnow(), outcome, message, content_sha256, etag, last_modified))
        if events is not None:
            conn.execute("DELETE FROM schedule_event WHERE channel = ?", (channel,))
            conn.executemany("INSERT INTO schedule_event (channel, guid, session) VALUES (?, ?, ?)",
                             [(channel, g, s) for g, s in sorted(events.items())])


def channel_carries(store: Store, type_name: str, record_id: str, channel_key: str) -> bool:
    return store.execute("SELECT 1 FROM record_channel WHERE type = ? AND id = ? AND channel = ?",
                         (type_name, record_id, channel_key)).fetchone() is not None


def channel_session_count(store: Store, channel_key: str, meeting_id: str) -> int:
    """How many sessions of ``meeting_id`` (not withdrawn) the channel ``channel_key`` carries."""
    return store.execute(
        "SELECT count(*) FROM record_channel rc JOIN session s ON s.id = rc.id WHERE rc.type = 'session' "
        "AND rc.channel = ? AND s.meeting = ? AND s.withdrawn = 0", (channel_key, meeting_id)).fetchone()[0]


def record_exists(store: Store, type_name: str, record_id: str) -> bool:
    if type_name not in ("meeting", "committee", "session"):
        raise ValueError(type_name)
    return store.execute(f"SELECT 1 FROM {type_name} WHERE id = ? AND withdrawn = 0",
                         (record_id,)).fetchone() is not None


def channel_sequence(store: Store, publisher: str, channel: str) -> int:
    row = store.execute("SELECT last_sequence FROM channel_state WHERE publisher = ? AND channel = ?",
                        (publisher, channel)).fetchone()
    return row[0] if row else 0


def session_sequences(store: Store, ids: list[str]) -> dict[str, int]:
    """How many earlier versions each session has (an iCalendar SEQUENCE that grows with each change)."""
    out = {i: 0 for i in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for r in store.execute(f"SELECT id, count(*) FROM record_version WHERE type = 'session' AND id IN "
                               f"({', '.join('?' * len(chunk))}) GROUP BY id", chunk):
            out[r[0]] = r[1]
    return out
