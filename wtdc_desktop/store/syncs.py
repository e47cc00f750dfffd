"""Sync bookkeeping: the sync log, channel state, applied bundles, sources."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from wtdc_desktop.store.db import Store, utcnow


@dataclass(frozen=True)
class ChannelState:
    publisher: str
    channel: str
    publisher_name: str | None
    last_sequence: int
    last_manifest_sha256: str
    last_sync: int
    created_at: str | None
    expires_at: str | None


def channel_state(conn: sqlite3.Connection, publisher: str, channel: str) -> ChannelState | None:
    row = conn.execute(
        "SELECT publisher, channel, publisher_name, last_sequence, last_manifest_sha256, last_sync, created_at, expires_at "
        "FROM channel_state WHERE publisher = ? AND channel = ?",
        (publisher, channel),
    ).fetchone()
    return ChannelState(*row) if row else None


def all_channel_states(store: Store) -> list[ChannelState]:
    rows = store.execute(
        "SELECT publisher, channel, publisher_name, last_sequence, last_manifest_sha256, last_sync, created_at, expires_at "
        "FROM channel_state ORDER BY publisher, channel"
    ).fetchall()
    return [ChannelState(*row) for row in rows]


def applied_manifest(conn: sqlite3.Connection, publisher: str, channel: str, sequence: int) -> str | None:
    row = conn.execute(
        "SELECT manifest_sha256 FROM applied_bundle WHERE publisher = ? AND channel = ? AND sequence = ?",
        (publisher, channel, sequence),
    ).fetchone()
    return row[0] if row else None


def begin_sync(conn: sqlite3.Connection, *, source: str, publisher: str, channel: str, sequence: int,
               kind: str, manifest_sha256: str) -> int:
    cur = conn.execute(
        "INSERT INTO sync_log (started_at, source, publisher, channel, sequence, kind, manifest_sha256, outcome) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 'running')",
        (utcnow(), source, publisher, channel, sequence, kind, manifest_sha256),
    )
    return cur.lastrowid


def finish_sync(conn: sqlite3.Connection, sync_id: int, *, outcome: str, counts: dict | None = None,
                message: str | None = None) -> None:
    conn.execute(
        "UPDATE sync_log SET finished_at = ?, outcome = ?, counts = ?, message = ? WHERE sync_id = ?",
        (utcnow(), outcome, json.dumps(counts, sort_keys=True) if counts is not None else None, message, sync_id),
    )


def record_applied(conn: sqlite3.Connection, *, publisher: str, publisher_name: str | None, channel: str,
                   sequence: int, manifest_sha256: str, kind: str, sync_id: int, created_at: str | None,
                   expires_at: str | None) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO applied_bundle (publisher, channel, sequence, manifest_sha256, kind, sync_id) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (publisher, channel, sequence, manifest_sha256, kind, sync_id),
    )
    conn.execute(
        "INSERT INTO channel_state (publisher, channel, publisher_name, last_sequence, last_manifest_sha256, last_sync, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (publisher, channel) DO UPDATE SET "
        "publisher_name = excluded.publisher_name, last_sequence = excluded.last_sequence, "
        "last_manifest_sha256 = excluded.last_manifest_sha256, last_sync = excluded.last_sync, "
        "created_at = excluded.created_at, expires_at = excluded.expires_at",
        (publisher, channel, publisher_name, sequence, manifest_sha256, sync_id, created_at, expires_at),
    )


def log_outcome(store: Store, *, source: str, outcome: str, message: str, publisher: str | None = None,
                channel: str | None = None, sequence: int | None = None, kind: str | None = None,
                manifest_sha256: str | None = None) -> None:
    """Record a sync that changed nothing (refused, already applied) in its own transaction."""
    now = utcnow()
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO sync_log (started_at, finished_at, source, publisher, channel, sequence, kind, manifest_sha256, outcome, message) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (now, now, source, publisher, channel, sequence, kind, manifest_sha256, outcome, message),
        )


def sync_log(store: Store, limit: int = 50) -> list[dict]:
    rows = store.execute(
        "SELECT sync_id, started_at, finished_at, source, publisher, channel, sequence, kind, outcome, counts, message "
        "FROM sync_log ORDER BY sync_id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    out = []
    for row in rows:
        item = dict(row)
        item["counts"] = json.loads(item["counts"]) if item["counts"] else None
        out.append(item)
    return out


def _instant(value: str):
    from wtdc_desktop.instants import parse_instant

    return parse_instant(value)  # the store's times are UTC with "Z"; a manifest's carry an offset


def stale_channels(store: Store, now=None) -> list[ChannelState]:
    """Channels whose last applied bundle is past its ``expires_at`` with nothing newer applied (spec §2).

    ``now`` is an aware datetime or an ISO instant (default: now). The material
    is still shown; the window shows a banner, the command line a warning.
    """
    import datetime as dt

    if now is None:
        now = dt.datetime.now(dt.timezone.utc)
    elif isinstance(now, str):
        now = _instant(now)
    out = []
    for state in all_channel_states(store):
        if not state.expires_at:
            continue
        try:
            expired = _instant(state.expires_at) < now
        except ValueError:
            continue
        if expired:
            out.append(state)
    return out


def last_sync_per_source(store: Store) -> list[dict]:
    """The latest sync attempt of each source: ``{"source", "finished_at", "outcome", "message", "channel"}``."""
    rows = store.execute(
        "SELECT source, coalesce(finished_at, started_at) AS at, outcome, message, channel FROM sync_log s "
        "WHERE sync_id = (SELECT max(sync_id) FROM sync_log t WHERE t.source IS s.source) ORDER BY at DESC").fetchall()
    return [{"source": r[0], "finished_at": r[1], "outcome": r[2], "message": r[3], "channel": r[4]} for r in rows]


def applied_syncs(store: Store, limit: int = 50) -> list[tuple[int, str, str | None]]:
    """(sync_id, finished_at, source) of applied syncs, newest first (for "changes since")."""
    rows = store.execute("SELECT sync_id, coalesce(finished_at, started_at), source FROM sync_log "
                         "WHERE outcome = 'applied' ORDER BY sync_id DESC LIMIT ?", (limit,)).fetchall()
    return [tuple(r) for r in rows]


def is_empty(store: Store) -> bool:
    return store.execute("SELECT NOT EXISTS (SELECT 1 FROM channel_state)").fetchone()[0] == 1


DEMO_PUBLISHER = "wtdc-desktop-demo"


def only_demo_content(store: Store) -> bool:
    """True when the built-in demo is the only published material synced so far."""
    publishers = {row[0] for row in store.execute("SELECT DISTINCT publisher FROM channel_state")}
    return publishers == {DEMO_PUBLISHER}


#: The outcomes of a sync that went well (something applied, or nothing new to apply).
SUCCESSFUL_OUTCOMES = ("applied", "already_applied", "up_to_date")


def last_sync_with(store: Store, outcomes: tuple[str, ...]) -> dict | None:
    """The latest sync whose outcome is one of ``outcomes``: ``{"sync_id", "source", "finished_at",
    "outcome", "message"}``, or None."""
    row = store.execute(
        "SELECT sync_id, source, coalesce(finished_at, started_at), outcome, message FROM sync_log "
        f"WHERE outcome IN ({', '.join('?' * len(outcomes))}) ORDER BY sync_id DESC LIMIT 1", outcomes).fetchone()
    if row is None:
        return None
    return {"sync_id": row[0], "source": row[1], "finished_at": row[2], "outcome": row[3], "message": row[4]}
