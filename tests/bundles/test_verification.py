"""Verification before anything is parsed or written: spec §1 paths and members, §7 limits.

Every refusal is one sentence naming the bundle file, the member or line and
the rule; the command exits non-zero and the store is unchanged.
"""

from __future__ import annotations

import dataclasses
import os
import hashlib
import json
import random
import zipfile
import zlib
from pathlib import Path

import pytest

from helpers import run_cli, table_fingerprint
from small_bundles import add_listed, build, patch_sizes, read_members, relist, write_zip
from wtdc_desktop.bundles import reader
from wtdc_desktop.bundles.apply import apply_bundle
from wtdc_desktop.bundles.errors import BundleError
from wtdc_desktop.bundles.limits import DEFAULT_LIMITS, Limits
from wtdc_desktop.bundles.reader import Bundle
from wtdc_desktop.store import Store


@pytest.fixture
def good(tmp_path) -> Path:
    return build(tmp_path / "src", tmp_path / "good.wtdc.zip", sequence=2)


@pytest.fixture
def seeded(tmp_path, data_dir):
    """A data folder with a first bundle applied, and the store's fingerprint."""
    first = build(tmp_path / "src1", tmp_path / "first.wtdc.zip", sequence=1)
    code, _, err = run_cli("sync", first, "--data-dir", data_dir)
    assert code == 0, err
    with Store(data_dir) as s:
        return data_dir, table_fingerprint(s)


def assert_refused(seeded, path: Path, *fragments: str) -> str:
    data_dir, before = seeded
    code, out, err = run_cli("sync", path, "--data-dir", data_dir)
    assert code != 0, out
    assert len(err.strip().splitlines()) == 1, err
    assert str(path) in err, err
    for fragment in fragments:
        assert fragment in err, err
    with Store(data_dir) as s:
        assert table_fingerprint(s) == before
    return err


def rebuild(good: Path, out: Path, extra: list[tuple[zipfile.ZipInfo | str, bytes]] = (),
            edit=None, compression=zipfile.ZIP_DEFLATED) -> Path:
    members = read_members(good)
    if edit:
        edit(members)
    return write_zip(out, [*members.items(), *extra], compression)


def raw_info(name: str, mode: int = 0o100644) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    return info


# --- §1: member paths, as stored in the archive ------------------------------------------------------


@pytest.mark.parametrize("name, rule", [
    ("files/../../evil.txt", "“..” segment"),
    ("files/a/../../../evil.txt", "“..” segment"),
    ("/etc/evil.txt", "absolute path"),
    ("C:/evil.txt", "drive letter"),
    ("c:evil.txt", "drive letter"),
    ("files\\..\\evil.txt", "backslash"),
    ("files//evil.txt", "empty or “.” segment"),
    ("files/./evil.txt", "empty or “.” segment"),
    ("files/e\u0301vil.txt", "not NFC-normalised"),
])
def test_member_path_rules(seeded, good, tmp_path, name, rule):
    bad = rebuild(good, tmp_path / "bad.wtdc.zip", extra=[(raw_info(name), b"x")])
    assert_refused(seeded, bad, rule)


def test_dotdot_name_that_zipfile_would_rewrite_is_caught_on_the_raw_name(seeded, good, tmp_path):
    bad = rebuild(good, tmp_path / "bad.wtdc.zip", extra=[(raw_info("a/../../x"), b"x")])
    with zipfile.ZipFile(bad) as z:  # what zipfile shows is not what the archive holds
        assert "a/../../x" in [i.orig_filename for i in z.infolist()]
    assert_refused(seeded, bad, "a/../../x", "“..” segment")


def test_nul_in_a_member_name(seeded, good, tmp_path):
    bad = rebuild(good, tmp_path / "bad.wtdc.zip", extra=[(raw_info("files/evilXtxt.sh"), b"x")])
    data = bad.read_bytes().replace(b"files/evilXtxt.sh", b"files/evil\x00txt.sh")
    bad.write_bytes(data)
    err = assert_refused(seeded, bad, "NUL character")
    assert "\x00" not in err


