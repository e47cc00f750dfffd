"""A file whose listed media type and extension disagree is refused when the bundle is applied
(``application/pdf`` on a ``.exe``): the store is unchanged and the command exits non-zero."""

from __future__ import annotations

import json

from helpers import run_cli, table_fingerprint
from small_bundles import build, read_members, relist, write_zip


def _with_media_type(tmp_path, name: str, media_type: str):
    files = {"files/M-1/1-E.txt": b"Agenda of the test conference.\n", name: b"MZ\x90\x00 not a document"}
    good = build(tmp_path / "src", tmp_path / "good.wtdc.zip", files=files)
    members = read_members(good)
    manifest = json.loads(members["manifest.json"])
    for entry in manifest["files"]:
        if entry["path"] == name:
            entry["media_type"] = media_type
    members["manifest.json"] = json.dumps(manifest, indent=1).encode()
    out = tmp_path / "mismatch.wtdc.zip"
    write_zip(out, list(relist(members).items()))
    return out


def _store_tables(data):
    from wtdc_desktop.store import Store

    with Store(data) as store:
        return table_fingerprint(store)


def test_sync_refuses_a_pdf_media_type_on_an_exe(tmp_path):
    data = tmp_path / "data"
    assert run_cli("demo", "--data-dir", data)[0] == 0
    before = _store_tables(data)
    bundle = _with_media_type(tmp_path, "files/M-1/setup.exe", "application/pdf")
    code, out, err = run_cli("sync", bundle, "--data-dir", data)
    assert code != 0
    assert "Traceback" not in err
    message = err.strip()
    assert "mismatch.wtdc.zip" in message
    assert "files/M-1/setup.exe" in message and "application/pdf" in message and ".exe" in message
    assert len(message.splitlines()) == 1
    assert _store_tables(data) == before


def test_sync_refuses_a_text_file_listed_as_html(tmp_path):
    data = tmp_path / "data"
    bundle = _with_media_type(tmp_path, "files/M-1/notes.txt", "text/html")
    code, _out, err = run_cli("sync", bundle, "--data-dir", data)
    assert code != 0
    assert "files/M-1/notes.txt" in err and "text/html" in err


def test_sync_accepts_agreeing_and_unlisted_document_types(tmp_path):
    data = tmp_path / "data"
    bundle = _with_media_type(tmp_path, "files/M-1/page.html", "text/html")
    assert run_cli("sync", bundle, "--data-dir", data)[0] == 0
