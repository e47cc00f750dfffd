"""Build the hostile-bundle corpus in tests/data/hostile/ (run once; the files are committed).

    python tests/data/make_hostile.py

Each file breaks one rule of the bundle format (spec §1 container, §2
manifest, §3 records, §6 signatures, §7 limits) or is a classic archive attack
(path traversal in every form, links, duplicate and case-colliding names,
overlapping-member and high-ratio bombs, lying sizes, nested zips, truncated
or damaged archives). tests/reliability/test_hostile.py maps each file to the
refusal it must get. Bundles too large to commit (100 000 members, big bombs)
are built by the test itself.

Streams: ``hostile-pub``/``H`` (unsigned; the test applies ``base-s5`` first)
and ``hostile-signed``/``S`` (signed with the key whose public half is
``hostile-signed.pub``; the test pins it and applies ``signed-base-s5``). Look-alikes of
``hostile-signed`` (``hostile-signed `` and the like) and the plain ``hostile-other`` try to replace
what the pinned stream published.
The signing key is derived from a fixed seed so that the corpus can be rebuilt
identically in meaning; it signs nothing outside this corpus.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import random
import shutil
import struct
import sys
import tempfile
import warnings
import zipfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "hostile"
sys.path.insert(0, str(HERE.parent.parent))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat  # noqa: E402

from wtdc_desktop.bundles.writer import Header, build_bundle  # noqa: E402

KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"wtdc hostile corpus key").digest())
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"wtdc hostile corpus other key").digest())
DATE = (2030, 5, 1, 8, 0, 0)


def records(variant: str = "a", prefix: str = "AFCP") -> dict[str, list[dict]]:
    return {
        "region": [{"id": "AFR", "name": "Afrique"}, {"id": "EUR", "name": "Europe"}],
        "meeting": [{"id": "M-1", "kind": "conference", "title": "Test conference", "starts_on": "2030-06-03",
                     "ends_on": "2030-06-07", "timezone": "Africa/Nairobi"}],
        "document": [{"id": "M-1/1", "meeting": "M-1", "title": "Agenda", "text": "The draft agenda.",
                      "languages": {"en": {"title": "Agenda", "file": "files/M-1/1-E.txt"}}}],
        "proposal": [{"id": f"{prefix}/2/{n}", "document": "M-1/1", "sources": ["ATU"], "action": "MOD",
                      "target": {"type": "resolution", "id": "WTDC/37"}, "title": f"Proposal {n} ({variant})",
                      "text": f"Text of proposal {n}, version {variant}."} for n in range(1, 4)],
    }


def build(publisher: str, channel: str, sequence: int, *, variant: str = "a", key=None, expires_at=None,
          kind: str = "full", base: int | None = None, recs: dict | None = None) -> dict[str, bytes]:
    """The members of a valid bundle, in order.

    The signed stream carries only proposals of its own (``SGCP/2/n``): those of a pinned publisher, which
    only a pinned key may change (spec §4); the unsigned stream's records are open to any publisher.
    """
    if recs is None and publisher == "hostile-signed":
        recs = {"proposal": records(variant, "SGCP")["proposal"]}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        (src / "records").mkdir(parents=True)
        for type_name, rows in (recs or records(variant)).items():
            (src / "records" / f"{type_name}.jsonl").write_text(
                "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows), "utf-8")
        (src / "files" / "M-1").mkdir(parents=True)
        (src / "files" / "M-1" / "1-E.txt").write_text("Agenda of the test conference.\n", "utf-8")
        out = Path(tmp) / "b.wtdc.zip"
        header = Header(publisher_id=publisher, publisher_name=publisher, channel=channel, sequence=sequence,
                        kind=kind, base_sequence=base, created_at="2030-05-01T08:00:00Z", expires_at=expires_at)
        if key is not None:
            build_bundle(src, out, header, sign_key=key)
        else:
            build_bundle(src, out, header)
        with zipfile.ZipFile(out) as z:
            return {i.orig_filename: z.read(i) for i in z.infolist()}


def info(name: str, mode: int = 0o100644, system: int = 3, attr_low: int = 0) -> zipfile.ZipInfo:
    zi = zipfile.ZipInfo(name, date_time=DATE)
    zi.create_system = system
    zi.external_attr = (mode << 16) | attr_low
    zi.compress_type = zipfile.ZIP_DEFLATED
    return zi


def zip_of(entries, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are the point of some files
        with zipfile.ZipFile(buf, "w", compression=compression) as z:
            for name, data in entries:
                if isinstance(name, str):
                    name = info(name)
                    name.compress_type = compression
                z.writestr(name, data)
    return buf.getvalue()


def listed(members: dict[str, bytes], name: str, data: bytes) -> dict[str, bytes]:
    """Add a member and list it in the manifest (a forger's move, unsigned)."""
    members = dict(members)
    manifest = json.loads(members["manifest.json"])
    manifest.setdefault("files", []).append({"path": name, "size": len(data),
                                             "sha256": hashlib.sha256(data).hexdigest()})
    members["manifest.json"] = json.dumps(manifest, indent=1).encode()
    members[name] = data
    return members


def relist(members: dict[str, bytes]) -> dict[str, bytes]:
    """Recompute listed sizes and hashes after members were edited."""
    members = dict(members)
    manifest = json.loads(members["manifest.json"])
    for entry in manifest["records"] + manifest.get("files", []):
        if entry["path"] in members:
            data = members[entry["path"]]
            entry["size"], entry["sha256"] = len(data), hashlib.sha256(data).hexdigest()
    members["manifest.json"] = json.dumps(manifest, indent=1).encode()
    return members


def with_manifest(members: dict[str, bytes], edit) -> dict[str, bytes]:
    members = dict(members)
    manifest = json.loads(members["manifest.json"])
    edit(manifest)
    members["manifest.json"] = json.dumps(manifest, indent=1).encode()
    members.pop("manifest.json.sig", None)
    return members


def with_record(members: dict[str, bytes], type_name: str, line: int, edit) -> dict[str, bytes]:
    members = dict(members)
    path = f"records/{type_name}.jsonl"
    lines = members[path].decode().splitlines()
    rec = json.loads(lines[line - 1])
    result = edit(rec)
    lines[line - 1] = result if isinstance(result, str) else json.dumps(rec, ensure_ascii=False)
    members[path] = ("\n".join(lines) + "\n").encode()
    return relist(members)


def patch_sizes(data: bytes, name: str, file_size: int) -> bytes:
    out = bytearray(data)
    raw = name.encode()
    for sig, name_len_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)):
        pos = 0
        while (pos := out.find(sig, pos)) >= 0:
            n = struct.unpack_from("<H", out, pos + name_len_at)[0]
            if bytes(out[pos + name_at: pos + name_at + n]) == raw:
                struct.pack_into("<I", out, pos + size_at, file_size)
            pos += 4
    return bytes(out)


