"""The delegation's positions (``my_position``) and their history (``my_position_history``).

This module is the only writer of both tables: a save from the window or the
command line (:func:`save_position`) and a colleague's version merged by a
delegation-bundle import (:func:`write_colleague_position`,
:func:`delete_position`) write the position and its history row in the
caller's one transaction. Also: reads, filters, positions still missing on
coming agendas, and settling a colleague's differing version field by field.
"""

from __future__ import annotations

import json
import sqlite3
import uuid

from wtdc_desktop.domain.positions import PRIORITIES, STANCES, STATUSES, SUBJECT_LABELS, SUBJECT_TYPES
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _
from wtdc_desktop.store.db import Store, utcnow

#: The fields of a position the user edits (besides its subject).
POSITION_FIELDS = ("stance", "priority", "brief", "red_lines", "fallback", "owner", "status")
#: Free-text fields: an empty one is kept as NULL, as a delegation bundle carries it (absent).
_TEXT_FIELDS = ("brief", "red_lines", "fallback", "owner")


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


#: Subject types that are records of the store (the others are targets that proposals name).
RECORD_SUBJECTS = ("resolution", "question", "proposal", "document")


def resolve_subject(store: Store, subject_type: str, subject_id: str) -> str | None:
    """The id under which the store knows what a position would be about, or None when it knows nothing of it.

    Ids are matched as the store matches links (:func:`store.related.resolve_reference`: a
    resolution or Question also by its number), then whatever the case, and a document by
    its symbol's identity (``wtdc-21/25-e`` is ``WTDC-21/25``). An agenda item
    (``SESSION#ITEM``) must be on its session's agenda; a declaration, a plan or another
    target must be named by a proposal.
    """
    from wtdc_desktop.store import related

    given = (subject_id or "").strip()
    if not given:
        return None
    if subject_type in RECORD_SUBJECTS:
        if store.execute(f"SELECT 1 FROM {subject_type} WHERE id = ?", (given,)).fetchone():
            return given
        target = _proposal_target(store, subject_type, given)
        if target == given:  # the matrix's targets are named as the proposals name them
            return target
        found = related.resolve_reference(store, subject_type, given)
        if found is not None and found[0] == subject_type:
            return found[1]
        if subject_type == "document":
            from wtdc_desktop.domain.symbols import try_parse_symbol

            symbol = try_parse_symbol(given)
            if symbol is not None and symbol.identity != given:
                row = store.execute("SELECT id FROM document WHERE id = ?", (symbol.identity,)).fetchone()
                if row:
                    return row[0]
        row = store.execute(f"SELECT id FROM {subject_type} WHERE id = ? COLLATE NOCASE ORDER BY withdrawn, id "
                            "LIMIT 1", (given,)).fetchone()
        return row[0] if row else target
    if subject_type == "agenda_item":
        session, sep, item = given.rpartition("#")
        if not sep:
            return None
        row = store.execute("SELECT id, agenda FROM session WHERE id = ? COLLATE NOCASE ORDER BY withdrawn, id "
                            "LIMIT 1", (session.strip(),)).fetchone()
        if row is None:
            return None
        items = {str(e.get("item")).casefold(): str(e.get("item")) for e in json.loads(row[1] or "[]")}
        found_item = items.get(item.strip().casefold())
        return agenda_item_id(row[0], found_item) if found_item is not None else None
    return _proposal_target(store, subject_type, given)


def _proposal_target(store: Store, subject_type: str, given: str) -> str | None:
    """The target id of a proposal aimed at (type, id), whatever the case (exactly as given first)."""
    row = store.execute("SELECT target_id FROM proposal WHERE target_type = ? AND target_id = ? COLLATE NOCASE "
                        "ORDER BY target_id = ? DESC, withdrawn, target_id LIMIT 1",
                        (subject_type, given, given)).fetchone()
    return row[0] if row else None


