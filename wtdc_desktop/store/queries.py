"""Read queries over published records: counts, listings, search, one record."""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from dataclasses import dataclass

from wtdc_desktop.domain.records import PUBLISHED_TYPES
from wtdc_desktop.store.db import Store
from wtdc_desktop.store.schema import FTS_CODES

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


def counts(store: Store, *, include_withdrawn: bool = False, types: tuple[str, ...] | None = None) -> dict[str, int]:
    """Number of current (not withdrawn, unless asked) records of every published type (or of ``types``)."""
    out = {}
    where = "" if include_withdrawn else " WHERE withdrawn = 0"
    for type_name in types or PUBLISHED_TYPES:
        _check_type(type_name)
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


#: bm25 weights of the search index's columns: kind, key, title, summary, body.
BM25_WEIGHTS = "bm25(0.0, 4.0, 10.0, 3.0, 1.0)"


def search(store: Store, text: str, *, types: tuple[str, ...] | None = None, limit: int = 50,
           mark: tuple[str, str] = ("[", "]")) -> list[Hit]:
    """Ranked (bm25) hits over documents, resolutions, Questions, proposals, notes and briefs, for a
    terminal (matches marked with brackets); the same search as :func:`search_all`."""
    return search_all(store, text, types=types, limit=limit, mark=mark)


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
        trigram = _trigram_match(filter_text.strip()) if has_cjk(filter_text) else None
        # Index rowids are the table's rid * 16 + a code per type: joining on integers is several
        # times faster than on text keys when a short prefix matches most of a large store.
        code = FTS_CODES.get(type_name)
        if type_name in _FTS_TYPES and trigram:
            clauses.append(f"rid IN (SELECT rowid >> 4 FROM search_trigram WHERE {trigram[0]} AND (rowid & 15) = ?)")
            params += [*trigram[1], code]
        elif type_name in _FTS_TYPES and query:
            clauses.append("rid IN (SELECT rowid >> 4 FROM search_index WHERE search_index MATCH ? AND (rowid & 15) = ?)")
            params += [query, code]
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
    order = _view_order(type_name, sort_column, descending)
    sql = f"SELECT id FROM {type_name}{where} ORDER BY {order} LIMIT ? OFFSET ?"
    return [row[0] for row in store.execute(sql, [*params, limit, offset])]


def view_position(store: Store, type_name: str, record_id: str, filter_text: str | None = None, *,
                  sort_column: str | None = None, descending: bool = False) -> int | None:
    """The 0-based row of a record in a list view's order, or None when the filter hides it."""
    _check_type(type_name)
    where, params = _view_where(type_name, filter_text)
    order = _view_order(type_name, sort_column, descending)
    sql = (f"SELECT n FROM (SELECT id, row_number() OVER (ORDER BY {order}) - 1 AS n FROM {type_name}{where}) "
           "WHERE id = ?")
    row = store.execute(sql, [*params, record_id]).fetchone()
    return row[0] if row else None


def _view_order(type_name: str, sort_column: str | None, descending: bool) -> str:
    if sort_column is None or sort_column == "id":
        order = ORDER_BY[type_name]
    elif sort_column in VIEW_COLUMNS[type_name]:
        order = f"{sort_column}, id"
    else:
        raise ValueError(f"cannot sort {type_name} by {sort_column!r}")
    direction = " DESC" if descending else ""
    return ", ".join(part + direction for part in order.split(","))


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


DEMO_PUBLISHER = "wtdc-desktop-demo"


def only_demo_content(store: Store) -> bool:
    """True when the built-in demo is the only published material synced so far."""
    publishers = {row[0] for row in store.execute("SELECT DISTINCT publisher FROM channel_state")}
    return publishers == {DEMO_PUBLISHER}


# --- search across scripts ------------------------------------------------------------

@functools.cache
def _cjk_re() -> re.Pattern:
    # Compiled on first use: re takes 6 ms over these wide ranges, which start-up would pay.
    return re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def has_cjk(text: str) -> bool:
    """Whether a query holds Chinese, Japanese or Korean characters (searched with the trigram index)."""
    return bool(_cjk_re().search(text or ""))


def _trigram_match(text: str) -> tuple[str, list] | None:
    """A WHERE clause over ``search_trigram`` for what the user typed (MATCH, or LIKE for short words)."""
    words = [w for w in re.split(r"[\s\"']+", text) if w]
    if not words:
        return None
    if all(len(w) >= 3 for w in words):
        return "search_trigram MATCH ?", [" ".join('"' + w.replace('"', '""') + '"' for w in words)]
    clauses, params = [], []
    for w in words:
        like = "%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append("(title LIKE ? ESCAPE '\\' OR summary LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\' "
                       "OR key LIKE ? ESCAPE '\\')")
        params += [like] * 4
    return " AND ".join(clauses), params


def _meeting_clause(meeting: str | None) -> tuple[str, list]:
    if not meeting:
        return "", []
    return (" AND ((kind = 'document' AND key IN (SELECT id FROM document WHERE meeting = ?)) OR "
            "(kind = 'proposal' AND key IN (SELECT p.id FROM proposal p JOIN document d ON d.id = p.document "
            "WHERE d.meeting = ?)))", [meeting, meeting])


