"""The published records' tables: reading them (counts, listings in their default order, one
record, its history) and writing them (upserts with history, channel presence, withdrawal).

The writer is used by :mod:`wtdc_desktop.bundles.apply` inside one transaction. Never writes
the delegation's ``my_`` tables.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from wtdc_desktop.domain.records import PUBLISHED_TYPES, canonical_json
from wtdc_desktop.store.db import Store

# --- reading -------------------------------------------------------------------------------

def check_type(type_name: str) -> None:
    if type_name not in PUBLISHED_TYPES:
        raise ValueError(f"unknown record type {type_name!r}")


def counts(store: Store, *, include_withdrawn: bool = False, types: tuple[str, ...] | None = None) -> dict[str, int]:
    """Number of current (not withdrawn, unless asked) records of every published type (or of ``types``)."""
    out = {}
    for type_name in types or PUBLISHED_TYPES:
        check_type(type_name)
        out[type_name] = store.execute(current_count_sql(type_name, include_withdrawn)).fetchone()[0]
    return out


def current_count_sql(type_name: str, include_withdrawn: bool = False) -> str:
    """SQL counting a published table's current records (or all of them).

    ``withdrawn`` is 0 or 1: the current records are all the rows but the withdrawn ones (few). SQLite
    counts a whole table by its pages (a cached 100k-row index: 0.02 ms), where "WHERE withdrawn = 0"
    steps through every row (4 ms, and 10–15 ms for the status bar and a list's first open).
    """
    if include_withdrawn:
        return f"SELECT count(*) FROM {type_name}"
    return f"SELECT (SELECT count(*) FROM {type_name}) - (SELECT count(*) FROM {type_name} WHERE withdrawn = 1)"


def record_from_row(type_name: str, row: sqlite3.Row) -> dict:
    """The record as published, plus what the store knows of it."""
    record = json.loads(row["raw"])
    for column, name in PUBLISHED_TYPES[type_name].read_back:
        record[name] = row[column]
    record["withdrawn"] = bool(row["withdrawn"])
    return record


def holds_no_records(store: Store) -> bool:
    """No published record at all, withdrawn or not (the store of a first import)."""
    return not any(store.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in PUBLISHED_TYPES)


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

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def as_dict(self) -> dict[str, int]:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged,
                "withdrawn": self.withdrawn, "restored": self.restored}


def version_outcome(previous: tuple[str, int] | None, digest: str) -> str:
    """What writing a record of content hash ``digest`` does, given the stored (hash, withdrawn) of
    its id, or None: 'new', 'unchanged', 'changed' or 'restored' (both write paths)."""
    if previous is None:
        return "new"
    if previous[1]:
        return "restored"
    return "unchanged" if previous[0] == digest else "changed"


class _ById:
    """id -> a stored value, read one id at a time when first asked for and kept (``None``: none).

    What a delta's records are compared with: a delta names few of a large store's records, and
    loading every id of the type first (100,000 documents, and their channel rows) took longer
    than applying a delta of a thousand of them.
    """

    def __init__(self, conn: sqlite3.Connection, sql: str, params: tuple = ()) -> None:
        self.conn, self.sql, self.params = conn, sql, params
        self._read: dict[str, object] = {}

    def get(self, rid: str, default=None):
        if rid not in self._read:
            row = self.conn.execute(self.sql, (*self.params, rid)).fetchone()
            self._read[rid] = None if row is None else tuple(row) if len(row) > 1 else row[0]
        value = self._read[rid]
        return default if value is None else value

    def __contains__(self, rid: str) -> bool:
        return self.get(rid) is not None

    def __getitem__(self, rid: str):
        value = self.get(rid)
        if value is None:
            raise KeyError(rid)
        return value

    def __setitem__(self, rid: str, value) -> None:
        self._read[rid] = value

    def __delitem__(self, rid: str) -> None:
        self._read[rid] = None

    def __iter__(self):
        raise TypeError("a delta's lookup is by id only")  # a full bundle loads every id (withdraw_unseen)


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
    #: Types the bulk path wrote into an empty table this channel carried nothing of: every row
    #: of them is this bundle's (nothing to withdraw), and no id -> hash map was kept in memory.
    fresh: set[str] = field(default_factory=set)
    #: full-text table -> rows the bulk path wrote into it during this apply (see :meth:`tidy_fulltext`)
    fts_filled: dict[str, int] = field(default_factory=dict)
    #: A delta: records are compared with the store one id at a time (:class:`_ById`), where a full
    #: bundle loads every id of a type once (it withdraws those it no longer carries).
    by_id: bool = False

    def _known_for(self, type_name: str) -> dict[str, tuple[str, int]]:
        """id -> (content_hash, withdrawn) of a type, loaded once per apply (by id for a delta)."""
        known = self._known.get(type_name)
        if known is None:
            if self.by_id:
                known = _ById(self.conn, f"SELECT content_hash, withdrawn FROM {type_name} WHERE id = ?")
            else:
                known = {row[0]: (row[1], row[2]) for row in
                         self.conn.execute(f"SELECT id, content_hash, withdrawn FROM {type_name}")}
            self._known[type_name] = known
        return known

    def _carried_for(self, type_name: str) -> dict[str, str]:
        """id -> content hash of what this channel carried, loaded once per apply (by id for a delta)."""
        carried = self._carried.get(type_name)
        if carried is None:
            if self.by_id:
                carried = _ById(self.conn, "SELECT content_hash FROM record_channel WHERE channel = ? AND type = ? "
                                "AND id = ?", (self.channel, type_name))
            else:
                carried = {row[0]: row[1] for row in self.conn.execute(
                    "SELECT id, content_hash FROM record_channel WHERE channel = ? AND type = ?",
                    (self.channel, type_name))}
            self._carried[type_name] = carried
        return carried

    def count(self, type_name: str) -> TypeCounts:
        return self.counts.setdefault(type_name, TypeCounts())

    def stored_columns(self, type_name: str, record: dict, raw: str, digest: str) -> dict:
        """The row of a new or changed version of ``record`` as this bundle writes it (both paths)."""
        cols = PUBLISHED_TYPES[type_name].storage_values(record)
        cols["raw"] = raw
        cols["content_hash"] = digest
        cols["bundle_seq"] = self.bundle_seq
        cols["changed_sync"] = self.sync_id
        cols["channel"] = self.channel
        cols["withdrawn"] = 0
        cols["withdrawn_sync"] = None
        return cols

    def upsert(self, type_name: str, record: dict) -> str:
        """Apply one validated record; returns 'new', 'changed', 'restored' or 'unchanged'."""
        rid = record["id"]
        raw = canonical_json(record)  # one serialisation for the hash and the stored copy
        digest = sha256_hex(raw)
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
        outcome = version_outcome(previous, digest)
        self.count(type_name).add(outcome)
        if outcome == "unchanged":
            return outcome
        cols = self.stored_columns(type_name, record, raw, digest)
        if outcome == "new":
            cols["first_sync"] = self.sync_id
            names = ["id", *cols]
            self.conn.execute(
                f"INSERT INTO {type_name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                [rid, *cols.values()],
            )
        else:
            if previous[0] != digest:
                self._keep_version(type_name, rid)
            self.conn.execute(
                f"UPDATE {type_name} SET {', '.join(f'{k} = ?' for k in cols)} WHERE id = ?",
                [*cols.values(), rid],
            )
        known[rid] = (digest, 0)
        return outcome

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

    def tidy_fulltext(self) -> None:
        """Merge into one segment each full-text table the bulk path wrote most of in this apply.

        FTS5 keeps what a statement writes in memory up to a limit, then writes it out as a segment:
        filling 10,000 documents at once leaves 18 segments, which every search then reads, and which
        FTS5 merges a little at each later write. Merged once here, after a first import or a large
        republication, the next syncs of small deltas took 35-45 % less time and searches read one
        segment. A table the bulk path wrote less than half of is left as it is (merging rewrites the
        whole index).
        """
        for fts, filled in sorted(self.fts_filled.items()):
            total = self.conn.execute(f"SELECT count(*) FROM {fts}_docsize").fetchone()[0]
            if filled and 2 * filled >= total:
                self.conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")

    def withdraw_unseen(self, seen: dict[str, set[str]]) -> None:
        """For a full bundle: what this channel carried before but not now is withdrawn."""
        for type_name in PUBLISHED_TYPES:
            if type_name in self.fresh:
                continue
            carried = self._carried_for(type_name)
            gone = [rid for rid in carried if rid not in seen.get(type_name, ())]
            if gone:
                self.drop_from_channel(type_name, gone)


def sha256_hex(text: str) -> str:
    """SHA-256 of a text's UTF-8 bytes, hex (what ``content_hash`` gives for its canonical JSON)."""
    import hashlib  # here: the window never hashes a record, and hashlib maps all of OpenSSL's libcrypto

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_FTS_INSERT = re.compile(
    r"AFTER INSERT ON (\w+)(?:\s+WHEN\s+(?P<when>.*?))?\s+BEGIN\s+INSERT INTO (?P<fts>\w+)\s*(?P<cols>\([^)]*\))\s*"
    r"(?:VALUES\s*\((?P<values>.*)\)|SELECT\s+(?P<select>.*))\s*;\s*END\s*$", re.S | re.I)
_FTS_DELETE = re.compile(r"BEGIN\s+DELETE FROM (?P<fts>\w+) WHERE rowid = (?P<rowid>[^;]*);\s*END\s*$", re.S | re.I)


_GLOB_CLASS = re.compile(r"\) GLOB '\*\[([^\]\[\\^'*?]+)\]\*'")


@functools.lru_cache(maxsize=8)
def _class_pattern(chars: str) -> re.Pattern:
    return re.compile(f"[{chars}]")


def _has_class(text: str | None, chars: str) -> int | None:
    """``text GLOB '*[chars]*'``, as SQLite answers it (NULL for NULL)."""
    if text is None:
        return None
    return 1 if _class_pattern(chars).search(text) else 0


def _fast_glob(sql: str) -> str:
    """The statement with each ``(expr) GLOB '*[chars]*'`` (the trigram triggers' test for CJK text)
    written as ``bulk_has_class((expr), 'chars')``: the same answer, by a regular expression, where
    SQLite's GLOB walks the text once per position (the slowest part of indexing 10,000 documents)."""
    while m := _GLOB_CLASS.search(sql):
        depth, start = 0, m.start()
        while start >= 0:  # the opening parenthesis of the expression (its literals hold no parentheses)
            depth += {")": 1, "(": -1}.get(sql[start], 0)
            if depth == 0:
                break
            start -= 1
        if start < 0:
            return sql
        sql = f"{sql[:start]}bulk_has_class({sql[start:m.start() + 1]}, '{m.group(1)}'){sql[m.end():]}"
    return sql


class DuplicateId(Exception):
    """A bulk write into a fresh table met an id twice (``position``: what the caller gave with it)."""

    def __init__(self, rid: str, position) -> None:
        super().__init__(rid)
        self.rid = rid
        self.position = position


class BulkUpsert:
    """Writes one type's records of a bundle in batches (executemany); the caller holds the transaction.

    The same rows, history, channel presence and counts as :meth:`PublishedWriter.upsert` called
    record by record, in the same order (so the same rowids). The full-text triggers of the table
    are dropped for the while (inside the transaction: a rollback brings them back) and the
    full-text tables are filled once at :meth:`finish`, for the rows written, by the triggers' own
    statements turned into INSERT … SELECT: their contents end exactly as the triggers make them.
    ``finish`` must be called before the transaction ends (it restores the triggers); on an error,
    :meth:`close` must be called before the rollback (it waits for the helper thread below).

    Into a fresh table the rows of each batch are final once written, so :meth:`index_written`
    fills the full-text tables for them on a helper thread, on the same connection, while the
    caller reads and checks the next batch: SQLite tokenises without Python's interpreter lock, so
    on two cores the filling costs the import almost nothing. The connection is never used by both
    at once: :meth:`flush`, :meth:`finish` and :meth:`close` wait for the helper first, and the
    caller uses the connection only through them between two batches.
    """

    def __init__(self, writer: PublishedWriter, type_name: str, batch: int = 2000) -> None:
        check_type(type_name)
        self.writer = writer
        self.conn = writer.conn
        self.type_name = type_name
        self.batch = batch
        self._channel_rows: list[tuple] = []
        self._version_ids: list[tuple] = []
        self._writes: list[tuple[str, tuple, list]] = []  # (insert|update, column names, values) in order
        self._batch_ids: set[str] = set()
        self._touched: list[tuple[str]] = []  # ids of rows that existed and were written
        table = type_name
        self._triggers = [(name, sql) for name, sql in self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name", (table,))
            if self._fts_target(sql)]
        for name, _sql in self._triggers:
            self.conn.execute(f"DROP TRIGGER {name}")
        self._before = self.conn.execute(f"SELECT coalesce(max(rid), 0) FROM {table}").fetchone()[0]
        # Into an empty table of which this channel carries nothing (a first import), every record
        # is new: no id -> hash maps are needed, so memory does not grow with the bundle.
        self.fresh = not self._before and not writer._known.get(type_name) and not self.conn.execute(
            "SELECT 1 FROM record_channel WHERE channel = ? AND type = ? LIMIT 1", (writer.channel, type_name)).fetchone()
        self.conn.create_function("bulk_has_class", 2, _has_class, deterministic=True)
        self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS bulk_touched (rid INTEGER PRIMARY KEY)")
        self.conn.execute("DELETE FROM temp.bulk_touched")
        # A full-text table fed only with rows holding a character of a class (the trigram index, for
        # CJK text): the records holding one are noted while their canonical JSON is at hand, so
        # that the class test runs on those rows only, not on every row's concatenated text. A
        # character in a searchable column comes from the record (literally in its JSON) or from a
        # column the store fills itself (a document's extracted text): rows with one of those are
        # tested too.
        classes = {c for _name, sql in self._triggers for c in _GLOB_CLASS.findall(sql)}
        self._class = _class_pattern(classes.pop()) if len(classes) == 1 else None
        self._class_ids: list[tuple[str]] = []
        self._indexed = self._before  # a fresh table: rows up to this rid are in the full-text tables
        self._helper: threading.Thread | None = None
        self._helper_error: BaseException | None = None
        if self._class is not None:
            self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS bulk_class (id TEXT PRIMARY KEY)")
            self.conn.execute("DELETE FROM temp.bulk_class")

    def _fts_target(self, sql: str) -> bool:
        m = re.search(r"\bINSERT INTO (\w+)|\bDELETE FROM (\w+)", sql, re.I)
        if not m:
            return False
        target = m.group(1) or m.group(2)
        row = self.conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (target,)).fetchone()
        return bool(row and row[0] and re.search(r"USING\s+fts5", row[0], re.I))

    @property
    def full(self) -> bool:
        return len(self._writes) >= self.batch

    def add(self, record: dict, position=None) -> str:
        """Apply one validated record (written at the next :meth:`flush`); returns the outcome as ``upsert``.

        Into a fresh table an id met twice raises :class:`DuplicateId` (here or at a flush), with
        the ``position`` given with its second record (the caller's line number).
        """
        w, type_name = self.writer, self.type_name
        rid = record["id"]
        if rid in self._batch_ids:  # the same id twice before a flush: write the first one first
            if self.fresh:
                raise DuplicateId(rid, position)
            self.flush()
        raw = canonical_json(record)
        digest = sha256_hex(raw)
        if self.fresh:  # the reader refuses an id twice in a file: each record is new
            known = carried = None
            previous = None
            self._channel_rows.append((type_name, rid, w.channel, digest))
        else:
            known = w._known_for(type_name)
            carried = w._carried_for(type_name)
            previous = known.get(rid)
            if carried.get(rid) != digest:
                self._channel_rows.append((type_name, rid, w.channel, digest))
                carried[rid] = digest
        outcome = version_outcome(previous, digest)
        w.count(type_name).add(outcome)
        if outcome == "unchanged":
            return outcome
        cols = w.stored_columns(type_name, record, raw, digest)
        self._batch_ids.add(rid)
        if self._class is not None and self._class.search(raw):
            self._class_ids.append((rid,))
        if known is not None:
            known[rid] = (digest, 0)
        if outcome == "new":
            cols["first_sync"] = w.sync_id
            self._writes.append(("insert", ("id", *cols), [rid, *cols.values()], position))
            return outcome
        if previous[0] != digest:
            self._version_ids.append((type_name, w.sync_id, rid))
        self._writes.append(("update", tuple(cols), [*cols.values(), rid], position))
        self._touched.append((rid,))
        return outcome

    def touch(self, rid: str) -> None:
        """A row written outside this writer (its searchable text may have changed): index it again."""
        self._touched.append((rid,))

    def flush(self) -> None:
        """Write what was added since the last flush."""
        self._wait()
        conn, table = self.conn, self.type_name
        if self._channel_rows:
            conn.executemany(
                "INSERT INTO record_channel (type, id, channel, content_hash) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (type, id, channel) DO UPDATE SET content_hash = excluded.content_hash",
                self._channel_rows)
        if self._version_ids:
            conn.executemany(
                "INSERT INTO record_version (type, id, raw, content_hash, bundle_seq, channel, applied_sync, "
                f"superseded_sync) SELECT ?1, id, raw, content_hash, bundle_seq, channel, changed_sync, ?2 "
                f"FROM {table} WHERE id = ?3", self._version_ids)
        start = 0
        writes = self._writes
        while start < len(writes):  # runs of the same statement, in order
            kind, names = writes[start][0], writes[start][1]
            end = start
            while end < len(writes) and writes[end][0] == kind and writes[end][1] == names:
                end += 1
            if kind == "insert":
                sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            else:
                sql = f"UPDATE {table} SET {', '.join(f'{k} = ?' for k in names)} WHERE id = ?"
            if self.fresh:
                last = conn.execute(f"SELECT coalesce(max(rid), 0) FROM {table}").fetchone()[0]
            try:
                conn.executemany(sql, [w[2] for w in writes[start:end]])
            except sqlite3.IntegrityError:
                if self.fresh:  # an id of an earlier batch again: the first such row says which
                    for w in writes[start:end]:
                        row = conn.execute(f"SELECT rid FROM {table} WHERE id = ?", (w[2][0],)).fetchone()
                        if row and row[0] <= last:
                            raise DuplicateId(w[2][0], w[3]) from None
                raise
            start = end
        if self._class_ids:
            conn.executemany("INSERT OR IGNORE INTO temp.bulk_class (id) VALUES (?)", self._class_ids)
            self._class_ids = []
        if self._touched and self._triggers:
            conn.executemany(f"INSERT OR IGNORE INTO temp.bulk_touched SELECT rid FROM {table} WHERE id = ?",
                             self._touched)
        self._channel_rows, self._version_ids, self._writes, self._touched = [], [], [], []
        self._batch_ids.clear()

    def index_written(self) -> None:
        """Into a fresh table: fill the full-text tables for the rows written since the last call, on
        the helper thread (see the class); the next :meth:`flush` or :meth:`finish` waits for it."""
        self._wait()
        if not self.fresh or not self._triggers:
            return
        last = self.conn.execute(f"SELECT coalesce(max(rid), 0) FROM {self.type_name}").fetchone()[0]
        if last <= self._indexed:
            return
        statements = self._fill_statements("new.rid > ? AND new.rid <= ?", (self._indexed, last), python=False)
        self._indexed = last
        self._helper = threading.Thread(target=self._fill_on_helper, args=(statements,),
                                        name="fulltext-fill", daemon=True)
        self._helper.start()

    def _fill_on_helper(self, statements: list[tuple[str, str, tuple]]) -> None:
        try:
            self._fill(statements)
        except BaseException as exc:  # raised in the caller's thread by _wait
            self._helper_error = exc

    def _wait(self) -> None:
        """Wait for the helper thread's filling; raise what it raised."""
        error = self.close()
        if error is not None:
            raise error

    def close(self) -> BaseException | None:
        """Wait for the helper thread; return what it raised, without raising it (a failed apply
        rolls back what it wrote)."""
        if self._helper is not None:
            self._helper.join()
            self._helper = None
        error, self._helper_error = self._helper_error, None
        return error

    def _fill_statements(self, rows: str, params: tuple, *, python: bool = True) -> list[tuple[str, str, tuple]]:
        """(full-text table, INSERT … SELECT, parameters) filling the full-text tables as the
        triggers would for the rows ``new`` of the table meeting the condition ``rows``.

        ``python``: the class test by a Python function (:func:`_fast_glob`). Not on the helper
        thread: each call would wait for the interpreter lock, which the reading thread holds (13 s
        of 40 at 100k); there SQLite's GLOB runs on the rows noted as holding such a character,
        where it stops at the first one."""
        table = self.type_name
        out = []
        for _name, sql in self._triggers:
            m = _FTS_INSERT.search(sql)
            if not m:
                continue
            conds = [m["when"]] if m["when"] else []
            if m["values"] is not None:
                exprs = m["values"]
            else:
                exprs, _sep, cond = m["select"].rpartition(" WHERE ")
                if cond != m["when"]:
                    conds.append(cond)
            if self._class is not None and any(_GLOB_CLASS.search(c) for c in conds):
                others = "".join(f" OR new.{c} IS NOT NULL" for c in PUBLISHED_TYPES[table].store_only)
                conds.insert(0, f"new.id IN (SELECT id FROM temp.bulk_class){others}")
            where = "".join(f" AND ({c})" for c in conds)
            sql = f"INSERT INTO {m['fts']} {m['cols']} SELECT {exprs} FROM {table} AS new WHERE {rows}{where}"
            out.append((m["fts"], _fast_glob(sql) if python else sql, params))
        return out

    def _fill(self, statements: list[tuple[str, str, tuple]]) -> None:
        for fts, sql, params in statements:
            filled = self.conn.execute(sql, params).rowcount
            self.writer.fts_filled[fts] = self.writer.fts_filled.get(fts, 0) + max(filled, 0)

    def finish(self) -> None:
        """Write the rest, fill the full-text tables for the rows written, and restore the triggers."""
        self.flush()
        conn, table = self.conn, self.type_name
        if self.fresh:  # every row is new: those not filled by index_written yet
            self._fill(self._fill_statements("new.rid > ?", (self._indexed,)))
        else:
            if self._triggers:  # a table without full-text index (contacts, sessions…) has nothing to fill
                conn.execute(f"INSERT OR IGNORE INTO temp.bulk_touched SELECT rid FROM {table} WHERE rid > ?",
                             (self._before,))
            if self._before:  # rows that existed: their old index entries go first
                for _name, sql in self._triggers:
                    m = _FTS_DELETE.search(sql)
                    if m and "AFTER DELETE" in sql.upper():
                        conn.execute(f"DELETE FROM {m['fts']} WHERE rowid IN "
                                     f"(SELECT {m['rowid']} FROM temp.bulk_touched AS old WHERE old.rid <= ?)",
                                     (self._before,))
            self._fill(self._fill_statements("new.rid IN (SELECT rid FROM temp.bulk_touched)", ()))
        for _name, sql in self._triggers:
            conn.execute(sql)
        conn.execute("DELETE FROM temp.bulk_touched")
        if self._class is not None:
            conn.execute("DELETE FROM temp.bulk_class")
        self._triggers = []
        if self.fresh:  # read from the store when needed (a deletion in the same bundle)
            self.writer._known.pop(table, None)
            self.writer._carried.pop(table, None)
            self.writer.fresh.add(table)


