"""What the Today view shows: the current meeting, the sessions of a day, the next deadlines, the
proposals on coming agendas that have no position yet."""

from __future__ import annotations

import json
from collections.abc import Sequence

from wtdc_desktop.store.db import Store
from wtdc_desktop.store.published import record_from_row

#: The kinds of meeting a delegation follows from Today.
FOLLOWED_KINDS = ("conference", "rpm", "irpm", "tdag")


def _meeting_filter(meeting: str | Sequence[str] | None, column: str = "meeting") -> tuple[str, list]:
    """An SQL condition (with its leading AND) on one meeting or several; "" for any meeting."""
    if not meeting:
        return "", []
    ids = [meeting] if isinstance(meeting, str) else list(meeting)
    return f" AND {column} IN ({', '.join('?' * len(ids))})", ids


def followable_meetings(store: Store) -> list[dict]:
    """The meetings a delegation can follow (conferences and their preparatory meetings), the
    default one first, then by start."""
    rows = store.execute(
        f"SELECT * FROM meeting WHERE withdrawn = 0 AND kind IN ({', '.join('?' * len(FOLLOWED_KINDS))}) "
        "ORDER BY starts_on IS NULL, starts_on, id", FOLLOWED_KINDS).fetchall()
    meetings = [record_from_row("meeting", r) for r in rows]
    first = default_meeting(store)
    return sorted(meetings, key=lambda m: m["id"] != first)


def default_meeting(store: Store) -> str | None:
    """The meeting Today follows until the delegation chooses: the first conference of the store.

    "First": a conference with published documents or proposals (a delegation's conference, not
    a timetable imported beside it), then the one that came into the store first.
    """
    row = store.execute(
        "SELECT m.id FROM meeting m WHERE m.withdrawn = 0 AND m.kind = 'conference' ORDER BY "
        "NOT (EXISTS (SELECT 1 FROM document d WHERE d.meeting = m.id) "
        "OR EXISTS (SELECT 1 FROM deadline x WHERE x.meeting = m.id)), m.rid LIMIT 1").fetchone()
    if row is None:
        row = store.execute(
            "SELECT id FROM meeting WHERE withdrawn = 0 ORDER BY kind != 'conference', rid LIMIT 1").fetchone()
    return row[0] if row else None


def meetings_by_id(store: Store, ids: Sequence[str]) -> list[dict]:
    """The meetings of ``ids`` still in the store, in that order."""
    out = []
    for mid in ids:
        row = store.execute("SELECT * FROM meeting WHERE id = ? AND withdrawn = 0", (mid,)).fetchone()
        if row is not None:
            out.append(record_from_row("meeting", row))
    return out


def now_and_next(store: Store, now_utc: str, meetings: Sequence[str], limit: int = 6) -> tuple[list[dict], list[dict]]:
    """The sessions of ``meetings`` under way at ``now_utc``, and the next ``limit`` to start."""
    cond, ids = _meeting_filter(meetings)
    now = [s for s in _sessions(store, "starts_at <= ? AND coalesce(ends_at, starts_at) > ?" + cond,
                                [now_utc, now_utc, *ids])]
    upcoming = _sessions(store, "starts_at > ?" + cond, [now_utc, *ids], limit)
    return now, upcoming


def _sessions(store: Store, where: str, params: list, limit: int | None = None) -> list[dict]:
    sql = "SELECT * FROM session WHERE withdrawn = 0 AND " + where + " ORDER BY starts_at, id"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    out = []
    for row in store.execute(sql, params).fetchall():
        record = record_from_row("session", row)
        record["starts_utc"], record["ends_utc"] = row["starts_at"], row["ends_at"]
        record["covered_by"] = [r[0] for r in store.execute(
            "SELECT member FROM my_assignment WHERE session = ? ORDER BY role, member", (row["id"],))]
        out.append(record)
    return out


def last_session_end(store: Store, meetings: Sequence[str]) -> str | None:
    """When the last session of ``meetings`` ended (UTC ISO), or None without sessions."""
    cond, ids = _meeting_filter(meetings)
    row = store.execute("SELECT max(coalesce(ends_at, starts_at)) FROM session WHERE withdrawn = 0" + cond,
                        ids).fetchone()
    return row[0] if row else None

def current_meeting(store: Store, today: str) -> dict | None:
    """The meeting under way on ``today`` (ISO date), else the next to start, else the last that ended."""
    for sql, params in (
        ("SELECT * FROM meeting WHERE withdrawn = 0 AND starts_on <= ? AND coalesce(ends_on, starts_on) >= ? "
         "ORDER BY starts_on DESC LIMIT 1", (today, today)),
        ("SELECT * FROM meeting WHERE withdrawn = 0 AND starts_on > ? AND kind IN ('conference', 'rpm', 'irpm', 'tdag') "
         "ORDER BY starts_on LIMIT 1", (today,)),
        ("SELECT * FROM meeting WHERE withdrawn = 0 AND starts_on IS NOT NULL ORDER BY starts_on DESC LIMIT 1", ()),
    ):
        row = store.execute(sql, params).fetchone()
        if row:
            return record_from_row("meeting", row)
    return None


