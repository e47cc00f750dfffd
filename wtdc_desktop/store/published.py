"""The published records' tables: reading them (counts, listings in their default order, one
record, its history) and writing them (upserts with history, channel presence, withdrawal).

The writer is used by :mod:`wtdc_desktop.bundles.apply` inside one transaction. Never writes
the delegation's ``my_`` tables.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

from wtdc_desktop.domain.records import PUBLISHED_TYPES, canonical_json, content_hash
from wtdc_desktop.store.db import Store

# --- reading -------------------------------------------------------------------------------

def check_type(type_name: str) -> None:
    if type_name not in PUBLISHED_TYPES:
        raise ValueError(f"unknown record type {type_name!r}")


def counts(store: Store, *, include_withdrawn: bool = False, types: tuple[str, ...] | None = None) -> dict[str, int]:
    """Number of current (not withdrawn, unless asked) records of every published type (or of ``types``)."""
    out = {}
    where = "" if include_withdrawn else " WHERE withdrawn = 0"
    for type_name in types or PUBLISHED_TYPES:
        check_type(type_name)
        out[type_name] = store.execute(f"SELECT count(*) FROM {type_name}{where}").fetchone()[0]
    return out


def record_from_row(type_name: str, row: sqlite3.Row) -> dict:
    """The record as published, plus what the store knows of it."""
    record = json.loads(row["raw"])
    for column, name in PUBLISHED_TYPES[type_name].read_back:
        record[name] = row[column]
    record["withdrawn"] = bool(row["withdrawn"])
    return record


def list_records(store: Store, type_name: str, *, include_withdrawn: bool = False,
                 meeting: str | None = None, limit: int | None = None, offset: int = 0) -> list[dict]:
    check_type(type_name)
    clauses, params = [], []
    if not include_withdrawn:
        clauses.append("withdrawn = 0")
    if meeting and PUBLISHED_TYPES[type_name].spec("meeting") is not None:
        clauses.append("meeting = ?")
        params.append(meeting)
    sql = f"SELECT * FROM {type_name}"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += f" ORDER BY {PUBLISHED_TYPES[type_name].order_by}"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    return [record_from_row(type_name, row) for row in store.execute(sql, params)]


def get_record(store: Store, type_name: str, record_id: str) -> dict | None:
    check_type(type_name)
    row = store.execute(f"SELECT * FROM {type_name} WHERE id = ?", (record_id,)).fetchone()
    return record_from_row(type_name, row) if row else None


def record_history(store: Store, type_name: str, record_id: str) -> list[dict]:
    """Earlier versions of a record, oldest first."""
    rows = store.execute(
        "SELECT raw, content_hash, bundle_seq, channel, applied_sync, superseded_sync FROM record_version "
        "WHERE type = ? AND id = ? ORDER BY vid",
        (type_name, record_id),
    ).fetchall()
    return [{"record": json.loads(r["raw"]), "content_hash": r["content_hash"], "bundle_seq": r["bundle_seq"],
             "channel": r["channel"], "applied_sync": r["applied_sync"], "superseded_sync": r["superseded_sync"]}
            for r in rows]


def meetings(store: Store) -> list[tuple[str, str, str | None, str | None, str | None]]:
    """(id, title, starts_on, ends_on, timezone) of every current meeting, by start."""
    rows = store.execute("SELECT id, title, starts_on, ends_on, timezone FROM meeting WHERE withdrawn = 0 "
                         f"ORDER BY {PUBLISHED_TYPES['meeting'].order_by}").fetchall()
    return [tuple(r) for r in rows]


# --- writing -------------------------------------------------------------------------------

@dataclass
class TypeCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    restored: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged,
                "withdrawn": self.withdrawn, "restored": self.restored}


@dataclass
class PublishedWriter:
    """Applies records of one bundle; the caller holds the transaction."""

    conn: sqlite3.Connection
    sync_id: int
    channel: str
    bundle_seq: int
    counts: dict[str, TypeCounts] = field(default_factory=dict)
    _known: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)
    _carried: dict[str, dict[str, str]] = field(default_factory=dict)

    def _known_for(self, type_name: str) -> dict[str, tuple[str, int]]:
        """id -> (content_hash, withdrawn) of a type, loaded once per apply."""
        known = self._known.get(type_name)
        if known is None:
            known = {row[0]: (row[1], row[2]) for row in
                     self.conn.execute(f"SELECT id, content_hash, withdrawn FROM {type_name}")}
            self._known[type_name] = known
        return known

    def _carried_for(self, type_name: str) -> dict[str, str]:
        """id -> content hash of what this channel carried, loaded once per apply."""
        carried = self._carried.get(type_name)
        if carried is None:
            carried = {row[0]: row[1] for row in self.conn.execute(
                "SELECT id, content_hash FROM record_channel WHERE channel = ? AND type = ?",
                (self.channel, type_name))}
            self._carried[type_name] = carried
        return carried

    def count(self, type_name: str) -> TypeCounts:
        return self.counts.setdefault(type_name, TypeCounts())

    def upsert(self, type_name: str, record: dict) -> str:
        """Apply one validated record; returns 'new', 'changed', 'restored' or 'unchanged'."""
        rid = record["id"]
        digest = content_hash(record)
        known = self._known_for(type_name)
        carried = self._carried_for(type_name)
        previous = known.get(rid)
        if carried.get(rid) != digest:
            self.conn.execute(
                "INSERT INTO record_channel (type, id, channel, content_hash) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (type, id, channel) DO UPDATE SET content_hash = excluded.content_hash",
                (type_name, rid, self.channel, digest),
            )
            carried[rid] = digest
        counts = self.count(type_name)
        if previous is not None and previous[0] == digest and not previous[1]:
            counts.unchanged += 1
            return "unchanged"
        cols = PUBLISHED_TYPES[type_name].storage_values(record)
        cols["raw"] = canonical_json(record)
        cols["content_hash"] = digest
        cols["bundle_seq"] = self.bundle_seq
        cols["changed_sync"] = self.sync_id
        cols["channel"] = self.channel
        cols["withdrawn"] = 0
        cols["withdrawn_sync"] = None
        if previous is None:
            cols["first_sync"] = self.sync_id
            names = ["id", *cols]
            self.conn.execute(
                f"INSERT INTO {type_name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                [rid, *cols.values()],
            )
            known[rid] = (digest, 0)
            counts.new += 1
            return "new"
        if previous[0] != digest:
            self._keep_version(type_name, rid)
        self.conn.execute(
            f"UPDATE {type_name} SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?",
            [*cols.values(), rid],
        )
        known[rid] = (digest, 0)
        if previous[1]:
            counts.restored += 1
            return "restored"
        counts.changed += 1
        return "changed"

    def _keep_version(self, type_name: str, rid: str) -> None:
        self.conn.execute(
            "INSERT INTO record_version (type, id, raw, content_hash, bundle_seq, channel, applied_sync, superseded_sync) "
            f"SELECT ?, id, raw, content_hash, bundle_seq, channel, changed_sync, ? FROM {type_name} WHERE id = ?",
            (type_name, self.sync_id, rid),
        )

    def drop_from_channel(self, type_name: str, ids: Iterable[str]) -> None:
        """This channel no longer carries these records; withdraw those no channel carries."""
        known = self._known_for(type_name)
        carried = self._carried_for(type_name)
        for rid in ids:
            if rid in carried:
                self.conn.execute(
                    "DELETE FROM record_channel WHERE type = ? AND id = ? AND channel = ?",
                    (type_name, rid, self.channel),
                )
                del carried[rid]
            if rid not in known or known[rid][1]:
                continue
            still = self.conn.execute(
                "SELECT 1 FROM record_channel WHERE type = ? AND id = ? LIMIT 1", (type_name, rid)
            ).fetchone()
            if still:
                continue
            self.conn.execute(
                f"UPDATE {type_name} SET withdrawn = 1, withdrawn_sync = ? WHERE id = ?", (self.sync_id, rid)
            )
            known[rid] = (known[rid][0], 1)
            self.count(type_name).withdrawn += 1

    def unchanged_types(self, digests: dict[str, str]) -> set[str]:
        """The types whose records files are those that last defined this channel's records of the type."""
        stored = {row[0]: row[1] for row in self.conn.execute(
            "SELECT type, digest FROM channel_records WHERE channel = ?", (self.channel,))}
        return {t for t, d in digests.items() if stored.get(t) == d}

    def carry_unchanged(self, type_name: str) -> set[str]:
        """Count this channel's records of a type as seen and unchanged, without reading them."""
        ids = set(self._carried_for(type_name))
        self.count(type_name).unchanged += len(ids)
        return ids

    def remember_digests(self, digests: dict[str, str], *, full: bool, touched: set[str]) -> None:
        """After an apply: a full bundle's digests now define this channel's types; a delta's types no
        longer match any digest of this channel; a type written here no longer matches another
        channel's digest (its rows may now hold this channel's versions)."""
        written = {t for t, c in self.counts.items() if c.new or c.changed or c.restored or c.withdrawn}
        for type_name in written:
            self.conn.execute("DELETE FROM channel_records WHERE type = ? AND channel != ?", (type_name, self.channel))
        if full:
            self.conn.execute("DELETE FROM channel_records WHERE channel = ?", (self.channel,))
            self.conn.executemany("INSERT INTO channel_records (channel, type, digest) VALUES (?, ?, ?)",
                                  [(self.channel, t, d) for t, d in sorted(digests.items())])
        else:
            for type_name in touched | written:
                self.conn.execute("DELETE FROM channel_records WHERE channel = ? AND type = ?",
                                  (self.channel, type_name))

    def withdraw_unseen(self, seen: dict[str, set[str]]) -> None:
        """For a full bundle: what this channel carried before but not now is withdrawn."""
        for type_name in PUBLISHED_TYPES:
            carried = self._carried_for(type_name)
            gone = [rid for rid in carried if rid not in seen.get(type_name, ())]
            if gone:
                self.drop_from_channel(type_name, gone)


def save_document_files(conn: sqlite3.Connection, document_id: str, files: list[tuple]) -> None:
    """Replace the file list of a document: (language, title, path, sha256, size, media_type)."""
    conn.execute("DELETE FROM document_file WHERE document = ?", (document_id,))
    conn.executemany(
        "INSERT INTO document_file (document, language, title, path, sha256, size, media_type) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(document_id, *f) for f in files],
    )


def document_files_differ(conn: sqlite3.Connection, document_id: str, files: list[tuple]) -> bool:
    """Whether a document's stored file list differs from ``files`` (a file's content can change
    while the record that names it does not)."""
    stored = conn.execute(
        "SELECT language, path, sha256 FROM document_file WHERE document = ? ORDER BY language",
        (document_id,),
    ).fetchall()
    return [tuple(r) for r in stored] != sorted((f[0], f[2], f[3]) for f in files)
