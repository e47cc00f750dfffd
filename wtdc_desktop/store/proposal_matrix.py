"""The proposals matrix: proposals on each resolution or Question by region, and one target's detail."""

from __future__ import annotations

import json

from wtdc_desktop.domain import matrix as matrix_domain
from wtdc_desktop.store import positions
from wtdc_desktop.store.db import Store
from wtdc_desktop.store.published import record_from_row


# --- regions and organizations ------------------------------------------------------------

def org_regions(store: Store) -> dict[str, str | None]:
    return {r[0]: r[1] for r in store.execute("SELECT id, region FROM organization WHERE withdrawn = 0")}


def organizations_by_region(store: Store) -> dict[str, list[str]]:
    """Regional organizations (kind rto first) of each region."""
    out: dict[str, list[str]] = {}
    for r in store.execute("SELECT id, region FROM organization WHERE withdrawn = 0 AND region IS NOT NULL "
                           "ORDER BY kind != 'rto', id"):
        out.setdefault(r[1], []).append(r[0])
    return out


# --- the proposals matrix -------------------------------------------------------------------

def matrix_proposals(store: Store, meeting: str | None, committee: str | None,
                     target: tuple[str, str] | None = None, *, brief: bool = False) -> list[dict]:
    """Proposals, whole, or ``brief``: only what the matrix needs (not their texts)."""
    clauses, params = ["p.withdrawn = 0"], []
    if committee:
        clauses.append("p.committee = ?")
        params.append(committee)
    if meeting:
        clauses.append("(d.meeting = ? OR c.meeting = ?)")
        params += [meeting, meeting]
    if target:
        clauses.append("p.target_type = ? AND p.target_id = ?")
        params += list(target)
    joins = (" LEFT JOIN document d ON d.id = p.document LEFT JOIN committee c ON c.id = p.committee"
             if meeting else "")  # a lookup per proposal, needed only to filter by meeting
    where = " FROM proposal p" + joins + " WHERE " + " AND ".join(clauses) + " ORDER BY p.id"
    if brief:
        rows = store.execute("SELECT p.id, p.action, p.status, p.sources, p.target_type, p.target_id" + where, params)
        parsed: dict[str, tuple] = {}  # a few distinct source lists among tens of thousands of proposals
        out = []
        for rid, action, status, sources, target_type, target_id in rows:
            if sources not in parsed:
                parsed[sources] = tuple(json.loads(sources)) if sources else ()
            out.append({"id": rid, "action": action, "status": status, "sources": parsed[sources],
                        "target": {"type": target_type, "id": target_id} if target_type else None})
        return out
    return [record_from_row("proposal", r) for r in store.execute("SELECT p.*" + where, params)]


def target_titles(store: Store) -> dict[tuple[str, str], str]:
    titles = {("resolution", r[0]): r[1] for r in store.execute("SELECT id, title FROM resolution")}
    titles.update({("question", r[0]): r[1] for r in store.execute("SELECT id, title FROM question")})
    return titles


def matrix(store: Store, *, meeting: str | None = None, committee: str | None = None
           ) -> list[matrix_domain.MatrixRow]:
    """Rows of the proposals matrix (targets × regions), optionally for one meeting or committee."""
    return matrix_domain.build_matrix(matrix_proposals(store, meeting, committee, brief=True), org_regions(store),
                                      titles=target_titles(store), stances=positions.stances(store))


def current_text(store: Store, target_type: str, target_id: str) -> dict | None:
    """The text in force of a resolution or Question a proposal targets (None for other targets)."""
    if target_type not in ("resolution", "question"):
        return None
    row = store.execute(f"SELECT * FROM {target_type} WHERE id = ?", (target_id,)).fetchone()
    return record_from_row(target_type, row) if row else None


def target_detail(store: Store, target_type: str, target_id: str, *, meeting: str | None = None,
                  committee: str | None = None) -> dict:
    """The current text and every proposal on one target, with each proposal's region."""
    regions = org_regions(store)
    proposals = matrix_proposals(store, meeting, committee, (target_type, target_id))
    for p in proposals:
        p["regions"] = sorted({matrix_domain.region_of(s, regions) for s in p.get("sources") or []},
                              key=matrix_domain.COLUMNS.index)
    proposals.sort(key=lambda p: ([matrix_domain.COLUMNS.index(r) for r in p["regions"]], p["id"]))
    rows = matrix_domain.build_matrix(proposals, regions)
    return {"target_type": target_type, "target_id": target_id,
            "current": current_text(store, target_type, target_id), "proposals": proposals,
            "row": rows[0] if rows else None,
            "position": positions.position_for(store, target_type, target_id)}