def quoted_overlap_bomb(good: dict[str, bytes], entries: int = 60, kernel_size: int = 64 * 1024) -> bytes:
    """A Fifield-style overlapping-member bomb ("quoted overlap") inside an otherwise valid bundle.

    The members' data overlap: member i's deflate stream quotes member i+1's local header in a stored
    block and runs on into member i+1's data, down to one shared compressed kernel. Each member looks
    modest (its own ratio is that of the kernel, about 4:1) and zipfile reads every one of them, but the
    archive expands to ``entries`` times the kernel. Every member is listed in the manifest with its true
    size and hash, so only a reader that notices the overlap refuses it.
    """
    rng = random.Random(1)
    plain_k = bytes(rng.choice(b"ACGT") for _ in range(kernel_size))
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    kernel = comp.compress(plain_k) + comp.flush()
    names = [f"files/overlap-{i:03d}.txt".encode() for i in range(entries)]
    headers: list[bytes] = [b""] * entries
    meta: list[tuple[int, int, int]] = [(0, 0, 0)] * entries
    data_after, plain_after = kernel, plain_k  # member i's compressed data and content, built backwards
    for i in reversed(range(entries)):
        if i < entries - 1:
            quoted = headers[i + 1]
            data_after = b"\x00" + struct.pack("<HH", len(quoted), len(quoted) ^ 0xFFFF) + quoted + data_after
            plain_after = quoted + plain_after
        crc = zlib.crc32(plain_after)
        meta[i] = (crc, len(data_after), len(plain_after))
        headers[i] = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data_after),
                                 len(plain_after), len(names[i]), 0) + names[i]
    region = headers[0] + data_after  # everything else is inside member 0's data
    # the manifest lists every overlapping member with its true size and hash
    members = dict(good)
    manifest = json.loads(members["manifest.json"])
    offsets_in_region = [0]
    pos = len(headers[0])
    for i in range(1, entries):
        pos += 5
        offsets_in_region.append(pos)
        pos += len(headers[i])
    for i in range(entries):
        start = offsets_in_region[i] + len(headers[i])
        compressed = region[start: start + meta[i][1]]
        content = zlib.decompress(compressed, -15)
        manifest.setdefault("files", []).append({"path": names[i].decode(), "size": len(content),
                                                 "sha256": hashlib.sha256(content).hexdigest()})
    members["manifest.json"] = json.dumps(manifest, indent=1).encode()
    base = zip_of(list(members.items()))
    with zipfile.ZipFile(io.BytesIO(base)) as z:
        cd_start = z.start_dir
        count = len(z.infolist())
    eocd = base.rfind(b"PK\x05\x06")
    out = bytearray(base[:cd_start])
    shift = len(out)
    out += region
    cd = bytearray(base[cd_start:eocd])
    for i in range(entries):
        crc, csize, usize = meta[i]
        cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x0314, 20, 0, 8, 0, 0x21, crc, csize, usize,
                          len(names[i]), 0, 0, 0, 0, 0o100644 << 16, shift + offsets_in_region[i]) + names[i]
    cd_offset = len(out)
    out += cd
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count + entries, count + entries, len(cd), cd_offset, 0)
    return bytes(out)


