"""Applying a bundle to the store (spec §4): whole or not at all.

Order of work: open and check the container and manifest; check the sequence
against what was applied on the channel; verify every member's hash; copy
document files into the content-addressed file cache (harmless if the apply
is later refused); then, in one transaction, stream, validate and upsert the
records, withdraw what the bundle withdraws, and record the sync. Any error
rolls the transaction back, so the store is exactly as before.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from wtdc_desktop.atomic import atomic_write
from wtdc_desktop.bundles.errors import AlreadyApplied, ApplyCancelled, BundleError, BundleRefused
from wtdc_desktop.bundles.extract import DocumentTextExtractor
from wtdc_desktop.bundles.limits import DEFAULT_LIMITS, Limits
from wtdc_desktop.bundles.pinned import check_pinned_records
from wtdc_desktop.bundles.reader import Bundle, duplicate_id_error
from wtdc_desktop.bundles.signing import Signer, check_bundle_signature, configured_key, fingerprint
from wtdc_desktop.domain.records import DELEGATION_TYPES, PUBLISHED_TYPES
from wtdc_desktop.i18n import _
from wtdc_desktop.instants import format_datetime, parse_instant
from wtdc_desktop.store import Store, StoreError
from wtdc_desktop.store.db import FULL, IO, NOT_WRITABLE, refusal_for
from wtdc_desktop.store import changes as store_changes
from wtdc_desktop.store import syncs, trust
from wtdc_desktop.store.published import (
    BulkUpsert,
    DuplicateId,
    PublishedWriter,
    document_files_differ,
    holds_no_records,
    save_document_files,
    save_many_document_files,
)

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

#: A records file of at least this many records is written by the bulk path (batches of
#: executemany, full-text indexes filled once per file); smaller ones row by row. Measured:
#: see the README's Performance section.
BULK_MIN_RECORDS = 250


@dataclass
class ApplyResult:
    bundle: str
    publisher: str
    channel: str
    sequence: int
    kind: str
    outcome: str  # applied | already_applied
    sync_id: int | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: The bundle is signed (checked or not).
    signed: bool = False
    #: Fingerprint and base64 public key of the key that signed it, when checked;
    #: for a key not pinned yet, the window offers to trust it (trust on first use).
    signer_fingerprint: str | None = None
    signer_public_key: str | None = None
    signer_key_pinned: bool = False

    def set_signer(self, signer: Signer | None) -> None:
        self.signed = signer is not None
        if signer is not None:
            self.signer_fingerprint = signer.fingerprint
            self.signer_public_key = signer.public_key_b64
            self.signer_key_pinned = signer.pinned

    @property
    def changed(self) -> bool:
        return any(c["new"] or c["changed"] or c["withdrawn"] or c["restored"] for c in self.counts.values())


def _file_cache_path(store: Store, digest: str) -> Path:
    return store.files_dir / digest[:2] / digest


def _cache_files(store: Store, bundle: Bundle) -> list[Path]:
    """Copy the bundle's files into the cache (each checked against its hash); what it added.

    The list holds the files it added, then the folders it made (innermost first), so that
    :func:`_discard` removes them in order. A full disk or a folder that cannot be written is
    refused in one sentence (:func:`_disk_refusal`), with nothing of this apply left behind.
    """
    added: list[Path] = []
    folders: list[Path] = []
    sink = None
    try:
        for member in bundle.manifest.files:
            dest = _file_cache_path(store, member.sha256)
            if dest.exists() and dest.stat().st_size == member.size:
                continue
            for folder in (dest.parent, dest.parent.parent):
                if folder not in folders and not folder.is_dir():
                    folders.append(folder)
            dest.parent.mkdir(parents=True, exist_ok=True)
            with atomic_write(dest, private=True) as out:
                sink = _Sink(out)
                bundle.copy_member(member.path, sink)
                sink = None
            added.append(dest)
    except BaseException as exc:
        _discard(added + _innermost_first(folders))
        # an error reading the bundle (not writing the cache) goes on as it is
        if isinstance(exc, OSError) and (sink is None or sink.failed):
            raise _disk_refusal(store, exc) from exc
        raise
    return added + _innermost_first(folders)


class _Sink:
    """The cache file being written, noting whether a write to it failed (a full disk) rather than
    a read of the bundle."""

    def __init__(self, out) -> None:
        self.out = out
        self.failed = False

    def write(self, data) -> int:
        try:
            return self.out.write(data)
        except OSError:
            self.failed = True
            raise


def _innermost_first(folders: list[Path]) -> list[Path]:
    return sorted(folders, key=lambda p: len(p.parts), reverse=True)


def clean_file_cache(store: Store) -> None:
    """Remove what an interrupted apply left in the file cache: temporary ``.part`` files and empty
    folders (callers hold the sync lock, so no apply is writing there)."""
    root = store.files_dir
    try:
        folders = [p for p in root.iterdir() if p.is_dir() and not p.is_symlink()] if root.is_dir() else []
        for folder in folders:
            for path in folder.iterdir():
                if path.name.startswith(".") and path.name.endswith(".part") and not path.is_dir():
                    path.unlink(missing_ok=True)
            try:
                folder.rmdir()  # only when empty
            except OSError:
                pass
    except OSError as exc:  # the apply that follows says what is wrong with the folder
        log.warning("could not clean the file cache %s: %s", root, exc)


def _disk_refusal(store: Store, exc: OSError) -> StoreError:
    """The sentence for a write into the file cache that failed: the same as for the store's own."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        kind = FULL
    elif isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
        kind = NOT_WRITABLE
    else:
        kind = IO
    return refusal_for(kind, store.path)


