"""The delegation's stars, read marks and notes (``my_star``, ``my_read``, ``my_note``).

This module is the only writer of these tables, for the user's actions and
for a delegation-bundle import (:func:`write_colleague_note`,
:func:`drop_note`); no published bundle ever touches them. Positions are kept
by :mod:`wtdc_desktop.store.positions`, members and coverage by
:mod:`wtdc_desktop.store.sessions`.
"""

from __future__ import annotations

import sqlite3

from wtdc_desktop.store.db import Store, utcnow


def _new_id() -> str:
    """A random identifier for a note (uuid, with platform, loaded on first use)."""
    import uuid

    return uuid.uuid4().hex


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
        drop_note(conn, note_id)


def drop_note(conn: sqlite3.Connection, note_id: str) -> None:
    """Remove a note in the caller's transaction."""
    conn.execute("DELETE FROM my_note WHERE id = ?", (note_id,))


def write_colleague_note(conn: sqlite3.Connection, record: dict, *, updated_at: str, origin: str) -> None:
    """Take a colleague's version of a note (a delegation-bundle record), in the caller's transaction."""
    subject = record["subject"]
    conn.execute(
        "INSERT INTO my_note (id, subject_type, subject_id, body, author, created_at, updated_at, origin) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET subject_type = excluded.subject_type, "
        "subject_id = excluded.subject_id, body = excluded.body, author = excluded.author, "
        "updated_at = excluded.updated_at, origin = excluded.origin",
        (record["id"], subject["type"], subject["id"], record["body"], record.get("author"), updated_at, updated_at,
         origin))


def notes_for(store: Store, subject_type: str, subject_id: str) -> list[dict]:
    rows = store.execute(
        "SELECT id, body, author, created_at, updated_at FROM my_note WHERE subject_type = ? AND subject_id = ? "
        "ORDER BY created_at", (subject_type, subject_id)).fetchall()
    return [dict(r) for r in rows]
