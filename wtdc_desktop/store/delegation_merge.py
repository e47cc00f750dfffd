"""Delegation bundles (spec §8) on the store side: what is exported, how an import merges.

The delegation's positions, notes and coverage assignments travel between its
members' machines as bundles of ``position``, ``note`` and ``assignment``
records. An import writes only the ``my_`` tables, never published ones.

Each member of a delegation publishes on a stream of its own: publisher
``delegation-<delegation>`` (lower case, spec §2) and channel ``<member>``,
with its own sequence. Merging is three-way, field by field, against what this
machine had of the record when the colleague's version was made:

- every record in a bundle may carry ``base_version``, the content hash of the
  version it was made from (the version last exchanged on the writer's
  machine), and ``earlier_versions``, a few before it; ``my_record_version``
  keeps every version this machine has held (exported, imported or merged),
  so the base's fields are known, and ``my_record_base`` each record's last
  exchanged version with those it was made from;
- the incoming version is one this machine already had: nothing to do (a
  local edit made since stays);
- there is no local copy, or the local copy is the incoming one's base or an
  earlier version of it (it was not changed here since): the colleague's
  version is taken;
- otherwise each field is merged against the base: a field changed on one side
  only takes that side's value; a field changed on both sides to different
  values is an *edit conflict*: the merged local copy is kept, both versions
  go to ``my_conflict`` and the user chooses (:func:`resolve_edit_conflict`).
  Nothing local is ever overwritten silently.

Since the base comes with the record, exporting before or after importing a
colleague's bundle gives the same result. ``my_import_state`` still remembers,
per stream and record, the version last received (and for this machine's own
stream, the version last published, which a delta is computed against).

Bundles written before per-member streams (publisher ``delegation-KEN``,
channel ``delegation``, no ``base_version``) are read as the stream
``delegation-ken/delegation``: schema migration 10 re-keyed their merge state
to lower case, and without a base they merge as before (a record changed here
since the last exchange on that stream and changed there is a conflict).

This module owns ``my_import_state``, ``my_conflict``, ``my_record_version`` and ``my_record_base``. The records
themselves are written by the modules that own their tables
(:mod:`~wtdc_desktop.store.positions`, :mod:`~wtdc_desktop.store.record_marks`
for notes, :mod:`~wtdc_desktop.store.sessions` for assignments), in the
import's one transaction.

Sequence bookkeeping of delegation streams is kept in the ``setting`` table
(``channel_state`` belongs to published channels).
"""

from __future__ import annotations

import json
import re
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
#: The channel of the single delegation stream bundles were written on before per-member streams.
CHANNEL = "delegation"
#: The kind of an edit conflict (a record changed both here and by a colleague) in ``conflicts``.
EDIT_CONFLICT_KIND = "delegation_edit"
#: The key of a record in a delegation bundle naming the version it was made from (not part of its content).
BASE_KEY = "base_version"
#: The versions before that one (most recent first, a few), so that a member who holds any of them
#: knows the change was made on top of its copy, even when the versions between have not reached it yet.
EARLIER_KEY = "earlier_versions"
_CHAIN = 8

_EXPORT_KEY = "delegation_export:"
_IMPORT_KEY = "delegation_import:"
_ID_KEY = "delegation_id"
_MEMBER_KEY = "delegation_member"
#: A delegation or member name as it may appear in a publisher id or a channel (spec §2).
_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9.-]{0,50}[a-z0-9])?$")


class EditConflictError(WtdcError):
    """An edit conflict that does not exist or was already resolved."""

    exit_code = 2


def _plain_name(value: str) -> str:
    name = (value or "").strip().lower()
    if not _NAME.match(name):
        raise WtdcError(_("“{value}” cannot be used as a delegation or member name: use letters a-z, digits, dots "
                          "and hyphens (for example KEN or amina).").format(value=value))
    return name


def publisher_for(delegation: str) -> str:
    """The publisher id of a delegation, lower case (spec §2): ``KEN`` → ``delegation-ken``."""
    name = (delegation or "").strip().lower()
    if name.startswith("delegation-"):
        name = name[len("delegation-"):]
    return "delegation-" + _plain_name(name)


def member_channel(member: str) -> str:
    """The channel of one member's stream: its name in lower case (spec §2)."""
    return _plain_name(member)


