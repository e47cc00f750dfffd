"""What changed: records new, changed, withdrawn or restored since a sync.

Every published table records the sync that first brought a record
(``first_sync``), last changed it (``changed_sync``) and withdrew it
(``withdrawn_sync``); ``record_version`` keeps each earlier version with the
sync that superseded it. From these, :func:`changes_since` tells what changed
after sync N, with the records the delegation follows (starred, noted, holding
a position on, covering) first, and :func:`badge_state` gives list views their
"new" / "changed" marks relative to the last sync.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from wtdc_desktop.domain.records import PUBLISHED_TYPES
from wtdc_desktop.store.db import Store

#: Order of the reasons a record is "mine".
WHY_MINE = ("starred", "noted", "position", "assigned")


def last_sync_id(store: Store) -> int | None:
    """The last sync that applied a bundle (None when nothing was ever applied)."""
    row = store.execute("SELECT max(sync_id) FROM sync_log WHERE outcome = 'applied'").fetchone()
    return row[0]


def previous_sync_id(store: Store, before: int) -> int:
    """The last applied sync before ``before`` (0 when there is none)."""
    row = store.execute(
        "SELECT max(sync_id) FROM sync_log WHERE outcome = 'applied' AND sync_id < ?", (before,)
    ).fetchone()
    return row[0] or 0


def _last_and_baseline(store: Store) -> tuple[int, int] | None:
    """The last applied sync and the one "what the last sync changed" is measured from, the applied
    sync before it (0: none); None when nothing was ever applied."""
    last = last_sync_id(store)
    return None if last is None else (last, previous_sync_id(store, last))


def _baseline_since(store: Store) -> int | None:
    """The sync "what the last sync changed" is measured from (None: nothing applied yet)."""
    synced = _last_and_baseline(store)
    return None if synced is None else synced[1]


def _mine(store: Store) -> dict[tuple[str, str], list[str]]:
    """(type, id) -> why the delegation follows it."""
    why: dict[tuple[str, str], set[str]] = {}
    for row in store.execute("SELECT type, id FROM my_star"):
        why.setdefault((row[0], row[1]), set()).add("starred")
    for row in store.execute("SELECT DISTINCT subject_type, subject_id FROM my_note"):
        why.setdefault((row[0], row[1]), set()).add("noted")
    for row in store.execute("SELECT subject_type, subject_id FROM my_position"):
        why.setdefault((row[0], row[1]), set()).add("position")
    for row in store.execute("SELECT DISTINCT session FROM my_assignment"):
        why.setdefault(("session", row[0]), set()).add("assigned")
    return {key: [w for w in WHY_MINE if w in reasons] for key, reasons in why.items()}


def mine_count(store: Store) -> int:
    """How many records the delegation follows (starred, noted, with a position, or covered)."""
    return len(_mine(store))


def _baselines(store: Store, since: int, types: Iterable[str]) -> dict[tuple[str, str], str]:
    """(type, id) -> the raw record as it was at sync ``since``, for records changed after it."""
    wanted = list(types)
    out: dict[tuple[str, str], str] = {}
    sql = (
        "SELECT type, id, raw FROM record_version WHERE superseded_sync > ? "
        f"AND type IN ({', '.join('?' * len(wanted))}) ORDER BY vid"
    )
    for row in store.execute(sql, (since, *wanted)):
        out.setdefault((row[0], row[1]), row[2])  # the earliest superseded after ``since``
    return out


def changed_fields(before: dict, after: dict) -> list[str]:
    """Top-level fields whose value differs between two versions of a record, sorted."""
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def changes_since(store: Store, since_sync: int | None = None, *, types: Iterable[str] | None = None,
                  limit: int | None = None, mine_only: bool = False) -> list[dict]:
    """Records new, changed, withdrawn or restored after sync ``since_sync``.

    ``since_sync`` None means what the last applied sync changed. Each item is
    ``{"type", "id", "title", "change", "sync_id", "mine", "why_mine", "fields"}``;
    records the delegation follows come first, then by type and id. ``mine_only`` keeps only
    the records the delegation follows, and reads only those (the Today view: after a first
    import of 100,000 documents, everything is new, and only a handful are the delegation's).
    """
    if since_sync is None:
        since_sync = _baseline_since(store)
        if since_sync is None:
            return []
    wanted = [t for t in PUBLISHED_TYPES if types is None or t in set(types)]
    mine = _mine(store)
    if mine_only:
        wanted = [t for t in wanted if any(key[0] == t for key in mine)]
    if not wanted:
        return []
    baselines = _baselines(store, since_sync, wanted)
    items: list[dict] = []
    for type_name in wanted:
        ids = sorted(rid for t, rid in mine if t == type_name) if mine_only else None
        for row in _changed_rows(store, type_name, since_sync, ids):
            rid = row["id"]
            change, sync_id = _classify(row, since_sync, (type_name, rid) in baselines)
            if change is None:
                continue
            fields: list[str] = []
            if change == "changed":
                # Only these few rows need their published text: read it now, not for every row.
                raw = store.execute(f"SELECT raw FROM {type_name} WHERE id = ?", (rid,)).fetchone()[0]
                fields = changed_fields(json.loads(baselines[(type_name, rid)]), json.loads(raw))
                if not fields:
                    continue  # changed and changed back: the same as at the baseline
            why = mine.get((type_name, rid), [])
            items.append({
                "type": type_name, "id": rid, "title": row["title"], "change": change, "sync_id": sync_id,
                "mine": bool(why), "why_mine": why, "fields": fields,
            })
    items.sort(key=lambda i: (not i["mine"], i["type"], i["id"]))
    if limit is not None:
        items = items[:limit]
    return items


def change_counts(store: Store, since_sync: int | None = None) -> dict[tuple[str, str], int]:
    """(type, change) -> how many records :func:`changes_since` would list, without listing them.

    What the last sync changed (``since_sync`` None, or the applied sync before the last one) was
    counted when that sync was applied (:func:`keep_change_counts`) and is read back; otherwise, or
    on a store whose last sync was applied before those counts were kept, it is counted now.
    """
    synced = _last_and_baseline(store)
    if synced is None:
        return {} if since_sync is None else count_changes(store, since_sync)
    last, baseline = synced
    if since_sync is None:
        since_sync = baseline
    if since_sync == baseline:
        row = store.execute("SELECT counts FROM sync_change_counts WHERE sync_id = ? AND since_sync = ?",
                            (last, baseline)).fetchone()
        if row is not None:
            return {(type_name, change): count for type_name, change, count in json.loads(row[0])}
    return count_changes(store, since_sync)


def keep_change_counts(store: Store, sync_id: int) -> None:
    """Keep what sync ``sync_id`` changed, counted since the applied sync before it, for
    :func:`change_counts`; only this sync's row is kept (once a later sync is applied, an earlier
    one's counts are never asked for again). Called by the apply, in its transaction, once the
    sync's records are written: nothing changes them until the next applied sync."""
    since = previous_sync_id(store, sync_id)
    counts = sorted([type_name, change, count] for (type_name, change), count in count_changes(store, since).items())
    store.execute("DELETE FROM sync_change_counts WHERE sync_id <> ?", (sync_id,))
    store.execute("INSERT OR REPLACE INTO sync_change_counts (sync_id, since_sync, counts) VALUES (?, ?, ?)",
                  (sync_id, since, json.dumps(counts)))


def count_changes(store: Store, since_sync: int) -> dict[tuple[str, str], int]:
    """(type, change) -> how many records changed after sync ``since_sync``, counted now.

    New and withdrawn records are counted by SQLite; only the records changed in place (few,
    as a rule) are compared with their earlier version.
    """
    out: dict[tuple[str, str], int] = {}
    baselines = _baselines(store, since_sync, list(PUBLISHED_TYPES))
    for type_name in PUBLISHED_TYPES:
        # A record's changed_sync is never below its first_sync: "changed_sync > ?" lets SQLite seek
        # the {type}_changes index to the rows touched since, instead of testing every record.
        new = store.execute(f"SELECT count(*) FROM {type_name} WHERE withdrawn = 0 AND changed_sync > ? "
                            "AND first_sync > ?", (since_sync, since_sync)).fetchone()[0]
        withdrawn = store.execute(f"SELECT count(*) FROM {type_name} WHERE withdrawn = 1 AND withdrawn_sync > ? "
                                  "AND first_sync <= ?", (since_sync, since_sync)).fetchone()[0]
        if new:
            out[(type_name, "new")] = new
        if withdrawn:
            out[(type_name, "withdrawn")] = withdrawn
        in_place = store.execute(
            f"SELECT id, raw, first_sync, changed_sync, withdrawn, withdrawn_sync FROM {type_name} "
            "WHERE withdrawn = 0 AND first_sync <= ? AND changed_sync > ?", (since_sync, since_sync))
        for row in in_place:
            key = (type_name, row["id"])
            change, _sync = _classify(row, since_sync, key in baselines)
            if change == "changed" and not changed_fields(json.loads(baselines[key]), json.loads(row["raw"])):
                continue  # changed and changed back
            out[(type_name, change)] = out.get((type_name, change), 0) + 1
    return out


def _changed_rows(store: Store, type_name: str, since: int, ids: list[str] | None):
    """The rows of a type touched after sync ``since`` (only ``ids`` when given), without their text."""
    title = f"coalesce({PUBLISHED_TYPES[type_name].title_column}, id)"
    # "withdrawn IN (0, 1)" (always true) lets SQLite search the {type}_changes index, which holds
    # every column tested, instead of reading each record past its texts (100k documents, a sync
    # that changed nothing: 150 ms → 15 ms).
    sql = (f"SELECT id, {title} AS title, first_sync, changed_sync, withdrawn, withdrawn_sync FROM {type_name} "
           "WHERE withdrawn IN (0, 1) AND (first_sync > ? OR changed_sync > ? OR (withdrawn = 1 AND withdrawn_sync > ?))")
    if ids is None:
        yield from store.execute(sql, (since, since, since))
        return
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        yield from store.execute(sql + f" AND id IN ({', '.join('?' * len(chunk))})", (since, since, since, *chunk))


def _classify(row, since: int, has_baseline: bool) -> tuple[str | None, int | None]:
    """(change, the sync that made it) for a row touched after ``since``; (None, None): nothing to tell."""
    if row["withdrawn"]:
        if row["withdrawn_sync"] is None or row["withdrawn_sync"] <= since or row["first_sync"] > since:
            return None, None  # withdrawn earlier, or came and went after the baseline
        return "withdrawn", row["withdrawn_sync"]
    if row["first_sync"] > since:
        return "new", row["first_sync"]
    # changed in place; with no earlier version, only a withdrawal lifted since moved changed_sync
    return ("changed" if has_baseline else "restored"), row["changed_sync"]


def badge_state(store: Store, type_name: str, ids: Iterable[str]) -> dict[str, str | None]:
    """id -> "new", "changed" or None: what the last applied sync did to each of these records."""
    if type_name not in PUBLISHED_TYPES:
        raise ValueError(f"unknown record type {type_name!r}")
    ids = list(ids)
    out: dict[str, str | None] = {rid: None for rid in ids}
    since = _baseline_since(store)
    if since is None:
        return out
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        # "+" keeps SQLite on the primary key: with an index on withdrawn it would otherwise scan
        # every current record to find these few.
        sql = (f"SELECT id, first_sync, changed_sync FROM {type_name} "
               f"WHERE id IN ({', '.join('?' * len(chunk))}) AND +withdrawn = 0 AND +changed_sync > ?")
        for row in store.execute(sql, (*chunk, since)):
            out[row[0]] = "new" if row[1] > since else "changed"
    return out
