"""Hostile bundles: the committed corpus in tests/data/hostile/ (built by tests/data/make_hostile.py),
and the bombs too large to commit, built here.

Each hostile file is refused with its own one-line reason, which names the file,
the member or line, and the rule broken; the store is unchanged; nothing is
written outside the store itself (no file in the data folder's file cache, no
leftover in the temporary folder); the data folder grows by no more than the
sync log's line, far below the configured caps. A few files are not hostile
to this reader, and the table says why: they apply, and write nothing but
hash-named files.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import random
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest

from helpers import ROOT, table_fingerprint
from wtdc_desktop.bundles.apply import apply_bundle
from wtdc_desktop.bundles.errors import BundleError
from wtdc_desktop.bundles.limits import DEFAULT_LIMITS, KiB, MiB, Limits
from wtdc_desktop.store import Store

CORPUS = ROOT / "tests" / "data" / "hostile"
#: The caps the corpus is tried under (a reader's limits are configurable, spec §7).
LIMITS = Limits(compressed_size=4 * MiB, uncompressed_size=16 * MiB, compression_ratio=200.0, members=5000,
                manifest_size=1 * MiB, record_line=64 * KiB, text_field=32 * KiB)
STORE_FILES = {"store.sqlite3", "store.sqlite3-wal", "store.sqlite3-shm", "sync.lock"}
#: What the store's own files may grow by in one refused attempt (a sync-log line and WAL pages).
STORE_GROWTH = 512 * KiB

P = "the member “{}” is refused: its path is not allowed ({}"
LINK = "the member “files/link” is refused: it is a symbolic link or a special file"
SIGNED = "manifest.json.sig: the signature does not match the key"
PINNED = "proposal SGCP/2/1 was published by hostile-signed, whose key is pinned; {} may not change it"

#: Each corpus file and the phrase its refusal must hold (None: it applies, see HARMLESS).
REFUSALS: dict[str, str | None] = {
    # §1 paths as stored in the archive: traversal in every form
    "path-dotdot": P.format("files/../../evil.txt", "a “..” segment"),
    "path-dotdot-deep": P.format("files/a/../../../evil.txt", "a “..” segment"),
    "path-dotdot-only": P.format("../evil.txt", "a “..” segment"),
    "path-backslash": P.format("files\\..\\..\\evil.txt", "a backslash"),
    "path-absolute": P.format("/etc/evil.txt", "an absolute path"),
    "path-unc": P.format("//server/share/evil.txt", "an absolute path"),
    "path-drive-letter": P.format("C:/Windows/evil.txt", "a drive letter"),
    "path-drive-relative": P.format("c:evil.txt", "a drive letter"),
    "path-dot-segment": P.format("files/./evil.txt", "an empty or “.” segment"),
    "path-nul": P.format("files/evil\\x00txt.sh", "a NUL character"),
    "path-control-char": P.format("files/evil\\x1b[2J.txt", "a control character"),
    "path-non-nfc": "its path is not allowed (a path that is not NFC-normalised)",
    "path-fullwidth-unlisted": "the member “files/\uff0e\uff0e/evil.txt” is not listed in the manifest",
    "path-fullwidth-dots": None,
    # §1 links and special files (zip has no hard link: an unknown file type and a Windows reparse point)
    "link-symlink": LINK, "link-hardlink-type": LINK, "link-socket": LINK, "link-fifo": LINK,
    "link-char-device": LINK, "link-block-device": LINK, "link-windows-reparse": LINK,
    # §1 names and members
    "name-duplicate": "the member “records/region.jsonl” is refused: the same name appears twice",
    "name-case-collision": "the member “records/Region.jsonl” is refused: its name differs from “records/region.jsonl” only by case",
    "name-manifest-case": "the member “MANIFEST.JSON” is refused: its name differs from “manifest.json” only by case",
    "member-unlisted": "the member “files/extra.txt” is not listed in the manifest",
    "member-missing": "the member “files/M-1/1-E.txt” listed in the manifest is missing",
    "member-wrong-hash": "the member “files/M-1/1-E.txt” does not match its SHA-256 in the manifest",
    "manifest-missing": "has no manifest.json at its root",
    "nested-zip-unlisted": "the member “files/inner.zip” is not listed in the manifest",
    "nested-bundle-only": "has no manifest.json at its root",
    "nested-zip-listed": None,
    # damaged containers
    "truncated": "is not a readable ZIP archive, or is truncated or damaged",
    "truncated-end": "is not a readable ZIP archive, or is truncated or damaged",
    "corrupt-central-directory": "is not a readable ZIP archive, or is truncated or damaged (Bad magic number for central directory)",
    # an uncompressed member is checked by its SHA-256 alone (stronger than its CRC-32, and read once)
    "crc-mismatch": "the member “records/region.jsonl” does not match its SHA-256 in the manifest",
    "empty": "is not a readable ZIP archive",
    "not-a-zip": "is not a readable ZIP archive",
    "lying-size-smaller": "the archive gives the member “records/proposal.jsonl” 541 bytes, but the manifest lists 591",
    "lying-size-larger": "the archive gives the member “records/proposal.jsonl” 598 bytes, but the manifest lists 591",
    "encrypted-member": "the member “records/region.jsonl” is refused: it is encrypted",
    # §7 bombs
    "bomb-ratio": "the member “files/zeros.bin” is refused: it expands 1024 times, over the limit of 200 to 1",
    "bomb-quoted-overlap": "the member “files/overlap-001.txt” is refused: its data overlaps the data of “files/overlap-000.txt”",
    # §2 the manifest: not JSON, not UTF-8, and a wrong type in every field
    "manifest-not-json": "manifest.json is not valid JSON (line 1, column 27",
    "manifest-invalid-utf8": "manifest.json is not valid UTF-8",
    "manifest-not-object": "manifest.json: the manifest must be a JSON object",
    "manifest-newer-format": "manifest.json: this bundle uses format version 99, newer than this application reads (1); update",
    "manifest-delta-without-base": "manifest.json: a delta needs a “base_sequence” lower than its “sequence”",
    "manifest-records-outside": "manifest.json, records[0]: the path “files/region.jsonl” must be under records/",
    "manifest-type-format": "manifest.json: “format” must be “wtdc-bundle” (got 1)",
    "manifest-type-format_version": "manifest.json: “format_version” must be a whole number",
    "manifest-type-publisher": "manifest.json: “publisher” must be an object with a non-empty “id”",
    "manifest-type-publisher-id": "manifest.json: “publisher” must be an object with a non-empty “id”",
    "manifest-type-publisher-name": "manifest.json: “publisher.name” must be text",
    "manifest-type-channel": "manifest.json: “channel” must be non-empty text",
    "manifest-type-sequence": "manifest.json: “sequence” must be a whole number, 0 or more",
    "manifest-type-sequence-negative": "manifest.json: “sequence” must be a whole number, 0 or more",
    "manifest-type-sequence-bool": "manifest.json: “sequence” must be a whole number, 0 or more",
    "manifest-type-kind": "manifest.json: “kind” must be “full” or “delta”",
    "manifest-type-base_sequence": "manifest.json: “base_sequence” must be a whole number or null",
    "manifest-type-created_at": "manifest.json: field “created_at”: a date-time must carry an offset or Z",
    "manifest-type-expires_at": "manifest.json: field “expires_at”: must be a date-time with an offset",
    "manifest-type-records": "manifest.json: “records” must be a list",
    "manifest-type-records-empty": "manifest.json: “records” must list at least one records file",
    "manifest-type-records0": "manifest.json, records[0]: each entry must be an object",
    "manifest-type-records0-path": "manifest.json, records[0]: “path” must be text",
    "manifest-type-records0-size": "manifest.json, records[0]: “size” must be a whole number, 0 or more",
    "manifest-type-records0-sha256": "manifest.json, records[0]: “sha256” must be 64 lowercase hexadecimal digits",
    "manifest-type-records0-type": "manifest.json, records[0]: “type” must be text",
    "manifest-type-records0-count": "manifest.json, records[0]: “count” must be a whole number",
    "manifest-type-files": "manifest.json: “files” must be a list",
    "manifest-type-files0-media_type": "manifest.json, files[0]: “media_type” must be text",
    "manifest-type-deletions": "manifest.json: “deletions” must be a list",
    "manifest-type-deletions0": "manifest.json, deletions[0]: each deletion must be an object with text “type” and “id”",
    # §3 records of the wrong form (file, line and field named)
    "record-missing-id": "records/proposal.jsonl, line 2, field “id”: is required",
    "record-missing-required": "records/proposal.jsonl, line 2, field “action”: is required",
    "record-bad-action": "records/proposal.jsonl, line 3, field “action”: must be one of ADD, MOD, SUP, NOC",
    "record-bad-with-new-file": "records/proposal.jsonl, line 3, field “action”: must be one of ADD, MOD, SUP, NOC",
    "record-date-malformed": "records/meeting.jsonl, line 1, field “starts_on”: must be a date YYYY-MM-DD",
    "record-datetime-no-offset": "records/session.jsonl, line 1, field “starts_at”: a date-time must carry an offset or Z",
    "record-duplicate-id": "records/region.jsonl, line 3: the id “AFR” appears twice in this file",
    "record-not-object": "records/region.jsonl, line 1, a record must be a JSON object",
    "record-not-json": "records/region.jsonl, line 2: the line is not valid JSON",
    "record-wrong-type-field": "records/proposal.jsonl, line 1, field “sources”: must be a list",
    "record-invalid-utf8": "records/region.jsonl, line 1: the line is not valid UTF-8",
    "record-oversized-line": "records/region.jsonl, line 1: the line is over the limit of 65536 bytes",
    "record-oversized-text": "records/document.jsonl, line 1, field “text”: the text is over the limit of 32768 bytes",
    # §7 nesting depth (32) and valid Unicode, in records and in the manifest
    "record-nested-deep": "records/region.jsonl, line 1: the JSON value is nested deeper than the limit of 32 levels",
    "record-nested-33": "records/region.jsonl, line 2: the JSON value is nested deeper than the limit of 32 levels",
    "record-nested-32": None,
    "manifest-nested-deep": "manifest.json: the JSON value is nested deeper than the limit of 32 levels",
    "record-lone-surrogate": "records/proposal.jsonl, line 2, field “title”: the text holds a lone surrogate (\\ud800)",
    "record-lone-surrogate-key": "records/region.jsonl, line 1: the text holds a lone surrogate (\\udc00)",
    "record-id-control-char": "records/region.jsonl, line 2, field “id”: the id holds a control character (\\x1b)",
    "file-media-type-mismatch": "manifest.json, files[1]: the file “files/report.exe” is listed with the media type “application/pdf”, which its extension “.exe” does not match",
    "manifest-lone-surrogate": "manifest.json, field “publisher.name”: the text holds a lone surrogate (\\ud800)",
    "records-delegation-in-sync": "is a delegation bundle; import it with import-delegation, not sync",
    "record-count-lies": None,
    # §2 look-alike publisher ids and channels (shown escaped), §4 a pinned publisher's records (named)
    "lookalike-trailing-space": "manifest.json: the publisher id 'hostile-signed ' is not allowed",
    "lookalike-upper-case": "manifest.json: the publisher id 'HOSTILE-SIGNED' is not allowed",
    "lookalike-zero-width-space": "manifest.json: the publisher id 'hostile-signed\\u200b' is not allowed",
    "lookalike-cyrillic": "manifest.json: the publisher id 'hostile-\\u0455igned' is not allowed",
    "lookalike-newline": "manifest.json: the publisher id 'hostile-signed\\n' is not allowed",
    "lookalike-channel-slash": "manifest.json: the channel name 'H/../S' is not allowed",
    "pinned-record-other-publisher": PINNED.format("hostile-other (unsigned)"),
    "pinned-record-other-key": PINNED.format("hostile-other (signed with a key that is not pinned)"),
    # §4 sequences and §6 signatures
    "rollback-s4": "sequence 4 of hostile-pub/H is older than the last applied (5); refused as a rollback",
    "replay-s5-new-content": "sequence 5 of hostile-pub/H was already applied with a different manifest; the bundle is refused",
    "delta-wrong-base": "this delta of hostile-pub/H applies to sequence 3, but the last applied is 5",
    "signed-unsigned": "manifest.json.sig is missing, but bundles of publisher “hostile-signed” must be signed",
    "signed-other-key": "manifest.json.sig: the bundle is signed with the key 9B0E 6063 0CF5 C1F1 39F2 848D 43C1 86D1, not with",
    "signed-mixed-versions": "the member “records/proposal.jsonl” does not match its SHA-256 in the manifest",
    "signed-manifest-swapped": SIGNED,
    "signed-forged-member": SIGNED,
    "signed-garbage-signature": SIGNED,
    "signed-rollback-s4": "sequence 4 of hostile-signed/S is older than the last applied (5); refused as a rollback",
    # controls: a good bundle, and expired material with nothing newer (applies, with a warning)
    "good-s6": None,
    "expired-s6": None,
}
#: Why the files that apply are not hostile to this reader.
HARMLESS = {
    "good-s6": "the control: the same stream's next sequence, intact",
    "expired-s6": "expired with nothing newer: applied and shown, with a warning that it may be stale",
    "nested-zip-listed": "a listed archive is a file like any other: cached by its hash, never opened",
    "path-fullwidth-dots": "fullwidth full stops are not “..”; member names never become file names",
    "record-count-lies": "the count is only a progress hint; every line is read and checked",
    "record-nested-32": "nested exactly as deep as the limit of 32 allows",
}
SEEDS = ("base-s5.wtdc.zip", "signed-base-s5.wtdc.zip", "hostile-signed.pub")


def test_the_table_covers_the_whole_corpus():
    files = {p.name.removesuffix(".wtdc.zip") for p in CORPUS.glob("*.wtdc.zip")} - {"base-s5", "signed-base-s5"}
    assert files == set(REFUSALS)
    assert {k for k, v in REFUSALS.items() if v is None} == set(HARMLESS)
    assert sum(p.stat().st_size for p in CORPUS.iterdir()) < 2 * MiB


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory) -> Path:
    """A data folder holding sequence 5 of both streams, the signed one's key pinned."""
    path = tmp_path_factory.mktemp("hostile") / "data"
    key = base64.b64decode((CORPUS / "hostile-signed.pub").read_text())
    with Store(path) as store:
        apply_bundle(store, CORPUS / "base-s5.wtdc.zip", source="seed")
        apply_bundle(store, CORPUS / "signed-base-s5.wtdc.zip", source="seed", trust_key=key)
        store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def attempt(seeded_template, tmp_path, monkeypatch):
    """Apply a file to a fresh copy of the seeded folder, watching the data folder and the temp folder."""
    data = tmp_path / "data"
    shutil.copytree(seeded_template, data)
    watched_tmp = tmp_path / "watched-tmp"
    watched_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(watched_tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(watched_tmp))

    def run(path: Path, limits: Limits = LIMITS) -> dict:
        before_files = snapshot(data)
        with Store(data) as store:
            before = table_fingerprint(store)
            error, result = None, None
            try:
                result = apply_bundle(store, path, limits=limits)
            except BundleError as exc:
                error = exc
            after = table_fingerprint(store)
        after_files = snapshot(data)
        new_or_changed = {p for p, size in after_files.items() if before_files.get(p) != size}
        grown = sum(after_files.values()) - sum(before_files.values())
        return {"error": error, "result": result, "unchanged": before == after, "outside_store":
                {p for p in new_or_changed if p.split("/")[0] not in STORE_FILES},
                "tmp_left": sorted(str(p) for p in watched_tmp.rglob("*")), "grown": grown}

    return run


