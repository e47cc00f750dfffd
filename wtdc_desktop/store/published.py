"""Writing published records: upserts with history, channel presence, withdrawal.

Used by :mod:`wtdc_desktop.bundles.apply` inside one transaction. Never writes
the delegation's ``my_`` tables.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

from wtdc_desktop.domain.records import PUBLISHED_TYPES, canonical_json, content_hash, parse_datetime
from wtdc_desktop.domain.symbols import document_sort_text
from wtdc_desktop.instants import iso_utc

_META_COLUMNS = ("raw", "content_hash", "bundle_seq", "changed_sync", "first_sync", "channel", "withdrawn", "withdrawn_sync")


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _text(value) -> str | None:
    return None if value is None else str(value)


def _utc(value) -> str | None:
    if value is None:
        return None
    return iso_utc(parse_datetime(value, ""))


def _natural(text: str) -> str:
    """Sort text where runs of digits compare as numbers (``Q2/1`` before ``Q10/1``)."""
    import re

    return re.sub(r"\d+", lambda m: f"{int(m.group()):08d}", text)


def _due_utc(value) -> str | None:
    if value is None:
        return None
    if len(value) == 10:  # a day: due at its end is unknown, sort at its start
        return value + "T00:00:00Z"
    return _utc(value)


def _columns(type_name: str, r: dict) -> dict:
    """The table columns of one published record (besides id and the meta columns)."""
    g = r.get
    if type_name == "region":
        return {"name": g("name")}
    if type_name == "organization":
        return {k: g(k) for k in ("name", "kind", "region", "country")}
    if type_name == "meeting":
        return {k: g(k) for k in ("kind", "title", "region", "city", "country", "starts_on", "ends_on", "timezone", "url")}
    if type_name == "committee":
        return {k: g(k) for k in ("meeting", "name", "kind", "chair", "mandate")}
    if type_name == "document":
        from wtdc_desktop.domain.symbols import try_parse_symbol

        sym = try_parse_symbol(r["id"])
        return {
            **{k: g(k) for k in ("meeting", "title", "source", "date", "kind", "status", "summary", "text")},
            "languages": _json(g("languages")),
            "related": _json(g("related")),
            "sort_key": document_sort_text(r["id"]),
            "sym_number": sym.number if sym else None,
            "sym_revision": sym.revision if sym else None,
            "sym_addendum": sym.addendum if sym else None,
            "sym_corrigendum": sym.corrigendum if sym else None,
        }
    if type_name == "resolution":
        return {
            "body": g("body"), "number": _text(g("number")), "title": g("title"), "revision": g("revision"),
            "status": g("status"), "text": g("text"), "links": _json(g("links")),
            "sort_key": f"{g('body')}\x1f{_natural(str(g('number')))}",
        }
    if type_name == "question":
        return {
            "number": g("number"), "study_group": g("study_group"), "period": g("period"), "title": g("title"),
            "status": g("status"), "text": g("text"), "links": _json(g("links")),
            "sort_key": f"{g('period')}\x1f{_natural(str(g('number')))}",
        }
    if type_name == "proposal":
        target = g("target") or {}
        cost = g("cost") or {}
        return {
            "document": g("document"), "sources": _json(g("sources")), "action": g("action"),
            "target_type": target.get("type"), "target_id": _text(target.get("id")),
            "title": g("title"), "text": g("text"), "reasons": g("reasons"), "status": g("status"),
            "committee": g("committee"), "cost_amount": cost.get("amount"), "cost_currency": cost.get("currency"),
        }
    if type_name == "session":
        return {
            "meeting": g("meeting"), "committee": g("committee"), "title": g("title"),
            "starts_at": _utc(g("starts_at")), "ends_at": _utc(g("ends_at")),
            "room": g("room"), "status": g("status"), "agenda": _json(g("agenda")),
        }
    if type_name == "contact":
        return {
            **{k: g(k) for k in ("name", "role", "organization", "region", "email", "phone")},
            "languages": _json(g("languages")), "coordinates": _json(g("coordinates")),
        }
    if type_name == "priority":
        cost = g("estimated_cost") or {}
        return {
            "region": g("region"), "title": g("title"), "description": g("description"),
            "estimated_amount": cost.get("amount"), "estimated_currency": cost.get("currency"),
            "pledges": _json(g("pledges")),
        }
    if type_name == "deadline":
        return {"meeting": g("meeting"), "title": g("title"), "due": g("due"),
                "due_utc": _due_utc(g("due")), "description": g("description")}
    raise KeyError(type_name)


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
        cols = _columns(type_name, record)
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
