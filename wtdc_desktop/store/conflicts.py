"""Every open conflict the user has to settle, from every area, as one list.

Each area that can leave a conflict for the user registers a provider (a
function returning a list of dicts, each with its own ``"kind"`` and a
``"conflict_id"`` unique within that kind) and, if the user settles it by
keeping one side, a resolver. ``conflicts --json`` prints :func:`all_conflicts`.
"""

from __future__ import annotations

from collections.abc import Callable

from wtdc_desktop.store import delegation_sync
from wtdc_desktop.store.db import Store

Provider = Callable[[Store], list[dict]]
#: (store, conflict_id, keep) -> what was resolved; ``keep`` is "local" or "remote".
Resolver = Callable[[Store, int, str], dict]

PROVIDERS: list[Provider] = [delegation_sync.open_conflicts]
RESOLVERS: dict[str, Resolver] = {delegation_sync.CONFLICT_KIND: delegation_sync.resolve_conflict}


def all_conflicts(store: Store) -> list[dict]:
    out: list[dict] = []
    for provider in PROVIDERS:
        out.extend(provider(store))
    return out


def resolve(store: Store, kind: str, conflict_id: int, keep: str) -> dict:
    resolver = RESOLVERS.get(kind)
    if resolver is None:
        raise KeyError(kind)
    return resolver(store, conflict_id, keep)
