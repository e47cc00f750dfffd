"""Search inside attached files: the text of .docx, .pdf, .html, .md and .txt files is indexed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import run_cli, write_records
from wtdc_desktop.bundles.apply import apply_bundle
from wtdc_desktop.bundles.limits import Limits
from wtdc_desktop.bundles.writer import build_bundle
from wtdc_desktop.store import fulltext, published
from wtdc_desktop.store.extracted_text import extraction_problems, file_extract_status


def make_pdf(text: str) -> bytes:
    """A minimal one-page PDF showing ``text`` in Helvetica, with a correct cross-reference table."""
    content = f"BT /F1 18 Tf 72 700 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def make_docx(path: Path, paragraph: str, cell: str) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(paragraph)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[1].text = cell
    document.save(str(path))


def _doc(rid: str, file: str, **extra) -> dict:
    return {"id": rid, "meeting": "EX-1", "title": f"Document {rid}", "kind": "contribution",
            "languages": {"en": {"file": file, "title": f"Document {rid}"}}, **extra}


@pytest.fixture
def src(tmp_path, example_bundle) -> Path:
    dest = tmp_path / "src"
    shutil.copytree(example_bundle, dest)
    files = dest / "files"
    make_docx(files / "a.docx", "The delegation supports zanzibarite connectivity.", "tabulated quillwort")
    (files / "b.pdf").write_bytes(make_pdf("Rural quokkapolis broadband plan"))
    (files / "c.html").write_text(
        "<html><head><title>t</title><script>var scriptonly = 1;</script></head>"
        "<body><p>Digital <b>xylophonique</b>&nbsp;inclusion &amp; skills</p></body></html>", "utf-8")
    (files / "d.txt").write_bytes("Spectrum tardigradial sharing — côte\n".encode("utf-8"))
    (files / "e.md").write_text("# Heading\n\nEmergency **pangolinesque** telecommunications\n", "utf-8")
    write_records(dest, "document", [
        _doc("EX-1/20", "files/a.docx"), _doc("EX-1/21", "files/b.pdf"), _doc("EX-1/22", "files/c.html"),
        _doc("EX-1/23", "files/d.txt"), _doc("EX-1/24", "files/e.md"),
        # a document with its own text: that text is what search uses
        _doc("EX-1/25", "files/EX-1-12-A1-E.md", text="Own text of the record."),
    ])
    return dest


def _ids(store, word: str) -> set[str]:
    return {h.id for h in fulltext.search(store, word) if h.type == "document"}


def test_search_finds_words_only_inside_attached_files(store, src, tmp_path):
    build_bundle(src, tmp_path / "b.wtdc.zip")
    result = apply_bundle(store, tmp_path / "b.wtdc.zip")
    assert result.outcome == "applied" and result.warnings == []
    assert _ids(store, "zanzibarite") == {"EX-1/20"}
    assert _ids(store, "quillwort") == {"EX-1/20"}  # text inside a table of the .docx
    assert _ids(store, "quokkapolis") == {"EX-1/21"}
    assert _ids(store, "xylophonique") == {"EX-1/22"}
    assert _ids(store, "scriptonly") == set()  # scripts are not text
    assert _ids(store, "tardigradial") == {"EX-1/23"}
    assert _ids(store, "cote tardigradial") == {"EX-1/23"}
    assert _ids(store, "pangolinesque") == {"EX-1/24"}
    assert _ids(store, "Own text") == {"EX-1/25"}
    assert file_extract_status(store, "EX-1/21") == {"en": ("ok", None)}
    assert file_extract_status(store, "EX-1/25") == {"en": (None, None)}
    # the command line finds it too, with a snippet
    code, out, err = run_cli("search", "quokkapolis", "--json", "--data-dir", store.data_dir)
    assert code == 0, err
    assert json.loads(out)[0]["id"] == "EX-1/21"


def test_unreadable_file_is_flagged_and_the_bundle_still_applies(store, src, tmp_path):
    (src / "files" / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a PDF at all\n" + b"\x00\xff" * 50)
    (src / "files" / "broken.docx").write_bytes(b"PK\x03\x04 truncated")
    write_records(src, "document", [
        _doc("EX-1/30", "files/broken.pdf"), _doc("EX-1/31", "files/broken.docx"),
        _doc("EX-1/32", "files/d.txt"),
    ])
    build_bundle(src, tmp_path / "b.wtdc.zip")
    result = apply_bundle(store, tmp_path / "b.wtdc.zip")
    assert result.outcome == "applied"
    assert len(result.warnings) == 2
    assert any("files/broken.pdf" in w and "EX-1/30" in w for w in result.warnings)
    problems = {(p["document"], p["path"]): p for p in extraction_problems(store)}
    assert set(problems) == {("EX-1/30", "files/broken.pdf"), ("EX-1/31", "files/broken.docx")}
    assert all(p["extract_error"] for p in problems.values())
    # the documents and their files are kept; other files are still searchable
    assert published.get_record(store, "document", "EX-1/30") is not None
    assert _ids(store, "tardigradial") == {"EX-1/32"}


def test_sync_warns_about_an_unreadable_file_on_the_command_line(data_dir, src, tmp_path):
    (src / "files" / "broken.pdf").write_bytes(b"garbage")
    write_records(src, "document", [_doc("EX-1/30", "files/broken.pdf")])
    build_bundle(src, tmp_path / "b.wtdc.zip")
    code, out, err = run_cli("sync", tmp_path / "b.wtdc.zip", "--data-dir", data_dir)
    assert code == 0, err
    assert "broken.pdf" in err


def test_extracted_text_is_capped_at_the_text_field_limit(store, src, tmp_path):
    (src / "files" / "long.txt").write_text("firstword " + "filler " * 400 + "lastword\n", "utf-8")
    write_records(src, "document", [_doc("EX-1/40", "files/long.txt")])
    build_bundle(src, tmp_path / "b.wtdc.zip")
    apply_bundle(store, tmp_path / "b.wtdc.zip", limits=Limits(text_field=1000))
    assert _ids(store, "firstword") == {"EX-1/40"}
    assert _ids(store, "lastword") == set()
