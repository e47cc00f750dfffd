"""The proposals matrix: targets by regions, the actions proposed, and where regions agree.

Pure: the store hands in proposals and organizations, this module arranges
them. A proposal's sources are organization ids (or region ids); each source
counts for the region of its organization, and sources without a known region
fall into the ``OTHER`` column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from wtdc_desktop.domain.records import REGION_IDS
from wtdc_desktop.i18n import N_

OTHER = "OTHER"
COLUMNS = (*REGION_IDS, OTHER)
ACTIONS = ("ADD", "MOD", "SUP", "NOC")
#: Order of target types as rows.
TARGET_TYPES = ("resolution", "question", "declaration", "strategic_plan", "action_plan", "other")
#: Proposals in these statuses no longer count in the matrix.
INACTIVE_STATUSES = frozenset({"withdrawn"})

# Assessment of a row.
QUICK = "likely_quick"           # every region that proposed asks for the same action
NEGOTIATE = "needs_negotiation"  # regions ask for different actions
SINGLE = "single_region"         # only one region proposed: nothing to compare yet
NO_REGION = "no_region"          # no region proposed: other sources only (the BDT, a member state alone)
ASSESSMENT_LABELS = {
    QUICK: N_("Likely quick: all regions agree"),
    NEGOTIATE: N_("Needs negotiation"),
    SINGLE: N_("One region only"),
    NO_REGION: N_("No region proposed it (other sources only)"),
}


@dataclass(frozen=True)
class Entry:
    proposal_id: str
    action: str
    status: str | None
    sources: tuple[str, ...]


@dataclass
class MatrixRow:
    target_type: str
    target_id: str
    title: str | None = None
    cells: dict[str, list[Entry]] = field(default_factory=dict)
    ours: str | None = None  # our stance, if we have a position

    def actions(self, column: str) -> list[str]:
        """The distinct actions proposed in a column, in the order ADD, MOD, SUP, NOC."""
        present = {e.action for e in self.cells.get(column, [])}
        return [a for a in ACTIONS if a in present]

    @property
    def regions(self) -> list[str]:
        return [c for c in COLUMNS if c != OTHER and self.cells.get(c)]

    @property
    def assessment(self) -> str:
        return assess(self)

    @property
    def agreement(self) -> bool:
        return self.assessment == QUICK

    def as_dict(self) -> dict:
        return {
            "target": self.target_id,
            "target_type": self.target_type,
            "title": self.title,
            "cells": {c: self.actions(c) for c in COLUMNS if self.cells.get(c)},
            "proposals": {c: [e.proposal_id for e in self.cells[c]] for c in COLUMNS if self.cells.get(c)},
            "agreement": self.agreement,
            "assessment": self.assessment,
            "ours": self.ours,
        }


def assess(row: MatrixRow) -> str:
    """Do the regions that proposed on this target ask for the same single action?"""
    regions = row.regions
    if not regions:
        return NO_REGION
    if len(regions) < 2:
        return SINGLE
    first = row.actions(regions[0])
    if len(first) == 1 and all(row.actions(r) == first for r in regions[1:]):
        return QUICK
    return NEGOTIATE


def region_of(source: str, org_regions: dict[str, str | None]) -> str:
    if source in REGION_IDS:
        return source
    region = org_regions.get(source)
    return region if region in REGION_IDS else OTHER


def _natural(text: str) -> list:
    return [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", text)]


def build_matrix(proposals: list[dict], org_regions: dict[str, str | None], *,
                 titles: dict[tuple[str, str], str] | None = None,
                 stances: dict[tuple[str, str], str] | None = None) -> list[MatrixRow]:
    """Arrange proposals (records as published) by target and region.

    ``titles`` and ``stances`` are keyed by (target type, target id).
    """
    titles = titles or {}
    stances = stances or {}
    rows: dict[tuple[str, str], MatrixRow] = {}
    regions_of: dict[tuple, set[str]] = {}  # the columns of each distinct list of sources
    for p in proposals:
        if p.get("status") in INACTIVE_STATUSES or p.get("withdrawn"):
            continue
        target = p.get("target") or {}
        key = (str(target.get("type") or "other"), str(target.get("id")))
        row = rows.get(key)
        if row is None:
            row = rows[key] = MatrixRow(key[0], key[1], titles.get(key), ours=stances.get(key))
        sources = tuple(p.get("sources") or ())
        entry = Entry(p["id"], p["action"], p.get("status"), sources)
        columns = regions_of.get(sources)
        if columns is None:
            columns = regions_of[sources] = {region_of(s, org_regions) for s in sources} or {OTHER}
        for column in columns:
            row.cells.setdefault(column, []).append(entry)

    def order(row: MatrixRow):
        kind = TARGET_TYPES.index(row.target_type) if row.target_type in TARGET_TYPES else len(TARGET_TYPES)
        return (kind, _natural(row.target_id))

    return sorted(rows.values(), key=order)


def summary(rows: list[MatrixRow]) -> dict[str, int]:
    """How many rows are likely quick, need negotiation, or have one region only."""
    out = {QUICK: 0, NEGOTIATE: 0, SINGLE: 0, NO_REGION: 0}
    for row in rows:
        out[row.assessment] += 1
    return out
