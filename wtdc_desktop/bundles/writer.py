"""Writing bundles: ``bundle build SRC_DIR --out FILE``.

The source folder holds ``records/*.jsonl`` and optionally ``files/**`` and a
``manifest.json`` whose header fields (publisher, channel, sequence, kind,
base_sequence, created_at, expires_at, deletions) are used unless overridden.
Every record is validated as a reader would, so what we write is strict. The
archive is deterministic: members sorted, fixed timestamps, so the same
source gives the same bytes (Ed25519 signatures are deterministic too).

``--sign-key KEYFILE`` adds ``manifest.json.sig`` (spec §6);
``--delta-from OLD_BUNDLE`` writes a delta against a full bundle (spec §2):
only the records that are new or changed, plus deletions for what is gone.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from wtdc_desktop.atomic import atomic_path
from wtdc_desktop.bundles.errors import BundleError
from wtdc_desktop.bundles.limits import DEFAULT_LIMITS
from wtdc_desktop.bundles.jsoncheck import lone_surrogate, too_deep
from wtdc_desktop.bundles.manifest import (
    FORMAT, FORMAT_VERSION, parse_manifest, path_problem, surrogate_error, too_deep_error,
)
from wtdc_desktop.bundles.reader import Bundle
from wtdc_desktop.bundles.signing import (
    PUBLIC_KEY_FIELD, check_bundle_signature, encode_public_key, raw_public_key, sign_manifest,
)
from wtdc_desktop.domain.records import ALL_TYPES, RecordError, canonical_json
from wtdc_desktop.i18n import _
from wtdc_desktop.instants import now_iso

_MEDIA_TYPES = {
    ".md": "text/markdown",
    ".txt": "text/plain",
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass
class Header:
    publisher_id: str | None = None
    publisher_name: str | None = None
    channel: str | None = None
    sequence: int | None = None
    kind: str | None = None
    base_sequence: int | None = None
    created_at: str | None = None
    expires_at: str | None = None


def _sha256_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fp:
        while chunk := fp.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _check_records(path: Path, rel: str, type_name: str) -> int:
    """Validate a source records file as a reader would; return its record count."""
    return sum(1 for _record in _source_records(path, rel, type_name))


def _source_records(path: Path, rel: str, type_name: str):
    """The records of a source records file, each validated as a reader would."""
    rtype = ALL_TYPES[type_name]
    seen: set[str] = set()
    with open(path, "rb") as fp:
        for lineno, raw in enumerate(fp, 1):
            if not raw.strip():
                continue
            here = f"{rel}, line {lineno}"
            try:
                text = raw.decode("utf-8")
                if too_deep(text, DEFAULT_LIMITS.json_depth):  # what every reader refuses (spec §7)
                    raise too_deep_error(here, DEFAULT_LIMITS.json_depth)
                record = json.loads(text)
                found = lone_surrogate(record, text)
                if found:
                    raise surrogate_error(here, found)
                rtype.validate(record)
            except UnicodeDecodeError:
                raise BundleError(_("{where}: the line is not valid UTF-8.").format(where=here)) from None
            except json.JSONDecodeError as exc:
                raise BundleError(_("{where}: the line is not valid JSON ({reason}).").format(
                    where=here, reason=exc.msg)) from None
            except RecordError as exc:
                raise BundleError(f"{here}, {exc.message}.") from None
            if record["id"] in seen:
                raise BundleError(_("{where}: the id “{id}” appears twice in this file.").format(where=here, id=record["id"]))
            seen.add(record["id"])
            yield record


def _check_source(src: Path) -> None:
    if not (src / "records").is_dir():
        raise BundleError(_("{where} has no records/ folder to build a bundle from.").format(where=src))


def _source_manifest(src: Path) -> dict:
    """The source folder's ``manifest.json`` (an empty header without one)."""
    if not (src / "manifest.json").is_file():
        return {}
    where = str(src / "manifest.json")
    try:
        text = (src / "manifest.json").read_text("utf-8")
        if too_deep(text, DEFAULT_LIMITS.json_depth):
            raise too_deep_error(where, DEFAULT_LIMITS.json_depth)
        header = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BundleError(_("{where} is not valid JSON ({reason}).").format(
            where=src / "manifest.json", reason=exc)) from None
    found = lone_surrogate(header, text)
    if found:
        raise surrogate_error(where, found)
    return header


