"""The delegation's own layer: stars, read marks, notes, positions, members.

These tables (``my_*``) are written only here, by the user's actions or a
delegation-bundle import; no published bundle ever touches them.
"""

from __future__ import annotations

import json

from wtdc_desktop.store.db import Store, utcnow


def _new_id() -> str:
    """A random identifier for a note or position (uuid, with platform, loaded on first use)."""
    import uuid

    return uuid.uuid4().hex


POSITION_FIELDS = ("stance", "priority", "brief", "red_lines", "fallback", "owner", "status")


# --- stars and read marks ---------------------------------------------------------

def set_star(store: Store, type_name: str, record_id: str, starred: bool = True) -> None:
    with store.transaction() as conn:
        if starred:
            conn.execute("INSERT OR IGNORE INTO my_star (type, id, starred_at) VALUES (?, ?, ?)",
                         (type_name, record_id, utcnow()))
        else:
            conn.execute("DELETE FROM my_star WHERE type = ? AND id = ?", (type_name, record_id))


def is_starred(store: Store, type_name: str, record_id: str) -> bool:
    return store.execute("SELECT 1 FROM my_star WHERE type = ? AND id = ?", (type_name, record_id)).fetchone() is not None


def starred(store: Store, type_name: str | None = None) -> list[tuple[str, str]]:
    sql = "SELECT type, id FROM my_star"
    params: tuple = ()
    if type_name:
        sql += " WHERE type = ?"
        params = (type_name,)
    return [(r[0], r[1]) for r in store.execute(sql + " ORDER BY starred_at", params)]


def mark_read(store: Store, type_name: str, record_id: str, read: bool = True) -> None:
    with store.transaction() as conn:
        if read:
            row = conn.execute(f"SELECT content_hash FROM {_published(type_name)} WHERE id = ?", (record_id,)).fetchone()
            conn.execute(
                "INSERT INTO my_read (type, id, read_at, read_hash) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (type, id) DO UPDATE SET read_at = excluded.read_at, read_hash = excluded.read_hash",
                (type_name, record_id, utcnow(), row[0] if row else None),
            )
        else:
            conn.execute("DELETE FROM my_read WHERE type = ? AND id = ?", (type_name, record_id))


def is_read(store: Store, type_name: str, record_id: str) -> bool:
    return store.execute("SELECT 1 FROM my_read WHERE type = ? AND id = ?", (type_name, record_id)).fetchone() is not None


def _published(type_name: str) -> str:
    from wtdc_desktop.domain.records import PUBLISHED_TYPES

    if type_name not in PUBLISHED_TYPES:
        raise ValueError(f"unknown record type {type_name!r}")
    return type_name


# --- notes ------------------------------------------------------------------------------

def save_note(store: Store, subject_type: str, subject_id: str, body: str, *, note_id: str | None = None,
              author: str | None = None) -> str:
    """Create or update a note; returns its id."""
    now = utcnow()
    with store.transaction() as conn:
        if note_id is None:
            note_id = _new_id()
            conn.execute(
                "INSERT INTO my_note (id, subject_type, subject_id, body, author, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (note_id, subject_type, subject_id, body, author, now, now),
            )
        else:
            conn.execute("UPDATE my_note SET body = ?, author = coalesce(?, author), updated_at = ? WHERE id = ?",
                         (body, author, now, note_id))
    return note_id


def delete_note(store: Store, note_id: str) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM my_note WHERE id = ?", (note_id,))


def notes_for(store: Store, subject_type: str, subject_id: str) -> list[dict]:
    rows = store.execute(
        "SELECT id, body, author, created_at, updated_at FROM my_note WHERE subject_type = ? AND subject_id = ? "
        "ORDER BY created_at", (subject_type, subject_id)).fetchall()
    return [dict(r) for r in rows]


# --- positions --------------------------------------------------------------------------

def set_position(store: Store, subject_type: str, subject_id: str, *, changed_by: str | None = None,
                 **values) -> str:
    """Create or update the delegation's position on a record; every change is kept in its history."""
    unknown = set(values) - set(POSITION_FIELDS)
    if unknown:
        raise ValueError(f"unknown position fields {sorted(unknown)}")
    now = utcnow()
    with store.transaction() as conn:
        row = conn.execute("SELECT * FROM my_position WHERE subject_type = ? AND subject_id = ?",
                           (subject_type, subject_id)).fetchone()
        if row is None:
            position_id = _new_id()
            data = {k: values.get(k) for k in POSITION_FIELDS}
            data["stance"] = data["stance"] or "undecided"
            data["status"] = data["status"] or "draft"
            conn.execute(
                "INSERT INTO my_position (id, subject_type, subject_id, stance, priority, brief, red_lines, fallback, "
                "owner, status, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (position_id, subject_type, subject_id, *(data[k] for k in POSITION_FIELDS), now, changed_by),
            )
        else:
            position_id = row["id"]
            data = {k: row[k] for k in POSITION_FIELDS}
            data.update({k: v for k, v in values.items() if v is not None})
            conn.execute(
                f"UPDATE my_position SET {', '.join(f'{k} = ?' for k in POSITION_FIELDS)}, updated_at = ?, "
                "updated_by = ? WHERE id = ?",
                (*(data[k] for k in POSITION_FIELDS), now, changed_by, position_id),
            )
        conn.execute(
            "INSERT INTO my_position_history (position_id, changed_at, changed_by, data) VALUES (?, ?, ?, ?)",
            (position_id, now, changed_by, json.dumps({"subject": {"type": subject_type, "id": subject_id}, **data},
                                                       ensure_ascii=False, sort_keys=True)),
        )
    return position_id


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


def position_history(store: Store, position_id: str) -> list[dict]:
    rows = store.execute("SELECT changed_at, changed_by, data FROM my_position_history WHERE position_id = ? "
                         "ORDER BY hid", (position_id,)).fetchall()
    return [{"changed_at": r[0], "changed_by": r[1], **json.loads(r[2])} for r in rows]