def test_directory_entry_with_dotdot(seeded, good, tmp_path):
    bad = rebuild(good, tmp_path / "bad.wtdc.zip", extra=[(raw_info("files/../", 0o040755), b"")])
    assert_refused(seeded, bad, "“..” segment")


@pytest.mark.parametrize("mode, what", [(0o120777, "symlink"), (0o020644, "char device"),
                                        (0o060644, "block device"), (0o010644, "fifo")])
def test_links_and_devices_are_refused(seeded, good, tmp_path, mode, what):
    def edit(members):
        add_listed(members, "files/link", b"/etc/passwd")

    members = read_members(good)
    edit(members)
    entries = [(raw_info(n, mode) if n == "files/link" else n, d) for n, d in members.items()]
    bad = write_zip(tmp_path / "bad.wtdc.zip", entries)
    assert_refused(seeded, bad, "“files/link”", "symbolic link or a special file")


def test_windows_reparse_point_is_refused(seeded, good, tmp_path):
    members = add_listed(read_members(good), "files/link", b"target")
    info = zipfile.ZipInfo("files/link")
    info.create_system = 0
    info.external_attr = 0x400 | 0x20
    entries = [(info if n == "files/link" else n, d) for n, d in members.items()]
    bad = write_zip(tmp_path / "bad.wtdc.zip", entries)
    assert_refused(seeded, bad, "symbolic link or a special file")


def test_duplicate_member_name(seeded, good, tmp_path):
    members = read_members(good)
    bad = write_zip(tmp_path / "bad.wtdc.zip",
                    [*members.items(), ("records/region.jsonl", members["records/region.jsonl"])])
    assert_refused(seeded, bad, "“records/region.jsonl”", "appears twice")


def test_case_only_colliding_names(seeded, good, tmp_path):
    bad = rebuild(good, tmp_path / "bad.wtdc.zip", extra=[("records/Region.jsonl", b"")])
    assert_refused(seeded, bad, "records/Region.jsonl", "only by case")


def test_case_colliding_manifest(seeded, good, tmp_path):
    bad = rebuild(good, tmp_path / "bad.wtdc.zip", extra=[("MANIFEST.JSON", b"{}")])
    assert_refused(seeded, bad, "MANIFEST.JSON", "only by case")


def test_unlisted_member_and_nested_zip(seeded, good, tmp_path, data_dir):
    inner = write_zip(tmp_path / "inner.zip", [("x.txt", b"inner")]).read_bytes()
    bad = rebuild(good, tmp_path / "bad.wtdc.zip", extra=[("files/inner.zip", inner)])
    assert_refused(seeded, bad, "“files/inner.zip”", "not listed in the manifest")
    # a nested archive is just a member: listed, it is carried like any file and never opened
    ok = rebuild(good, tmp_path / "ok.wtdc.zip", edit=lambda m: add_listed(m, "files/inner.zip", inner))
    code, _, err = run_cli("sync", ok, "--data-dir", data_dir)
    assert code == 0, err
    cached = data_dir / "files" / hashlib.sha256(inner).hexdigest()[:2] / hashlib.sha256(inner).hexdigest()
    assert cached.read_bytes() == inner


def test_nothing_lands_outside_the_data_folder(tmp_path, good):
    """Applying writes document files only into the data folder's file cache, named by hash."""
    data = tmp_path / "data"
    before = {p for p in tmp_path.rglob("*") if not p.is_relative_to(data)}
    with Store(data) as s:
        apply_bundle(s, good)
    after = {p for p in tmp_path.rglob("*") if not p.is_relative_to(data)}
    assert after == before
    cached = [p for p in (data / "files").rglob("*") if p.is_file()]
    assert cached and all(len(p.name) == 64 for p in cached)