def _record_type(path: Path, where: Path) -> str:
    """The record type a source records file holds (its name), refused when the format has no such type."""
    type_name = path.stem
    if type_name not in ALL_TYPES:
        raise BundleError(_("{where}: “{type}” is not a record type of the bundle format.").format(
            where=where, type=type_name))
    return type_name


def _record_entries(src: Path) -> list[dict]:
    """The manifest's ``records`` list: every records file of the source, validated."""
    records = []
    for path in sorted((src / "records").glob("*.jsonl")):
        rel = f"records/{path.name}"
        type_name = _record_type(path, src / rel)
        count = _check_records(path, str(src / rel), type_name)
        digest, size = _sha256_file(path)
        records.append({"path": rel, "type": type_name, "count": count, "size": size, "sha256": digest})
    return records


def _file_entries(src: Path) -> list[dict]:
    """The manifest's ``files`` list: every file under ``files/``, refused if a link or an unsafe path."""
    files: list[dict] = []
    files_dir = src / "files"
    if not files_dir.is_dir():
        return files
    for path in sorted(p for p in files_dir.rglob("*") if p.is_file() or p.is_symlink()):
        rel = path.relative_to(src).as_posix()
        if path.is_symlink():
            raise BundleError(_("{where} is a link; a bundle may hold only regular files.").format(where=path))
        problem = path_problem(rel)
        if problem:
            raise BundleError(_("{where}: the path is not allowed in a bundle ({problem}).").format(
                where=path, problem=problem))
        digest, size = _sha256_file(path)
        media = _MEDIA_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        files.append({"path": rel, "size": size, "sha256": digest, "media_type": media})
    return files


