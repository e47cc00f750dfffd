"""What the Today view shows: the current meeting, the sessions of a day, the next deadlines, the
proposals on coming agendas that have no position yet."""

from __future__ import annotations

import json

from wtdc_desktop.store.db import Store
from wtdc_desktop.store.published import record_from_row

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


def next_deadlines(store: Store, now_utc: str, limit: int = 5, meeting: str | None = None) -> list[dict]:
    sql = "SELECT * FROM deadline WHERE withdrawn = 0 AND due_utc >= ?"
    params: list = [now_utc[:10] + "T00:00:00Z" if len(now_utc) >= 10 else now_utc]
    if meeting:
        sql += " AND (meeting = ? OR meeting IS NULL)"
        params.append(meeting)
    rows = store.execute(sql + " ORDER BY due_utc LIMIT ?", (*params, limit)).fetchall()
    return [record_from_row("deadline", r) for r in rows]


def proposals_without_position(store: Store, from_utc: str, limit: int = 20, meeting: str | None = None) -> list[dict]:
    """Proposals of documents on the agendas of sessions from ``from_utc`` on, that have no position yet:
    ``{"id", "title", "document", "session", "starts_at"}``, soonest first."""
    sql = "SELECT id, agenda, starts_at FROM session WHERE withdrawn = 0 AND starts_at >= ? AND agenda IS NOT NULL"
    params: list = [from_utc]
    if meeting:
        sql += " AND meeting = ?"
        params.append(meeting)
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