def search_all(store: Store, text: str, *, types: tuple[str, ...] | None = None, meeting: str | None = None,
               limit: int = 200, mark: tuple[str, str] = ("\x02", "\x03")) -> list[Hit]:
    """Ranked hits over every indexed text; Chinese and Japanese queries use the trigram index.

    ``types`` restricts the kinds (document, resolution, question, proposal,
    note, position); ``meeting`` keeps documents and proposals of one meeting.
    Notes and positions are returned with the record they are attached to in
    ``title`` ("type id").
    """
    if not text or not text.strip():
        return []
    if has_cjk(text):
        match = _trigram_match(text)
        if match is None:
            return []
        where, params = match
        table = "search_trigram"
        order = "ORDER BY rank" if "MATCH" in where else "ORDER BY kind, key"
        snip = f"snippet({table}, -1, ?, ?, '…', 24)" if "MATCH" in where else "substr(coalesce(body, title), 1, 120)"
    else:
        query = fts_query(text)
        if query is None:
            return []
        table, where, params = "search_index", "search_index MATCH ? AND rank MATCH ?", [query, BM25_WEIGHTS]
        order = "ORDER BY rank"
        snip = f"snippet({table}, -1, ?, ?, '…', 12)"
    head_params = [mark[0], mark[1]] if "snippet" in snip else []
    sql = f"SELECT kind, key, title, {snip} AS snip, {'rank' if 'MATCH' in where else '0'} AS rank FROM {table} WHERE {where}"
    all_params = head_params + params
    if types:
        codes = sorted({FTS_CODES[t] for t in types if t in FTS_CODES})
        if not codes:
            return []
        # The kind is also in the index rowid (the record's rid * 16 + a code per kind): filtering on
        # it reads no row's text, where "kind IN (…)" reads every match's to keep a few.
        sql += f" AND (rowid & 15) IN ({', '.join('?' * len(codes))})"
        all_params += codes
    meeting_sql, meeting_params = _meeting_clause(meeting)
    sql += meeting_sql + f" {order} LIMIT ?"
    all_params += meeting_params + [limit]
    hits = []
    for row in store.execute(sql, all_params):
        hits.append(Hit(row["kind"], row["key"], row["title"] or "", row["snip"] or "", row["rank"]))
    return hits


def note_subject(store: Store, note_id: str) -> tuple[str, str] | None:
    row = store.execute("SELECT subject_type, subject_id FROM my_note WHERE id = ?", (note_id,)).fetchone()
    return (row[0], row[1]) if row else None


def position_subject(store: Store, position_id: str) -> tuple[str, str] | None:
    row = store.execute("SELECT subject_type, subject_id FROM my_position WHERE id = ?", (position_id,)).fetchone()
    return (row[0], row[1]) if row else None


def meetings(store: Store) -> list[tuple[str, str, str | None, str | None, str | None]]:
    """(id, title, starts_on, ends_on, timezone) of every current meeting, by start."""
    rows = store.execute("SELECT id, title, starts_on, ends_on, timezone FROM meeting WHERE withdrawn = 0 "
                         f"ORDER BY {ORDER_BY['meeting']}").fetchall()
    return [tuple(r) for r in rows]


# --- related records ----------------------------------------------------------------------

def resolve_reference(store: Store, type_name: str, ref: str) -> tuple[str, str] | None:
    """The record an internal link names: its id as given, or found by number (resolutions, Questions).

    A symbol that looks like both a document and a resolution id is tried as
    both. Returns ``(type, id)`` or None when the store does not hold it.
    """
    candidates = [type_name] + [t for t in ("document", "resolution") if t != type_name and type_name in
                                ("document", "resolution")]
    for t in candidates:
        if t not in PUBLISHED_TYPES:
            continue
        row = store.execute(f"SELECT id FROM {t} WHERE id = ?", (ref,)).fetchone()
        if row:
            return t, row[0]
    if type_name == "resolution":
        body, _sep, number = ref.rpartition("/")
        row = store.execute("SELECT id FROM resolution WHERE body = ? AND number = ? ORDER BY withdrawn LIMIT 1",
                            (body or "WTDC", number or ref)).fetchone()
        if row:
            return "resolution", row[0]
    if type_name == "question":
        number = ref.rpartition(":")[2]
        row = store.execute("SELECT id FROM question WHERE number = ? ORDER BY withdrawn, period DESC LIMIT 1",
                            (number,)).fetchone()
        if row:
            return "question", row[0]
    return None


def proposals_for_document(store: Store, document_id: str) -> list[tuple[str, str, str]]:
    """(id, title, action) of the proposals a document carries."""
    rows = store.execute("SELECT id, coalesce(title, ''), action FROM proposal WHERE document = ? AND withdrawn = 0 "
                         "ORDER BY id", (document_id,)).fetchall()
    return [tuple(r) for r in rows]


