"""Small bundles built in a test's tmp_path, and hand-made ZIP archives for hostile cases."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import warnings
import zipfile
from pathlib import Path

from helpers import write_records

from wtdc_desktop.bundles.writer import build_bundle


def regions() -> list[dict]:
    return [{"id": "AFR", "name": "Afrique"}, {"id": "EUR", "name": "Europe"}]


def meetings() -> list[dict]:
    return [{"id": "M-1", "kind": "conference", "title": "Test conference", "starts_on": "2030-06-03",
             "ends_on": "2030-06-07", "timezone": "Africa/Nairobi"}]


def documents() -> list[dict]:
    return [
        {"id": "M-1/1", "meeting": "M-1", "title": "Agenda", "text": "The draft agenda of the meeting.",
         "languages": {"en": {"title": "Agenda", "file": "files/M-1/1-E.txt"}}},
        {"id": "M-1/2", "meeting": "M-1", "title": "Proposals of the region", "summary": "Common proposals."},
    ]


def proposals() -> list[dict]:
    return [
        {"id": f"AFCP/2/{n}", "document": "M-1/2", "sources": ["ATU"], "action": "MOD",
         "target": {"type": "resolution", "id": "WTDC/37"}, "title": f"Proposal {n}",
         "text": f"Text of proposal {n}, on digital inclusion."}
        for n in range(1, 6)
    ]


def make_source(root: Path, *, publisher: str = "pub-test", channel: str = "CH", sequence: int = 1,
                records: dict[str, list[dict]] | None = None, files: dict[str, bytes] | None = None,
                **header) -> Path:
    """A bundle source folder: manifest.json header, records/*.jsonl, files/."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "records").mkdir(exist_ok=True)
    if records is None:
        records = {"region": regions(), "meeting": meetings(), "document": documents(), "proposal": proposals()}
    for old in (root / "records").glob("*.jsonl"):
        old.unlink()
    for type_name, rows in records.items():
        write_records(root, type_name, rows)
    if files is None:
        files = {"files/M-1/1-E.txt": "Agenda of the test conference.\n".encode()}
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    manifest = {"publisher": {"id": publisher, "name": "Test publisher"}, "channel": channel,
                "sequence": sequence, "created_at": "2030-05-01T08:00:00Z", **header}
    (root / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    return root


def build(root: Path, out: Path, **kwargs) -> Path:
    """Build a bundle from a fresh source in ``root`` (see :func:`make_source`)."""
    sign_key = kwargs.pop("sign_key", None)
    make_source(root, **kwargs)
    build_bundle(root, out, sign_key=sign_key)
    return out


def read_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.orig_filename: z.read(i) for i in z.infolist()}


def write_zip(out: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]],
              compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """Write members as given (ZipInfo names are written as they are, duplicates included)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names, which we want
        with zipfile.ZipFile(out, "w", compression=compression) as z:
            for info, data in members:
                z.writestr(info, data)
    return out


def relist(members: dict[str, bytes]) -> dict[str, bytes]:
    """Recompute the manifest's sizes and hashes after members were edited (a forger's move)."""
    manifest = json.loads(members["manifest.json"])
    for entry in manifest["records"] + manifest.get("files", []):
        data = members.get(entry["path"])
        if data is not None:
            entry["size"], entry["sha256"] = len(data), hashlib.sha256(data).hexdigest()
    members["manifest.json"] = json.dumps(manifest, indent=1).encode()
    return members


def add_listed(members: dict[str, bytes], name: str, data: bytes) -> dict[str, bytes]:
    """Add a member and list it in the manifest's files."""
    manifest = json.loads(members["manifest.json"])
    manifest.setdefault("files", []).append({"path": name, "size": len(data),
                                             "sha256": hashlib.sha256(data).hexdigest()})
    members["manifest.json"] = json.dumps(manifest, indent=1).encode()
    members[name] = data
    return members


def patch_sizes(data: bytes, name: str, file_size: int, crc: int | None = None) -> bytes:
    """Make the local and central ZIP headers of ``name`` claim ``file_size`` uncompressed bytes (and ``crc``)."""
    out = bytearray(data)
    raw = name.encode()
    pos = 0
    while (pos := out.find(b"PK\x03\x04", pos)) >= 0:
        n = struct.unpack_from("<H", out, pos + 26)[0]
        if bytes(out[pos + 30: pos + 30 + n]) == raw:
            struct.pack_into("<I", out, pos + 22, file_size)
            if crc is not None:
                struct.pack_into("<I", out, pos + 14, crc)
        pos += 4
    pos = 0
    while (pos := out.find(b"PK\x01\x02", pos)) >= 0:
        n = struct.unpack_from("<H", out, pos + 28)[0]
        if bytes(out[pos + 46: pos + 46 + n]) == raw:
            struct.pack_into("<I", out, pos + 24, file_size)
            if crc is not None:
                struct.pack_into("<I", out, pos + 16, crc)
        pos += 4
    return bytes(out)


def zip_bytes(members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for info, data in members:
            z.writestr(info, data)
    return buf.getvalue()