def save_document_files(conn: sqlite3.Connection, document_id: str, files: list[tuple]) -> None:
    """Replace the file list of a document: (language, title, path, sha256, size, media_type)."""
    conn.execute("DELETE FROM document_file WHERE document = ?", (document_id,))
    conn.executemany(
        "INSERT INTO document_file (document, language, title, path, sha256, size, media_type) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(document_id, *f) for f in files],
    )


def save_many_document_files(conn: sqlite3.Connection, items: list[tuple[str, list[tuple], bool]]) -> None:
    """:func:`save_document_files` for many documents at once: (document id, files, new); a new
    document has no file list to replace."""
    conn.executemany("DELETE FROM document_file WHERE document = ?", [(d,) for d, _f, new in items if not new])
    conn.executemany(
        "INSERT INTO document_file (document, language, title, path, sha256, size, media_type) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(d, *f) for d, files, _new in items for f in files],
    )


def document_files_differ(conn: sqlite3.Connection, document_id: str, files: list[tuple]) -> bool:
    """Whether a document's stored file list differs from ``files`` (a file's content can change
    while the record that names it does not)."""
    stored = conn.execute(
        "SELECT language, path, sha256 FROM document_file WHERE document = ? ORDER BY language",
        (document_id,),
    ).fetchall()
    return [tuple(r) for r in stored] != sorted((f[0], f[2], f[3]) for f in files)
