"""Queries for negotiation: the proposals matrix, coordinators, contacts, budget, overlaps, brief packs."""

from __future__ import annotations

import json
import uuid

from wtdc_desktop.domain import budget as budget_domain
from wtdc_desktop.domain import matrix as matrix_domain
from wtdc_desktop.domain import overlap as overlap_domain
from wtdc_desktop.domain.records import REGION_IDS
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _
from wtdc_desktop.store import delegation
from wtdc_desktop.store.db import Store, utcnow
from wtdc_desktop.store.published import record_from_row


class NegotiationError(WtdcError):
    exit_code = 2


# --- regions and organizations ------------------------------------------------------------

def org_regions(store: Store) -> dict[str, str | None]:
    return {r[0]: r[1] for r in store.execute("SELECT id, region FROM organization WHERE withdrawn = 0")}


def region_names(store: Store) -> dict[str, str]:
    return {r[0]: r[1] for r in store.execute("SELECT id, name FROM region WHERE withdrawn = 0")}


def organizations_by_region(store: Store) -> dict[str, list[str]]:
    """Regional organizations (kind rto first) of each region."""
    out: dict[str, list[str]] = {}
    for r in store.execute("SELECT id, region FROM organization WHERE withdrawn = 0 AND region IS NOT NULL "
                           "ORDER BY kind != 'rto', id"):
        out.setdefault(r[1], []).append(r[0])
    return out


# --- the proposals matrix -------------------------------------------------------------------

def _proposals(store: Store, meeting: str | None, committee: str | None, target: tuple[str, str] | None = None,
               *, brief: bool = False) -> list[dict]:
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


def _target_titles(store: Store) -> dict[tuple[str, str], str]:
    titles = {("resolution", r[0]): r[1] for r in store.execute("SELECT id, title FROM resolution")}
    titles.update({("question", r[0]): r[1] for r in store.execute("SELECT id, title FROM question")})
    return titles


def _stances(store: Store) -> dict[tuple[str, str], str]:
    return {(r[0], r[1]): r[2] for r in store.execute("SELECT subject_type, subject_id, stance FROM my_position")}


def matrix(store: Store, *, meeting: str | None = None, committee: str | None = None
           ) -> list[matrix_domain.MatrixRow]:
    """Rows of the proposals matrix (targets × regions), optionally for one meeting or committee."""
    return matrix_domain.build_matrix(_proposals(store, meeting, committee, brief=True), org_regions(store),
                                      titles=_target_titles(store), stances=_stances(store))


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
    proposals = _proposals(store, meeting, committee, (target_type, target_id))
    for p in proposals:
        p["regions"] = sorted({matrix_domain.region_of(s, regions) for s in p.get("sources") or []},
                              key=matrix_domain.COLUMNS.index)
    proposals.sort(key=lambda p: ([matrix_domain.COLUMNS.index(r) for r in p["regions"]], p["id"]))
    rows = matrix_domain.build_matrix(proposals, regions)
    return {"target_type": target_type, "target_id": target_id,
            "current": current_text(store, target_type, target_id), "proposals": proposals,
            "row": rows[0] if rows else None,
            "position": delegation.position_for(store, target_type, target_id)}


# --- coordinators and contacts -----------------------------------------------------------------

def _contact_dict(row, private: bool) -> dict:
    d = dict(row)
    for key in ("languages", "coordinates"):
        d[key] = json.loads(d[key]) if d.get(key) else []
    for meta in ("raw", "content_hash", "bundle_seq", "changed_sync", "first_sync", "channel", "withdrawn_sync",
                 "rid"):
        d.pop(meta, None)
    d["private"] = private
    return d


def all_contacts(store: Store, *, include_private: bool = True, include_published: bool = True) -> list[dict]:
    out = []
    if include_published:
        out += [_contact_dict(r, False) for r in store.execute("SELECT * FROM contact WHERE withdrawn = 0")]
    if include_private:
        out += [_contact_dict(r, True) for r in store.execute("SELECT * FROM my_contact")]
    out.sort(key=lambda c: ((c.get("name") or "").casefold(), c["id"]))
    return out


