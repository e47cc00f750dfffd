"""The cross-sector map: links published between resolutions and Questions, likely overlaps
suggested from their texts, and the user's decisions on them (``my_overlap``, written only here)."""

from __future__ import annotations

import json

from wtdc_desktop.domain import overlap as overlap_domain
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _
from wtdc_desktop.store.db import Store, utcnow


class OverlapError(WtdcError):
    exit_code = 2


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
            raise OverlapError(_("“{value}” is not a decision; use confirmed or dismissed.").format(
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