def _discard(paths: list[Path]) -> None:
    """Remove the files and (empty) folders this apply added to the cache, when it does not complete."""
    for path in paths:
        try:
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            else:
                path.unlink()
        except OSError:
            pass


def _check_signature(store: Store, bundle: Bundle, trust_key: bytes | None) -> Signer | None:
    """Check the signature against the publisher's pinned key, or against ``trust_key``, which is then pinned.

    A key configured in the data folder (``trusted-keys/<publisher>.pub``) is pinned first.
    """
    publisher = bundle.manifest.publisher_id
    pinned = trust.get_key(store.conn, publisher)
    configured = configured_key(store.data_dir, publisher)
    if configured is not None and (pinned is None or pinned.public_key != configured):
        trust.pin_key(store, publisher, configured, fingerprint(configured), origin="config")
        pinned = trust.get_key(store.conn, publisher)
    if trust_key is None:
        return check_bundle_signature(bundle, pinned.public_key if pinned else None)
    if pinned is not None and pinned.public_key != trust_key:  # replacing a pinned key is deliberate
        raise BundleRefused(
            _("{where}: the key {pinned} is pinned for {publisher}, and the key given to trust is another one "
              "({other}); replace a pinned key with “trust add {publisher} PUBKEYFILE --replace”.").format(
                where=bundle.where, pinned=pinned.fingerprint, publisher=publisher, other=fingerprint(trust_key)))
    signer = check_bundle_signature(bundle, trust_key)
    if pinned is None or pinned.public_key != trust_key:
        trust.pin_key(store, publisher, trust_key, fingerprint(trust_key), origin="cli")
    return signer


def _check_sequence(store: Store, bundle: Bundle, force: bool) -> None:
    m = bundle.manifest
    state = syncs.channel_state(store.conn, m.publisher_id, m.channel)
    applied = syncs.applied_manifest(store.conn, m.publisher_id, m.channel, m.sequence)
    stream = f"{m.publisher_id}/{m.channel}"
    if applied is not None:
        if applied == m.sha256:
            raise AlreadyApplied(
                _("{where}: sequence {sequence} of {stream} is already applied; nothing changed.").format(
                    where=bundle.where, sequence=m.sequence, stream=stream
                )
            )
        if not force:
            raise BundleRefused(
                _("{where}: sequence {sequence} of {stream} was already applied with a different manifest; the bundle is refused.").format(
                    where=bundle.where, sequence=m.sequence, stream=stream
                )
            )
    if state is not None and m.sequence < state.last_sequence and not force:
        raise BundleRefused(
            _("{where}: sequence {sequence} of {stream} is older than the last applied ({last}); refused as a rollback (use --force to apply it anyway).").format(
                where=bundle.where, sequence=m.sequence, stream=stream, last=state.last_sequence
            )
        )
    if m.kind == "delta":
        last = state.last_sequence if state else None
        if last != m.base_sequence:
            raise BundleRefused(
                _("{where}: this delta of {stream} applies to sequence {base}, but the last applied is {last}; sync a full bundle instead.").format(
                    where=bundle.where, stream=stream, base=m.base_sequence,
                    last=last if last is not None else _("none")
                )
            )


