"""Totals of regional priorities: estimated cost against pledges announced and confirmed.

Amounts are summed per currency (no conversion is ever guessed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

PLEDGE_STATUSES = ("announced", "confirmed")


@dataclass
class Totals:
    estimated: float = 0.0
    announced: float = 0.0
    confirmed: float = 0.0

    @property
    def pledged(self) -> float:
        return self.announced + self.confirmed

    @property
    def unfunded(self) -> float:
        """What is still missing once every pledge (announced or confirmed) is paid."""
        return max(0.0, self.estimated - self.pledged)

    def add(self, other: "Totals") -> None:
        self.estimated += other.estimated
        self.announced += other.announced
        self.confirmed += other.confirmed

    def as_dict(self) -> dict:
        return {"estimated": self.estimated, "announced": self.announced, "confirmed": self.confirmed,
                "unfunded": self.unfunded}


@dataclass
class BudgetSummary:
    #: region -> currency -> totals
    by_region: dict[str, dict[str, Totals]] = field(default_factory=dict)
    #: currency -> totals
    overall: dict[str, Totals] = field(default_factory=dict)
    available: tuple[float, str] | None = None
    #: pledges whose status is neither announced nor confirmed (counted nowhere)
    other_pledges: int = 0

    def balance(self) -> float | None:
        """Available budget minus what is unfunded, in the available budget's currency (None if unknown)."""
        if self.available is None:
            return None
        amount, currency = self.available
        totals = self.overall.get(currency)
        return amount - (totals.unfunded if totals else 0.0)

    def as_dict(self) -> dict:
        return {
            "regions": {r: {c: t.as_dict() for c, t in cur.items()} for r, cur in sorted(self.by_region.items())},
            "overall": {c: t.as_dict() for c, t in sorted(self.overall.items())},
            "available": None if self.available is None else {"amount": self.available[0],
                                                              "currency": self.available[1]},
            "balance": self.balance(),
        }


def summarize(priorities: list[dict], *, available: tuple[float, str] | None = None,
              default_currency: str = "CHF") -> BudgetSummary:
    """Totals per region and overall from priority records as published."""
    out = BudgetSummary(available=available)
    for p in priorities:
        if p.get("withdrawn"):
            continue
        region = p.get("region") or "?"
        cost = p.get("estimated_cost") or {}
        per_region = out.by_region.setdefault(region, {})
        if cost.get("amount") is not None:
            currency = cost.get("currency") or default_currency
            per_region.setdefault(currency, Totals()).estimated += float(cost["amount"])
        for pledge in p.get("pledges") or []:
            status = pledge.get("status") or "announced"
            if status not in PLEDGE_STATUSES:
                out.other_pledges += 1
                continue
            currency = pledge.get("currency") or cost.get("currency") or default_currency
            totals = per_region.setdefault(currency, Totals())
            setattr(totals, status, getattr(totals, status) + float(pledge.get("amount") or 0))
    for per_region in out.by_region.values():
        for currency, totals in per_region.items():
            out.overall.setdefault(currency, Totals()).add(totals)
    return out


def priority_totals(priority: dict) -> dict[str, Totals]:
    """One priority's totals per currency."""
    return summarize([priority]).overall
