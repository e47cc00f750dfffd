"""Pinned publisher keys (spec §6): once a publisher has one, its bundles must be signed with it."""

from __future__ import annotations

import base64
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