def _coordinated_titles(store: Store, contacts: list[dict]) -> dict[tuple[str, str], str]:
    """Titles of the items these contacts coordinate: every resolution and Question (a few hundred),
    and only the proposals named (a large store holds tens of thousands)."""
    titles = _target_titles(store)
    wanted = sorted({str(s.get("id")) for c in contacts for s in c.get("coordinates") or []
                     if s.get("type") == "proposal"})
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        titles.update({("proposal", r[0]): r[1] or "" for r in store.execute(
            f"SELECT id, title FROM proposal WHERE id IN ({', '.join('?' * len(chunk))})", chunk)})
    return titles


def search_contacts(store: Store, *, text: str | None = None, region: str | None = None,
                    organization: str | None = None, language: str | None = None, topic: str | None = None,
                    include_private: bool = True, include_published: bool = True) -> list[dict]:
    """Contacts matching every criterion given (case-insensitive): name, organization, region, language, topic.

    ``topic`` matches the role, the items the person coordinates (ids and titles) and a private contact's topics.
    """
    contacts = all_contacts(store, include_private=include_private, include_published=include_published)
    titles = _coordinated_titles(store, contacts) if topic else {}
    out = []
    for c in contacts:
        if region and (c.get("region") or "") != region:
            continue
        if organization and organization.casefold() not in (c.get("organization") or "").casefold():
            continue
        if language and language.casefold() not in [x.casefold() for x in c.get("languages") or []]:
            continue
        if text and text.casefold() not in " ".join(
                str(c.get(k) or "") for k in ("name", "organization", "email", "role")).casefold():
            continue
        if topic:
            hay = [c.get("role") or "", c.get("topics") or ""]
            for s in c.get("coordinates") or []:
                hay += [str(s.get("id")), titles.get((s.get("type"), str(s.get("id"))), "")]
            if topic.casefold() not in " ".join(hay).casefold():
                continue
        out.append(c)
    return out


