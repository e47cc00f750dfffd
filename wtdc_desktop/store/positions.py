"""The delegation's positions: validated saves, history, filters, missing positions, conflicts.

Built on :mod:`wtdc_desktop.store.delegation` (``set_position``,
``position_for``, ``list_positions``, ``position_history``), which stays the
single place that writes ``my_position``.
"""

from __future__ import annotations

import json

from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _
from wtdc_desktop.store import delegation
from wtdc_desktop.store.db import Store, utcnow

from wtdc_desktop.domain.positions import (  # noqa: F401  (re-exported for the CLI and the UI)
    PRIORITIES, PRIORITY_LABELS, STANCE_LABELS, STANCES, STATUS_LABELS, STATUSES, SUBJECT_LABELS, SUBJECT_TYPES,
)


class PositionError(WtdcError):
    exit_code = 2


def agenda_item_id(session_id: str, item) -> str:
    """The id of an agenda item as a position subject: ``SESSION#ITEM``."""
    return f"{session_id}#{item}"


def _check(values: dict, subject_type: str) -> None:
    if subject_type not in SUBJECT_TYPES:
        raise PositionError(_("“{type}” cannot carry a position; choose one of: {choices}.").format(
            type=subject_type, choices=", ".join(SUBJECT_TYPES)))
    for name, allowed in (("stance", STANCES), ("priority", PRIORITIES), ("status", STATUSES)):
        value = values.get(name)
        if value not in (None, "") and value not in allowed:
            raise PositionError(_("“{value}” is not a valid {field}; choose one of: {choices}.").format(
                value=value, field=name, choices=", ".join(allowed)))


def save_position(store: Store, subject_type: str, subject_id: str, *, changed_by: str | None = None,
                  origin: str | None = None, **values) -> str:
    """Create or update a position after checking its values; every save is kept in the history."""
    _check(values, subject_type)
    if values.get("priority") == "":
        values["priority"] = None
    position_id = delegation.set_position(store, subject_type, subject_id, changed_by=changed_by, **values)
    with store.transaction() as conn:
        conn.execute(
            "UPDATE my_position_history SET subject_type = ?, subject_id = ?, origin = coalesce(origin, ?) "
            "WHERE position_id = ? AND subject_type IS NULL",
            (subject_type, subject_id, origin, position_id))
    return position_id


def history_for(store: Store, subject_type: str, subject_id: str) -> list[dict]:
    """Every saved version of the position on a record, oldest first, with who and when."""
    pos = delegation.position_for(store, subject_type, subject_id)
    if pos is None:
        return []
    rows = store.execute(
        "SELECT changed_at, changed_by, origin, data FROM my_position_history WHERE position_id = ? ORDER BY hid",
        (pos["id"],)).fetchall()
    return [{"changed_at": r[0], "changed_by": r[1], "origin": r[2], **json.loads(r[3])} for r in rows]


def owners(store: Store) -> list[str]:
    return [r[0] for r in store.execute(
        "SELECT DISTINCT owner FROM my_position WHERE owner IS NOT NULL AND owner != '' ORDER BY owner")]


# --- what a subject is about ------------------------------------------------------------

def subject_title(store: Store, subject_type: str, subject_id: str) -> str | None:
    if subject_type in ("resolution", "question", "proposal", "document"):
        row = store.execute(f"SELECT title FROM {subject_type} WHERE id = ?", (subject_id,)).fetchone()
        return row[0] if row else None
    if subject_type == "agenda_item" and "#" in subject_id:
        session_id, item = subject_id.rsplit("#", 1)
        row = store.execute("SELECT agenda FROM session WHERE id = ?", (session_id,)).fetchone()
        for entry in json.loads(row[0] or "[]") if row else []:
            if str(entry.get("item")) == item:
                return entry.get("title")
    return None


def subject_places(store: Store, subject_type: str, subject_id: str) -> tuple[set[str], set[str]]:
    """(meetings, committees) a subject is discussed in, from proposals, documents and agendas."""
    meetings: set[str] = set()
    committees: set[str] = set()

    def add_proposals(where: str, params: tuple) -> None:
        for r in store.execute(
                "SELECT p.committee, d.meeting, c.meeting FROM proposal p LEFT JOIN document d ON d.id = p.document "
                f"LEFT JOIN committee c ON c.id = p.committee WHERE p.withdrawn = 0 AND {where}", params):
            if r[0]:
                committees.add(r[0])
            meetings.update(m for m in (r[1], r[2]) if m)

    if subject_type == "proposal":
        add_proposals("p.id = ?", (subject_id,))
    elif subject_type == "document":
        row = store.execute("SELECT meeting FROM document WHERE id = ?", (subject_id,)).fetchone()
        if row and row[0]:
            meetings.add(row[0])
        add_proposals("p.document = ?", (subject_id,))
    elif subject_type == "agenda_item" and "#" in subject_id:
        session_id = subject_id.rsplit("#", 1)[0]
        row = store.execute("SELECT meeting, committee FROM session WHERE id = ?", (session_id,)).fetchone()
        if row:
            meetings.update(v for v in (row[0],) if v)
            committees.update(v for v in (row[1],) if v)
    else:
        add_proposals("p.target_type = ? AND p.target_id = ?", (subject_type, subject_id))
    return meetings, committees


