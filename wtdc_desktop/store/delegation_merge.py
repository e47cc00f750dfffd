"""Delegation bundles (spec §8) on the store side: what is exported, how an import merges.

The delegation's positions, notes and coverage assignments travel between its
members' machines as bundles of ``position``, ``note`` and ``assignment``
records. An import writes only the ``my_`` tables, never published ones.

Merging is three-way. ``my_import_state`` remembers, per channel and record,
the version last exchanged on that channel (``content_hash``: imported or
exported) and the hash of the local copy right after (``local_hash``). When a
colleague's version arrives:

- it is the version last exchanged: nothing to do (a local edit stays);
- there is no local copy, or the local copy is unchanged since the last
  exchange: the colleague's version is taken;
- both changed: the local copy is kept, both versions go to ``my_conflict``
  (an *edit conflict*) and the user chooses (:func:`resolve_edit_conflict`).
  Nothing local is ever overwritten silently.

This module owns ``my_import_state`` and ``my_conflict``. The records
themselves are written by the modules that own their tables
(:mod:`~wtdc_desktop.store.positions`, :mod:`~wtdc_desktop.store.record_marks`
for notes, :mod:`~wtdc_desktop.store.sessions` for assignments), in the
import's one transaction.

Sequence bookkeeping of delegation streams is kept in the ``setting`` table
(``channel_state`` belongs to published channels).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

from wtdc_desktop.domain.records import content_hash, parse_datetime
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _
from wtdc_desktop.store import positions, record_marks, sessions
from wtdc_desktop.instants import iso_utc
from wtdc_desktop.store.db import Store, utcnow

#: Record types of a delegation bundle, in the order they are written.
TYPES = ("position", "note", "assignment")
#: The channel name of a delegation's own stream (the publisher id names the delegation).
CHANNEL = "delegation"
#: The kind of an edit conflict (a record changed both here and by a colleague) in ``conflicts``.
EDIT_CONFLICT_KIND = "delegation_edit"

_EXPORT_KEY = "delegation_export:"
_IMPORT_KEY = "delegation_import:"
_ID_KEY = "delegation_id"


class EditConflictError(WtdcError):
    """An edit conflict that does not exist or was already resolved."""

    exit_code = 2


def publisher_for(delegation: str) -> str:
    """The publisher id of a delegation: ``KEN`` → ``delegation-KEN`` (an id already prefixed is kept)."""
    delegation = delegation.strip()
    return delegation if delegation.startswith("delegation-") else f"delegation-{delegation}"


# --- settings ---------------------------------------------------------------------------------

def _get_setting(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def _set_setting(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 (key, value))


def delegation_id(store: Store) -> str | None:
    """The delegation this machine exports for (remembered from the last export)."""
    return _get_setting(store.conn, _ID_KEY)


@dataclass
class StreamState:
    """What was imported on one delegation stream: the last sequence and each sequence's manifest hash."""

    last_sequence: int | None = None
    applied: dict[int, str] = field(default_factory=dict)


def stream_state(conn: sqlite3.Connection, channel_key: str) -> StreamState:
    value = _get_setting(conn, _IMPORT_KEY + channel_key)
    if not value:
        return StreamState()
    data = json.loads(value)
    return StreamState(data.get("last_sequence"), {int(k): v for k, v in (data.get("applied") or {}).items()})


def _save_stream_state(conn: sqlite3.Connection, channel_key: str, state: StreamState) -> None:
    _set_setting(conn, _IMPORT_KEY + channel_key, json.dumps(
        {"last_sequence": state.last_sequence, "applied": {str(k): v for k, v in sorted(state.applied.items())}},
        sort_keys=True))


def next_export_sequence(store: Store, channel_key: str) -> int:
    """One more than the highest sequence this machine exported or imported on the stream."""
    exported = _get_setting(store.conn, _EXPORT_KEY + channel_key)
    imported = stream_state(store.conn, channel_key).last_sequence
    return max(int(exported or 0), imported or 0) + 1


# --- the local records as bundle records ------------------------------------------------------------

def _utc(value: str | None) -> str | None:
    if not value:
        return value
    try:
        return iso_utc(parse_datetime(value, "updated_at"))
    except WtdcError:
        return value


def _clean(record: dict, keep: Iterable[str] = ()) -> dict:
    """Drop empty optional fields, so that "" and null compare equal."""
    keep = set(keep)
    return {k: v for k, v in record.items() if k in keep or v not in (None, "")}


def _position(row) -> dict:
    return _clean({"id": row["id"], "subject": {"type": row["subject_type"], "id": row["subject_id"]},
                   **{k: row[k] for k in positions.POSITION_FIELDS}, "updated_at": _utc(row["updated_at"])})