def _candidates(store: Store, subject_type: str, words: list[str]):
    """(id, title) of what a position of this type could be about, in the store's order; for
    records, those holding each ASCII word typed in their symbol or title (SQLite's LIKE ignores
    only ASCII case), so that a store of 100 000 documents is not read whole at each key."""
    from wtdc_desktop.domain.records import PUBLISHED_TYPES

    if subject_type in RECORD_SUBJECTS:
        where, params = "", []
        for word in (w for w in words if w.isascii()):
            where += " AND (id LIKE ? ESCAPE '\\' OR title LIKE ? ESCAPE '\\')"
            params += ["%" + _like(word) + "%"] * 2
        yield from store.execute(f"SELECT id, coalesce(title, '') FROM {subject_type} WHERE withdrawn = 0{where} "
                                 f"ORDER BY {PUBLISHED_TYPES[subject_type].order_by}", params)
        named = "SELECT DISTINCT target_id, '' FROM proposal WHERE withdrawn = 0 AND target_type = ? AND " \
                f"target_id NOT IN (SELECT id FROM {subject_type}) ORDER BY target_id"
        yield from store.execute(named, (subject_type,))
    elif subject_type == "agenda_item":
        for sid, title, agenda in store.execute(
                "SELECT id, coalesce(title, ''), agenda FROM session WHERE withdrawn = 0 AND agenda IS NOT NULL "
                "ORDER BY starts_at, id"):
            for entry in json.loads(agenda or "[]"):
                yield agenda_item_id(sid, entry.get("item")), " — ".join(
                    t for t in (str(entry.get("title") or ""), title) if t)
    else:
        yield from store.execute("SELECT DISTINCT target_id, '' FROM proposal WHERE withdrawn = 0 AND "
                                 "target_type = ? ORDER BY target_id", (subject_type,))


def _like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_targets(store: Store, subject_type: str, text: str, *, limit: int = 50) -> list[dict]:
    """What a new position of this type may be about, for completion: ``{"id", "title"}``.

    Every word typed must be in the symbol or the title, whatever the case; an exact symbol
    comes first, then symbols that start with what was typed, then the rest in the store's order.
    """
    words = (text or "").casefold().split()
    if not words or subject_type not in SUBJECT_TYPES:
        return []
    typed = " ".join(words)
    exact: list[dict] = []
    prefix: list[dict] = []
    other: list[dict] = []
    seen: set[str] = set()

    def take(rows, *, stop: bool) -> None:
        for rid, title in rows:
            key, name = str(rid).casefold(), (title or "").casefold()
            if rid in seen or not all(w in key or w in name for w in words):
                continue
            seen.add(rid)
            found = {"id": rid, "title": title or ""}
            (exact if key == typed else prefix if key.startswith(words[0]) else other).append(found)
            if stop and len(exact) + len(prefix) + len(other) >= limit:
                return

    if subject_type in RECORD_SUBJECTS and words[0].isascii():  # symbols starting so: looked up first
        from wtdc_desktop.domain.records import PUBLISHED_TYPES

        take(store.execute(f"SELECT id, coalesce(title, '') FROM {subject_type} WHERE withdrawn = 0 AND id LIKE ? "
                           f"ESCAPE '\\' ORDER BY {PUBLISHED_TYPES[subject_type].order_by} LIMIT ?",
                           (_like(words[0]) + "%", limit)), stop=False)
    if len(exact) + len(prefix) < limit:
        take(_candidates(store, subject_type, words), stop=True)
    return (exact + prefix + other)[:limit]


def check_subject(store: Store, subject_type: str, subject_id: str) -> str:
    """The id a new or changed position on this subject is saved under; refuses what the store does not hold.

    A position already saved under exactly this subject may always be changed (its record may
    have been withdrawn since, or it came from a colleague)."""
    _check({}, subject_type)
    if position_for(store, subject_type, subject_id) is not None:
        return subject_id
    found = resolve_subject(store, subject_type, subject_id)
    if found is None:
        raise PositionError(_("{type} “{id}” is not in the store: a position can only be on a record it "
                              "holds.").format(type=_(SUBJECT_LABELS.get(subject_type, subject_type)),
                                               id=(subject_id or "").strip()))
    return found


def save_position(store: Store, subject_type: str, subject_id: str, *, changed_by: str | None = None,
                  origin: str | None = None, **values) -> str:
    """Create or update a position after checking its values, with its history row, in one transaction.

    A field left out (or None) keeps its saved value; ``origin`` names the delegation channel a
    value came from (settling a colleague's version), kept in the history row. The subject must
    be one the store holds (:func:`check_subject`), matched as the store matches ids.
    """
    _check(values, subject_type)
    subject_id = check_subject(store, subject_type, subject_id)
    with store.transaction() as conn:
        return _save(conn, subject_type, subject_id, values, changed_by=changed_by, origin=origin)