def _manifest_cases(put_zip, good: dict[str, bytes]) -> None:
    """§2 manifest: not JSON, not an object, each field of the wrong type, unknown versions."""
    put_zip("manifest-not-json.wtdc.zip", {**good, "manifest.json": b"{\"format\": \"wtdc-bundle\", oops"})
    put_zip("manifest-invalid-utf8.wtdc.zip", {**good, "manifest.json": b"{\"format\": \"wtdc-bundle\xff\xfe\"}"})
    put_zip("manifest-not-object.wtdc.zip", {**good, "manifest.json": b"[1, 2, 3]"})
    wrong_types = {
        "format": 1, "format_version": "1", "publisher": "hostile-pub", "publisher.id": 7, "publisher.name": ["x"],
        "channel": [], "sequence": "6", "sequence-negative": -1, "sequence-bool": True, "kind": "partial",
        "base_sequence": "5", "created_at": "2030-05-01T08:00:00", "expires_at": 20300501, "records": {},
        "records-empty": [], "records[0]": "records/region.jsonl", "records[0].path": 3,
        "records[0].size": "large", "records[0].sha256": "ZZ", "records[0].type": None, "records[0].count": "3",
        "files": "files/M-1/1-E.txt", "files[0].media_type": 5, "deletions": "all", "deletions[0]": {"type": 1},
    }
    for field, value in wrong_types.items():
        def edit(m, field=field, value=value):
            key = field.split("-")[0]
            if key == "records-empty":
                key = "records"
            if "." in key and not key.startswith(("records[", "files[")):
                top, sub = key.split(".")
                m[top][sub] = value
            elif key.startswith(("records[0]", "files[0]", "deletions[0]")):
                top = key.split("[")[0]
                if top == "deletions":
                    m["deletions"] = [value]
                elif "." in key:
                    m[top][0][key.split(".")[1]] = value
                else:
                    m[top][0] = value
            else:
                m[key] = value
        put_zip(f"manifest-type-{field.replace('[0]', '0').replace('.', '-')}.wtdc.zip", with_manifest(good, edit))
    put_zip("manifest-newer-format.wtdc.zip", with_manifest(good, lambda m: m.update(format_version=99)))
    put_zip("manifest-delta-without-base.wtdc.zip", with_manifest(good, lambda m: m.update(kind="delta")))
    put_zip("manifest-records-outside.wtdc.zip",
            with_manifest(good, lambda m: m["records"][0].update(path="files/region.jsonl")))


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()
    written: dict[str, bytes] = {}

    def put(name: str, data: bytes) -> None:
        written[name] = data

    def put_zip(name: str, members, compression=zipfile.ZIP_DEFLATED) -> None:
        entries = members.items() if isinstance(members, dict) else members
        put(name, zip_of(list(entries), compression))

    pub = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    put("hostile-signed.pub", base64.b64encode(pub) + b"\n")

    base = build("hostile-pub", "H", 5)
    put_zip("base-s5.wtdc.zip", base)
    good = build("hostile-pub", "H", 6, variant="b")
    put_zip("good-s6.wtdc.zip", good)  # the control: applies cleanly
    signed_base = build("hostile-signed", "S", 5, key=KEY)
    put_zip("signed-base-s5.wtdc.zip", signed_base)

    # --- §1 member paths, as stored in the archive ---------------------------------------------------------
    for name, path in [("path-dotdot", "files/../../evil.txt"), ("path-dotdot-deep", "files/a/../../../evil.txt"),
                       ("path-dotdot-only", "../evil.txt"),
                       ("path-backslash", "files\\..\\..\\evil.txt"), ("path-absolute", "/etc/evil.txt"),
                       ("path-drive-letter", "C:/Windows/evil.txt"), ("path-drive-relative", "c:evil.txt"),
                       ("path-unc", "//server/share/evil.txt"), ("path-dot-segment", "files/./evil.txt"),
                       ("path-control-char", "files/evil\x1b[2J.txt"),
                       ("path-non-nfc", "files/e\u0301vil.txt")]:
        put_zip(f"{name}.wtdc.zip", [*good.items(), (info(path), b"evil")])
    nul = zip_of([*good.items(), (info("files/evilXtxt.sh"), b"evil")])
    put("path-nul.wtdc.zip", nul.replace(b"files/evilXtxt.sh", b"files/evil\x00txt.sh"))
    # fullwidth full stops and solidus: not "..", never used as a path (files are stored by hash)
    put_zip("path-fullwidth-dots.wtdc.zip", listed(good, "files/\uff0e\uff0e\uff0fevil.txt", b"harmless"))
    put_zip("path-fullwidth-unlisted.wtdc.zip", [*good.items(), (info("files/\uff0e\uff0e/evil.txt"), b"x")])

    # --- §1 links and special files -----------------------------------------------------------------------
    for name, mode in [("link-symlink", 0o120777), ("link-hardlink-type", 0o110644), ("link-socket", 0o140644),
                       ("link-fifo", 0o010644), ("link-char-device", 0o020644), ("link-block-device", 0o060644)]:
        members = listed(good, "files/link", b"/etc/passwd")
        put_zip(f"{name}.wtdc.zip", [(info(n, mode) if n == "files/link" else n, d) for n, d in members.items()])
    members = listed(good, "files/link", b"C:\\Windows")
    put_zip("link-windows-reparse.wtdc.zip",
            [(info(n, 0, system=0, attr_low=0x400 | 0x20) if n == "files/link" else n, d) for n, d in members.items()])

    # --- §1 names -------------------------------------------------------------------------------------------
    put_zip("name-duplicate.wtdc.zip", [*good.items(), ("records/region.jsonl", good["records/region.jsonl"])])
    put_zip("name-case-collision.wtdc.zip", [*good.items(), ("records/Region.jsonl", b"")])
    put_zip("name-manifest-case.wtdc.zip", [*good.items(), ("MANIFEST.JSON", b"{}")])
    put_zip("member-unlisted.wtdc.zip", [*good.items(), ("files/extra.txt", b"not listed")])
    missing = dict(good)
    del missing["files/M-1/1-E.txt"]
    put_zip("member-missing.wtdc.zip", missing)
    put_zip("member-wrong-hash.wtdc.zip", {**good, "files/M-1/1-E.txt": b"Agenda of the test conferencE.\n"})
    put_zip("manifest-missing.wtdc.zip", {k: v for k, v in good.items() if k != "manifest.json"})
    inner = zip_of([("manifest.json", good["manifest.json"])])
    put_zip("nested-zip-unlisted.wtdc.zip", [*good.items(), ("files/inner.zip", inner)])
    put_zip("nested-zip-listed.wtdc.zip", listed(good, "files/inner.wtdc.zip", zip_of(list(good.items()))))
    put_zip("nested-bundle-only.wtdc.zip", [("inner.wtdc.zip", zip_of(list(good.items())))])

    # --- damaged containers ---------------------------------------------------------------------------------
    raw = zip_of(list(good.items()))
    put("truncated.wtdc.zip", raw[: len(raw) // 2])
    put("truncated-end.wtdc.zip", raw[:-10])
    put("corrupt-central-directory.wtdc.zip", raw.replace(b"PK\x01\x02", b"PK\x01\x09", 1))
    stored = bytearray(zip_of(list(good.items()), zipfile.ZIP_STORED))
    at = stored.find(b"Afrique")
    stored[at] = ord("a")
    put("crc-mismatch.wtdc.zip", bytes(stored))
    put("empty.wtdc.zip", b"")
    put("not-a-zip.wtdc.zip", b"This is a text file renamed to .wtdc.zip.\n")
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        true_size = z.getinfo("records/proposal.jsonl").file_size
    put("lying-size-smaller.wtdc.zip", patch_sizes(raw, "records/proposal.jsonl", true_size - 50))
    put("lying-size-larger.wtdc.zip", patch_sizes(raw, "records/proposal.jsonl", true_size + 7))
    enc = bytearray(raw)
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        zi = z.getinfo("records/region.jsonl")
    enc[zi.header_offset + 6] |= 1
    pos = 0
    while (pos := enc.find(b"PK\x01\x02", pos)) >= 0:
        n = struct.unpack_from("<H", enc, pos + 28)[0]
        if enc[pos + 46: pos + 46 + n] == b"records/region.jsonl":
            enc[pos + 8] |= 1
        pos += 4
    put("encrypted-member.wtdc.zip", bytes(enc))

    # --- §7 bombs (small ones; the large ones are built by the test) -------------------------------------------
    put_zip("bomb-ratio.wtdc.zip", listed(good, "files/zeros.bin", b"\0" * 2_000_000))
    put("bomb-quoted-overlap.wtdc.zip", quoted_overlap_bomb(good))

    _manifest_cases(put_zip, good)

    # --- §3 records -------------------------------------------------------------------------------------------
    put_zip("record-missing-id.wtdc.zip", with_record(good, "proposal", 2, lambda r: r.pop("id") and None))
    put_zip("record-missing-required.wtdc.zip", with_record(good, "proposal", 2, lambda r: r.pop("action") and None))
    put_zip("record-bad-action.wtdc.zip", with_record(good, "proposal", 3, lambda r: r.update(action="DELETE")))
    put_zip("record-date-malformed.wtdc.zip", with_record(good, "meeting", 1,
                                                          lambda r: r.update(starts_on="3 June 2030")))
    session = {"id": "S-1", "meeting": "M-1", "title": "Plenary", "starts_at": "2030-06-03T09:00:00",
               "ends_at": "2030-06-03T12:00:00+03:00"}
    put_zip("record-datetime-no-offset.wtdc.zip", with_manifest(
        {**good, "records/session.jsonl": json.dumps(session).encode() + b"\n"},
        lambda m: m["records"].append({"path": "records/session.jsonl", "type": "session", "count": 1,
                                       "size": len(json.dumps(session)) + 1,
                                       "sha256": hashlib.sha256(json.dumps(session).encode() + b"\n").hexdigest()})))
    put_zip("record-duplicate-id.wtdc.zip", relist({**good, "records/region.jsonl":
                                                     good["records/region.jsonl"] + good["records/region.jsonl"]}))
    put_zip("record-not-object.wtdc.zip", with_record(good, "region", 1, lambda r: "[\"AFR\", \"Afrique\"]"))
    put_zip("record-not-json.wtdc.zip", with_record(good, "region", 2, lambda r: "{\"id\": \"EUR\", "))
    put_zip("record-wrong-type-field.wtdc.zip", with_record(good, "proposal", 1, lambda r: r.update(sources="ATU")))
    put_zip("record-invalid-utf8.wtdc.zip", relist({**good, "records/region.jsonl":
                                                     b"{\"id\": \"AFR\", \"name\": \"Afr\xe9que\"}\n"}))
    put_zip("record-count-lies.wtdc.zip", with_manifest(good, lambda m: [e.update(count=1000) for e in m["records"]
                                                                           if e["type"] == "proposal"]))
    # over the test's configured limits (64 KiB a line, 32 KiB a text field), incompressible so the
    # ratio limit does not refuse them first
    noise = base64.b64encode(random.Random(2).randbytes(60_000)).decode()
    put_zip("record-oversized-line.wtdc.zip", relist({**good, "records/region.jsonl": json.dumps(
        {"id": "AFR", "name": "Afrique", "x": noise + noise}).encode() + b"\n"}))
    put_zip("record-oversized-text.wtdc.zip", with_record(good, "document", 1, lambda r: r.update(text=noise[:40_000])))
    # a bad record in a bundle that also brings a new file: the file must not stay in the cache
    put_zip("record-bad-with-new-file.wtdc.zip", with_record(listed(good, "files/new.txt", b"A new file.\n"),
                                                             "proposal", 3, lambda r: r.update(action="DELETE")))
    note = json.dumps({"id": "n1", "subject": {"type": "proposal", "id": "AFCP/2/1"}, "body": "x",
                       "updated_at": "2030-05-01T08:00:00Z"}).encode() + b"\n"
    put_zip("records-delegation-in-sync.wtdc.zip", with_manifest(
        {**good, "records/note.jsonl": note},
        lambda m: m["records"].append({"path": "records/note.jsonl", "type": "note", "count": 1,
                                       "size": len(note), "sha256": hashlib.sha256(note).hexdigest()})))

    # §7 nesting depth and valid Unicode; stored, not deflated, so that the ratio limit does not refuse them first
    deep = "[" * 30_000 + "]" * 30_000  # far beyond the parser's recursion, under the corpus's 64 KiB line limit
    put_zip("record-nested-deep.wtdc.zip", with_record(good, "region", 1, lambda r: (
        '{"id": "AFR", "name": "Afrique", "x": ' + deep + "}")), zipfile.ZIP_STORED)
    put_zip("record-nested-33.wtdc.zip", with_record(good, "region", 2, lambda r: (
        '{"id": "EUR", "name": "Europe", "x": ' + "[" * 32 + "]" * 32 + "}")), zipfile.ZIP_STORED)
    put_zip("record-nested-32.wtdc.zip", with_record(good, "region", 2, lambda r: (
        '{"id": "EUR", "name": "Europe", "x": ' + "[" * 31 + "]" * 31 + "}")), zipfile.ZIP_STORED)
    deep_manifest = dict(good)
    deep_manifest["manifest.json"] = b'{"extra": ' + deep.encode() + b"," + good["manifest.json"][1:]
    put_zip("manifest-nested-deep.wtdc.zip", deep_manifest, zipfile.ZIP_STORED)
    put_zip("record-lone-surrogate.wtdc.zip", with_record(good, "proposal", 2, lambda r: (
        json.dumps(r).replace('"title": "Proposal 2', '"title": "Proposal \\ud800 2'))))
    put_zip("record-lone-surrogate-key.wtdc.zip", with_record(good, "region", 1, lambda r: (
        '{"id": "AFR", "name": "Afrique", "\\udc00": 1}')))
    put_zip("record-id-control-char.wtdc.zip", with_record(good, "region", 2, lambda r: r.update(id="EU\x1b[2JR")))
    mismatched = listed(good, "files/report.exe", b"MZ\x90\x00 a program, listed as a PDF")
    manifest = json.loads(mismatched["manifest.json"])
    manifest["files"][-1]["media_type"] = "application/pdf"
    mismatched["manifest.json"] = json.dumps(manifest, indent=1).encode()
    put_zip("file-media-type-mismatch.wtdc.zip", mismatched)
    put_zip("manifest-lone-surrogate.wtdc.zip", {**good, "manifest.json": good["manifest.json"].replace(
        b'"name": "hostile-pub"', b'"name": "hostile\\ud800-pub"')})

    # --- §2 look-alike publisher ids and §4 records of a pinned publisher ------------------------------------
    # unsigned bundles that try to replace what the signed, pinned "hostile-signed" published
    replaced = {"proposal": records("replaced", "SGCP")["proposal"]}
    for name, publisher in [("lookalike-trailing-space", "hostile-signed "), ("lookalike-upper-case", "HOSTILE-SIGNED"),
                            ("lookalike-zero-width-space", "hostile-signed\u200b"),
                            ("lookalike-cyrillic", "hostile-\u0455igned"), ("lookalike-newline", "hostile-signed\n")]:
        put_zip(f"{name}.wtdc.zip", with_manifest(build("placeholder", "S", 6, recs=replaced),
                                                  lambda m, publisher=publisher: m["publisher"].update(id=publisher)))
    put_zip("lookalike-channel-slash.wtdc.zip", with_manifest(build("hostile-pub", "H", 6, variant="b"),
                                                              lambda m: m.update(channel="H/../S")))
    put_zip("pinned-record-other-publisher.wtdc.zip", build("hostile-other", "S", 1, recs=replaced))
    put_zip("pinned-record-other-key.wtdc.zip", build("hostile-other", "S", 1, recs=replaced, key=OTHER_KEY))

    # --- §4 sequences and §6 signatures -----------------------------------------------------------------------
    put_zip("rollback-s4.wtdc.zip", build("hostile-pub", "H", 4, variant="old"))
    put_zip("replay-s5-new-content.wtdc.zip", build("hostile-pub", "H", 5, variant="replayed"))
    put_zip("delta-wrong-base.wtdc.zip", build("hostile-pub", "H", 7, kind="delta", base=3, variant="d"))
    put_zip("signed-unsigned.wtdc.zip", build("hostile-signed", "S", 6, variant="b"))
    put_zip("signed-other-key.wtdc.zip", build("hostile-signed", "S", 6, variant="b", key=OTHER_KEY))
    v6 = build("hostile-signed", "S", 6, variant="b", key=KEY)
    v7 = build("hostile-signed", "S", 7, variant="c", key=KEY)
    mixed = dict(v7)
    mixed["records/proposal.jsonl"] = v6["records/proposal.jsonl"]  # members mixed from two signed versions
    put_zip("signed-mixed-versions.wtdc.zip", mixed)
    put_zip("signed-manifest-swapped.wtdc.zip", {**v7, "manifest.json.sig": v6["manifest.json.sig"]})
    forged = with_record(v6, "proposal", 1, lambda r: r.update(text="Forged text."))
    forged["manifest.json.sig"] = v6["manifest.json.sig"]
    put_zip("signed-forged-member.wtdc.zip", forged)
    put_zip("signed-garbage-signature.wtdc.zip", {**v6, "manifest.json.sig": b"not base64 !!\n"})
    put_zip("signed-rollback-s4.wtdc.zip", build("hostile-signed", "S", 4, variant="old", key=KEY))
    # expired, nothing newer: applies, with a warning that the material may be stale
    put_zip("expired-s6.wtdc.zip", build("hostile-pub", "H", 6, variant="expired",
                                         expires_at="2021-01-01T00:00:00Z"))

    for name, data in sorted(written.items()):
        (OUT / name).write_bytes(data)
    total = sum(len(d) for d in written.values())
    print(f"{len(written)} files, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