def _note(row) -> dict:
    return _clean({"id": row["id"], "subject": {"type": row["subject_type"], "id": row["subject_id"]},
                   "body": row["body"] or "", "author": row["author"], "updated_at": _utc(row["updated_at"])},
                  keep=("body",))


def _assignment(row) -> dict:
    return _clean({"id": row["id"], "session": row["session"], "member": row["member"], "role": row["role"],
                   "updated_at": _utc(row["updated_at"])})


_TABLES = {"position": ("my_position", _position), "note": ("my_note", _note),
           "assignment": ("my_assignment", _assignment)}


def export_records(store: Store) -> dict[str, list[dict]]:
    """The delegation's positions, notes and assignments as bundle records (spec §8), by type."""
    out = {}
    for type_name, (table, convert) in _TABLES.items():
        out[type_name] = [convert(row) for row in store.execute(f"SELECT * FROM {table} ORDER BY id")]
    return out


def record_export(store: Store, delegation: str, channel_key: str, sequence: int,
                  records: dict[str, list[dict]]) -> None:
    """After a bundle was written: remember its sequence and the versions it carried (the merge base)."""
    now = utcnow()
    with store.transaction() as conn:
        _set_setting(conn, _ID_KEY, delegation)
        _set_setting(conn, _EXPORT_KEY + channel_key, str(sequence))
        for type_name, items in records.items():
            for record in items:
                digest = content_hash(record)
                conn.execute(
                    "INSERT INTO my_import_state (channel, type, id, content_hash, local_hash, imported_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel, type, id) DO UPDATE SET "
                    "content_hash = excluded.content_hash, local_hash = excluded.local_hash, "
                    "imported_at = excluded.imported_at",
                    (channel_key, type_name, record["id"], digest, digest, now))


def _find_local(conn: sqlite3.Connection, type_name: str, record: dict) -> sqlite3.Row | None:
    """The local row a record stands for: same id, else the same subject (position) or session and member."""
    table = _TABLES[type_name][0]
    row = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (record["id"],)).fetchone()
    if row is not None:
        return row
    if type_name == "position":
        subject = record.get("subject") or {}
        return conn.execute("SELECT * FROM my_position WHERE subject_type = ? AND subject_id = ?",
                            (subject.get("type"), subject.get("id"))).fetchone()
    if type_name == "assignment":
        return conn.execute("SELECT * FROM my_assignment WHERE session = ? AND member = ?",
                            (record.get("session"), record.get("member"))).fetchone()
    return None


def _local_record(conn: sqlite3.Connection, type_name: str, record: dict) -> dict | None:
    row = _find_local(conn, type_name, record)
    return _TABLES[type_name][1](row) if row is not None else None


# --- writing a colleague's version --------------------------------------------------------------------

def _write_position(conn: sqlite3.Connection, record: dict, origin: str) -> None:
    row = _find_local(conn, "position", record)
    positions.write_colleague_position(conn, record, row["rid"] if row is not None else None,
                                       updated_at=_utc(record["updated_at"]), origin=origin)


def _write_note(conn: sqlite3.Connection, record: dict, origin: str) -> None:
    record_marks.write_colleague_note(conn, record, updated_at=_utc(record["updated_at"]), origin=origin)


def _write_assignment(conn: sqlite3.Connection, record: dict, origin: str) -> None:
    row = _find_local(conn, "assignment", record)
    sessions.write_colleague_assignment(conn, record, row["id"] if row is not None else None,
                                      updated_at=_utc(record["updated_at"]), origin=origin)


_WRITERS = {"position": _write_position, "note": _write_note, "assignment": _write_assignment}
_DELETERS = {"position": positions.delete_position, "note": record_marks.drop_note,
             "assignment": sessions.delete_assignment}


def _set_state(conn: sqlite3.Connection, channel: str, type_name: str, record_id: str, remote_hash: str,
               local_hash: str | None) -> None:
    conn.execute(
        "INSERT INTO my_import_state (channel, type, id, content_hash, local_hash, imported_at) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (channel, type, id) DO UPDATE SET content_hash = excluded.content_hash, "
        "local_hash = excluded.local_hash, imported_at = excluded.imported_at",
        (channel, type_name, record_id, remote_hash, local_hash, utcnow()))


def _local_hash(conn: sqlite3.Connection, type_name: str, record: dict) -> str | None:
    local = _local_record(conn, type_name, record)
    return content_hash(local) if local is not None else None


# --- an import ---------------------------------------------------------------------------------------

@dataclass
class ImportCounts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    conflicts: int = 0
    deleted: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged,
                "conflicts": self.conflicts, "deleted": self.deleted}


