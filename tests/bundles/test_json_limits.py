"""Spec §7: the nesting depth of a JSON value (32) and valid Unicode (no lone surrogate), in the
manifest and in records, through every reader: ``bundle verify``, ``sync`` of a bundle, a folder and
remembered sources, and ``import-delegation``. A bundle breaking either rule is refused in one
sentence naming the bundle and the member or line; never a traceback, the store unchanged.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from helpers import run_cli, table_fingerprint
from small_bundles import build, read_members, relist, write_zip
from wtdc_desktop.bundles.errors import BundleError
from wtdc_desktop.bundles.limits import DEFAULT_LIMITS
from wtdc_desktop.bundles.manifest import parse_manifest
from wtdc_desktop.bundles.writer import build_bundle
from wtdc_desktop.store import Store

DEEP = 100_000


def nested(depth: int) -> str:
    """A JSON value ``depth`` lists deep."""
    return "[" * depth + "]" * depth


def record_line(depth: int) -> bytes:
    """A region record whose whole value is ``depth`` levels deep (the record object is the first)."""
    return ('{"id": "AFR", "name": "Afrique", "x": ' + nested(depth - 1) + "}\n").encode()


def with_members(good: Path, out: Path, edit) -> Path:
    members = read_members(good)
    edit(members)
    # stored, not deflated: brackets compress far beyond the ratio limit, which would refuse them first
    return write_zip(out, list(members.items()), zipfile.ZIP_STORED)


def deep_record(depth: int):
    def edit(members):
        members["records/region.jsonl"] = record_line(depth) + b'{"id": "EUR", "name": "Europe"}\n'
        relist(members)
    return edit


def deep_manifest(members):
    text = members["manifest.json"].decode()
    members["manifest.json"] = ('{"extra": ' + nested(DEEP) + "," + text[1:]).encode()


def surrogate_record(members):
    members["records/region.jsonl"] = b'{"id": "AFR", "name": "Afrique"}\n{"id": "EUR", "name": "Eur\\ud800ope"}\n'
    relist(members)


def surrogate_manifest(members):
    text = members["manifest.json"].decode()
    assert '"Test publisher"' in text
    members["manifest.json"] = text.replace('"Test publisher"', '"Test \\udc00publisher"').encode()


def control_in_id(members):
    members["records/region.jsonl"] = b'{"id": "AFR", "name": "Afrique"}\n{"id": "EU\\u001b[2JR", "name": "Europe"}\n'
    relist(members)


#: Each bad bundle: how it is made, and what its refusal must name.
BAD = {
    "record-deep": (deep_record(DEEP), ["records/region.jsonl, line 1", "nested deeper than the limit of 32"]),
    "record-depth-33": (deep_record(33), ["records/region.jsonl, line 1", "nested deeper than the limit of 32"]),
    "manifest-deep": (deep_manifest, ["manifest.json", "nested deeper than the limit of 32"]),
    "record-surrogate": (surrogate_record, ["records/region.jsonl, line 2", "field “name”", "lone surrogate"]),
    "manifest-surrogate": (surrogate_manifest, ["manifest.json", "field “publisher.name”", "lone surrogate"]),
    "id-control-char": (control_in_id, ["records/region.jsonl, line 2", "field “id”", "control character (\\x1b)"]),
}


@pytest.fixture
def good(tmp_path) -> Path:
    return build(tmp_path / "src", tmp_path / "good.wtdc.zip", sequence=2)


@pytest.fixture
def seeded(tmp_path, data_dir):
    first = build(tmp_path / "src1", tmp_path / "first.wtdc.zip", sequence=1)
    code, _out, err = run_cli("sync", first, "--data-dir", data_dir)
    assert code == 0, err
    with Store(data_dir) as s:
        return data_dir, table_fingerprint(s)


def assert_one_sentence(code: int, out: str, err: str, path: Path, fragments) -> None:
    assert code != 0, out
    assert "Traceback" not in err and "Error:" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert str(path) in err, err
    for fragment in fragments:
        assert fragment in err, err


@pytest.mark.parametrize("case", sorted(BAD))
def test_bundle_verify_refuses(case, good, tmp_path, data_dir):
    edit, fragments = BAD[case]
    path = with_members(good, tmp_path / f"{case}.wtdc.zip", edit)
    code, out, err = run_cli("bundle", "verify", path, "--data-dir", data_dir)
    assert_one_sentence(code, out, err, path, fragments)
    assert "valid bundle" not in out


@pytest.mark.parametrize("case", sorted(BAD))
def test_sync_refuses_and_leaves_the_store_unchanged(case, good, seeded, tmp_path):
    data_dir, before = seeded
    edit, fragments = BAD[case]
    path = with_members(good, tmp_path / f"{case}.wtdc.zip", edit)
    code, out, err = run_cli("sync", path, "--data-dir", data_dir)
    assert_one_sentence(code, out, err, path, fragments)
    with Store(data_dir) as s:
        assert table_fingerprint(s) == before


def test_depth_32_and_surrogate_pairs_are_accepted(good, seeded, tmp_path):
    data_dir, _before = seeded

    def edit(members):
        deep_record(32)(members)
        members["records/region.jsonl"] += '{"id": "ASP", "name": "Asia \\ud83c\\udf0f"}\n'.encode()
        relist(members)

    path = with_members(good, tmp_path / "depth-32.wtdc.zip", edit)
    code, out, err = run_cli("bundle", "verify", path, "--data-dir", data_dir)
    assert code == 0 and "is a valid bundle" in out, err
    code, out, err = run_cli("sync", path, "--data-dir", data_dir)
    assert code == 0, err
    with Store(data_dir) as s:
        name = s.execute("SELECT name FROM region WHERE id = 'ASP'").fetchone()[0]
    assert name == "Asia \U0001f30f"


def test_the_limit_is_part_of_the_readers_limits(good):
    assert DEFAULT_LIMITS.json_depth == 32
    manifest = read_members(good)["manifest.json"]
    parse_manifest(manifest, "x.wtdc.zip")  # depth 3
    with pytest.raises(BundleError, match="nested deeper than the limit of 2"):
        parse_manifest(manifest, "x.wtdc.zip", max_depth=2)


def test_brackets_and_escapes_inside_strings_do_not_count(good, seeded, tmp_path):
    data_dir, _before = seeded

    def edit(members):
        text = "[[[{{{\\\"" * 40 + "\\\\"
        members["records/region.jsonl"] = ('{"id": "AFR", "name": "' + text + '"}\n').encode()
        relist(members)

    path = with_members(good, tmp_path / "brackets-in-text.wtdc.zip", edit)
    code, out, err = run_cli("sync", path, "--data-dir", data_dir)
    assert code == 0, err


# --- folders of bundles and remembered sources: one bad bundle does not stop the others -------------------

def other_stream(tmp_path: Path, name: str) -> Path:
    """A good bundle on a stream of its own (publisher ``good-pub``), with one region of its own."""
    return build(tmp_path / f"src-{name}", tmp_path / f"{name}.wtdc.zip", publisher="good-pub", channel="G",
                 records={"region": [{"id": "OCE", "name": "Oceania"}]}, files={})


@pytest.mark.parametrize("case", ["record-deep", "manifest-deep", "record-surrogate", "manifest-surrogate"])
def test_one_bad_bundle_in_a_folder_is_reported_and_the_good_one_syncs(case, good, tmp_path, data_dir):
    folder = tmp_path / "folder"
    folder.mkdir()
    edit, _fragments = BAD[case]
    bad = with_members(good, folder / "a-bad.wtdc.zip", edit)
    shutil.move(other_stream(tmp_path, "b-good"), folder / "b-good.wtdc.zip")
    code, out, err = run_cli("sync", folder, "--data-dir", data_dir, "--json")
    assert "Traceback" not in err, err
    assert str(bad) in err + out, (out, err)
    with Store(data_dir) as s:
        assert s.execute("SELECT name FROM region WHERE id = 'OCE'").fetchone()[0] == "Oceania"
        assert s.execute("SELECT count(*) FROM region WHERE id = 'AFR'").fetchone()[0] == 0


def test_one_bad_remembered_source_does_not_stop_the_next(good, tmp_path, data_dir):
    bad = with_members(good, tmp_path / "bad.wtdc.zip", deep_record(DEEP))
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.move(other_stream(tmp_path, "good"), folder / "good.wtdc.zip")
    for location in (bad, folder):
        code, _out, err = run_cli("sources", "add", location, "--data-dir", data_dir)
        assert code == 0, err
    code, out, err = run_cli("sync", "--data-dir", data_dir)
    assert code != 0
    assert "Traceback" not in err, err
    assert "nested deeper than the limit of 32" in err and str(bad) in err, err
    with Store(data_dir) as s:
        assert s.execute("SELECT name FROM region WHERE id = 'OCE'").fetchone()[0] == "Oceania"


# --- delegation bundles ------------------------------------------------------------------------------------

def delegation_bundle(tmp_path: Path, name: str, body_json: str) -> Path:
    src = tmp_path / f"src-{name}"
    (src / "records").mkdir(parents=True)
    (src / "records" / "note.jsonl").write_text(
        '{"id": "n1", "subject": {"type": "proposal", "id": "AFCP/2/1"}, "updated_at": "2030-05-01T08:00:00Z", '
        '"body": ' + body_json + "}\n", "utf-8")
    (src / "manifest.json").write_text(json.dumps(
        {"publisher": {"id": "delegation-ken", "name": "KEN"}, "channel": "delegation", "sequence": 1,
         "created_at": "2030-05-01T08:00:00Z"}), "utf-8")
    out = tmp_path / f"{name}.wtdc.zip"
    build_bundle(src, out)
    return out


def swap_note(path: Path, line: bytes) -> Path:
    members = read_members(path)
    members["records/note.jsonl"] = line
    relist(members)
    return write_zip(path, list(members.items()), zipfile.ZIP_STORED)


@pytest.mark.parametrize("case, fragments", [
    ("deep", ["records/note.jsonl, line 1", "nested deeper than the limit of 32"]),
    ("surrogate", ["records/note.jsonl, line 1", "field “body”", "lone surrogate"]),
    ("manifest-deep", ["manifest.json", "nested deeper than the limit of 32"]),
])
def test_import_delegation_refuses(case, fragments, tmp_path, data_dir):
    path = delegation_bundle(tmp_path, case, '"Check the cost"')
    line = read_members(path)["records/note.jsonl"]
    if case == "deep":
        swap_note(path, line.replace(b'"Check the cost"', nested(DEEP).encode()))
    elif case == "surrogate":
        swap_note(path, line.replace(b'"Check the cost"', b'"Check \\ud800the cost"'))
    else:
        members = read_members(path)
        deep_manifest(members)
        write_zip(path, list(members.items()), zipfile.ZIP_STORED)
    code, _out, err = run_cli("demo", "--data-dir", data_dir)
    assert code == 0, err
    with Store(data_dir) as s:
        before = table_fingerprint(s)
    code, out, err = run_cli("import-delegation", path, "--data-dir", data_dir)
    assert_one_sentence(code, out, err, path, fragments)
    with Store(data_dir) as s:
        assert table_fingerprint(s) == before


def test_a_good_delegation_bundle_still_imports(tmp_path, data_dir):
    path = delegation_bundle(tmp_path, "good", json.dumps("Vérifier le coût \U0001f4b0 [[x]]"))
    code, _out, err = run_cli("demo", "--data-dir", data_dir)
    assert code == 0, err
    code, out, err = run_cli("import-delegation", path, "--data-dir", data_dir)
    assert code == 0, err


# --- bundle build: never writes what every reader refuses ---------------------------------------------------

@pytest.mark.parametrize("where, line", [
    ("records/region.jsonl", '{"id": "AFR", "name": "x", "x": ' + nested(DEEP) + "}\n"),
    ("records/region.jsonl", '{"id": "AFR", "name": "Afr\\udfffque"}\n'),
    ("manifest.json", '{"publisher": {"id": "p", "name": ' + nested(DEEP) + "}}"),
    ("manifest.json", '{"publisher": {"id": "p", "name": "\\ud800"}, "channel": "C", "sequence": 1}'),
])
def test_bundle_build_refuses_a_source_breaking_the_rules(where, line, tmp_path, data_dir):
    src = tmp_path / "src"
    (src / "records").mkdir(parents=True)
    (src / "records" / "region.jsonl").write_text('{"id": "AFR", "name": "Afrique"}\n', "utf-8")
    (src / where).write_text(line, "utf-8")
    out = tmp_path / "out.wtdc.zip"
    code, _out, err = run_cli("bundle", "build", src, "--out", out, "--publisher", "p", "--channel", "C",
                              "--sequence", "1", "--data-dir", data_dir)
    assert code != 0 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert where in err and ("nested deeper" in err or "lone surrogate" in err), err
    assert not out.exists()