def canonical_stream(channel_key: str) -> str:
    """The stream key a bundle's publisher/channel is kept under: a legacy ``delegation-KEN`` id in lower case."""
    publisher, _sep, channel = channel_key.partition("/")
    if publisher.lower().startswith("delegation-"):
        publisher = publisher.lower()
    return f"{publisher}/{channel}"


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


def member_name(store: Store) -> str | None:
    """The member this machine publishes as (its channel), if one was set."""
    return _get_setting(store.conn, _MEMBER_KEY)


def own_member(store: Store, member: str | None = None) -> str:
    """This machine's member channel: ``member`` if given (remembered), else the remembered one, else a new one.

    A machine that never named its member gets ``m-`` and eight random hex digits, so that two
    machines never share a stream.
    """
    if member:
        name = member_channel(member)
    else:
        import secrets  # here: it loads hashlib, which maps all of OpenSSL's libcrypto (3 MB the window never needs)

        name = member_name(store) or f"m-{secrets.token_hex(4)}"
    if member_name(store) != name:
        with store.transaction() as conn:
            _set_setting(conn, _MEMBER_KEY, name)
    return name


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


def last_export_sequence(store: Store, channel_key: str) -> int | None:
    """The sequence this machine last published on its stream ``channel_key`` (None: never)."""
    value = _get_setting(store.conn, _EXPORT_KEY + channel_key)
    return int(value) if value else None


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


def _remember_version(conn: sqlite3.Connection, type_name: str, record: dict, origin: str,
                      digest: str | None = None) -> str:
    """Keep a version this machine held (the base of later merges); the first origin stays."""
    digest = digest or content_hash(record)
    conn.execute("INSERT OR IGNORE INTO my_record_version (type, id, hash, data, origin, seen_at) "
                 "VALUES (?, ?, ?, ?, ?, ?)",
                 (type_name, record["id"], digest, json.dumps(record, ensure_ascii=False, sort_keys=True), origin,
                  utcnow()))
    return digest


def _version(conn: sqlite3.Connection, type_name: str, rid: str, digest: str | None) -> tuple[dict, str] | None:
    """A version this machine held: (record, origin), or None."""
    if not digest:
        return None
    row = conn.execute("SELECT data, origin FROM my_record_version WHERE type = ? AND id = ? AND hash = ?",
                       (type_name, rid, digest)).fetchone()
    return (json.loads(row[0]), row[1]) if row else None


def _base(conn: sqlite3.Connection, type_name: str, rid: str) -> tuple[str, str | None] | None:
    row = conn.execute("SELECT hash, parent FROM my_record_base WHERE type = ? AND id = ?",
                       (type_name, rid)).fetchone()
    return (row[0], row[1]) if row else None


def _chain(base: tuple[str, str | None] | None) -> list[str]:
    """The versions a record's exchanged version was made from, most recent first."""
    return base[1].split() if base is not None and base[1] else []


def _set_base(conn: sqlite3.Connection, type_name: str, rid: str, digest: str, parent: str | list | None) -> None:
    if isinstance(parent, list):
        parent = " ".join(dict.fromkeys(h for h in parent if h and h != digest)) or None
    conn.execute("INSERT INTO my_record_base (type, id, hash, parent) VALUES (?, ?, ?, ?) "
                 "ON CONFLICT (type, id) DO UPDATE SET hash = excluded.hash, parent = excluded.parent",
                 (type_name, rid, digest, parent))


def _forget(conn: sqlite3.Connection, type_name: str, rid: str) -> None:
    conn.execute("DELETE FROM my_record_base WHERE type = ? AND id = ?", (type_name, rid))


def _own_state(conn: sqlite3.Connection, channel_key: str) -> dict[tuple[str, str], str]:
    return {(r[0], r[1]): r[2] for r in conn.execute(
        "SELECT type, id, content_hash FROM my_import_state WHERE channel = ?", (channel_key,))}


@dataclass
class Publication:
    """What one export carries: records (with their base version), deletions, and whether anything changed."""

    records: dict[str, list[dict]]
    deletions: list[tuple[str, str, str | None]]  # type, id, the version deleted here (its content hash)

    @property
    def empty(self) -> bool:
        return not self.deletions and not any(self.records.values())