def _save(conn: sqlite3.Connection, subject_type: str, subject_id: str, values: dict, *,
          changed_by: str | None, origin: str | None) -> str:
    unknown = set(values) - set(POSITION_FIELDS)
    if unknown:
        raise ValueError(f"unknown position fields {sorted(unknown)}")
    if values.get("priority") == "":
        values = {**values, "priority": None}
    now = utcnow()
    row = conn.execute("SELECT * FROM my_position WHERE subject_type = ? AND subject_id = ?",
                       (subject_type, subject_id)).fetchone()
    if row is None:
        position_id = uuid.uuid4().hex
        data = {k: values.get(k) for k in POSITION_FIELDS}
        data["stance"] = data["stance"] or "undecided"
        data["status"] = data["status"] or "draft"
        data.update({k: None for k in _TEXT_FIELDS if data[k] == ""})
        conn.execute(
            "INSERT INTO my_position (id, subject_type, subject_id, stance, priority, brief, red_lines, fallback, "
            "owner, status, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (position_id, subject_type, subject_id, *(data[k] for k in POSITION_FIELDS), now, changed_by))
    else:
        position_id = row["id"]
        data = {k: row[k] for k in POSITION_FIELDS}
        data.update({k: v for k, v in values.items() if v is not None})
        data.update({k: None for k in _TEXT_FIELDS if data[k] == ""})
        conn.execute(
            f"UPDATE my_position SET {', '.join(f'{k} = ?' for k in POSITION_FIELDS)}, updated_at = ?, "
            "updated_by = ? WHERE id = ?",
            (*(data[k] for k in POSITION_FIELDS), now, changed_by, position_id))
    _add_history(conn, position_id, subject_type, subject_id, data, changed_at=now, changed_by=changed_by,
                 origin=origin)
    return position_id


def _add_history(conn: sqlite3.Connection, position_id: str, subject_type: str, subject_id: str, data: dict, *,
                 changed_at: str, changed_by: str | None, origin: str | None) -> None:
    """Every saved version is kept, those that came from colleagues too."""
    conn.execute(
        "INSERT INTO my_position_history (position_id, changed_at, changed_by, data, origin, subject_type, "
        "subject_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (position_id, changed_at, changed_by,
         json.dumps({"subject": {"type": subject_type, "id": subject_id}, **data}, ensure_ascii=False,
                    sort_keys=True),
         origin, subject_type, subject_id))


def write_colleague_position(conn: sqlite3.Connection, record: dict, local_rid: int | None, *, updated_at: str,
                             origin: str) -> None:
    """Take a colleague's version (a delegation-bundle record) over the local row ``local_rid`` (None: new).

    The local row takes the record's id; its history follows it.
    """
    subject = record["subject"]
    values = {k: record.get(k) for k in POSITION_FIELDS}
    values["status"] = values["status"] or "draft"
    if local_rid is None:
        conn.execute(
            "INSERT INTO my_position (id, subject_type, subject_id, stance, priority, brief, red_lines, fallback, "
            "owner, status, updated_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record["id"], subject["type"], subject["id"], *(values[k] for k in POSITION_FIELDS), updated_at,
             origin))
    else:
        old_id = conn.execute("SELECT id FROM my_position WHERE rid = ?", (local_rid,)).fetchone()[0]
        conn.execute(
            f"UPDATE my_position SET id = ?, subject_type = ?, subject_id = ?, "
            f"{', '.join(f'{k} = ?' for k in POSITION_FIELDS)}, updated_at = ?, updated_by = NULL, origin = ? "
            "WHERE rid = ?",
            (record["id"], subject["type"], subject["id"], *(values[k] for k in POSITION_FIELDS), updated_at,
             origin, local_rid))
        if old_id != record["id"]:
            conn.execute("UPDATE my_position_history SET position_id = ? WHERE position_id = ?",
                         (record["id"], old_id))
    _add_history(conn, record["id"], subject["type"], subject["id"], values, changed_at=utcnow(),
                 changed_by=record.get("owner"), origin=origin)


