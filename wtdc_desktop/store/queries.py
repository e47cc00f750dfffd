"""Read queries over published records: counts, listings, search, one record."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass

from wtdc_desktop.domain.records import PUBLISHED_TYPES
from wtdc_desktop.store.db import Store

#: Default order of each published type's listing (an index backs each).
ORDER_BY = {
    "region": "id",
    "organization": "id",
    "meeting": "coalesce(starts_on, '9999'), id",
    "committee": "meeting, id",
    "document": "sort_key",
    "resolution": "sort_key",
    "question": "sort_key",
    "proposal": "id",
    "session": "starts_at, id",
    "contact": "name, id",
    "priority": "region, id",
    "deadline": "due_utc, id",
}


def _check_type(type_name: str) -> None:
    if type_name not in PUBLISHED_TYPES:
        raise ValueError(f"unknown record type {type_name!r}")


def counts(store: Store, *, include_withdrawn: bool = False) -> dict[str, int]:
    """Number of current (not withdrawn, unless asked) records of every published type."""
    out = {}
    where = "" if include_withdrawn else " WHERE withdrawn = 0"
    for type_name in PUBLISHED_TYPES:
        out[type_name] = store.execute(f"SELECT count(*) FROM {type_name}{where}").fetchone()[0]
    return out


def record_from_row(type_name: str, row: sqlite3.Row) -> dict:
    """The record as published, plus what the store knows of it."""
    record = json.loads(row["raw"])
    if type_name == "document":
        record["number"] = row["sym_number"]
        record["revision"] = row["sym_revision"]
        record["addendum"] = row["sym_addendum"]
        record["corrigendum"] = row["sym_corrigendum"]
    record["withdrawn"] = bool(row["withdrawn"])
    return record


def list_records(store: Store, type_name: str, *, include_withdrawn: bool = False,
                 meeting: str | None = None, limit: int | None = None, offset: int = 0) -> list[dict]:
    _check_type(type_name)
    clauses, params = [], []
    if not include_withdrawn:
        clauses.append("withdrawn = 0")
    if meeting and type_name in ("document", "committee", "session", "deadline"):
        clauses.append("meeting = ?")
        params.append(meeting)
    sql = f"SELECT * FROM {type_name}"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += f" ORDER BY {ORDER_BY[type_name]}"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    return [record_from_row(type_name, row) for row in store.execute(sql, params)]


def get_record(store: Store, type_name: str, record_id: str) -> dict | None:
    _check_type(type_name)
    row = store.execute(f"SELECT * FROM {type_name} WHERE id = ?", (record_id,)).fetchone()
    return record_from_row(type_name, row) if row else None


def record_history(store: Store, type_name: str, record_id: str) -> list[dict]:
    """Earlier versions of a record, oldest first."""
    rows = store.execute(
        "SELECT raw, content_hash, bundle_seq, channel, applied_sync, superseded_sync FROM record_version "
        "WHERE type = ? AND id = ? ORDER BY vid",
        (type_name, record_id),
    ).fetchall()
    return [{"record": json.loads(r["raw"]), "content_hash": r["content_hash"], "bundle_seq": r["bundle_seq"],
             "channel": r["channel"], "applied_sync": r["applied_sync"], "superseded_sync": r["superseded_sync"]}
            for r in rows]


# --- search -----------------------------------------------------------------------

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str | None:
    """Turn what a user typed into a safe FTS5 query: every word must match, the last as a prefix."""
    words = _TOKEN_RE.findall(text)
    if not words:
        return None
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


@dataclass(frozen=True)
class Hit:
    type: str
    id: str
    title: str
    snippet: str
    rank: float

    def as_dict(self) -> dict:
        return {"type": self.type, "id": self.id, "title": self.title, "snippet": self.snippet, "rank": self.rank}


def search(store: Store, text: str, *, types: tuple[str, ...] | None = None, limit: int = 50,
           mark: tuple[str, str] = ("[", "]")) -> list[Hit]:
    """Ranked (bm25) hits over documents, resolutions, Questions, proposals, notes and briefs."""
    query = fts_query(text)
    if query is None:
        return []
    sql = (
        "SELECT kind, key, title, snippet(search_index, -1, ?, ?, '…', 12) AS snip, rank "
        "FROM search_index WHERE search_index MATCH ?"
    )
    params: list = [mark[0], mark[1], query]
    if types:
        sql += f" AND kind IN ({', '.join('?' * len(types))})"
        params += list(types)
    # bm25 weights: kind, key, title, summary, body
    sql += " ORDER BY bm25(search_index, 0.0, 4.0, 10.0, 3.0, 1.0) LIMIT ?"
    params.append(limit)
    hits = []
    for row in store.execute(sql, params):
        kind, key = row["kind"], row["key"]
        hits.append(Hit(kind, key, row["title"] or "", row["snip"] or "", row["rank"]))
    return hits


# --- list views ------------------------------------------------------------------------------

#: Columns a list view shows for each type (all are real columns of its table).
VIEW_COLUMNS = {
    "region": ("id", "name"),
    "organization": ("id", "name", "kind", "region"),
    "meeting": ("id", "title", "kind", "city", "starts_on", "ends_on"),
    "committee": ("id", "name", "kind", "meeting"),
    "document": ("id", "title", "source", "date", "status"),
    "resolution": ("id", "title", "revision", "status"),
    "question": ("id", "title", "study_group", "period", "status"),
    "proposal": ("id", "title", "action", "target_id", "status"),
    "session": ("id", "title", "starts_at", "ends_at", "room", "status"),
    "contact": ("id", "name", "organization", "region", "email"),
    "priority": ("id", "title", "region", "estimated_amount", "estimated_currency"),
    "deadline": ("id", "title", "due", "meeting"),
}
_FTS_TYPES = ("document", "resolution", "question", "proposal")


def _view_where(type_name: str, filter_text: str | None) -> tuple[str, list]:
    clauses, params = ["withdrawn = 0"], []
    if filter_text and filter_text.strip():
        query = fts_query(filter_text)
        if type_name in _FTS_TYPES and query:
            clauses.append("id IN (SELECT key FROM search_index WHERE search_index MATCH ? AND kind = ?)")
            params += [query, type_name]
        else:
            like = "%" + filter_text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            cols = [c for c in VIEW_COLUMNS[type_name]]
            clauses.append("(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in cols) + ")")
            params += [like] * len(cols)
    return " WHERE " + " AND ".join(clauses), params


def view_count(store: Store, type_name: str, filter_text: str | None = None) -> int:
    _check_type(type_name)
    where, params = _view_where(type_name, filter_text)
    return store.execute(f"SELECT count(*) FROM {type_name}{where}", params).fetchone()[0]


def view_ids(store: Store, type_name: str, filter_text: str | None = None, *, sort_column: str | None = None,
             descending: bool = False, limit: int = 200, offset: int = 0) -> list[str]:
    """One page of record ids for a list view, filtered and sorted in SQL."""
    _check_type(type_name)
    where, params = _view_where(type_name, filter_text)
    if sort_column is None or sort_column == "id":
        order = ORDER_BY[type_name]
    elif sort_column in VIEW_COLUMNS[type_name]:
        order = f"{sort_column}, id"
    else:
        raise ValueError(f"cannot sort {type_name} by {sort_column!r}")
    direction = " DESC" if descending else ""
    order = ", ".join(part + direction for part in order.split(","))
    sql = f"SELECT id FROM {type_name}{where} ORDER BY {order} LIMIT ? OFFSET ?"
    return [row[0] for row in store.execute(sql, [*params, limit, offset])]


def view_rows(store: Store, type_name: str, ids: list[str]) -> dict[str, tuple]:
    """The list-view columns of these records, by id."""
    _check_type(type_name)
    if not ids:
        return {}
    cols = ", ".join(VIEW_COLUMNS[type_name])
    out = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        sql = f"SELECT {cols} FROM {type_name} WHERE id IN ({', '.join('?' * len(chunk))})"
        for row in store.execute(sql, chunk):
            out[row[0]] = tuple(row)
    return out


def is_empty(store: Store) -> bool:
    return store.execute("SELECT NOT EXISTS (SELECT 1 FROM channel_state)").fetchone()[0] == 1