def proposals_for_target(store: Store, target_type: str, ids: list[str]) -> list[dict]:
    """Proposals aimed at a record (given by its id and other names, e.g. a resolution's number), with
    the regions of their sources: ``{"id", "title", "action", "regions"}``."""
    if not ids:
        return []
    rows = store.execute(
        f"SELECT id, coalesce(title, '') AS title, action, sources FROM proposal WHERE target_type = ? AND "
        f"target_id IN ({', '.join('?' * len(ids))}) AND withdrawn = 0 ORDER BY id", (target_type, *ids)).fetchall()
    sources = sorted({s for r in rows for s in json.loads(r["sources"] or "[]")})
    regions: dict[str, str] = {}
    if sources:
        for org in store.execute(f"SELECT id, region FROM organization WHERE id IN ({', '.join('?' * len(sources))})",
                                 sources):
            if org[1]:
                regions[org[0]] = org[1]
    out = []
    for r in rows:
        srcs = json.loads(r["sources"] or "[]")
        out.append({"id": r["id"], "title": r["title"], "action": r["action"],
                    "regions": sorted({regions[s] for s in srcs if s in regions})})
    return out


def resolutions_linking_to(store: Store, resolution_id: str) -> list[tuple[str, str]]:
    """(id, title) of resolutions whose links point at this one (cross-sector links, the other way round)."""
    rows = store.execute("SELECT id, title, links FROM resolution WHERE links LIKE ? AND withdrawn = 0 ORDER BY sort_key",
                         ("%" + resolution_id + "%",)).fetchall()
    out = []
    for r in rows:
        if any(isinstance(link, dict) and link.get("to") == resolution_id for link in json.loads(r["links"] or "[]")):
            out.append((r["id"], r["title"]))
    return out


def document_files(store: Store, document_id: str) -> list[dict]:
    """The files of a document, one per language: ``{"language", "title", "path", "sha256", "size", "media_type"}``."""
    rows = store.execute("SELECT language, title, path, sha256, size, media_type FROM document_file "
                         "WHERE document = ? ORDER BY language", (document_id,)).fetchall()
    return [dict(r) for r in rows]


def sessions_with_document(store: Store, document_id: str) -> list[tuple[str, str, str]]:
    """(id, title, starts_at) of sessions whose agenda lists a document."""
    rows = store.execute("SELECT id, title, starts_at, agenda FROM session WHERE agenda LIKE ? AND withdrawn = 0 "
                         "ORDER BY starts_at", ("%" + document_id + "%",)).fetchall()
    out = []
    for r in rows:
        agenda = json.loads(r["agenda"] or "[]")
        if any(document_id in (item.get("documents") or []) for item in agenda if isinstance(item, dict)):
            out.append((r["id"], r["title"], r["starts_at"]))
    return out


# --- the delegation layer on list rows ----------------------------------------------------------

def layer_marks(store: Store, type_name: str, ids: list[str]) -> dict[str, dict]:
    """For each id: ``{"star": bool, "read": bool, "note": bool, "stale_read": bool}`` (read an older version)."""
    _check_type(type_name)
    out = {i: {"star": False, "read": False, "note": False, "stale_read": False} for i in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for row in store.execute(f"SELECT id FROM my_star WHERE type = ? AND id IN ({marks})", (type_name, *chunk)):
            out[row[0]]["star"] = True
        for row in store.execute(
                f"SELECT r.id, r.read_hash IS NOT t.content_hash FROM my_read r LEFT JOIN {type_name} t ON t.id = r.id "
                f"WHERE r.type = ? AND r.id IN ({marks})", (type_name, *chunk)):
            out[row[0]]["read"] = True
            out[row[0]]["stale_read"] = bool(row[1])
        for row in store.execute(f"SELECT DISTINCT subject_id FROM my_note WHERE subject_type = ? AND subject_id IN ({marks})",
                                 (type_name, *chunk)):
            out[row[0]]["note"] = True
    return out


# --- today ----------------------------------------------------------------------------------------

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


# --- sync state for the status bar ------------------------------------------------------------------

def last_sync_per_source(store: Store) -> list[dict]:
    """The latest sync attempt of each source: ``{"source", "finished_at", "outcome", "message", "channel"}``."""
    rows = store.execute(
        "SELECT source, coalesce(finished_at, started_at) AS at, outcome, message, channel FROM sync_log s "
        "WHERE sync_id = (SELECT max(sync_id) FROM sync_log t WHERE t.source IS s.source) ORDER BY at DESC").fetchall()
    return [{"source": r[0], "finished_at": r[1], "outcome": r[2], "message": r[3], "channel": r[4]} for r in rows]


def applied_syncs(store: Store, limit: int = 50) -> list[tuple[int, str, str | None]]:
    """(sync_id, finished_at, source) of applied syncs, newest first (for "changes since")."""
    rows = store.execute("SELECT sync_id, coalesce(finished_at, started_at), source FROM sync_log "
                         "WHERE outcome = 'applied' ORDER BY sync_id DESC LIMIT ?", (limit,)).fetchall()
    return [tuple(r) for r in rows]
