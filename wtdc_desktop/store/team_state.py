"""What this machine knows of the team it shares delegation bundles with (``team_member``).

The team's configuration (shared location, this member's name, the delegation, the signing key
file, a WebDAV user name) is one JSON setting; never a password, which stays in the operating
system's keyring. ``team_member`` lists the other members found in the shared location, with the
public key each one lists there, whether the user confirmed its fingerprint (``trusted_at``) and
the last of its bundles read here.
"""

from __future__ import annotations

import json
import sqlite3

from wtdc_desktop.store.db import Store, utcnow

_CONFIG_KEY = "team"


def config(store: Store) -> dict | None:
    row = store.execute("SELECT value FROM setting WHERE key = ?", (_CONFIG_KEY,)).fetchone()
    return json.loads(row[0]) if row and row[0] else None


def save_config(store: Store, value: dict | None) -> None:
    with store.transaction() as conn:
        if value is None:
            conn.execute("DELETE FROM setting WHERE key = ?", (_CONFIG_KEY,))
            conn.execute("DELETE FROM team_member")
        else:
            conn.execute("INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
                         "value = excluded.value", (_CONFIG_KEY, json.dumps(value, sort_keys=True)))


def members(store: Store) -> list[dict]:
    return [dict(r) for r in store.execute(
        "SELECT name, public_key, fingerprint, trusted_at, last_sequence, last_seen, bundles_read "
        "FROM team_member ORDER BY name")]


def member(store: Store, name: str) -> dict | None:
    row = store.execute("SELECT name, public_key, fingerprint, trusted_at, last_sequence, last_seen, bundles_read "
                        "FROM team_member WHERE name = ?", (name,)).fetchone()
    return dict(row) if row else None


def list_member(store: Store, name: str, public_key: str, fingerprint: str) -> None:
    """A member found in the shared location with this key; a different key than the pinned one is kept
    apart (``bundles_read`` notes it) until the user trusts it."""
    with store.transaction() as conn:
        conn.execute("INSERT INTO team_member (name, public_key, fingerprint) VALUES (?, ?, ?) "
                     "ON CONFLICT (name) DO NOTHING", (name, public_key, fingerprint))
        conn.execute("UPDATE team_member SET public_key = ?, fingerprint = ? WHERE name = ? AND trusted_at IS NULL",
                     (public_key, fingerprint, name))


def trust_member(store: Store, name: str, public_key: str, fingerprint: str) -> None:
    with store.transaction() as conn:
        conn.execute("INSERT INTO team_member (name, public_key, fingerprint, trusted_at) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (name) DO UPDATE SET public_key = excluded.public_key, "
                     "fingerprint = excluded.fingerprint, trusted_at = excluded.trusted_at",
                     (name, public_key, fingerprint, utcnow()))


def mark_read(conn: sqlite3.Connection, name: str, sequence: int) -> None:
    """In the import's transaction: a bundle of ``name`` was read here now."""
    conn.execute("UPDATE team_member SET last_sequence = ?, last_seen = ? WHERE name = ?", (sequence, utcnow(), name))


def mark_seen(store: Store, name: str, sequence: int) -> None:
    with store.transaction() as conn:
        mark_read(conn, name, sequence)
