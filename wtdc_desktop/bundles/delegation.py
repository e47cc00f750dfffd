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
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from wtdc_desktop.bundles.apply import manifest_log_fields
from wtdc_desktop.bundles.errors import AlreadyApplied, BundleError, BundleRefused
from wtdc_desktop.bundles.limits import DEFAULT_LIMITS, Limits
from wtdc_desktop.bundles.reader import Bundle
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
                {"deletions": [{"type": t, "id": i} for t, i in pub.deletions]}), encoding="utf-8")
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
            else:
                signed_by = _check_signature(store, bundle, trust_key)
            reason = delegation_merge.check_stream(store.conn, stream, m.sequence, m.sha256, m.kind,
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
                for type_name, rid in m.deletions:
                    if type_name in DELEGATION_TYPES:
                        importer.drop(type_name, rid)
                if m.kind == "full":
                    importer.drop_unseen()
                counts = {t: c.as_dict() for t, c in sorted(importer.counts.items())}
                delegation_merge.record_import(conn, stream, m.sequence, m.sha256)
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

