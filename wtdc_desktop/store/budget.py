"""The budget: the available amount the user enters (``my_budget``, written only here), published
priorities and the proposals that carry a cost."""

from __future__ import annotations

import json

from wtdc_desktop.domain import budget as budget_domain
from wtdc_desktop.domain import matrix as matrix_domain
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _
from wtdc_desktop.store.db import Store, utcnow
from wtdc_desktop.store.proposal_matrix import org_regions
from wtdc_desktop.store.published import record_from_row


class BudgetError(WtdcError):
    exit_code = 2


def set_available_budget(store: Store, amount: float, currency: str) -> None:
    code = (currency or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise BudgetError(_("“{currency}” is not a currency code (three letters, e.g. CHF).").format(
            currency=currency))
    currency = code
    if amount < 0:
        raise BudgetError(_("The available budget cannot be negative."))
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
