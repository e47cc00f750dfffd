"""Full-text search over published records and the delegation's notes and briefs (FTS5, bm25), and
the trigram index for Chinese, Japanese and Korean queries."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace

from wtdc_desktop.domain.render import markdown_to_text
from wtdc_desktop.store.db import Store
from wtdc_desktop.store.positions import subject_title
from wtdc_desktop.store.schema import FTS_CODES

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
    """One search hit. A note or a position is shown by the record it is about: ``subject``
    (type, id) and ``title`` (that record's title); its own ``id`` is internal."""

    type: str
    id: str
    title: str
    snippet: str
    rank: float
    subject: tuple[str, str] | None = None

    @property
    def shown_id(self) -> str:
        """What names the hit for a reader: the symbol of the record (of the one a note or position is about)."""
        return self.subject[1] if self.subject else self.id

    def as_dict(self) -> dict:
        out = {"type": self.type, "id": self.id, "title": self.title, "snippet": self.snippet, "rank": self.rank}
        if self.subject:
            out["subject"] = {"type": self.subject[0], "id": self.subject[1]}
        return out


#: bm25 weights of the search index's columns: kind, key, title, summary, body.
BM25_WEIGHTS = "bm25(0.0, 4.0, 10.0, 3.0, 1.0)"


def search(store: Store, text: str, *, types: tuple[str, ...] | None = None, limit: int = 50,
           mark: tuple[str, str] = ("[", "]")) -> list[Hit]:
    """Ranked (bm25) hits over documents, resolutions, Questions, proposals, notes and briefs, for a
    terminal (matches marked with brackets); the same search as :func:`search_all`."""
    hits = search_all(store, text, types=types, limit=limit)
    marks = str.maketrans({"\x02": mark[0], "\x03": mark[1]})
    return [replace(h, snippet=h.snippet.translate(marks)) for h in hits]


@functools.cache
def _cjk_re() -> re.Pattern:
    # Compiled on first use: re takes 6 ms over these wide ranges, which start-up would pay.
    return re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def has_cjk(text: str) -> bool:
    """Whether a query holds Chinese, Japanese or Korean characters (searched with the trigram index)."""
    return bool(_cjk_re().search(text or ""))


def trigram_match(text: str) -> tuple[str, list] | None:
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
    Notes and positions are returned with the record they are about (``subject``) and its
    title. Snippets are plain text (Markdown taken out), matches between ``mark``.
    """
    if not text or not text.strip():
        return []
    if has_cjk(text):
        match = trigram_match(text)
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
        snip = markdown_to_text(row["snip"] or "")
        if row["kind"] in ("note", "position"):
            subject = (note_subject if row["kind"] == "note" else position_subject)(store, row["key"])
            title = (subject_title(store, *subject) or "") if subject else ""
            hits.append(Hit(row["kind"], row["key"], title, snip, row["rank"], subject))
        else:
            hits.append(Hit(row["kind"], row["key"], row["title"] or "", snip, row["rank"]))
    return hits


def note_subject(store: Store, note_id: str) -> tuple[str, str] | None:
    row = store.execute("SELECT subject_type, subject_id FROM my_note WHERE id = ?", (note_id,)).fetchone()
    return (row[0], row[1]) if row else None


def position_subject(store: Store, position_id: str) -> tuple[str, str] | None:
    row = store.execute("SELECT subject_type, subject_id FROM my_position WHERE id = ?", (position_id,)).fetchone()
    return (row[0], row[1]) if row else None