# --- sizes in the archive are not trusted ------------------------------------------------------------


@pytest.mark.parametrize("lie", [-100, +7])
def test_zip_header_lying_about_a_member_size(seeded, good, tmp_path, lie):
    with zipfile.ZipFile(good) as z:
        true_size = z.getinfo("records/proposal.jsonl").file_size
    bad = tmp_path / "bad.wtdc.zip"
    bad.write_bytes(patch_sizes(good.read_bytes(), "records/proposal.jsonl", true_size + lie))
    assert_refused(seeded, bad, "“records/proposal.jsonl”", f"{true_size + lie} bytes",
                   f"the manifest lists {true_size}")


def test_decompression_stops_at_the_listed_size(tmp_path, good, monkeypatch, store):
    """A member whose compressed data expands far beyond its listed size is never decompressed further.

    Header and manifest agree on the true size and the CRC is the true one; the
    five megabytes appended to the deflate stream are never produced.
    """
    members = read_members(good)
    true = members["records/proposal.jsonl"]
    members["records/proposal.jsonl"] = true + b"\n" * 5_000_000
    out = write_zip(tmp_path / "bomb.wtdc.zip", list(members.items()))
    out.write_bytes(patch_sizes(out.read_bytes(), "records/proposal.jsonl", len(true), zlib.crc32(true)))
    served = []
    original = reader._ZipContainer.open

    def counting_open(self, name):
        stream = original(self, name)
        real_read = stream.read

        def read(n=-1):
            data = real_read(n)
            if name == "records/proposal.jsonl":
                served.append(len(data))
            return data
        stream.read = read
        return stream

    monkeypatch.setattr(reader._ZipContainer, "open", counting_open)
    result = apply_bundle(store, out)
    assert result.counts["proposal"]["new"] == 5
    assert 0 < sum(served) <= 2 * (len(true) + 1)  # verified once, then read once more to apply


def test_crc_mismatch(seeded, good, tmp_path):
    stored = rebuild(good, tmp_path / "stored.wtdc.zip", compression=zipfile.ZIP_STORED)
    data = bytearray(stored.read_bytes())
    pos = data.find(b"Afrique")
    data[pos] = ord("a")  # the hash in the manifest and the ZIP's CRC no longer match
    bad = tmp_path / "crc.wtdc.zip"
    bad.write_bytes(bytes(data))
    assert_refused(seeded, bad, "“records/region.jsonl”")


def test_member_whose_data_is_not_deflate(seeded, good, tmp_path):
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as z:
        info = z.getinfo("records/proposal.jsonl")
    start = info.header_offset + 30 + len(info.orig_filename.encode()) + len(info.extra)
    data[start: start + 8] = b"\xff" * 8
    bad = tmp_path / "garbled.wtdc.zip"
    bad.write_bytes(bytes(data))
    assert_refused(seeded, bad, "“records/proposal.jsonl”", "cannot be read")


@pytest.mark.parametrize("cut", [0.5, 0.9, 0.99])
def test_truncated_file(seeded, good, tmp_path, cut):
    data = good.read_bytes()
    bad = tmp_path / "truncated.wtdc.zip"
    bad.write_bytes(data[: int(len(data) * cut)])
    assert_refused(seeded, bad, "not a readable ZIP archive")


def test_corrupt_central_directory(seeded, good, tmp_path):
    data = good.read_bytes().replace(b"PK\x01\x02", b"PK\x01\x09", 1)
    bad = tmp_path / "cd.wtdc.zip"
    bad.write_bytes(data)
    assert_refused(seeded, bad, "not a readable ZIP archive")


def test_member_header_offset_pointing_elsewhere(seeded, good, tmp_path):
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as z:
        info = z.getinfo("records/region.jsonl")
    data[info.header_offset: info.header_offset + 4] = b"XXXX"  # local header destroyed
    bad = tmp_path / "offset.wtdc.zip"
    bad.write_bytes(bytes(data))
    assert_refused(seeded, bad, "“records/region.jsonl”", "cannot be read")