def build_bundle(src: Path | str, out: Path | str, header: Header | None = None, *, sign_key=None) -> dict:
    """Build a bundle file from a source folder; returns the manifest written.

    ``sign_key`` (an Ed25519 private key) signs it: the manifest then names the
    public key and ``manifest.json.sig`` holds the signature of its bytes.
    """
    src = Path(src)
    out = Path(out)
    header = header or Header()
    _check_source(src)
    base = _source_manifest(src)
    publisher = dict(base.get("publisher") or {})
    if header.publisher_id:
        publisher["id"] = header.publisher_id
    if header.publisher_name:
        publisher["name"] = header.publisher_name
    publisher.pop(PUBLIC_KEY_FIELD, None)
    if sign_key is not None:
        publisher[PUBLIC_KEY_FIELD] = encode_public_key(raw_public_key(sign_key))
    created = header.created_at or base.get("created_at") or now_iso()
    manifest: dict = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "publisher": publisher,
        "channel": header.channel or base.get("channel"),
        "sequence": header.sequence if header.sequence is not None else base.get("sequence"),
        "kind": header.kind or base.get("kind") or "full",
        "base_sequence": header.base_sequence if header.base_sequence is not None else base.get("base_sequence"),
        "created_at": created,
    }
    expires = header.expires_at or base.get("expires_at")
    if expires:
        manifest["expires_at"] = expires

    records = _record_entries(src)
    files = _file_entries(src)
    manifest["records"] = records
    manifest["files"] = files
    if base.get("deletions"):
        manifest["deletions"] = base["deletions"]
    data = (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    parse_manifest(data, str(out))  # what we write must pass our own reader
    _check_references(src, files)
    signature = sign_manifest(data, sign_key) if sign_key is not None else None
    _write_zip(out, data, [(m["path"], src / m["path"]) for m in records + files], signature)
    with Bundle(out, limits=DEFAULT_LIMITS) as bundle:
        if sign_key is not None:
            check_bundle_signature(bundle, raw_public_key(sign_key))
        bundle.verify()
    return manifest


def _check_references(src: Path, files: list[dict]) -> None:
    """Every file a document names must be in the bundle."""
    listed = {f["path"] for f in files}
    path = src / "records" / "document.jsonl"
    if not path.is_file():
        return
    with open(path, "rb") as fp:
        for lineno, raw in enumerate(fp, 1):
            if not raw.strip():
                continue
            record = json.loads(raw)
            for lang, entry in (record.get("languages") or {}).items():
                name = entry.get("file")
                if name and name not in listed:
                    raise BundleError(
                        _("{where}, line {line}: the file “{file}” named for language “{lang}” is not in files/.").format(
                            where=path, line=lineno, file=name, lang=lang
                        )
                    )


def _write_zip(out: Path, manifest: bytes, members: list[tuple[str, Path]], signature: bytes | None = None) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    # private: the bundle keeps the owner-only permissions (0o600) it has always been written with
    with atomic_path(out, private=True) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            zf.writestr(_info("manifest.json"), manifest)
            if signature is not None:
                zf.writestr(_info("manifest.json.sig"), signature)
            for name, path in members:
                info = _info(name, compress=_compressible(path))
                with open(path, "rb") as src_fp, zf.open(info, "w", force_zip64=path.stat().st_size > (1 << 31)) as dst:
                    while chunk := src_fp.read(1 << 20):
                        dst.write(chunk)


def _compressible(path: Path, sample: int = 256 << 10) -> bool:
    """Whether deflating a file is worth it, judged on its first 256 KiB.

    PDFs, images, recordings and office files are compressed already: deflating them gains a few
    bytes, and every reader then pays to inflate them. Those are stored as they are (ZIP_STORED).
    """
    with open(path, "rb") as fp:
        head = fp.read(sample)
    if len(head) < 1024:
        return True
    return len(zlib.compress(head, 1)) < 0.9 * len(head)


def _info(name: str, compress: bool = True) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o100644 << 16
    info.create_system = 3
    return info


# -- deltas ------------------------------------------------------------------------------------------


def _record_state(record: dict, file_hashes: dict[str, str]) -> str:
    """What makes a record "changed" for a delta: its content and the content of the files it names.

    Only documents name files (their ``languages`` object); a contact's ``languages`` is a plain list.
    """
    languages = record.get("languages")
    entries = languages.values() if isinstance(languages, dict) else ()
    names = sorted((entry or {}).get("file") or "" for entry in entries if isinstance(entry, dict))
    return canonical_json(record) + "\x1f" + "\x1f".join(f"{n}={file_hashes.get(n)}" for n in names if n)


def _base_state(old: Path | str):
    """The manifest of the full bundle ``old`` (verified) and the state of each of its records by (type, id)."""
    with Bundle(old, limits=DEFAULT_LIMITS) as base_bundle:
        base = base_bundle.manifest
        if base.kind != "full":
            raise BundleError(
                _("{where} is a delta; a delta can only be built against a full bundle.").format(where=base_bundle.where))
        base_bundle.verify()
        old_files = {m.path: m.sha256 for m in base.files}
        old_state: dict[tuple[str, str], str] = {}
        for member in base_bundle.record_members():
            for line in base_bundle.iter_records(member):
                old_state[(member.type, line.record["id"])] = _record_state(line.record, old_files)
    return base, old_state


def _delta_stream(head: dict, publisher: dict, header: Header, base, old: Path | str) -> tuple[str, str, int]:
    """The delta's publisher id, channel and sequence: the base's stream, continued."""
    publisher_id = header.publisher_id or publisher.get("id") or base.publisher_id
    channel = header.channel or head.get("channel") or base.channel
    if (publisher_id, channel) != (base.publisher_id, base.channel):
        raise BundleError(
            _("{where} is on {old_stream}, but the delta would be on {stream}: a delta must continue the same publisher and channel.").format(
                where=old, old_stream=f"{base.publisher_id}/{base.channel}", stream=f"{publisher_id}/{channel}"))
    sequence = header.sequence if header.sequence is not None else base.sequence + 1
    if sequence <= base.sequence:
        raise BundleError(
            _("The sequence of a delta ({sequence}) must be higher than that of {where} ({base}).").format(
                sequence=sequence, where=old, base=base.sequence))
    return publisher_id, channel, sequence


def _source_file_hashes(src: Path) -> dict[str, str]:
    src_files: dict[str, str] = {}
    files_dir = src / "files"
    if files_dir.is_dir():
        for path in sorted(p for p in files_dir.rglob("*") if p.is_file() and not p.is_symlink()):
            src_files[path.relative_to(src).as_posix()] = _sha256_file(path)[0]
    return src_files


def _changed_records(src: Path, old_state: dict[tuple[str, str], str],
                     src_files: dict[str, str]) -> tuple[dict[str, list[dict]], set[tuple[str, str]]]:
    """The source's records that are new or changed since the base, by type, and every (type, id) the source has."""
    changed: dict[str, list[dict]] = {}
    present: set[tuple[str, str]] = set()
    for path in sorted((src / "records").glob("*.jsonl")):
        type_name = _record_type(path, path)
        rows = changed.setdefault(type_name, [])
        for record in _source_records(path, str(path), type_name):
            key = (type_name, record["id"])
            present.add(key)
            if old_state.get(key) != _record_state(record, src_files):
                rows.append(record)
    return changed, present


def _delta_deletions(old_state: dict[tuple[str, str], str], present: set[tuple[str, str]], head: dict) -> list:
    """What the base carried that the source no longer does, then the source manifest's own deletions."""
    deletions = [{"type": t, "id": i} for (t, i) in sorted(old_state) if (t, i) not in present]
    for item in head.get("deletions") or []:
        if isinstance(item, dict) and (item.get("type"), item.get("id")) not in present and item not in deletions:
            deletions.append(item)
    return deletions


def _needed_files(src: Path, changed: dict[str, list[dict]], src_files: dict[str, str]) -> list[str]:
    """The files the changed documents name; each must be in the source."""
    needed = sorted({entry["file"] for record in changed.get("document", [])
                     for entry in (record.get("languages") or {}).values() if (entry or {}).get("file")})
    for name in needed:
        if name not in src_files:
            raise BundleError(_("{where}: a document names the file “{file}”, which is not in files/.").format(
                where=src / "records" / "document.jsonl", file=name))
    return needed


def _stage_delta(staging: Path, src: Path, changed: dict[str, list[dict]], needed: list[str],
                 manifest_head: dict) -> None:
    """Lay out the delta's source folder: its records, the files they name (linked when possible), its header."""
    (staging / "records").mkdir()
    for type_name, records in changed.items():
        with open(staging / "records" / f"{type_name}.jsonl", "w", encoding="utf-8") as fp:
            for record in records:
                fp.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    for name in needed:
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src / name, target)
        except OSError:
            shutil.copyfile(src / name, target)
    (staging / "manifest.json").write_text(json.dumps(manifest_head, ensure_ascii=False), "utf-8")