def apply_bundle(
    store: Store,
    path: Path | str,
    *,
    source: str | None = None,
    force: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    trust_key: bytes | None = None,
    bulk: bool | None = None,
) -> ApplyResult:
    """Apply the bundle at ``path``; raise :class:`BundleError` (store unchanged) when it may not be.

    A publisher with a pinned key must sign its bundles with it. ``trust_key``
    (raw Ed25519 public key) is the key the user trusts for this bundle's
    publisher: the bundle must be signed with it, and it is pinned.
    ``bulk`` forces the bulk path (True) or the row-by-row path (False) for every records file;
    by default a file takes the bulk path when it holds at least :data:`BULK_MIN_RECORDS` records.
    """
    source = source or str(path)
    manifest = None
    signer = None
    try:
        with Bundle(path, limits=limits) as bundle:
            manifest = bundle.manifest
            if any(member.type in DELEGATION_TYPES for member in bundle.record_members()):
                raise BundleRefused(
                    _("{where} is a delegation bundle; import it with import-delegation, not sync.").format(
                        where=bundle.where
                    )
                )
            signer = _check_signature(store, bundle, trust_key)
            _check_sequence(store, bundle, force)
            bundle.verify()
            check_pinned_records(store, bundle, signer)  # spec §4: across trust
            added = _cache_files(store, bundle)
            try:
                result = _apply_records(store, bundle, source, progress, cancelled, bulk)
            except BaseException:  # refused, cancelled or failed: the files it brought go too
                _discard(added)
                raise
            result.set_signer(signer)
            return result
    except AlreadyApplied as exc:
        syncs.log_outcome(store, source=source, outcome="already_applied", message=exc.message,
                          **manifest_log_fields(manifest))
        result = ApplyResult(
            bundle=str(path), publisher=manifest.publisher_id, channel=manifest.channel,
            sequence=manifest.sequence, kind=manifest.kind, outcome="already_applied",
        )
        result.set_signer(signer)
        state = syncs.channel_state(store.conn, manifest.publisher_id, manifest.channel)
        warning = expiry_warning(state.expires_at if state else None, f"{manifest.publisher_id}/{manifest.channel}")
        if warning:
            result.warnings.append(warning)
        return result
    except ApplyCancelled as exc:
        syncs.log_outcome(store, source=source, outcome="cancelled", message=exc.message, **manifest_log_fields(manifest))
        raise
    except BundleError as exc:
        syncs.log_outcome(store, source=source, outcome="refused", message=exc.message, **manifest_log_fields(manifest))
        raise


def manifest_log_fields(manifest) -> dict:
    """What the sync log records of a bundle's manifest (nothing when it could not be read)."""
    if manifest is None:
        return {}
    return {"publisher": manifest.publisher_id, "channel": manifest.channel, "sequence": manifest.sequence,
            "kind": manifest.kind, "manifest_sha256": manifest.sha256}