def publication(store: Store, channel_key: str, kind: str = "full") -> Publication:
    """The records of this machine's next bundle on its stream ``channel_key``.

    ``full``: every record. ``delta``: the records changed here since the last publication on the
    stream (a version taken unchanged from a colleague is theirs to publish, not repeated), and the
    deletions of records this machine published or exchanged that are gone here.
    """
    conn = store.conn
    current = export_records(store)
    out: dict[str, list[dict]] = {t: [] for t in TYPES}
    published = _own_state(conn, channel_key) if kind == "delta" else {}
    bases = {(r[0], r[1]): (r[2], r[3]) for r in conn.execute("SELECT type, id, hash, parent FROM my_record_base")}
    present = set()
    for type_name, items in current.items():
        for record in items:
            present.add((type_name, record["id"]))
            digest = content_hash(record)
            if kind == "delta":
                if published.get((type_name, record["id"])) == digest:
                    continue
                held = _version(conn, type_name, record["id"], digest)
                if held is not None and held[1] != "local":
                    continue  # a colleague's version, taken as it was
            base = bases.get((type_name, record["id"]))
            chain = [] if base is None else (_chain(base) if base[0] == digest else [base[0], *_chain(base)])
            chain = chain[:_CHAIN]
            if chain:
                record = {**record, BASE_KEY: chain[0], **({EARLIER_KEY: chain[1:]} if chain[1:] else {})}
            out[type_name].append(record)
    deletions = []
    if kind == "delta":
        gone = (set(published) | set(bases)) - present
        deletions = sorted((t, i, bases[(t, i)][0] if (t, i) in bases else published.get((t, i)))
                           for t, i in gone if t in TYPES)
    return Publication(out, deletions)


def record_export(store: Store, delegation: str, channel_key: str, sequence: int,
                  records: dict[str, list[dict]], deletions: list[tuple[str, str]] = ()) -> None:
    """After a bundle was written: remember its sequence and the versions it carried (the merge bases)."""
    now = utcnow()
    with store.transaction() as conn:
        _set_setting(conn, _ID_KEY, delegation)
        _set_setting(conn, _EXPORT_KEY + channel_key, str(sequence))
        for type_name, items in records.items():
            for record in items:
                record = {k: v for k, v in record.items() if k not in (BASE_KEY, EARLIER_KEY)}
                digest = _remember_version(conn, type_name, record, "local")
                base = _base(conn, type_name, record["id"])
                if base is None or base[0] != digest:
                    _set_base(conn, type_name, record["id"], digest,
                              [base[0], *_chain(base)][:_CHAIN] if base else None)
                conn.execute(
                    "INSERT INTO my_import_state (channel, type, id, content_hash, local_hash, imported_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel, type, id) DO UPDATE SET "
                    "content_hash = excluded.content_hash, local_hash = excluded.local_hash, "
                    "imported_at = excluded.imported_at",
                    (channel_key, type_name, record["id"], digest, digest, now))
        for type_name, rid, *_version in deletions:
            _forget(conn, type_name, rid)
            conn.execute("DELETE FROM my_import_state WHERE channel = ? AND type = ? AND id = ?",
                         (channel_key, type_name, rid))