def test_local_header_naming_another_member(seeded, good, tmp_path):
    """The central directory and the member's own header disagree on its name."""
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as z:
        info = z.getinfo("records/region.jsonl")
    start = info.header_offset + 30
    assert data[start: start + 20] == b"records/region.jsonl"
    data[start: start + 20] = b"records/regiox.jsonl"
    bad = tmp_path / "names.wtdc.zip"
    bad.write_bytes(bytes(data))
    assert_refused(seeded, bad, "“records/region.jsonl”", "cannot be read")


@pytest.fixture
def with_recording(tmp_path) -> Path:
    """A bundle whose one file is incompressible (like a PDF or a recording), plus its records."""
    noise = random.Random(3).randbytes(300_000)
    return build(tmp_path / "src-rec", tmp_path / "rec.wtdc.zip", sequence=2,
                 files={"files/M-1/1-E.txt": noise})


def test_incompressible_files_are_stored_and_still_verified(seeded, with_recording, tmp_path, store):
    with zipfile.ZipFile(with_recording) as z:
        kinds = {i.filename: i.compress_type for i in z.infolist()}
    assert kinds["files/M-1/1-E.txt"] == zipfile.ZIP_STORED  # nothing to gain by deflating it
    assert kinds["records/document.jsonl"] == zipfile.ZIP_DEFLATED
    with Bundle(with_recording) as b:
        b.verify()
        with b.open_member("files/M-1/1-E.txt") as fp:
            assert fp.read() == random.Random(3).randbytes(300_000)
    # One byte changed inside the stored file: its SHA-256 catches it (its CRC-32 is not read).
    data = bytearray(with_recording.read_bytes())
    with zipfile.ZipFile(with_recording) as z:
        info = z.getinfo("files/M-1/1-E.txt")
    data[info.header_offset + 30 + len(info.orig_filename) + len(info.extra) + 1000] ^= 0xFF
    bad = tmp_path / "flipped.wtdc.zip"
    bad.write_bytes(bytes(data))
    assert_refused(seeded, bad, "“files/M-1/1-E.txt”", "does not match its SHA-256")


@pytest.mark.parametrize("damage", ["signature", "name"])
def test_stored_member_with_a_damaged_local_header(seeded, with_recording, tmp_path, damage):
    data = bytearray(with_recording.read_bytes())
    with zipfile.ZipFile(with_recording) as z:
        info = z.getinfo("files/M-1/1-E.txt")
    if damage == "signature":
        data[info.header_offset: info.header_offset + 4] = b"XXXX"
    else:
        data[info.header_offset + 30 + 6] ^= 0x20  # "files/m-1/…": the local header names another member
    bad = tmp_path / f"{damage}.wtdc.zip"
    bad.write_bytes(bytes(data))
    assert_refused(seeded, bad, "“files/M-1/1-E.txt”", "cannot be read")


@pytest.mark.parametrize("content", [b"", b"not a zip at all\n", b"PK\x03\x04" + b"\x00" * 40])
def test_non_zip_files(seeded, tmp_path, content):
    bad = tmp_path / "fake.wtdc.zip"
    bad.write_bytes(content)
    assert_refused(seeded, bad, "not a readable ZIP archive")


def test_encrypted_member(seeded, good, tmp_path):
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as z:
        info = z.getinfo("records/region.jsonl")
    flag_at = info.header_offset + 6
    data[flag_at] |= 1
    cd = data.find(b"PK\x01\x02" + bytes(4))  # find the central entry by its name instead
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) >= 0:
        n = int.from_bytes(data[pos + 28: pos + 30], "little")
        if data[pos + 46: pos + 46 + n] == b"records/region.jsonl":
            data[pos + 8] |= 1
        pos += 4
    del cd
    bad = tmp_path / "enc.wtdc.zip"
    bad.write_bytes(bytes(data))
    assert_refused(seeded, bad, "“records/region.jsonl”", "encrypted")