@dataclass
class DelegationImporter:
    """Merges the records of one delegation bundle; the caller holds the transaction."""

    conn: sqlite3.Connection
    channel: str  # publisher/channel
    counts: dict[str, ImportCounts] = field(default_factory=dict)
    conflicts: list[int] = field(default_factory=list)
    seen: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.state = {(r[0], r[1]): (r[2], r[3]) for r in self.conn.execute(
            "SELECT type, id, content_hash, local_hash FROM my_import_state WHERE channel = ?", (self.channel,))}

    def count(self, type_name: str) -> ImportCounts:
        return self.counts.setdefault(type_name, ImportCounts())

    def merge(self, type_name: str, record: dict) -> str:
        """One colleague's record: returns 'new', 'changed', 'unchanged' or 'conflict'."""
        rid = record["id"]
        self.seen.setdefault(type_name, set()).add(rid)
        counts = self.count(type_name)
        incoming = content_hash(record)
        state = self.state.get((type_name, rid))
        if state is not None and state[0] == incoming:
            counts.unchanged += 1  # the version last exchanged: whatever is local stays
            return "unchanged"
        local = _local_record(self.conn, type_name, record)
        local_hash = content_hash(local) if local is not None else None
        if local is not None and local_hash == incoming:
            self._remember(type_name, rid, incoming, local_hash)
            counts.unchanged += 1
            return "unchanged"
        if local is None or (state is not None and state[1] == local_hash):
            _WRITERS[type_name](self.conn, record, self.channel)
            self._remember(type_name, rid, incoming, _local_hash(self.conn, type_name, record))
            if local is None:
                counts.new += 1
                return "new"
            counts.changed += 1
            return "changed"
        if _already_decided(self.conn, self.channel, type_name, rid, incoming):
            # the user already settled a conflict with this very version of the colleague's
            self._remember(type_name, rid, incoming, local_hash)
            counts.unchanged += 1
            return "unchanged"
        self.conflicts.append(_keep_edit_conflict(self.conn, self.channel, type_name, rid, local, record))
        counts.conflicts += 1
        return "conflict"

    def _remember(self, type_name: str, rid: str, remote_hash: str, local_hash: str | None) -> None:
        _set_state(self.conn, self.channel, type_name, rid, remote_hash, local_hash)
        self.state[(type_name, rid)] = (remote_hash, local_hash)

    def drop(self, type_name: str, record_id: str) -> None:
        """The colleague no longer has this record: remove the local copy if it was not changed here."""
        state = self.state.pop((type_name, record_id), None)
        if state is None:
            return
        row = self.conn.execute(f"SELECT * FROM {_TABLES[type_name][0]} WHERE id = ?", (record_id,)).fetchone()
        if row is not None and content_hash(_TABLES[type_name][1](row)) == state[1]:
            _DELETERS[type_name](self.conn, record_id)
            self.count(type_name).deleted += 1
        # a local copy changed since stays, now the delegation member's own
        self.conn.execute("DELETE FROM my_import_state WHERE channel = ? AND type = ? AND id = ?",
                          (self.channel, type_name, record_id))

    def drop_unseen(self) -> None:
        """For a full bundle: what was exchanged on this channel before but is no longer carried."""
        for type_name, rid in sorted(self.state):
            if rid not in self.seen.get(type_name, set()):
                self.drop(type_name, rid)


def check_stream(conn: sqlite3.Connection, channel_key: str, sequence: int, manifest_sha256: str, kind: str,
                 base_sequence: int | None, force: bool) -> str | None:
    """The sequence rules of spec §4 on a delegation stream.

    Returns None when the bundle may be imported, "already_applied", or a
    refusal: "different_manifest", "rollback", "broken_delta".
    """
    state = stream_state(conn, channel_key)
    applied = state.applied.get(sequence)
    if applied is not None:
        if applied == manifest_sha256:
            return "already_applied"
        if not force:
            return "different_manifest"
    if state.last_sequence is not None and sequence < state.last_sequence and not force:
        return "rollback"
    if kind == "delta" and state.last_sequence != base_sequence:
        return "broken_delta"
    return None


def last_imported_sequence(conn: sqlite3.Connection, channel_key: str) -> int | None:
    return stream_state(conn, channel_key).last_sequence


def record_import(conn: sqlite3.Connection, channel_key: str, sequence: int, manifest_sha256: str) -> None:
    state = stream_state(conn, channel_key)
    state.applied[sequence] = manifest_sha256
    state.last_sequence = sequence if state.last_sequence is None else max(state.last_sequence, sequence)
    _save_stream_state(conn, channel_key, state)


# --- edit conflicts: a record changed both here and by a colleague -----------------------------------------

