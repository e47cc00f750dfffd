"""``wtdc-desktop import-itu`` run as a delegate and a publisher type it: a folder applied (then again, changing
nothing), a document list written as a signed bundle and verified, JSON, nothing usable, mistakes said in one sentence."""

from __future__ import annotations

import json

import pytest

from helpers import run_cli
from itu_fixtures import DATA, make_folder


@pytest.fixture
def folder(tmp_path):
    return make_folder(tmp_path / "src")


def test_help_shows_the_options():
    code, out, _err = run_cli("import-itu", "--help")
    assert code == 0
    for option in ("SOURCE", "--meeting", "--languages", "--out", "--sign-key", "--publisher", "--json", "--data-dir"):
        assert option in out
    code, out, _err = run_cli("--help")
    assert "import-itu" in out


def test_a_folder_is_applied_then_changes_nothing(folder, tmp_path):
    data = tmp_path / "data"
    code, out, err = run_cli("import-itu", folder, "--data-dir", data)
    assert code == 0, err
    assert "Traceback" not in out + err
    lines = out.splitlines()
    assert lines[0].startswith("Applied itu-import/itu-")
    rows = {line.split()[0]: line.split()[1:] for line in lines[3:6]}
    assert rows == {"document": ["5", "0", "0", "0"], "meeting": ["2", "0", "0", "0"], "proposal": ["5", "0", "0", "0"]}
    assert "Files read: 10; records: documents: 5, meetings: 2, proposals: 5." in out
    assert "Files skipped: 8" in out
    assert "photo.png: not a kind of file that is read" in out
    assert "minutes of the coordination meeting.docx: the name does not follow ITU's convention" in out
    assert "broken.xml: line 3: the XML is malformed" in out  # the path is not said twice
    assert "WTDC-22/25(Add.1): IAP/25A1/6 (the block has no “Reasons:”" in out
    assert "does not match the file name (number)" in out

    code, out, err = run_cli("import-itu", folder, "--data-dir", data)
    assert code == 0, err
    assert "Nothing changed: everything read is already in the store." in out
    code, out, _err = run_cli("search", "Inter-American", "--data-dir", data, "--json")
    assert code == 0 and "WTDC-22/25" in out


def test_a_document_list_becomes_a_signed_bundle_that_verifies(tmp_path):
    key = tmp_path / "keys" / "citel"
    key.parent.mkdir()
    code, _out, err = run_cli("bundle", "keygen", "--out", key)
    assert code == 0, err
    bundle = tmp_path / "out" / "WTDC-22.wtdc.zip"
    code, out, err = run_cli("import-itu", DATA / "D22-WTDC-C.xml", DATA / "ITU-D_NEW-Meetings.xml",
                             "--meeting", "WTDC-22", "--out", bundle, "--sign-key", key,
                             "--publisher", "citel-secretariat", "--data-dir", tmp_path / "nostore")
    assert code == 0, err
    assert f"Wrote {bundle}: citel-secretariat/WTDC-22 sequence" in out and "Signed;" in out
    assert not (tmp_path / "nostore").exists()  # writing a bundle needs no store
    public = next(p for p in key.parent.iterdir() if p.name != key.name)
    code, out, err = run_cli("bundle", "verify", bundle, "--trust", public, "--data-dir", tmp_path / "d")
    assert code == 0, err
    code, out, err = run_cli("sync", bundle, "--trust", public, "--data-dir", tmp_path / "d")
    assert code == 0, err
    assert "Signed by the trusted key" in out and "document" in out


def test_json_report(folder, tmp_path):
    code, out, err = run_cli("import-itu", folder, "--json", "--languages", "E", "--data-dir", tmp_path / "d")
    assert code == 0, err
    report = json.loads(out)
    assert report["counts"] == {"document": 5, "meeting": 2, "proposal": 5}
    assert report["applied"]["changed"] and report["applied"]["counts"]["document"]["new"] == 5
    assert any("not asked for" in s["reason"] for s in report["skipped"])
    assert report["unread_proposals"][0]["id"] == "IAP/25A1/6"


def test_nothing_usable_exits_non_zero(folder, tmp_path):
    code, out, err = run_cli("import-itu", folder / "photo.png", tmp_path / "missing", "--data-dir", tmp_path / "d")
    assert code == 1
    assert "Files read: 0; records: nothing usable." in out and "does not exist" in out
    assert err.startswith("error: Nothing usable was read") and err.count("\n") == 1
    code, out, err = run_cli("import-itu", folder / "photo.png", "--out", tmp_path / "x.wtdc.zip",
                             "--publisher", "citel")
    assert code == 1 and not (tmp_path / "x.wtdc.zip").exists()


@pytest.mark.parametrize("args, words", [
    (["--languages", "X"], "is not a language"),
    (["--sign-key", "k"], "give --out BUNDLE as well"),
    (["--out", "b.wtdc.zip"], "--out needs --publisher"),
    (["--out", "b.wtdc.zip", "--publisher", "citel", "--sign-key", "missing-key"], "cannot be read"),
])
def test_mistakes_are_one_sentence(folder, tmp_path, args, words):
    code, out, err = run_cli("import-itu", folder, *args, "--data-dir", tmp_path / "d")
    assert code != 0 and out == ""
    assert err.startswith("error: ") and words in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_remembered_folder_is_read_again_by_sync(folder, tmp_path):
    data = tmp_path / "data"
    code, out, err = run_cli("import-itu", folder, "--remember", "--data-dir", data)
    assert code == 0, err
    assert "The folder is remembered" in out
    code, out, err = run_cli("sync", "--data-dir", data)
    assert code == 0, err
    assert "ITU folder unchanged" in out
    code, out, err = run_cli("sync", "--json", "--data-dir", data)
    assert code == 0 and json.loads(out)[0]["kind"] == "itu"
    code, _out, err = run_cli("import-itu", folder, "--remember", "--out", tmp_path / "b.wtdc.zip",
                              "--publisher", "citel", "--data-dir", data)
    assert code != 0 and "--remember" in err