def sessions_between(store: Store, start_utc: str, end_utc: str, meeting: str | None = None) -> list[dict]:
    """Sessions starting in [start, end) (UTC ISO instants), with who of the delegation covers them."""
    sql = "SELECT * FROM session WHERE withdrawn = 0 AND starts_at >= ? AND starts_at < ?"
    params: list = [start_utc, end_utc]
    if meeting:
        sql += " AND meeting = ?"
        params.append(meeting)
    out = []
    for row in store.execute(sql + " ORDER BY starts_at, id", params).fetchall():
        record = record_from_row("session", row)
        record["starts_utc"], record["ends_utc"] = row["starts_at"], row["ends_at"]
        record["covered_by"] = [r[0] for r in store.execute(
            "SELECT member FROM my_assignment WHERE session = ? ORDER BY role, member", (row["id"],))]
        out.append(record)
    return out


def next_deadlines(store: Store, now_utc: str, limit: int = 5,
                   meeting: str | Sequence[str] | None = None) -> list[dict]:
    """The deadlines due from ``now_utc`` on (of ``meeting``, one or several, and of no meeting)."""
    # a deadline given as a day is ahead until that day is over
    sql = "SELECT * FROM deadline WHERE withdrawn = 0 AND (due_utc >= ? OR (length(due) = 10 AND due >= ?))"
    params: list = [now_utc, now_utc[:10]]
    if meeting:
        cond, ids = _meeting_filter(meeting)
        sql += " AND (meeting IS NULL" + cond.replace(" AND ", " OR ", 1) + ")"
        params += ids
    rows = store.execute(sql + " ORDER BY due_utc LIMIT ?", (*params, limit)).fetchall()
    return [record_from_row("deadline", r) for r in rows]


def proposals_without_position(store: Store, from_utc: str, limit: int = 20,
                               meeting: str | Sequence[str] | None = None) -> list[dict]:
    """Proposals of documents on the agendas of sessions from ``from_utc`` on, that have no position yet:
    ``{"id", "title", "document", "session", "starts_at"}``, soonest first."""
    sql = "SELECT id, agenda, starts_at FROM session WHERE withdrawn = 0 AND starts_at >= ? AND agenda IS NOT NULL"
    cond, ids = _meeting_filter(meeting)
    sql += cond
    params: list = [from_utc, *ids]
    out, seen = [], set()
    for srow in store.execute(sql + " ORDER BY starts_at", params).fetchall():
        docs = [d for item in json.loads(srow["agenda"] or "[]") if isinstance(item, dict)
                for d in item.get("documents") or []]
        for doc in dict.fromkeys(docs):
            for prow in store.execute(
                    "SELECT p.id, coalesce(p.title, '') FROM proposal p WHERE p.document = ? AND p.withdrawn = 0 "
                    "AND NOT EXISTS (SELECT 1 FROM my_position m WHERE m.subject_type = 'proposal' "
                    "AND m.subject_id = p.id) ORDER BY p.id", (doc,)):
                if prow[0] in seen:
                    continue
                seen.add(prow[0])
                out.append({"id": prow[0], "title": prow[1], "document": doc, "session": srow["id"],
                            "starts_at": srow["starts_at"]})
                if len(out) >= limit:
                    return out
    return out


def agenda_proposals_ahead(store: Store, from_utc: str, meeting: str | Sequence[str] | None = None) -> tuple[int, int]:
    """(sessions from ``from_utc`` on with an agenda, proposals of the documents on those agendas):
    what tells "every proposal has a position" from "there is nothing to take a position on"."""
    cond, ids = _meeting_filter(meeting)
    sessions, docs = 0, set()
    for srow in store.execute("SELECT agenda FROM session WHERE withdrawn = 0 AND starts_at >= ? "
                              "AND agenda IS NOT NULL" + cond, [from_utc, *ids]):
        items = [item for item in json.loads(srow[0] or "[]") if isinstance(item, dict)]
        if items:
            sessions += 1
        docs.update(d for item in items for d in item.get("documents") or [])
    proposals = 0
    for doc in docs:
        proposals += store.execute("SELECT count(*) FROM proposal WHERE document = ? AND withdrawn = 0",
                                   (doc,)).fetchone()[0]
    return sessions, proposals
