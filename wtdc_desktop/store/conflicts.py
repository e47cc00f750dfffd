"""What ``wtdc-desktop conflicts`` lists: everything the user has to settle, from every area, as one list.

"Conflict" names two different things, each kept by its own area:

- an *edit conflict* (kind ``delegation_edit``): a position, note or assignment changed both here
  and by a colleague; a delegation-bundle import keeps both versions and the user keeps one
  (:mod:`wtdc_desktop.store.delegation_merge`);
- a *coverage conflict* (kinds ``double_booked``, ``must_uncovered``, ``understaffed``,
  ``language``): the delegation's coverage plan does not hold, computed from the agenda each time
  (:func:`wtdc_desktop.store.sessions.conflicts`); it is settled by changing the plan.

(Overlaps between resolutions or Questions, :mod:`wtdc_desktop.domain.overlap`, are suggestions,
not conflicts.) This module is the one registry of both: a provider per kind of list (a function
returning dicts, each with its own ``"kind"``) and, where the user settles one by keeping a side,
a resolver.
"""

from __future__ import annotations

from collections.abc import Callable

from wtdc_desktop.store import delegation_merge, sessions
from wtdc_desktop.store.db import Store

Provider = Callable[[Store], list[dict]]
#: (store, conflict_id, keep) -> what was resolved; ``keep`` is "local" or "remote".
Resolver = Callable[[Store, int, str], dict]


def coverage_conflicts(store: Store) -> list[dict]:
    """The coverage plan's conflicts in every meeting."""
    return [c.as_dict() for c in sessions.conflicts(store)]


#: Edit conflicts first, then coverage conflicts (the order ``conflicts`` prints them in).
PROVIDERS: list[Provider] = [delegation_merge.open_edit_conflicts, coverage_conflicts]
RESOLVERS: dict[str, Resolver] = {delegation_merge.EDIT_CONFLICT_KIND: delegation_merge.resolve_edit_conflict}


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