def build_delta(src: Path | str, out: Path | str, old: Path | str, header: Header | None = None, *,
                sign_key=None) -> dict:
    """Build a delta bundle from ``src`` against the full bundle ``old``; returns the manifest written.

    The delta carries the records of ``src`` that are new or changed since
    ``old`` (with the files they name) and lists as deletions the records
    ``old`` carried that ``src`` no longer does. Its ``base_sequence`` is
    ``old``'s sequence; its sequence is ``header.sequence`` or the next one.
    """
    src = Path(src)
    out = Path(out)
    header = header or Header()
    _check_source(src)
    base, old_state = _base_state(old)
    head = _source_manifest(src)
    publisher = dict(head.get("publisher") or {})
    publisher_id, channel, sequence = _delta_stream(head, publisher, header, base, old)
    src_files = _source_file_hashes(src)
    changed, present = _changed_records(src, old_state, src_files)
    deletions = _delta_deletions(old_state, present, head)
    needed = _needed_files(src, changed, src_files)

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.delta-"))
    try:
        publisher["id"] = publisher_id
        manifest_head = {
            "publisher": publisher, "channel": channel, "sequence": sequence, "kind": "delta",
            "base_sequence": base.sequence, "deletions": deletions,
        }
        for key in ("created_at", "expires_at"):
            if head.get(key):
                manifest_head[key] = head[key]
        _stage_delta(staging, src, changed, needed, manifest_head)
        delta_header = Header(publisher_name=header.publisher_name, created_at=header.created_at,
                              expires_at=header.expires_at)
        return build_bundle(staging, out, delta_header, sign_key=sign_key)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
