"""Members of a team for the team sync tests: each a data folder with the demo, joined to one location."""

from __future__ import annotations

import shutil
from pathlib import Path

from wtdc_desktop.store import Store, published
from wtdc_desktop.team import join, members, refresh, trust


def member_stores(template: Path, base: Path, names: list[str]) -> dict[str, Store]:
    stores = {}
    for name in names:
        dest = base / f"data-{name}"
        shutil.copytree(template, dest)
        stores[name] = Store(dest)
    return stores


def form_team(stores: dict[str, Store], location, *, delegation: str = "KEN", storage_for=None) -> None:
    """Every member joins, then every member trusts every other's listed key (as after checking fingerprints)."""
    for name, store in stores.items():
        join(store, str(location), name, delegation=delegation,
             storage=storage_for(name) if storage_for else None)
    for name, store in stores.items():
        refresh(store, storage=storage_for(name) if storage_for else None)
        for other in members(store):
            if not other["me"] and not other["trusted"]:
                trust(store, other["name"], other["fingerprint"], storage=storage_for(name) if storage_for else None)


def proposals(store: Store) -> list[str]:
    return [r["id"] for r in published.list_records(store, "proposal")]


def delegation_rows(store: Store) -> dict:
    """What a member holds of the delegation's records, keyed by what they are about."""
    pos = {(r["subject_type"], r["subject_id"]): (r["stance"], r["brief"], r["priority"])
           for r in store.execute("SELECT * FROM my_position")}
    notes = {r["id"]: r["body"] for r in store.execute("SELECT id, body FROM my_note")}
    assignments = {(r["session"], r["member"]): r["role"] for r in store.execute("SELECT * FROM my_assignment")}
    return {"position": pos, "note": notes, "assignment": assignments}
