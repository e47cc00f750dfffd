"""Writing bundles: ``bundle build SRC_DIR --out FILE``.

The source folder holds ``records/*.jsonl`` and optionally ``files/**`` and a
``manifest.json`` whose header fields (publisher, channel, sequence, kind,
base_sequence, created_at, expires_at, deletions) are used unless overridden.
Every record is validated as a reader would, so what we write is strict. The
archive is deterministic: members sorted, fixed timestamps, so the same
source gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import mimetypes
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from wtdc_desktop.bundles.errors import BundleError
from wtdc_desktop.bundles.limits import DEFAULT_LIMITS
from wtdc_desktop.bundles.manifest import FORMAT, FORMAT_VERSION, parse_manifest, path_problem
from wtdc_desktop.bundles.reader import Bundle
from wtdc_desktop.domain.records import ALL_TYPES, RecordError
from wtdc_desktop.i18n import _

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
    rtype = ALL_TYPES[type_name]
    seen: set[str] = set()
    count = 0
    with open(path, "rb") as fp:
        for lineno, raw in enumerate(fp, 1):
            if not raw.strip():
                continue
            here = f"{rel}, line {lineno}"
            try:
                record = json.loads(raw.decode("utf-8"))
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
            count += 1
    return count


def build_bundle(src: Path | str, out: Path | str, header: Header | None = None) -> dict:
    """Build a bundle file from a source folder; returns the manifest written."""
    src = Path(src)
    out = Path(out)
    header = header or Header()
    if not (src / "records").is_dir():
        raise BundleError(_("{where} has no records/ folder to build a bundle from.").format(where=src))
    base: dict = {}
    if (src / "manifest.json").is_file():
        try:
            base = json.loads((src / "manifest.json").read_text("utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BundleError(_("{where} is not valid JSON ({reason}).").format(
                where=src / "manifest.json", reason=exc)) from None
    publisher = dict(base.get("publisher") or {})
    if header.publisher_id:
        publisher["id"] = header.publisher_id
    if header.publisher_name:
        publisher["name"] = header.publisher_name
    created = header.created_at or base.get("created_at") or (
        dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"))
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

    records, files = [], []
    for path in sorted((src / "records").glob("*.jsonl")):
        rel = f"records/{path.name}"
        type_name = path.stem
        if type_name not in ALL_TYPES:
            raise BundleError(_("{where}: “{type}” is not a record type of the bundle format.").format(
                where=src / rel, type=type_name))
        count = _check_records(path, str(src / rel), type_name)
        digest, size = _sha256_file(path)
        records.append({"path": rel, "type": type_name, "count": count, "size": size, "sha256": digest})
    files_dir = src / "files"
    if files_dir.is_dir():
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
    manifest["records"] = records
    manifest["files"] = files
    if base.get("deletions"):
        manifest["deletions"] = base["deletions"]
    data = (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    parse_manifest(data, str(out))  # what we write must pass our own reader
    _check_references(src, files)
    _write_zip(out, data, [(m["path"], src / m["path"]) for m in records + files])
    with Bundle(out, limits=DEFAULT_LIMITS) as bundle:
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


def _write_zip(out: Path, manifest: bytes, members: list[tuple[str, Path]]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
            zf.writestr(_info("manifest.json"), manifest)
            for name, path in members:
                with open(path, "rb") as src_fp, zf.open(_info(name), "w", force_zip64=path.stat().st_size > (1 << 31)) as dst:
                    while chunk := src_fp.read(1 << 20):
                        dst.write(chunk)
        with open(tmp, "rb+") as fp:
            os.fsync(fp.fileno())
        os.replace(tmp, out)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o100644 << 16
    info.create_system = 3
    return info