def filtered_positions(store: Store, *, stance: str | None = None, status: str | None = None,
                       owner: str | None = None, meeting: str | None = None, committee: str | None = None,
                       text: str | None = None) -> list[dict]:
    """Positions (shape of :func:`delegation.list_positions`) with their subject's title, filtered."""
    out = []
    needle = (text or "").strip().casefold()
    for pos in delegation.list_positions(store):
        if stance and pos["stance"] != stance:
            continue
        if status and pos["status"] != status:
            continue
        if owner and (pos["owner"] or "") != owner:
            continue
        subject = pos["subject"]
        if meeting or committee:
            meetings, committees = subject_places(store, subject["type"], subject["id"])
            if meeting and meeting not in meetings:
                continue
            if committee and committee not in committees:
                continue
        pos = {**pos, "title": subject_title(store, subject["type"], subject["id"])}
        if needle and needle not in " ".join(
                str(v) for v in (subject["id"], pos["title"], pos["brief"], pos["owner"]) if v).casefold():
            continue
        out.append(pos)
    return out


def missing_positions(store: Store, *, now: str | None = None, meeting: str | None = None,
                      committee: str | None = None) -> list[dict]:
    """Agenda items of sessions still to come on which the delegation has no position.

    An item counts as covered when there is a position on the item itself, on
    one of its documents, or on a proposal in one of its documents.
    """
    now = now or utcnow()
    clauses, params = ["withdrawn = 0", "ends_at >= ?", "coalesce(status, '') != 'cancelled'"], [now]
    if meeting:
        clauses.append("meeting = ?")
        params.append(meeting)
    if committee:
        clauses.append("committee = ?")
        params.append(committee)
    sessions = store.execute(
        f"SELECT id, meeting, committee, title, starts_at, agenda FROM session WHERE {' AND '.join(clauses)} "
        "ORDER BY starts_at, id", params).fetchall()
    have = {(r[0], r[1]) for r in store.execute("SELECT subject_type, subject_id FROM my_position")}
    out = []
    for s in sessions:
        for entry in json.loads(s["agenda"] or "[]"):
            item_id = agenda_item_id(s["id"], entry.get("item"))
            docs = entry.get("documents") or []
            covered = ("agenda_item", item_id) in have or any(("document", d) in have for d in docs)
            if not covered and docs:
                marks = ", ".join("?" * len(docs))
                for (pid,) in store.execute(f"SELECT id FROM proposal WHERE document IN ({marks})", docs):
                    if ("proposal", pid) in have:
                        covered = True
                        break
            if not covered:
                out.append({"subject": {"type": "agenda_item", "id": item_id}, "session": s["id"],
                            "session_title": s["title"], "meeting": s["meeting"], "committee": s["committee"],
                            "starts_at": s["starts_at"], "item": entry.get("item"), "title": entry.get("title"),
                            "documents": docs})
    return out


# --- a colleague's version (delegation bundles) ------------------------------------------------

def open_position_conflicts(store: Store) -> list[dict]:
    """Positions where a colleague's imported version differs from a local edit, still undecided."""
    rows = store.execute(
        "SELECT conflict_id, channel, id, local_data, remote_data, detected_at FROM my_conflict "
        "WHERE type = 'position' AND resolved_at IS NULL ORDER BY detected_at, conflict_id").fetchall()
    out = []
    for r in rows:
        local, remote = json.loads(r["local_data"]), json.loads(r["remote_data"])
        fields = [f for f in delegation.POSITION_FIELDS if (local.get(f) or None) != (remote.get(f) or None)]
        out.append({"conflict_id": r["conflict_id"], "channel": r["channel"], "id": r["id"],
                    "local": local, "remote": remote, "fields": fields, "detected_at": r["detected_at"]})
    return out


def resolve_position_conflict(store: Store, conflict_id: int, choices: dict[str, str], *,
                              changed_by: str | None = None) -> None:
    """Keep, field by field, the local or the colleague's value (``choices``: field -> "local"/"remote").

    Whole choices go through the delegation-bundle import's own resolution (so the next import knows
    what was decided); a mix is saved here as a local edit, then the conflict is closed keeping it.
    """
    from wtdc_desktop.store import delegation_sync

    row = store.execute("SELECT channel, local_data, remote_data, resolved_at FROM my_conflict "
                        "WHERE conflict_id = ?", (conflict_id,)).fetchone()
    if row is None or row["resolved_at"] is not None:
        raise PositionError(_("There is no open conflict {id} to resolve.").format(id=conflict_id))
    local, remote = json.loads(row["local_data"]), json.loads(row["remote_data"])
    differing = [f for f in delegation.POSITION_FIELDS if (local.get(f) or None) != (remote.get(f) or None)]
    picked = {choices.get(f, "local") for f in differing}
    if picked == {"remote"}:
        delegation_sync.resolve_conflict(store, conflict_id, "remote")
        return
    if "remote" in picked:
        subject = local.get("subject") or remote.get("subject") or {}
        merged = {f: (remote if choices.get(f) == "remote" else local).get(f) for f in delegation.POSITION_FIELDS}
        merged = {k: ("" if v is None and k not in ("stance", "status", "priority") else v)
                  for k, v in merged.items()}
        save_position(store, subject.get("type"), subject.get("id"), changed_by=changed_by, origin=row["channel"],
                      **merged)
    delegation_sync.resolve_conflict(store, conflict_id, "local")