def snapshot(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` with the disk space it takes."""
    return {p.relative_to(folder).as_posix(): p.stat().st_blocks * 512 for p in folder.rglob("*") if p.is_file()}


def assert_refused(outcome: dict, path: Path, phrase: str) -> str:
    error = outcome["error"]
    assert error is not None, f"{path.name} was not refused"
    message = error.message
    assert "\n" not in message and str(path) in message, message
    assert phrase in message, message
    assert outcome["unchanged"], f"{path.name}: the store changed"
    assert outcome["outside_store"] == set(), outcome["outside_store"]
    assert outcome["tmp_left"] == [], outcome["tmp_left"]
    assert outcome["grown"] <= STORE_GROWTH, outcome["grown"]
    return message


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_each_hostile_file_is_refused_with_its_own_reason(attempt, name):
    path = CORPUS / f"{name}.wtdc.zip"
    outcome = attempt(path)
    phrase = REFUSALS[name]
    if phrase is not None:
        assert_refused(outcome, path, phrase)
        return
    assert outcome["error"] is None, outcome["error"]
    assert outcome["result"].outcome == "applied"
    # what it wrote: the store, and files named by their SHA-256 in the file cache
    for rel in outcome["outside_store"]:
        assert rel.startswith("files/") and len(Path(rel).name) == 64, rel
    assert outcome["tmp_left"] == []
    if name == "expired-s6":
        assert any("may be stale" in w for w in outcome["result"].warnings)


# --- built at test time: too large to commit ----------------------------------------------------------------

def good_members() -> dict[str, bytes]:
    with zipfile.ZipFile(CORPUS / "good-s6.wtdc.zip") as z:
        return {i.orig_filename: z.read(i) for i in z.infolist()}


def write_zip(path: Path, entries, compression=zipfile.ZIP_DEFLATED, level: int = 1) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression, compresslevel=level) as z:
        for name, data in entries:
            z.writestr(name, data)
    return path


@pytest.mark.slow
def test_a_hundred_thousand_tiny_members(attempt, tmp_path):
    entries = [*good_members().items(), *((f"files/t/{i:06d}", i.to_bytes(4, "big")) for i in range(100_000))]
    path = write_zip(tmp_path / "tiny.wtdc.zip", entries, zipfile.ZIP_STORED)
    assert_refused(attempt(path, dataclasses.replace(LIMITS, compressed_size=64 * MiB)), path,
                   f"has {len(entries)} members, over the limit of 5000")
    # under the default limit of 200 000 members, the first unlisted one is refused
    assert_refused(attempt(path, DEFAULT_LIMITS), path, "the member “files/t/000000” is not listed in the manifest")


@pytest.mark.slow
def test_a_high_ratio_bomb_is_refused_before_decompressing(attempt, tmp_path):
    path = write_zip(tmp_path / "zeros.wtdc.zip", [*good_members().items(), ("files/zeros.bin", bytes(256 * MiB))], level=9)
    assert path.stat().st_size < 1 * MiB
    assert_refused(attempt(path, DEFAULT_LIMITS), path, "the member “files/zeros.bin” is refused: it expands")


def test_members_under_the_ratio_limit_but_over_the_total_cap(attempt, tmp_path):
    rng = random.Random(7)
    block = bytearray(1 * MiB)
    for i in range(0, len(block), 256):
        block[i] = rng.randrange(256)  # about 90:1, under the ratio limit
    entries = [*good_members().items(), *((f"files/part-{i:02d}.bin", bytes(block)) for i in range(24))]
    path = write_zip(tmp_path / "spread.wtdc.zip", entries)
    assert_refused(attempt(path), path, f"would expand to {24 * MiB + sum(len(d) for d in good_members().values())} "
                                        f"bytes, over the limit of {16 * MiB} bytes")


def test_a_larger_quoted_overlap_bomb(attempt, tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "data"))
    try:
        from make_hostile import quoted_overlap_bomb
    finally:
        sys.path.pop(0)
    path = tmp_path / "overlap.wtdc.zip"
    path.write_bytes(quoted_overlap_bomb(good_members(), entries=250))
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
        expands = sum(i.file_size for i in z.infolist())
    assert expands > 100 * path.stat().st_size  # the archive as a whole expands over 100 times
    assert_refused(attempt(path, DEFAULT_LIMITS), path, "its data overlaps the data of")
