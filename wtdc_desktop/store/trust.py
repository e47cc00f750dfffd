"""Pinned publisher keys (spec §6): once a publisher has one, its bundles must be signed with it."""

from __future__ import annotations

import base64
import json
import sqlite3
from dataclasses import dataclass

from wtdc_desktop.store.db import Store, utcnow

#: Where a pinned key came from.
ORIGINS = ("config", "user", "cli")


@dataclass(frozen=True)
class TrustedKey:
    publisher: str
    public_key: bytes  # raw 32 bytes
    fingerprint: str
    origin: str
    added_at: str

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(self.public_key).decode("ascii")

    def as_dict(self) -> dict:
        return {"publisher": self.publisher, "public_key": self.public_key_b64, "fingerprint": self.fingerprint,
                "origin": self.origin, "added_at": self.added_at}


def _row(row) -> TrustedKey:
    return TrustedKey(row[0], base64.b64decode(row[1]), row[2], row[3], row[4])


def _conn(target: Store | sqlite3.Connection) -> sqlite3.Connection:
    return target.conn if isinstance(target, Store) else target


def get_key(target: Store | sqlite3.Connection, publisher: str) -> TrustedKey | None:
    row = _conn(target).execute(
        "SELECT publisher, public_key, fingerprint, origin, added_at FROM trusted_key WHERE publisher = ?",
        (publisher,),
    ).fetchone()
    return _row(row) if row else None


def list_keys(store: Store) -> list[TrustedKey]:
    rows = store.execute(
        "SELECT publisher, public_key, fingerprint, origin, added_at FROM trusted_key ORDER BY publisher"
    ).fetchall()
    return [_row(r) for r in rows]


def pin_key(store: Store, publisher: str, public_key: bytes, fingerprint: str, origin: str) -> None:
    """Pin (or replace) the key of a publisher."""
    if origin not in ORIGINS:
        raise ValueError(origin)
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO trusted_key (publisher, public_key, fingerprint, origin, added_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (publisher) DO UPDATE SET public_key = excluded.public_key, "
            "fingerprint = excluded.fingerprint, origin = excluded.origin, added_at = excluded.added_at",
            (publisher, base64.b64encode(public_key).decode("ascii"), fingerprint, origin, utcnow()),
        )


def remove_key(store: Store, publisher: str) -> bool:
    """Unpin a publisher's key; False when none was pinned."""
    with store.transaction() as conn:
        cur = conn.execute("DELETE FROM trusted_key WHERE publisher = ?", (publisher,))
    return cur.rowcount > 0


def pinned_publishers(conn: sqlite3.Connection) -> dict[str, str]:
    """channel key (``publisher/channel``) -> publisher, for every applied channel of a publisher whose key is pinned."""
    rows = conn.execute(
        "SELECT c.publisher, c.channel FROM channel_state c JOIN trusted_key k ON k.publisher = c.publisher"
    ).fetchall()
    return {f"{publisher}/{channel}": publisher for publisher, channel in rows}



def carried_ids(conn: sqlite3.Connection, channel_key: str) -> dict[str, set[str]]:
    """type -> the ids of the records a channel carries."""
    out: dict[str, set[str]] = {}
    for type_name, rid in conn.execute("SELECT type, id FROM record_channel WHERE channel = ?", (channel_key,)):
        out.setdefault(type_name, set()).add(rid)
    return out


def _pinned_owner(type_name: str) -> str:
    """SQL: the pinned publisher of the current version of the row ``t`` of a published table, or NULL.

    A current version is a pinned publisher's when the sync that brought it was that publisher's, or when a
    channel of that publisher carries the very same content (``:pinned``: channel key -> publisher, as JSON).
    """
    return (
        "coalesce((SELECT s.publisher FROM sync_log s JOIN trusted_key k ON k.publisher = s.publisher "
        "WHERE s.sync_id = t.changed_sync), "
        "(SELECT p.value FROM record_channel rc JOIN json_each(:pinned) p ON p.key = rc.channel "
        f"WHERE rc.type = '{type_name}' AND rc.id = t.id AND rc.content_hash = t.content_hash LIMIT 1))"
    )


def pinned_versions(conn: sqlite3.Connection, *, channel_key: str, incoming: dict[str, set[str]],
                    withdrawn: dict[str, set[str]]) -> tuple[list[tuple], list[tuple]]:
    """Which of a bundle's records have a current version published by a pinned publisher, in one query.

    ``incoming``: type -> ids the bundle carries; ``withdrawn``: type -> ids it withdraws (by name, or by no
    longer carrying them in a full bundle). Returns (carried, withdrawals): ``carried`` lists (type, id,
    publisher, content hash, withdrawn) of the incoming records whose current version a pinned publisher
    published (the caller compares the content); ``withdrawals`` lists (type, id, publisher) of those the
    bundle would withdraw (no other channel carries them). Types are names from the record-type registry,
    never text from a bundle.
    """
    pinned = pinned_publishers(conn)
    if not pinned:
        return [], []
    parts = []
    params: dict[str, object] = {"channel": channel_key, "pinned": json.dumps(pinned)}
    for n, type_name in enumerate(sorted(set(incoming) | set(withdrawn))):
        owner = _pinned_owner(type_name)
        if incoming.get(type_name):
            params[f"in{n}"] = json.dumps(sorted(incoming[type_name]))
            parts.append(f"SELECT 'carried', '{type_name}', t.id, {owner} AS pub, t.content_hash, t.withdrawn "
                         f"FROM json_each(:in{n}) b CROSS JOIN {type_name} t ON t.id = b.value")
        if withdrawn.get(type_name):
            params[f"out{n}"] = json.dumps(sorted(withdrawn[type_name]))
            parts.append(
                f"SELECT 'withdrawn', '{type_name}', t.id, {owner} AS pub, t.content_hash, t.withdrawn "
                f"FROM json_each(:out{n}) b CROSS JOIN {type_name} t ON t.id = b.value WHERE NOT t.withdrawn "
                f"AND NOT EXISTS (SELECT 1 FROM record_channel o WHERE o.type = '{type_name}' AND o.id = t.id "
                "AND o.channel != :channel)")
    if not parts:
        return [], []
    rows = conn.execute("SELECT * FROM (" + " UNION ALL ".join(parts) + ") WHERE pub IS NOT NULL", params).fetchall()
    carried = [(t, rid, pub, digest, bool(gone)) for what, t, rid, pub, digest, gone in rows if what == "carried"]
    withdrawals = [(t, rid, pub) for what, t, rid, pub, _digest, _gone in rows if what == "withdrawn"]
    return carried, withdrawals


def is_pinned_key(conn: sqlite3.Connection, public_key: bytes) -> bool:
    """Whether this key is pinned for some publisher."""
    return conn.execute("SELECT 1 FROM trusted_key WHERE public_key = ? LIMIT 1",
                        (base64.b64encode(public_key).decode("ascii"),)).fetchone() is not None