def merge_fields(base: dict | None, local: dict, remote: dict) -> tuple[dict, list[str]]:
    """Three-way merge of one record, field by field: (merged record, fields changed on both sides).

    Without a base, every field that differs is changed on both sides.
    """
    merged = dict(local)
    clashes = []
    for key in sorted(set(local) | set(remote)):
        if key in ("id", "updated_at", BASE_KEY, EARLIER_KEY):
            continue
        lv, rv = local.get(key), remote.get(key)
        if lv == rv:
            continue
        bv = base.get(key) if base is not None else object()
        if lv == bv:
            if rv is None:
                merged.pop(key, None)
            else:
                merged[key] = rv
        elif rv != bv:
            clashes.append(key)
    if merged != local:
        merged["updated_at"] = max(local.get("updated_at") or "", remote.get("updated_at") or "") or None
    return _clean(merged), clashes


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
        base_hash = record.get(BASE_KEY) if isinstance(record.get(BASE_KEY), str) else None
        earlier = record.get(EARLIER_KEY) if isinstance(record.get(EARLIER_KEY), list) else []
        ancestors = ([base_hash] if base_hash else []) + [h for h in earlier[:_CHAIN] if isinstance(h, str)]
        record = {k: v for k, v in record.items() if k not in (BASE_KEY, EARLIER_KEY)}
        rid = record["id"]
        self.seen.setdefault(type_name, set()).add(rid)
        counts = self.count(type_name)
        incoming = content_hash(record)
        state = self.state.get((type_name, rid))
        if state is not None and state[0] == incoming:
            counts.unchanged += 1  # the version last received on this stream: whatever is local stays
            return "unchanged"
        held = _version(self.conn, type_name, rid, incoming)
        local = _local_record(self.conn, type_name, record)
        local_hash = content_hash(local) if local is not None else None
        if local_hash == incoming or (held is not None and local is not None):
            # the same version, or one this machine already had and moved on from
            _remember_version(self.conn, type_name, record, self.channel, incoming)
            self._remember(type_name, rid, incoming, local_hash)
            counts.unchanged += 1
            return "unchanged"
        if local is None and held is not None:
            self._remember(type_name, rid, incoming, None)  # removed here after having this version
            counts.unchanged += 1
            return "unchanged"
        if local is None or (ancestors and local_hash in ancestors) or (
                not ancestors and state is not None and state[1] == local_hash):
            self._take(type_name, record, incoming, ancestors)
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
        base = next((v for v in (_version(self.conn, type_name, rid, h) for h in ancestors) if v), None)
        if base is None and not ancestors and state is not None:
            base = _version(self.conn, type_name, rid, state[0])
        merged, clashes = merge_fields(base[0] if base else None, local, record)
        _remember_version(self.conn, type_name, record, self.channel, incoming)
        if merged != local:
            _WRITERS[type_name](self.conn, merged, self.channel)
            # every member merges the same two versions the same way: a merge is not published again
            merged_hash = _remember_version(self.conn, type_name, merged, "merged")
            _set_base(self.conn, type_name, rid, merged_hash, [incoming, local_hash, *ancestors][:_CHAIN])
        self._remember(type_name, rid, incoming, _local_hash(self.conn, type_name, record))
        if not clashes:
            counts.changed += 1
            return "changed"
        theirs = _clean({**merged, **{k: record.get(k) for k in clashes}, "updated_at": record.get("updated_at")})
        self.conflicts.append(_keep_edit_conflict(self.conn, self.channel, type_name, rid, merged, theirs))
        counts.conflicts += 1
        return "conflict"

    def _take(self, type_name: str, record: dict, incoming: str, ancestors: list[str]) -> None:
        _WRITERS[type_name](self.conn, record, self.channel)
        _remember_version(self.conn, type_name, record, self.channel, incoming)
        _set_base(self.conn, type_name, record["id"], incoming, ancestors[:_CHAIN] or None)
        self._remember(type_name, record["id"], incoming, _local_hash(self.conn, type_name, record))

    def _remember(self, type_name: str, rid: str, remote_hash: str, local_hash: str | None) -> None:
        _set_state(self.conn, self.channel, type_name, rid, remote_hash, local_hash)
        self.state[(type_name, rid)] = (remote_hash, local_hash)

    def drop(self, type_name: str, record_id: str, deleted: str | None = None) -> None:
        """The colleague no longer has this record: remove the local copy if it was not changed here.

        ``deleted``: the version the colleague deleted (a deletion of a member's stream names it); the
        local copy goes only if it is that version, or the one last received from that colleague.
        """
        state = self.state.pop((type_name, record_id), None)
        base = _base(self.conn, type_name, record_id)
        row = self.conn.execute(f"SELECT * FROM {_TABLES[type_name][0]} WHERE id = ?", (record_id,)).fetchone()
        if row is not None:
            local_hash = content_hash(_TABLES[type_name][1](row))
            if (state is not None and local_hash in (state[0], state[1])) or (deleted is not None and local_hash == deleted):
                _DELETERS[type_name](self.conn, record_id)
                _forget(self.conn, type_name, record_id)
                self.count(type_name).deleted += 1
        elif base is not None:
            _forget(self.conn, type_name, record_id)
        # a local copy changed since stays, now the delegation member's own
        self.conn.execute("DELETE FROM my_import_state WHERE channel = ? AND type = ? AND id = ?",
                          (self.channel, type_name, record_id))

    def drop_unseen(self) -> None:
        """For a full bundle: what was received on this stream before but is no longer carried."""
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
        # only the fields in conflict take the colleague's values: what was merged into the local
        # copy since the conflict was found (another colleague's change of another field) stays
        current = _local_record(conn, type_name, remote)
        if current is not None:
            chosen = dict(current)
            for key in _fields(conflict["local"], remote):
                if remote.get(key) is None:
                    chosen.pop(key, None)
                else:
                    chosen[key] = remote[key]
            chosen["updated_at"] = max(current.get("updated_at") or "", remote.get("updated_at") or "") or None
            remote = _clean(chosen)
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