def _apply_records(store: Store, bundle: Bundle, source: str, progress: Progress | None,
                   cancelled: Callable[[], bool] | None, bulk: bool | None = None) -> ApplyResult:
    m = bundle.manifest
    members = bundle.record_members()
    total = sum(mem.count or 0 for mem in members)
    files = {f.path: f for f in m.files}
    done = 0
    # A large first import is written through a rollback journal when no one else has the store
    # open (Store.writing_alone): each page is written once instead of twice.
    first = (bulk if bulk is not None else total >= BULK_MIN_RECORDS) and holds_no_records(store)
    with store.writing_alone() if first else contextlib.nullcontext(), store.transaction() as conn:
        sync_id = syncs.begin_sync(conn, source=source, publisher=m.publisher_id, channel=m.channel,
                                   sequence=m.sequence, kind=m.kind, manifest_sha256=m.sha256)
        writer = PublishedWriter(conn, sync_id=sync_id, channel=m.channel_key, bundle_seq=m.sequence,
                                 by_id=m.kind == "delta")
        extractor = DocumentTextExtractor(conn, lambda digest: _file_cache_path(store, digest),
                                          where=bundle.where, limits=bundle.limits)
        seen: dict[str, set[str]] = {}
        digests = records_digests(m, members)
        deleted_types = {t for t, _id in m.deletions}
        # A full bundle that brings the very files that last defined this channel's records of a
        # type (an unchanged re-publication) changes nothing of that type: skip reading them.
        skip = writer.unchanged_types(digests) - deleted_types if m.kind == "full" else set()
        for member in members:
            if member.type in skip:
                if member.type not in seen:
                    seen[member.type] = writer.carry_unchanged(member.type)
                    done += len(seen[member.type])
                continue
            ids = seen.setdefault(member.type, set())
            writer.count(member.type)
            use_bulk = bulk if bulk is not None else (member.count or 0) >= BULK_MIN_RECORDS
            # closing: a cancellation raised here ends the writing (and its helper thread) first
            with contextlib.closing(_write_records(conn, bundle, member, writer, extractor, files,
                                                   use_bulk)) as written:
                for record, fresh in written:
                    if not fresh:  # a fresh type has nothing to withdraw: its ids need not be kept
                        ids.add(record["id"])
                    done += 1
                    if done % 500 == 0:
                        if cancelled and cancelled():
                            raise ApplyCancelled(_("The sync of {where} was cancelled; nothing changed.").format(
                                where=bundle.where))
                        if progress:
                            progress(done, max(total, done))
        by_type: dict[str, list[str]] = {}
        for type_name, rid in m.deletions:
            if type_name in PUBLISHED_TYPES:
                by_type.setdefault(type_name, []).append(rid)
        for type_name, ids in by_type.items():
            writer.drop_from_channel(type_name, ids)
        if m.kind == "full":
            writer.withdraw_unseen(seen)
        writer.remember_digests(digests, full=m.kind == "full",
                                touched={mem.type for mem in members} | deleted_types)
        writer.tidy_fulltext()
        counts = {t: c.as_dict() for t, c in sorted(writer.counts.items())}
        # What this sync changed, counted once here: What changed opens on it (store.changes).
        store_changes.keep_change_counts(store, sync_id)
        syncs.finish_sync(conn, sync_id, outcome="applied", counts=counts)
        syncs.record_applied(conn, publisher=m.publisher_id, publisher_name=m.publisher_name, channel=m.channel,
                             sequence=m.sequence, manifest_sha256=m.sha256, kind=m.kind, sync_id=sync_id,
                             created_at=m.created_at, expires_at=m.expires_at)
    if progress:
        progress(done, max(total, done))
    result = ApplyResult(bundle=bundle.where, publisher=m.publisher_id, channel=m.channel, sequence=m.sequence,
                         kind=m.kind, outcome="applied", sync_id=sync_id, counts=counts)
    result.warnings.extend(extractor.warnings)
    warning = expiry_warning(m.expires_at, f"{m.publisher_id}/{m.channel}")
    if warning:
        result.warnings.append(warning)
    return result


def _write_records(conn, bundle: Bundle, member, writer: PublishedWriter, extractor: DocumentTextExtractor,
                   files: dict, use_bulk: bool):
    """Write one records file, row by row or by the bulk path; yields (record, fresh) once each
    record is taken; fresh: see :attr:`BulkUpsert.fresh`."""
    batch = BulkUpsert(writer, member.type) if use_bulk else None
    fresh = bool(batch and batch.fresh)
    try:
        yield from _write_lines(conn, bundle, member, writer, extractor, files, batch, fresh)
    except DuplicateId as exc:  # a fresh table refused an id twice: the reader's own refusal
        raise duplicate_id_error(f"{bundle.where}: {member.path}, line {exc.position}", exc.rid) from None
    finally:  # refused or cancelled: its helper thread is done with the connection before the rollback
        if batch:
            batch.close()