# --- §7 limits: just under passes, just over is refused, the message names the limit ---------------


def _longest_line(path: Path) -> int:
    longest = 0
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("records/"):
                longest = max([longest, *(len(line) for line in z.read(name).split(b"\n"))])
    return longest


def _longest_text(path: Path) -> int:
    longest = 0
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("records/"):
                for line in z.read(name).splitlines():
                    for value in json.loads(line).values():
                        if isinstance(value, str):
                            longest = max(longest, len(value.encode()))
    return longest


def _exact_limits(path: Path) -> dict[str, float]:
    """For each limit, the value this bundle reaches exactly."""
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        manifest = z.read("manifest.json")
    return {
        "compressed_size": path.stat().st_size,
        "uncompressed_size": sum(i.file_size for i in infos),
        "compression_ratio": max(i.file_size / i.compress_size for i in infos if i.file_size),
        "members": len(infos),
        "manifest_size": len(manifest),
        "record_line": _longest_line(path),
        "text_field": _longest_text(path),
    }


LIMIT_WORDS = {
    "compressed_size": "over the limit of",
    "uncompressed_size": "over the limit of",
    "compression_ratio": "to 1",
    "members": "members, over the limit of",
    "manifest_size": "“manifest.json” is over the limit of",
    "record_line": "the line is over the limit of",
    "text_field": "the text is over the limit of",
}


@pytest.fixture
def limit_bundle(tmp_path) -> Path:
    docs = [{"id": "M-1/1", "meeting": "M-1", "title": "Long", "text": "é" * 3000 + " digital " * 50,
             "languages": {"en": {"title": "Agenda", "file": "files/M-1/1-E.txt"}}}]
    return build(tmp_path / "lsrc", tmp_path / "limits.wtdc.zip",
                 records={"region": [{"id": "AFR", "name": "Afrique"}], "meeting": [
                     {"id": "M-1", "kind": "conference", "title": "Test"}], "document": docs})


@pytest.mark.parametrize("limit", list(LIMIT_WORDS))
def test_each_limit_just_under_and_just_over(limit_bundle, store, limit):
    exact = _exact_limits(limit_bundle)[limit]
    at_limit = dataclasses.replace(DEFAULT_LIMITS, **{limit: exact})
    over = exact * 0.999 if limit == "compression_ratio" else exact - 1
    below_limit = dataclasses.replace(DEFAULT_LIMITS, **{limit: over})
    before = table_fingerprint(store)
    with pytest.raises(BundleError) as info:
        apply_bundle(store, limit_bundle, limits=below_limit)
    message = str(info.value)
    assert str(limit_bundle) in message and LIMIT_WORDS[limit] in message, message
    assert "\n" not in message
    assert table_fingerprint(store) == before
    result = apply_bundle(store, limit_bundle, limits=at_limit)
    assert result.outcome == "applied"


def test_record_line_and_text_field_refusals_name_the_line_and_field(limit_bundle, store):
    line = _longest_line(limit_bundle)
    with pytest.raises(BundleError, match=r"records/document.jsonl, line 1: the line is over the limit"):
        apply_bundle(store, limit_bundle, limits=Limits(record_line=line - 1))
    text = _longest_text(limit_bundle)
    with pytest.raises(BundleError, match=r"records/document.jsonl, line 1, field “text”: the text is over"):
        apply_bundle(store, limit_bundle, limits=Limits(text_field=text - 1))


