"""Delegation bundles (spec §8): exporting the delegation's own work, importing a colleague's.

``export-delegation`` writes the delegation's positions, notes and coverage
assignments as a bundle on this member's own stream (publisher
``delegation-<delegation>`` in lower case, channel ``<member>``, spec §2 and
§8), optionally signed. Its sequence grows with each export and is remembered
in the store. Every record carries ``base_version``, the version it was made
from, which the importing machine merges against (one stream per member, so
two members never publish under the same sequence).

``import-delegation`` reads such a bundle with the same checks as a published
one (container, manifest, hashes, signature against a pinned key, sequence
rules: rollback refused, the same sequence is "already applied", a different
manifest under an applied sequence refused) and merges it into the ``my_``
tables only, in one transaction; see :mod:`wtdc_desktop.store.delegation_merge`
for how local edits are kept.

Migration of bundles written before publisher ids were lower case (spec §2): a delegation bundle
whose publisher id is ``delegation-KEN`` is no longer a valid bundle as it stands. Such a bundle is
read through a copy: its signature (if any) is checked on the original manifest against the key
pinned for ``delegation-ken`` (or ``delegation-KEN``, or the key given with ``--trust``), then a
copy with the publisher id in lower case and the same members is imported on the stream
``delegation-ken/delegation``, whose merge state the store's schema migration 10 re-keyed.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from wtdc_desktop.bundles.apply import manifest_log_fields
from wtdc_desktop.bundles.errors import AlreadyApplied, BundleError, BundleRefused
from wtdc_desktop.bundles.limits import DEFAULT_LIMITS, Limits
from wtdc_desktop.bundles.manifest import path_problem
from wtdc_desktop.bundles.reader import Bundle
from wtdc_desktop.bundles.signing import SIGNATURE_MEMBER
from wtdc_desktop.bundles.writer import Header, build_bundle
from wtdc_desktop.domain.records import DELEGATION_TYPES
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _
from wtdc_desktop.store import Store
from wtdc_desktop.store import delegation_merge
from wtdc_desktop.store import syncs


@dataclass
class ExportResult:
    path: str
    publisher: str
    channel: str
    sequence: int
    counts: dict[str, int]
    signed_by: str | None = None  # fingerprint of the signing key
    kind: str = "full"
    deletions: int = 0


@dataclass
class ImportResult:
    bundle: str
    publisher: str
    channel: str
    sequence: int
    outcome: str  # imported | already_applied
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    conflicts: list[dict] = field(default_factory=list)
    signed_by: str | None = None

    def as_dict(self) -> dict:
        return {"bundle": self.bundle, "publisher": self.publisher, "channel": self.channel,
                "sequence": self.sequence, "outcome": self.outcome, "counts": self.counts,
                "conflicts": self.conflicts, "signed_by": self.signed_by}


def export_delegation(store: Store, out: Path | str, *, delegation: str | None = None,
                      sign_key: Path | str | None = None, sequence: int | None = None,
                      publisher_name: str | None = None, member: str | None = None, kind: str = "full",
                      key=None) -> ExportResult:
    """Write the delegation's positions, notes and assignments as a bundle at ``out``.

    ``kind="delta"`` carries only what changed here since the last publication on this member's
    stream (an empty delta is still written; :func:`pending_publication` tells whether one is due).
    ``key`` is an already loaded private key (instead of ``sign_key``, a file).
    """
    delegation = delegation or delegation_merge.delegation_id(store)
    if not delegation or not delegation.strip():
        raise WtdcError(_("Say which delegation this is with --delegation (for example --delegation KEN); it is remembered for the next exports."))
    publisher = delegation_merge.publisher_for(delegation)
    channel = delegation_merge.own_member(store, member)
    channel_key = f"{publisher}/{channel}"
    last = delegation_merge.last_export_sequence(store, channel_key)
    if kind == "delta" and last is None:
        kind = "full"  # nothing published yet: the first bundle of a stream is full
    if sequence is None:
        sequence = (last or 0) + 1
    elif sequence < 1:
        raise WtdcError(_("--sequence must be 1 or more, not {value}.").format(value=sequence))
    signed_by = None
    if sign_key is not None and key is None:
        from wtdc_desktop.bundles.signing import load_private_key

        key = load_private_key(sign_key)
    if key is not None:
        from wtdc_desktop.bundles.signing import fingerprint, raw_public_key

        signed_by = fingerprint(raw_public_key(key))
    pub = write_delegation_bundle(store, out, publisher=publisher, channel=channel, sequence=sequence, kind=kind,
                                  base_sequence=last if kind == "delta" else None, key=key,
                                  publisher_name=publisher_name)
    delegation_merge.record_export(store, delegation, channel_key, sequence, pub.records, pub.deletions)
    return ExportResult(path=str(out), publisher=publisher, channel=channel, sequence=sequence,
                        counts={t: len(pub.records[t]) for t in delegation_merge.TYPES}, signed_by=signed_by,
                        kind=kind, deletions=len(pub.deletions))


def write_delegation_bundle(store: Store, out: Path | str, *, publisher: str, channel: str, sequence: int,
                            kind: str = "full", base_sequence: int | None = None, key=None,
                            publisher_name: str | None = None,
                            publication: delegation_merge.Publication | None = None) -> delegation_merge.Publication:
    """Write this machine's next bundle on ``publisher/channel`` at ``out``; nothing is remembered yet.

    The caller records it (:func:`~wtdc_desktop.store.delegation_merge.record_export`) once the
    bundle is where the others read it.
    """
    pub = publication or delegation_merge.publication(store, f"{publisher}/{channel}", kind)
    with tempfile.TemporaryDirectory(dir=store.data_dir, prefix=".export-") as tmp:
        src = Path(tmp)
        (src / "records").mkdir()
        for type_name in delegation_merge.TYPES:
            with open(src / "records" / f"{type_name}.jsonl", "w", encoding="utf-8", newline="\n") as fp:
                for record in pub.records[type_name]:
                    fp.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        if pub.deletions:
            (src / "manifest.json").write_text(json.dumps(
                {"deletions": [{"type": t, "id": i, **({delegation_merge.BASE_KEY: b} if b else {})}
                               for t, i, b in pub.deletions]}), encoding="utf-8")
        header = Header(publisher_id=publisher, publisher_name=publisher_name or publisher,
                        channel=channel, sequence=sequence, kind=kind, base_sequence=base_sequence)
        if key is not None:
            build_bundle(src, out, header, sign_key=key)
        else:
            build_bundle(src, out, header)
    return pub


def _check_signature(store: Store, bundle: Bundle, trust_key: bytes | None) -> str | None:
    """The same trust rules as a published bundle (spec §6); returns the fingerprint of a verified signer."""
    from wtdc_desktop.bundles.apply import _check_signature as check_publisher_signature

    signer = check_publisher_signature(store, bundle, trust_key)
    return signer.fingerprint if signer is not None and signer.verified else None


def _refusal(bundle: Bundle, reason: str, last: int | None) -> BundleError:
    m = bundle.manifest
    stream = m.channel_key
    if reason == "already_applied":
        return AlreadyApplied(_("{where}: sequence {sequence} of {stream} is already imported; nothing changed.").format(
            where=bundle.where, sequence=m.sequence, stream=stream))
    if reason == "different_manifest":
        return BundleRefused(_("{where}: sequence {sequence} of {stream} was already imported with a different manifest; the bundle is refused.").format(
            where=bundle.where, sequence=m.sequence, stream=stream))
    if reason == "rollback":
        return BundleRefused(_("{where}: sequence {sequence} of {stream} is older than the last imported ({last}); refused as a rollback (use --force to import it anyway).").format(
            where=bundle.where, sequence=m.sequence, stream=stream, last=last))
    return BundleRefused(_("{where}: this delta of {stream} applies to sequence {base}, but the last imported is {last}; import a full bundle instead.").format(
        where=bundle.where, stream=stream, base=m.base_sequence, last=last if last is not None else _("none")))


# --- bundles written before publisher ids were lower case (spec §2) ----------------------------------

_LEGACY_ID = re.compile(r"^delegation-[A-Za-z0-9.-]{1,60}$")


def _legacy_manifest(path: Path, limits: Limits) -> tuple[dict, bytes, bytes | None] | None:
    """The manifest (parsed, bytes) and signature of a delegation bundle whose publisher id is upper case."""
    try:
        if path.is_dir():
            manifest_path = path / "manifest.json"
            if not manifest_path.is_file() or manifest_path.stat().st_size > limits.manifest_size:
                return None
            data = manifest_path.read_bytes()
            sig_path = path / SIGNATURE_MEMBER
            sig = sig_path.read_bytes()[:4096] if sig_path.is_file() else None
        else:
            with zipfile.ZipFile(path) as zf:
                info = zf.getinfo("manifest.json")
                if info.file_size > limits.manifest_size:
                    return None
                data = zf.read(info)
                sig = zf.read(SIGNATURE_MEMBER)[:4096] if SIGNATURE_MEMBER in zf.namelist() else None
        raw = json.loads(data.decode("utf-8"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, RecursionError):
        return None  # the reader says what is wrong with it
    publisher = raw.get("publisher") if isinstance(raw, dict) else None
    pid = publisher.get("id") if isinstance(publisher, dict) else None
    if not isinstance(pid, str) or pid == pid.lower() or not _LEGACY_ID.match(pid):
        return None
    return raw, data, sig


def _legacy_copy(store: Store, path: Path, legacy: tuple[dict, bytes, bytes | None], tmp: Path,
                 trust_key: bytes | None, limits: Limits) -> tuple[Path, str | None]:
    """Migration of a legacy bundle: its signature checked on the original manifest, then a copy whose
    publisher id is lower case (the members, listed with their hashes, are copied unchanged)."""
    from wtdc_desktop.bundles.signing import (
        PUBLIC_KEY_FIELD, configured_key, decode_public_key, fingerprint, signature_valid,
    )
    from wtdc_desktop.store import trust

    raw, data, sig = legacy
    pid = raw["publisher"]["id"]
    lower = pid.lower()
    pinned = trust_key
    for name in (lower, pid):
        if pinned is None:
            row = trust.get_key(store.conn, name)
            pinned = row.public_key if row is not None else configured_key(store.data_dir, name)
    signer = None
    if sig is not None:
        embedded = raw["publisher"].get(PUBLIC_KEY_FIELD)
        key = pinned or (decode_public_key(embedded) if isinstance(embedded, str) else None)
        if key is None or not signature_valid(data, sig, key):
            raise BundleRefused(_("{where}: the signature does not match the manifest and the delegation's key; "
                                  "refused.").format(where=path))
        signer = fingerprint(key)
    elif pinned is not None:
        raise BundleRefused(_("{where} is not signed, but the delegation “{publisher}” must sign with the trusted key "
                              "{fingerprint}; refused.").format(where=path, publisher=lower,
                                                                 fingerprint=fingerprint(pinned)))
    if trust_key is not None and trust.get_key(store.conn, lower) is None:
        trust.pin_key(store, lower, trust_key, fingerprint(trust_key), origin="cli")
    publisher = {k: v for k, v in raw["publisher"].items() if k != PUBLIC_KEY_FIELD}
    manifest = json.dumps({**raw, "publisher": {**publisher, "id": lower}}, ensure_ascii=False, indent=1).encode()
    out = tmp / "legacy.wtdc.zip"
    listed = {m.get("path") for key in ("records", "files") for m in raw.get(key) or [] if isinstance(m, dict)}
    total = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        dst.writestr("manifest.json", manifest)
        for name in sorted(n for n in listed if isinstance(n, str)):
            if path_problem(name):
                raise BundleRefused(_("{where}: the path is not allowed in a bundle ({problem}).").format(
                    where=f"{path}: {name}", problem=path_problem(name)))
            if path.is_dir():
                src_path = path / name
                if not src_path.is_file() or src_path.is_symlink():
                    continue  # missing: the reader refuses the copy
                total += src_path.stat().st_size
                if total > limits.uncompressed_size:
                    raise BundleRefused(_("{where} is larger than the limit of a bundle; refused.").format(where=path))
                dst.write(src_path, name)
            else:
                with zipfile.ZipFile(path) as zf:
                    try:
                        info = zf.getinfo(name)
                    except KeyError:
                        continue
                    total += info.file_size
                    if total > limits.uncompressed_size or info.file_size > info.compress_size * limits.compression_ratio + 4096:
                        raise BundleRefused(_("{where} is larger than the limit of a bundle; refused.").format(where=path))
                    with zf.open(info) as src, dst.open(name, "w") as target:
                        shutil.copyfileobj(src, target, 1 << 20)
    return out, signer


def import_delegation(store: Store, path: Path | str, *, source: str | None = None, force: bool = False,
                      trust_key: bytes | None = None, limits: Limits = DEFAULT_LIMITS,
                      member_key: bytes | None = None, expect_stream: str | None = None) -> ImportResult:
    """Merge a delegation bundle into the delegation's own tables; raise :class:`BundleError` (store unchanged).

    A delegation whose key is pinned must sign its bundles with it; ``trust_key``
    (raw Ed25519 public key) is required to have signed this one, and is pinned.
    ``member_key`` (team sync): the bundle must be signed by this member's pinned key instead,
    and ``expect_stream`` is the only stream (publisher/channel) it may be on.
    A bundle written before publisher ids were lower case (``delegation-KEN``) is merged on the
    lower-case stream (see :func:`~wtdc_desktop.store.delegation_merge.canonical_stream`).
    """
    source = source or str(path)
    legacy = _legacy_manifest(Path(path), limits) if member_key is None else None
    if legacy is not None:
        # Written as delegation-KEN before publisher ids were lower case: read through a lower-case
        # copy, after its signature was checked on the original (see the module's documentation).
        with tempfile.TemporaryDirectory(dir=store.data_dir, prefix=".legacy-") as tmp:
            try:
                copy, signer = _legacy_copy(store, Path(path), legacy, Path(tmp), trust_key, limits)
            except BundleError as exc:
                syncs.log_outcome(store, source=source, outcome="refused", message=exc.message)
                raise
            except (OSError, zipfile.BadZipFile) as exc:
                raise BundleRefused(_("{where} cannot be read ({reason}); refused.").format(where=path, reason=exc)) from None
            import hashlib

            result = _import(store, copy, source=source, force=force, trust_key=None, limits=limits,
                             member_key=None, expect_stream=expect_stream, legacy_signer=signer or "",
                             manifest_sha256=hashlib.sha256(legacy[1]).hexdigest())
            result.bundle = str(path)
            return result
    return _import(store, path, source=source, force=force, trust_key=trust_key, limits=limits,
                   member_key=member_key, expect_stream=expect_stream)


def _import(store: Store, path: Path | str, *, source: str, force: bool, trust_key: bytes | None, limits: Limits,
            member_key: bytes | None, expect_stream: str | None, legacy_signer: str | None = None,
            manifest_sha256: str | None = None) -> ImportResult:
    manifest = None
    try:
        with Bundle(path, limits=limits) as bundle:
            m = manifest = bundle.manifest
            members = bundle.record_members()
            published = [mem.type for mem in members if mem.type not in DELEGATION_TYPES]
            if published or not members:
                raise BundleRefused(_("{where} is not a delegation bundle (it carries {types}); apply it with sync.").format(
                    where=bundle.where, types=", ".join(sorted(set(published))) or _("no delegation records")))
            stream = delegation_merge.canonical_stream(m.channel_key)
            if expect_stream is not None and stream != expect_stream:
                raise BundleRefused(_("{where} is on the stream {stream}, not on {expected}; refused.").format(
                    where=bundle.where, stream=m.channel_key, expected=expect_stream))
            if member_key is not None:
                from wtdc_desktop.bundles.signing import check_bundle_signature

                signed_by = check_bundle_signature(bundle, member_key).fingerprint
            elif legacy_signer is not None:
                signed_by = legacy_signer or None  # checked on the original manifest
            else:
                signed_by = _check_signature(store, bundle, trust_key)
            sha = manifest_sha256 or m.sha256  # a legacy bundle: its original manifest's, as imported before
            reason = delegation_merge.check_stream(store.conn, stream, m.sequence, sha, m.kind,
                                                   m.base_sequence, force)
            if reason is not None:
                raise _refusal(bundle, reason, delegation_merge.last_imported_sequence(store.conn, stream))
            bundle.verify()
            with store.transaction() as conn:
                sync_id = syncs.begin_sync(conn, source=source, publisher=m.publisher_id, channel=m.channel,
                                           sequence=m.sequence, kind=m.kind, manifest_sha256=m.sha256)
                importer = delegation_merge.DelegationImporter(conn, stream)
                for member in members:
                    importer.count(member.type)
                    for line in bundle.iter_records(member):
                        importer.merge(member.type, line.record)
                deleted = {(d.get("type"), d.get("id")): d.get(delegation_merge.BASE_KEY)
                           for d in m.raw.get("deletions") or [] if isinstance(d, dict)}
                for type_name, rid in m.deletions:
                    if type_name in DELEGATION_TYPES:
                        version = deleted.get((type_name, rid))
                        importer.drop(type_name, rid, version if isinstance(version, str) else None)
                if m.kind == "full":
                    importer.drop_unseen()
                counts = {t: c.as_dict() for t, c in sorted(importer.counts.items())}
                delegation_merge.record_import(conn, stream, m.sequence, sha)
                syncs.finish_sync(conn, sync_id, outcome="imported", counts=counts)
            conflicts = [c for c in delegation_merge.open_edit_conflicts(store)
                         if c["conflict_id"] in set(importer.conflicts)]
            return ImportResult(bundle=bundle.where, publisher=m.publisher_id, channel=m.channel,
                                sequence=m.sequence, outcome="imported", counts=counts, conflicts=conflicts,
                                signed_by=signed_by)
    except AlreadyApplied as exc:
        syncs.log_outcome(store, source=source, outcome="already_applied", message=exc.message,
                          **manifest_log_fields(manifest))
        return ImportResult(bundle=str(path), publisher=manifest.publisher_id, channel=manifest.channel,
                            sequence=manifest.sequence, outcome="already_applied")
    except BundleError as exc:
        syncs.log_outcome(store, source=source, outcome="refused", message=exc.message, **manifest_log_fields(manifest))
        raise