def _write_lines(conn, bundle: Bundle, member, writer: PublishedWriter, extractor: DocumentTextExtractor,
                 files: dict, batch: BulkUpsert | None, fresh: bool):
    docs: list[tuple[dict, list[tuple], str]] = []  # the bulk path writes documents' files after their rows
    # Into a fresh table the store refuses an id twice (DuplicateId): the reader keeps no set of ids.
    for line in bundle.iter_records(member, unique_ids=False) if fresh else bundle.iter_records(member):
        record = line.record
        outcome = batch.add(record, line.line) if batch else writer.upsert(member.type, record)
        if member.type == "document":
            doc_files = _document_files(record, files)
            if outcome != "unchanged" or document_files_differ(conn, record["id"], doc_files):
                if batch:
                    docs.append((record, doc_files, outcome))
                else:
                    save_document_files(conn, record["id"], doc_files)
                    extractor.document(record, doc_files)  # search inside attached files
        if batch and batch.full:
            batch.flush()
            _write_documents(conn, batch, extractor, docs)
            batch.index_written()  # while the next batch is read
        yield record, fresh
    if batch:
        batch.flush()
        _write_documents(conn, batch, extractor, docs)
        batch.finish()


def _write_documents(conn, batch: BulkUpsert, extractor: DocumentTextExtractor,
                     docs: list[tuple[dict, list[tuple], str]]) -> None:
    """The bulk path's documents after their rows are written: file lists, then text from the files
    (as the row path does record by record). A new document with a text of its own, or without
    files, keeps no extracted text, as it starts."""
    if not docs:
        return
    save_many_document_files(conn, [(record["id"], doc_files, outcome == "new") for record, doc_files, outcome in docs])
    for record, doc_files, outcome in docs:
        if outcome == "new" and (record.get("text") or not doc_files):
            continue
        extractor.document(record, doc_files)  # search inside attached files
        if outcome == "unchanged":
            batch.touch(record["id"])
    docs.clear()


def records_digests(m, members) -> dict[str, str]:
    """type -> a digest of the records files of that type (their paths and SHA-256, as the verified
    manifest lists them) and, for documents, of every file the bundle lists (a document's files
    may change while its record does not)."""
    by_type: dict[str, list[str]] = {}
    for member in members:
        by_type.setdefault(member.type, []).append(f"{member.path}\0{member.sha256}")
    out = {}
    for type_name, parts in by_type.items():
        h = hashlib.sha256("\n".join(sorted(parts)).encode())
        if type_name == "document":
            for f in sorted(m.files, key=lambda f: f.path):
                h.update(f"\n{f.path}\0{f.sha256}\0{f.size}\0{f.media_type}".encode())
        out[type_name] = h.hexdigest()
    return out


def expiry_warning(expires_at: str | None, stream: str, now: dt.datetime | None = None) -> str | None:
    """A warning when the last material of ``stream`` is past its ``expires_at`` (it is still shown)."""
    if not expires_at:
        return None
    when = parse_instant(expires_at)  # a manifest's times carry their offset (checked on reading)
    now = now or dt.datetime.now(dt.timezone.utc)
    if when < now:
        return _("The material of {stream} expired on {when} and nothing newer has been applied: it may be stale.").format(
            stream=stream, when=format_datetime(when, fmt="long")
        )
    return None


def _document_files(record: dict, files: dict) -> list[tuple]:
    out = []
    for lang, entry in sorted((record.get("languages") or {}).items()):
        path = entry.get("file")
        if not path:
            continue
        member = files.get(path)
        out.append((lang, entry.get("title"), path, member.sha256 if member else None,
                    member.size if member else None, member.media_type if member else None))
    return out