def _save_contact(conn, contact: dict, contact_id: str | None, now: str) -> str:
    if not (contact.get("name") or "").strip():
        raise NegotiationError(_("A contact needs a name."))
    cid = contact_id or contact.get("id") or ("my-" + uuid.uuid4().hex[:12])
    values = {k: contact.get(k) for k in ("name", "role", "organization", "region", "email", "phone", "topics",
                                          "notes")}
    values["languages"] = json.dumps(contact.get("languages") or [], ensure_ascii=False)
    values["coordinates"] = json.dumps(contact.get("coordinates") or [], ensure_ascii=False)
    exists = conn.execute("SELECT 1 FROM my_contact WHERE id = ?", (cid,)).fetchone()
    if exists:
        conn.execute(f"UPDATE my_contact SET {', '.join(f'{k} = ?' for k in values)}, updated_at = ? "
                     "WHERE id = ?", (*values.values(), now, cid))
    else:
        names = ["id", *values, "created_at", "updated_at"]
        conn.execute(f"INSERT INTO my_contact ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                     (cid, *values.values(), now, now))
    return cid


def save_private_contact(store: Store, contact: dict, *, contact_id: str | None = None) -> str:
    """Create or update one of the delegation's private contacts (never mixed with published ones)."""
    with store.transaction() as conn:
        return _save_contact(conn, contact, contact_id, utcnow())


def save_private_contacts(store: Store, contacts: list[dict]) -> list[str]:
    """Save several private contacts in one transaction: all of them or none."""
    now = utcnow()
    with store.transaction() as conn:
        return [_save_contact(conn, c, None, now) for c in contacts]


def delete_private_contact(store: Store, contact_id: str) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM my_contact WHERE id = ?", (contact_id,))


def coordinator_matrix(store: Store) -> list[dict]:
    """Items × regions: who coordinates each item in each region (from contacts' ``coordinates``).

    One dict per item: {"type", "id", "title", "regions": {region: [contact dicts]}}.
    """
    contacts = all_contacts(store)
    titles = _coordinated_titles(store, contacts)
    regions = org_regions(store)
    items: dict[tuple[str, str], dict] = {}
    for c in contacts:
        region = c.get("region") or regions.get(c.get("organization") or "") or matrix_domain.OTHER
        if region not in REGION_IDS:
            region = matrix_domain.OTHER
        for s in c.get("coordinates") or []:
            key = (str(s.get("type")), str(s.get("id")))
            item = items.setdefault(key, {"type": key[0], "id": key[1], "title": titles.get(key), "regions": {}})
            item["regions"].setdefault(region, []).append(c)
    order = {t: i for i, t in enumerate(("resolution", "question", "proposal"))}
    return sorted(items.values(), key=lambda i: (order.get(i["type"], 9), matrix_domain._natural(i["id"])))


def coordinators_for(store: Store, subject_type: str, subject_id: str) -> list[dict]:
    for item in coordinator_matrix(store):
        if item["type"] == subject_type and item["id"] == subject_id:
            return [c for cs in item["regions"].values() for c in cs]
    return []


# --- budget ----------------------------------------------------------------------------------------

def set_available_budget(store: Store, amount: float, currency: str) -> None:
    code = (currency or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise NegotiationError(_("“{currency}” is not a currency code (three letters, e.g. CHF).").format(
            currency=currency))
    currency = code
    if amount < 0:
        raise NegotiationError(_("The available budget cannot be negative."))
    with store.transaction() as conn:
        conn.execute("INSERT INTO my_budget (key, amount, currency, updated_at) VALUES ('available', ?, ?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET amount = excluded.amount, currency = excluded.currency, "
                     "updated_at = excluded.updated_at", (float(amount), currency, utcnow()))


def available_budget(store: Store) -> tuple[float, str] | None:
    row = store.execute("SELECT amount, currency FROM my_budget WHERE key = 'available'").fetchone()
    return (row[0], row[1]) if row else None


def priorities(store: Store) -> list[dict]:
    return [record_from_row("priority", r) for r in
            store.execute("SELECT * FROM priority WHERE withdrawn = 0 ORDER BY region, id")]


def budget_summary(store: Store) -> budget_domain.BudgetSummary:
    return budget_domain.summarize(priorities(store), available=available_budget(store))


def costed_proposals(store: Store) -> list[dict]:
    """Proposals that carry a cost, with their region(s)."""
    regions = org_regions(store)
    out = []
    # Only the fields a list of costs shows: not each proposal's text (thousands on a large store).
    rows = store.execute("SELECT id, title, action, target_type, target_id, sources, cost_amount, cost_currency "
                         "FROM proposal WHERE withdrawn = 0 AND cost_amount IS NOT NULL ORDER BY id")
    for rid, title, action, target_type, target_id, sources, amount, currency in rows:
        sources = json.loads(sources) if sources else []
        out.append({"id": rid, "title": title, "action": action, "sources": sources,
                    "target": {"type": target_type, "id": target_id} if target_type else None,
                    "cost": {"amount": amount, "currency": currency},
                    "regions": sorted({matrix_domain.region_of(s, regions) for s in sources})})
    return out


# --- cross-sector map and overlaps ----------------------------------------------------------------

def declared_links(store: Store) -> list[dict]:
    """Links published on resolutions and Questions: {"from": {...}, "to": id, "kind", "resolved": bool}."""
    out = []
    known = {r[0]: r[1] for r in store.execute("SELECT id, title FROM resolution")}
    for type_name in ("resolution", "question"):
        for r in store.execute(f"SELECT id, title, links FROM {type_name} WHERE withdrawn = 0 AND links IS NOT NULL "
                               "ORDER BY sort_key"):
            for link in json.loads(r["links"] or "[]"):
                to = str(link.get("to"))
                out.append({"from": {"type": type_name, "id": r["id"], "title": r["title"]}, "to": to,
                            "to_title": known.get(to) if type_name == "resolution" else None,
                            "kind": link.get("kind") or "related"})
    return out


def overlap_decisions(store: Store) -> dict[tuple[str, str, str, str], str]:
    return {(r[0], r[1], r[2], r[3]): r[4] for r in
            store.execute("SELECT a_type, a_id, b_type, b_id, decision FROM my_overlap")}


def decide_overlap(store: Store, a: tuple[str, str], b: tuple[str, str], decision: str, *,
                   score: float | None = None, decided_by: str | None = None) -> None:
    """Confirm or dismiss a suggested overlap; ``decision=None`` forgets an earlier decision."""
    key = overlap_domain.pair_key(a[0], a[1], b[0], b[1])
    with store.transaction() as conn:
        if decision is None:
            conn.execute("DELETE FROM my_overlap WHERE a_type = ? AND a_id = ? AND b_type = ? AND b_id = ?", key)
            return
        if decision not in ("confirmed", "dismissed"):
            raise NegotiationError(_("“{value}” is not a decision; use confirmed or dismissed.").format(
                value=decision))
        conn.execute(
            "INSERT INTO my_overlap (a_type, a_id, b_type, b_id, decision, score, decided_at, decided_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (a_type, a_id, b_type, b_id) DO UPDATE SET "
            "decision = excluded.decision, score = excluded.score, decided_at = excluded.decided_at, "
            "decided_by = excluded.decided_by", (*key, decision, score, utcnow(), decided_by))


def overlap_items(store: Store) -> list[overlap_domain.Item]:
    items = [overlap_domain.Item("resolution", r[0], r[1] or "", r[2] or "", r[3] or "") for r in
             store.execute("SELECT id, title, text, body FROM resolution WHERE withdrawn = 0 ORDER BY sort_key")]
    items += [overlap_domain.Item("question", r[0], r[1] or "", r[2] or "", "ITU-D") for r in
              store.execute("SELECT id, title, text FROM question WHERE withdrawn = 0 ORDER BY sort_key")]
    return items


def overlap_suggestions(store: Store, *, threshold: float = 0.5, include_decided: bool = False) -> list[dict]:
    """Likely overlaps not declared as links, best first, each with the user's decision if any."""
    exclude = set()
    for link in declared_links(store):
        exclude.add(overlap_domain.pair_key(link["from"]["type"], link["from"]["id"], link["from"]["type"],
                                            link["to"]))
    decisions = overlap_decisions(store)
    if not include_decided:
        exclude |= {k for k, v in decisions.items() if v == "dismissed"}
    items = overlap_items(store)
    # Resolutions are compared with resolutions, Questions with Questions.
    out = []
    for kind in ("resolution", "question"):
        for s in overlap_domain.suggest([i for i in items if i.type == kind], threshold=threshold, exclude=exclude):
            d = s.as_dict()
            d["decision"] = decisions.get(s.key())
            out.append(d)
    out.sort(key=lambda d: -d["score"])
    return out


# --- brief packs ----------------------------------------------------------------------------------

def brief_pack(store: Store, *, meeting: str | None = None, committee: str | None = None,
               session: str | None = None) -> dict:
    """Everything a brief pack shows: positions with the proposals on their subject, documents, coordinators, deadlines.

    Without a meeting, committee or session, every position is included.
    """
    from wtdc_desktop.store import positions as positions_store

    scope_meeting = meeting
    scope_committee = committee
    agenda_docs: set[str] = set()
    title = None
    if session:
        row = store.execute("SELECT * FROM session WHERE id = ?", (session,)).fetchone()
        if row is None:
            raise NegotiationError(_("There is no session “{id}” in the store.").format(id=session))
        title = row["title"]
        scope_meeting = scope_meeting or row["meeting"]
        scope_committee = scope_committee or row["committee"]
        for entry in json.loads(row["agenda"] or "[]"):
            agenda_docs.update(entry.get("documents") or [])
    if committee and store.execute("SELECT 1 FROM committee WHERE id = ?", (committee,)).fetchone() is None:
        raise NegotiationError(_("There is no committee “{id}” in the store.").format(id=committee))
    if meeting:
        row = store.execute("SELECT title FROM meeting WHERE id = ?", (meeting,)).fetchone()
        if row is None:
            raise NegotiationError(_("There is no meeting “{id}” in the store.").format(id=meeting))
        title = title or row[0]
    if committee and not title:
        title = store.execute("SELECT name FROM committee WHERE id = ?", (committee,)).fetchone()[0]

    positions = positions_store.filtered_positions(store, meeting=None if session else scope_meeting,
                                                   committee=None if session else scope_committee)
    if session:
        keep = []
        for p in positions:
            subj = p["subject"]
            if subj["type"] == "agenda_item" and subj["id"].startswith(session + "#"):
                keep.append(p)
            elif subj["type"] == "document" and subj["id"] in agenda_docs:
                keep.append(p)
            else:
                meetings, committees = positions_store.subject_places(store, subj["type"], subj["id"])
                if (scope_committee and scope_committee in committees) or any(
                        d in agenda_docs for d in _subject_documents(store, subj["type"], subj["id"])):
                    keep.append(p)
        positions = keep
    regions = org_regions(store)
    entries = []
    doc_ids: set[str] = set(agenda_docs)
    for p in positions:
        subj = p["subject"]
        if subj["type"] == "proposal":
            props = [record_from_row("proposal", r) for r in
                     store.execute("SELECT * FROM proposal WHERE id = ?", (subj["id"],))]
        elif subj["type"] == "document":
            props = [record_from_row("proposal", r) for r in
                     store.execute("SELECT * FROM proposal WHERE document = ? AND withdrawn = 0 ORDER BY id",
                                   (subj["id"],))]
            doc_ids.add(subj["id"])
        else:
            props = _proposals(store, None, scope_committee if not session else None, (subj["type"], subj["id"]))
        for pr in props:
            pr["regions"] = sorted({matrix_domain.region_of(s, regions) for s in pr.get("sources") or []},
                                   key=matrix_domain.COLUMNS.index)
            doc_ids.add(pr.get("document"))
        props.sort(key=lambda p: ([matrix_domain.COLUMNS.index(r) for r in p["regions"]], p["id"]))
        entries.append({"position": p, "current": current_text(store, subj["type"], subj["id"]),
                        "proposals": props, "coordinators": coordinators_for(store, subj["type"], subj["id"])})
    docs = []
    for d in sorted(x for x in doc_ids if x):
        row = store.execute("SELECT * FROM document WHERE id = ?", (d,)).fetchone()
        docs.append(record_from_row("document", row) if row else {"id": d, "title": None, "unresolved": True})
    dl_sql, dl_params = "SELECT * FROM deadline WHERE withdrawn = 0", []
    if scope_meeting:
        dl_sql += " AND (meeting = ? OR meeting IS NULL)"
        dl_params.append(scope_meeting)
    deadlines = [record_from_row("deadline", r) for r in store.execute(dl_sql + " ORDER BY due_utc, id", dl_params)]
    return {"scope": {"meeting": meeting, "committee": committee, "session": session, "title": title},
            "entries": entries, "documents": docs, "deadlines": deadlines, "generated_at": utcnow()}


def _subject_documents(store: Store, subject_type: str, subject_id: str) -> set[str]:
    if subject_type == "document":
        return {subject_id}
    if subject_type == "proposal":
        return {r[0] for r in store.execute("SELECT document FROM proposal WHERE id = ?", (subject_id,))}
    return {r[0] for r in store.execute("SELECT document FROM proposal WHERE target_type = ? AND target_id = ?",
                                        (subject_type, subject_id))}
