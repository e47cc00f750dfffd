"""Records related to one record: what a link names, a document's proposals, files and sessions, the
proposals aimed at a resolution or Question, the resolutions linking to one."""

from __future__ import annotations

import json

from wtdc_desktop.domain.records import PUBLISHED_TYPES
from wtdc_desktop.store.db import Store

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