def delete_position(conn: sqlite3.Connection, position_id: str) -> None:
    """Remove a position (its history stays); a colleague removed it and it was not changed here."""
    conn.execute("DELETE FROM my_position WHERE id = ?", (position_id,))


# --- reading ----------------------------------------------------------------------------------

def position_for(store: Store, subject_type: str, subject_id: str) -> dict | None:
    row = store.execute("SELECT * FROM my_position WHERE subject_type = ? AND subject_id = ?",
                        (subject_type, subject_id)).fetchone()
    return dict(row) if row else None


def list_positions(store: Store) -> list[dict]:
    rows = store.execute("SELECT * FROM my_position ORDER BY subject_type, subject_id").fetchall()
    return [{
        "id": r["id"], "subject": {"type": r["subject_type"], "id": r["subject_id"]},
        **{k: r[k] for k in POSITION_FIELDS}, "updated_at": r["updated_at"],
    } for r in rows]


def stances(store: Store) -> dict[tuple[str, str], str]:
    """(subject type, subject id) -> the delegation's stance."""
    return {(r[0], r[1]): r[2] for r in store.execute("SELECT subject_type, subject_id, stance FROM my_position")}


def history_for(store: Store, subject_type: str, subject_id: str) -> list[dict]:
    """Every saved version of the position on a record, oldest first, with who and when."""
    pos = position_for(store, subject_type, subject_id)
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
    """Positions (shape of :func:`list_positions`) with their subject's title, filtered."""
    out = []
    needle = (text or "").strip().casefold()
    for pos in list_positions(store):
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
    (Today's list of proposals on coming agendas without a position is
    :func:`wtdc_desktop.store.upcoming.proposals_without_position`.)
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

def _differing(local: dict, remote: dict) -> list[str]:
    return [f for f in POSITION_FIELDS if (local.get(f) or None) != (remote.get(f) or None)]


def open_position_edit_conflicts(store: Store) -> list[dict]:
    """Positions where a colleague's imported version differs from a local edit, still undecided."""
    from wtdc_desktop.store import delegation_merge

    found = sorted((c for c in delegation_merge.open_edit_conflicts(store) if c["type"] == "position"),
                   key=lambda c: (c["detected_at"], c["conflict_id"]))
    return [{"conflict_id": c["conflict_id"], "channel": c["channel"], "id": c["id"], "local": c["local"],
             "remote": c["remote"], "fields": _differing(c["local"], c["remote"]), "detected_at": c["detected_at"]}
            for c in found]


def resolve_position_edit_conflict(store: Store, conflict_id: int, choices: dict[str, str], *,
                                   changed_by: str | None = None) -> None:
    """Keep, field by field, the local or the colleague's value (``choices``: field -> "local"/"remote").

    Whole choices go through the delegation-bundle import's own resolution (so the next import knows
    what was decided); a mix is saved as a local edit and the conflict closed keeping it, in one transaction.
    """
    from wtdc_desktop.store import delegation_merge

    try:
        conflict = delegation_merge.edit_conflict(store.conn, conflict_id)
    except delegation_merge.EditConflictError:
        raise PositionError(_("There is no open conflict {id} to resolve.").format(id=conflict_id)) from None
    local, remote = conflict["local"], conflict["remote"]
    picked = {choices.get(f, "local") for f in _differing(local, remote)}
    if picked == {"remote"}:
        delegation_merge.resolve_edit_conflict(store, conflict_id, "remote")
        return
    if "remote" not in picked:
        delegation_merge.resolve_edit_conflict(store, conflict_id, "local")
        return
    subject = local.get("subject") or remote.get("subject") or {}
    merged = {f: (remote if choices.get(f) == "remote" else local).get(f) for f in POSITION_FIELDS}
    merged = {k: ("" if v is None and k not in ("stance", "status", "priority") else v) for k, v in merged.items()}
    _check(merged, subject.get("type"))
    with store.transaction() as conn:
        _save(conn, subject.get("type"), subject.get("id"), merged, changed_by=changed_by, origin=conflict["channel"])
        delegation_merge.settle_edit_conflict(conn, conflict_id, "local")
