"""What a brief pack shows: positions with the proposals on their subject, documents, coordinators, deadlines."""

from __future__ import annotations

import json

from wtdc_desktop.domain import matrix as matrix_domain
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _
from wtdc_desktop.store import contact_book, delegation_merge, positions
from wtdc_desktop.store.db import Store, utcnow
from wtdc_desktop.store.proposal_matrix import current_text, matrix_proposals, org_regions
from wtdc_desktop.store.published import record_from_row


class BriefPackError(WtdcError):
    exit_code = 2


def _scope(store: Store, meeting: str | None, committee: str | None,
           session: str | None) -> tuple[str | None, str | None, str | None, set[str]]:
    """The pack's title, meeting and committee, and the documents on the session's agenda; refuses unknown ids."""
    scope_meeting = meeting
    scope_committee = committee
    agenda_docs: set[str] = set()
    title = None
    if session:
        row = store.execute("SELECT * FROM session WHERE id = ?", (session,)).fetchone()
        if row is None:
            raise BriefPackError(_("There is no session “{id}” in the store.").format(id=session))
        title = row["title"]
        scope_meeting = scope_meeting or row["meeting"]
        scope_committee = scope_committee or row["committee"]
        for entry in json.loads(row["agenda"] or "[]"):
            agenda_docs.update(entry.get("documents") or [])
    if committee and store.execute("SELECT 1 FROM committee WHERE id = ?", (committee,)).fetchone() is None:
        raise BriefPackError(_("There is no committee “{id}” in the store.").format(id=committee))
    if meeting:
        row = store.execute("SELECT title FROM meeting WHERE id = ?", (meeting,)).fetchone()
        if row is None:
            raise BriefPackError(_("There is no meeting “{id}” in the store.").format(id=meeting))
        title = title or row[0]
    if committee and not title:
        title = store.execute("SELECT name FROM committee WHERE id = ?", (committee,)).fetchone()[0]
    return title, scope_meeting, scope_committee, agenda_docs


def _in_session(store: Store, p: dict, session: str, scope_committee: str | None, agenda_docs: set[str]) -> bool:
    """Whether a position's subject is on the session: an agenda item of it, or a document on (or of) its agenda."""
    subj = p["subject"]
    if subj["type"] == "agenda_item" and subj["id"].startswith(session + "#"):
        return True
    if subj["type"] == "document" and subj["id"] in agenda_docs:
        return True
    meetings, committees = positions.subject_places(store, subj["type"], subj["id"])
    return bool((scope_committee and scope_committee in committees) or any(
        d in agenda_docs for d in _subject_documents(store, subj["type"], subj["id"])))


def _subject_proposals(store: Store, subj: dict, committee: str | None) -> list[dict]:
    """The proposals on a position's subject (``committee``: the matrix's committee filter)."""
    if subj["type"] == "proposal":
        return [record_from_row("proposal", r) for r in
                store.execute("SELECT * FROM proposal WHERE id = ?", (subj["id"],))]
    if subj["type"] == "document":
        return [record_from_row("proposal", r) for r in
                store.execute("SELECT * FROM proposal WHERE document = ? AND withdrawn = 0 ORDER BY id",
                              (subj["id"],))]
    return matrix_proposals(store, None, committee, (subj["type"], subj["id"]))


def _entry(store: Store, p: dict, committee: str | None, regions, doc_ids: set[str]) -> dict:
    """One position with the proposals on its subject (by region), its current text and coordinators.

    Adds the documents it involves to ``doc_ids``.
    """
    subj = p["subject"]
    props = _subject_proposals(store, subj, committee)
    if subj["type"] == "document":
        doc_ids.add(subj["id"])
    for pr in props:
        pr["regions"] = sorted({matrix_domain.region_of(s, regions) for s in pr.get("sources") or []},
                               key=matrix_domain.COLUMNS.index)
        doc_ids.add(pr.get("document"))
    props.sort(key=lambda p: ([matrix_domain.COLUMNS.index(r) for r in p["regions"]], p["id"]))
    return {"position": p, "current": current_text(store, subj["type"], subj["id"]),
            "proposals": props,
            "coordinators": contact_book.coordinators_for(store, subj["type"], subj["id"])}


def _documents(store: Store, doc_ids: set[str]) -> list[dict]:
    docs = []
    for d in sorted(x for x in doc_ids if x):
        row = store.execute("SELECT * FROM document WHERE id = ?", (d,)).fetchone()
        docs.append(record_from_row("document", row) if row else {"id": d, "title": None, "unresolved": True})
    return docs


def _deadlines(store: Store, scope_meeting: str | None, now: str) -> list[dict]:
    """The deadlines still ahead at ``now`` (a deadline given as a day is ahead until that day ends)."""
    dl_sql = "SELECT * FROM deadline WHERE withdrawn = 0 AND (due_utc >= ? OR (length(due) = 10 AND due >= ?))"
    dl_params: list = [now, now[:10]]
    if scope_meeting:
        dl_sql += " AND (meeting = ? OR meeting IS NULL)"
        dl_params.append(scope_meeting)
    return [record_from_row("deadline", r) for r in store.execute(dl_sql + " ORDER BY due_utc, id", dl_params)]


def brief_pack(store: Store, *, meeting: str | None = None, committee: str | None = None,
               session: str | None = None) -> dict:
    """Everything a brief pack shows: positions with the proposals on their subject, documents, coordinators, deadlines.

    Without a meeting, committee or session, every position is included.
    """
    title, scope_meeting, scope_committee, agenda_docs = _scope(store, meeting, committee, session)
    chosen = positions.filtered_positions(store, meeting=None if session else scope_meeting,
                                        committee=None if session else scope_committee)
    if session:
        chosen = [p for p in chosen if _in_session(store, p, session, scope_committee, agenda_docs)]
    regions = org_regions(store)
    doc_ids: set[str] = set(agenda_docs)
    entries = [_entry(store, p, scope_committee if not session else None, regions, doc_ids) for p in chosen]
    docs = _documents(store, doc_ids)
    now = utcnow()
    deadlines = _deadlines(store, scope_meeting, now)
    meeting_row = store.execute("SELECT * FROM meeting WHERE id = ?", (scope_meeting,)).fetchone() \
        if scope_meeting else None
    return {"scope": {"meeting": meeting, "committee": committee, "session": session, "title": title},
            "entries": entries, "documents": docs, "deadlines": deadlines, "generated_at": now,
            "delegation": delegation_merge.delegation_id(store),
            "meeting": record_from_row("meeting", meeting_row) if meeting_row else None}


def _subject_documents(store: Store, subject_type: str, subject_id: str) -> set[str]:
    if subject_type == "document":
        return {subject_id}
    if subject_type == "proposal":
        return {r[0] for r in store.execute("SELECT document FROM proposal WHERE id = ?", (subject_id,))}
    return {r[0] for r in store.execute("SELECT document FROM proposal WHERE target_type = ? AND target_id = ?",
                                        (subject_type, subject_id))}