def test_manifest_over_its_limit_is_not_parsed(tmp_path, monkeypatch, good):
    """The manifest size limit is checked before JSON parsing: a huge manifest is never decoded."""
    members = read_members(good)
    members["manifest.json"] = members["manifest.json"][:-2] + b" " * 5000 + b"}\n"
    bad = write_zip(tmp_path / "big.wtdc.zip", list(members.items()))
    parsed = []
    monkeypatch.setattr(reader, "parse_manifest", lambda *a: parsed.append(a))
    with pytest.raises(BundleError, match="manifest.json” is over the limit of 4096 bytes"):
        Bundle(bad, limits=Limits(manifest_size=4096))
    assert parsed == []


def test_folder_bundle_with_a_symlink(tmp_path, seeded):
    src = tmp_path / "folder"
    build(src, tmp_path / "unused.wtdc.zip", sequence=2)
    (src / "files" / "link").symlink_to("/etc/passwd")
    assert_refused(seeded, src, "“files/link”", "link")


def test_refusals_name_the_member_for_a_forged_manifest(seeded, good, tmp_path):
    """A forger who edits a record and relists it still meets the record rules (line and field named)."""
    def edit(m):
        lines = m["records/proposal.jsonl"].decode().splitlines()
        rec = json.loads(lines[2])
        rec["action"] = "DELETE"
        lines[2] = json.dumps(rec)
        m["records/proposal.jsonl"] = ("\n".join(lines) + "\n").encode()
        relist(m)
    bad = rebuild(good, tmp_path / "forged.wtdc.zip", edit=edit)
    assert_refused(seeded, bad, "records/proposal.jsonl, line 3, field “action”")


@pytest.mark.slow
def test_random_damage_is_refused_cleanly_or_harmless(tmp_path, good):
    """Hundreds of randomly damaged copies: each is refused with a BundleError naming the file
    (never another exception) and the store is unchanged, or, when the damage missed everything
    that matters, the very same content as the intact bundle is applied."""
    import random

    from wtdc_desktop.store import published

    def content(store):
        return {t: published.list_records(store, t) for t in ("region", "document", "proposal")}

    with Store(tmp_path / "reference") as ref:
        apply_bundle(ref, good)
        expected = content(ref)
    rng = random.Random(20211108)
    data = good.read_bytes()
    refused = 0
    store = Store(tmp_path / "target-0")
    empty = table_fingerprint(store)
    try:
        for i in range(300):
            damaged = bytearray(data)
            how = rng.choice(["flip", "flip", "zero", "truncate", "insert"])
            at = rng.randrange(len(damaged))
            if how == "flip":
                damaged[at] ^= 1 << rng.randrange(8)
            elif how == "zero":
                n = rng.randrange(1, 64)
                damaged[at: at + n] = bytes(len(damaged[at: at + n]))
            elif how == "truncate":
                del damaged[at:]
            else:
                damaged[at:at] = rng.randbytes(rng.randrange(1, 32))
            path = tmp_path / f"damaged-{i}.wtdc.zip"
            path.write_bytes(bytes(damaged))
            try:
                apply_bundle(store, path)
            except BundleError as exc:
                refused += 1
                assert str(path) in exc.message and "\n" not in exc.message, exc.message
                assert table_fingerprint(store) == empty, (how, at, exc.message)
                continue
            assert content(store) == expected, (how, at)
            store.close()
            store = Store(tmp_path / f"target-{i + 1}")
    finally:
        store.close()
    assert refused > 200


def test_folder_bundle_with_a_fifo_or_case_colliding_names(tmp_path, seeded):
    src = tmp_path / "folder"
    build(src, tmp_path / "unused.wtdc.zip", sequence=2)
    os.mkfifo(src / "files" / "pipe")
    assert_refused(seeded, src, "“files/pipe”", "special file")
    (src / "files" / "pipe").unlink()
    (src / "files" / "M-1" / "1-e.txt").write_text("same name but for case")
    assert_refused(seeded, src, "files/M-1/1-", "only by case")
    (src / "files" / "M-1" / "1-e.txt").unlink()
    (src / "files" / "a\\b.txt").write_text("x")
    assert_refused(seeded, src, "backslash")