def _keep_edit_conflict(conn: sqlite3.Connection, channel: str, type_name: str, rid: str, local: dict,
                   remote: dict) -> int:
    """Keep both versions for the user; one open conflict per record and channel (updated if it exists)."""
    local_json = json.dumps(local, ensure_ascii=False, sort_keys=True)
    remote_json = json.dumps(remote, ensure_ascii=False, sort_keys=True)
    row = conn.execute("SELECT conflict_id FROM my_conflict WHERE channel = ? AND type = ? AND id = ? "
                       "AND resolved_at IS NULL", (channel, type_name, rid)).fetchone()
    if row is not None:
        conn.execute("UPDATE my_conflict SET local_data = ?, remote_data = ?, detected_at = ? WHERE conflict_id = ?",
                     (local_json, remote_json, utcnow(), row[0]))
        return row[0]
    cur = conn.execute(
        "INSERT INTO my_conflict (channel, type, id, local_data, remote_data, detected_at) VALUES (?, ?, ?, ?, ?, ?)",
        (channel, type_name, rid, local_json, remote_json, utcnow()))
    return cur.lastrowid


def _already_decided(conn: sqlite3.Connection, channel: str, type_name: str, rid: str, remote_hash: str) -> bool:
    """A resolved conflict of this record held exactly this remote version (however it was resolved)."""
    rows = conn.execute("SELECT remote_data FROM my_conflict WHERE channel = ? AND type = ? AND id = ? "
                        "AND resolved_at IS NOT NULL ORDER BY conflict_id DESC LIMIT 5", (channel, type_name, rid))
    return any(content_hash(json.loads(r[0])) == remote_hash for r in rows)


def _fields(local: dict, remote: dict) -> list[str]:
    return sorted(k for k in set(local) | set(remote) if k not in ("id", "updated_at") and local.get(k) != remote.get(k))


def open_edit_conflicts(store: Store) -> list[dict]:
    """Records changed both here and by a colleague, waiting for the user to choose."""
    rows = store.execute(
        "SELECT conflict_id, channel, type, id, local_data, remote_data, detected_at FROM my_conflict "
        "WHERE resolved_at IS NULL ORDER BY conflict_id").fetchall()
    out = []
    for r in rows:
        local, remote = json.loads(r["local_data"]), json.loads(r["remote_data"])
        subject = remote.get("subject") or local.get("subject")
        if subject is None and (remote.get("session") or local.get("session")):
            subject = {"type": "session", "id": remote.get("session") or local.get("session")}
        out.append({"kind": EDIT_CONFLICT_KIND, "conflict_id": r["conflict_id"], "type": r["type"], "id": r["id"],
                    "channel": r["channel"], "subject": subject, "local": local, "remote": remote,
                    "fields": _fields(local, remote), "detected_at": r["detected_at"]})
    return out


def edit_conflict(conn: sqlite3.Connection, conflict_id: int) -> dict:
    """One edit conflict, still open: {"channel", "type", "id", "local", "remote"}."""
    row = conn.execute("SELECT channel, type, id, local_data, remote_data, resolved_at FROM my_conflict "
                       "WHERE conflict_id = ?", (conflict_id,)).fetchone()
    if row is None:
        raise EditConflictError(_("There is no conflict {id}; “conflicts” lists the open ones.").format(
            id=conflict_id))
    if row["resolved_at"] is not None:
        raise EditConflictError(_("Conflict {id} was already resolved on {when}.").format(
            id=conflict_id, when=row["resolved_at"]))
    return {"channel": row["channel"], "type": row["type"], "id": row["id"],
            "local": json.loads(row["local_data"]), "remote": json.loads(row["remote_data"])}


def settle_edit_conflict(conn: sqlite3.Connection, conflict_id: int, keep: str) -> dict:
    """In the caller's transaction: keep the local or the colleague's (``remote``) version."""
    if keep not in ("local", "remote"):
        raise ValueError(keep)
    conflict = edit_conflict(conn, conflict_id)
    type_name, channel, remote = conflict["type"], conflict["channel"], conflict["remote"]
    if keep == "remote":
        _WRITERS[type_name](conn, remote, channel)
    _set_state(conn, channel, type_name, conflict["id"], content_hash(remote), _local_hash(conn, type_name, remote))
    conn.execute("UPDATE my_conflict SET resolved_at = ?, resolution = ? WHERE conflict_id = ?",
                 (utcnow(), keep, conflict_id))
    return {"conflict_id": conflict_id, "type": type_name, "id": conflict["id"], "channel": channel, "kept": keep}


def resolve_edit_conflict(store: Store, conflict_id: int, keep: str) -> dict:
    """Keep the local or the colleague's (``remote``) version; returns the conflict as it was."""
    if keep not in ("local", "remote"):
        raise ValueError(keep)
    with store.transaction() as conn:
        return settle_edit_conflict(conn, conflict_id, keep)
