"""ITU material read into bundle records, written as a bundle and applied: a folder of named files with
revisions, languages, a misnamed file, a zip bomb, hostile XML; re-reading unchanged and changed folders."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

from itu_fixtures import DATA, cover_lines, make_docx, make_folder
from wtdc_desktop.bundles.reader import Bundle
from wtdc_desktop.domain.records import PUBLISHED_TYPES
from wtdc_desktop.exchange.itu.importer import (
    apply_itu_import, local_channel, read_itu_sources, write_itu_bundle,
)
from wtdc_desktop.exchange.itu.xmlsafe import ItuError


def _by_id(records):
    return {r["id"]: r for r in records}


@pytest.fixture
def folder(tmp_path) -> Path:
    return make_folder(tmp_path / "src")


def test_folder_becomes_records(folder):
    with read_itu_sources([folder]) as imported:
        assert imported.usable and not imported.unchanged
        for type_name, records in imported.records.items():
            for record in records:
                PUBLISHED_TYPES[type_name].validate(record)
        meetings = _by_id(imported.records["meeting"])
        assert set(meetings) == {"WTDC-22", "D22-SG01-241028"}
        assert meetings["WTDC-22"]["kind"] == "conference" and meetings["WTDC-22"]["city"] == "Kigali"
        assert meetings["WTDC-22"]["country"] == "Rwanda" and meetings["WTDC-22"]["ends_on"] == "2022-06-16"
        docs = _by_id(imported.records["document"])
        assert set(docs) == {"WTDC-22/25", "WTDC-22/25(Add.1)", "WTDC-22/26", "WTDC-22/27", "WTDC-22/30"}
        doc = docs["WTDC-22/25"]
        assert doc["title"] == "Inter-American proposals for the work of the conference"
        assert doc["meeting"] == "WTDC-22" and doc["kind"] == "contribution" and doc["date"] == "2022-05-02"
        assert doc["source"].endswith("(CITEL)")
        assert doc["summary"].startswith("Common proposals of CITEL")
        assert set(doc["languages"]) == {"en", "fr", "es"}
        assert doc["languages"]["fr"] == {"title": "Propositions interaméricaines pour les travaux de la conférence",
                                          "file": "files/WTDC-22/D22-WTDC-C-0025!!MSW-F.docx"}
        assert doc["languages"]["es"]["file"].endswith("!!PDF-S.pdf")
        assert imported.question_refs["WTDC-22/25"] == ["2022-2025:1/1", "2022-2025:7/2"]
        # the Questions are named in the summary, where the detail pane links them
        assert doc["summary"].endswith("Study Questions: Question 1/1, Question 7/2.")
        # the addendum, not in the list: its cover fills title, source, date and summary
        add = docs["WTDC-22/25(Add.1)"]
        assert add["title"] == "Inter-american proposals for the work of the conference"
        assert add["date"] == "2022-05-02" and add["summary"].startswith("CITEL proposes")
        assert add["languages"]["en"]["file"].endswith("!A1!MSW-E.docx")
        assert "text" in add  # an unread proposal block keeps the whole text on the document
        # the revision is the document's current content, the original is superseded
        assert docs["WTDC-22/26"]["languages"]["en"]["file"].endswith("!R1!MSW-E.docx")
        assert docs["WTDC-22/26"]["title"] == "African common proposals"  # from the list
        assert docs["WTDC-22/30"]["languages"]["en"]["file"].endswith("D22-WTDC-C-0030!!MSW-E.docx")
        proposals = _by_id(imported.records["proposal"])
        assert set(proposals) == {f"IAP/25A1/{n}" for n in range(1, 6)}
        assert proposals["IAP/25A1/2"]["target"] == {"type": "resolution", "id": "WTDC/37"}
        assert proposals["IAP/25A1/4"]["target"] == {"type": "question", "id": "2022-2025:1/1"}
        assert proposals["IAP/25A1/3"]["action"] == "SUP"
        assert all(p["document"] == "WTDC-22/25(Add.1)" and p["sources"] == ["CITEL"] for p in proposals.values())
        assert [(d, b.id) for d, b in imported.unread_blocks] == [("WTDC-22/25(Add.1)", "IAP/25A1/6")]

        skipped = {Path(s.path.split(": ")[0]).name + (": " + s.path.split(": ", 1)[1] if ": " in s.path else ""): s.reason
                   for s in imported.skipped}
        assert "convention" in skipped["minutes of the coordination meeting.docx"]
        assert "not a kind of file" in skipped["photo.png"]
        assert "expands" in skipped["D22-WTDC-C-0099!!ZIP-E.zip"]
        assert "entities" in skipped["hostile.xml"]
        assert "line 3" in skipped["broken.xml"]
        assert "superseded by revision 1" in skipped["D22-WTDC-C-0026!!MSW-E.docx"]
        assert "another format" in skipped["D22-WTDC-C-0025!A1!PDF-E.pdf"]
        assert "convention" in skipped["D22-WTDC-C-0030!!ZIP-E.zip: readme.txt"]
        assert any("entry 3" in p for p in imported.problems)  # the list entry without a name
        assert any("D22-WTDC-C-0027!!MSW-E.docx" in p and "number" in p for p in imported.problems)


def test_languages_and_meeting_options(folder):
    with read_itu_sources([folder, folder / "D22-WTDC-C-0025!!MSW-E.docx"], meeting="WTDC-21", languages=["E"]) as imported:
        docs = _by_id(imported.records["document"])
        assert "WTDC-21/25" in docs and docs["WTDC-21/25"]["meeting"] == "WTDC-21"
        assert set(docs["WTDC-21/25"]["languages"]) == {"en"}
        assert any("not asked for" in s.reason for s in imported.skipped)
    with pytest.raises(ItuError):
        read_itu_sources([folder], languages=["X"])


def test_single_files_and_nothing_usable(tmp_path, folder):
    with read_itu_sources([DATA / "T25-SG12-250909-TD.xml", DATA / "ITU-T_Meetings.xml"]) as imported:
        (doc,) = imported.records["document"]
        assert doc["id"] == "T25-SG12-250909-TD-GEN-0292" and doc["kind"] == "temporary"
        assert doc["meeting"] == "T25-SG12-250909"
        assert imported.question_refs[doc["id"]] == ["ITU-T Q2/12"]
        assert doc["summary"].endswith("Study Questions: ITU-T Q2/12.")
        (meeting,) = imported.records["meeting"]
        assert meeting["id"] == "T25-SG12-250909" and meeting["city"] == "Geneva"
    with read_itu_sources([folder / "photo.png", tmp_path / "missing"]) as nothing:
        assert not nothing.usable and len(nothing.skipped) == 2
        with pytest.raises(ItuError):
            write_itu_bundle(nothing, tmp_path / "x.wtdc.zip", publisher="citel")


def test_unchanged_folder_reads_nothing_and_changed_file_is_read(folder, monkeypatch):
    with read_itu_sources([folder]) as first:
        state = first.state
    import wtdc_desktop.exchange.itu.importer as importer

    calls = []
    monkeypatch.setattr(importer, "read_cover", lambda path: calls.append(path))
    again = read_itu_sources([folder], state=state)
    assert again.unchanged and not again.usable and calls == [] and again.state == state
    # touched but identical: still unchanged (the hash says so)
    path = folder / "D22-WTDC-C-0027!!MSW-E.docx"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10_000_000_000))
    touched = read_itu_sources([folder], state=state)
    assert touched.unchanged
    monkeypatch.undo()
    make_docx(path, cover_lines(["Document WTDC-22/27-E"], "A CHANGED TITLE"))
    with read_itu_sources([folder], state=touched.state) as changed:
        assert not changed.unchanged and changed.usable
        assert changed.state[str(path)] != state[str(path)]


def test_write_signed_bundle_and_apply_idempotently(folder, tmp_path, store):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    with read_itu_sources([folder]) as imported:
        out = tmp_path / "out" / "WTDC-22.wtdc.zip"
        manifest = write_itu_bundle(imported, out, publisher="citel-secretariat", sign_key=key, sequence=7)
        assert manifest["publisher"]["id"] == "citel-secretariat" and manifest["sequence"] == 7
        assert manifest["channel"] == "itu-import"  # two meetings: no single meeting names the channel
        with Bundle(out) as bundle:
            bundle.verify()
            names = {m.path for m in bundle.manifest.files}
        assert "files/WTDC-22/D22-WTDC-C-0025!!MSW-F.docx" in names
        assert "files/WTDC-22/D22-WTDC-C-0030!!MSW-E.docx" in names
        assert local_channel(imported).startswith("itu-")
        result = apply_itu_import(store, imported)
        assert result.counts["document"]["new"] == 5 and result.counts["proposal"]["new"] == 5
    with read_itu_sources([folder]) as again:
        second = apply_itu_import(store, again)
        assert not second.changed
    path = folder / "D22-WTDC-C-0027!!MSW-E.docx"
    make_docx(path, cover_lines(["Document WTDC-22/27-E"], "A CHANGED TITLE"))
    with read_itu_sources([folder]) as changed:
        third = apply_itu_import(store, changed)
        assert third.counts["document"]["changed"] == 1


def test_text_and_web_page_covers_and_list_meeting_wins(tmp_path):
    folder = tmp_path / "sg12"
    folder.mkdir()
    (folder / "T25-SG12-250909-TD-GEN-0292!!TXT-E.txt").write_text(
        "Document 292-E\n5 September 2025\nOriginal: English\nSource: Editors E.800\nTitle: Baseline text E.800\n",
        "utf-8")
    (folder / "T25-SG12-C-0001-E.htm").write_text(
        "<html><body><p>Source: Finland</p><p>Title: A study group contribution</p>"
        "<p>Abstract:</p><p>What it is about.</p></body></html>", "utf-8")
    shutil.copy(DATA / "T25-SG12-250909-TD.xml", folder / "zz-list.xml")
    with read_itu_sources([folder]) as imported:
        docs = _by_id(imported.records["document"])
        td = docs["T25-SG12-250909-TD-GEN-0292"]
        assert td["title"].startswith("Updated baseline text E.800")  # the list's title before the cover's
        assert td["meeting"] == "T25-SG12-250909"
        contribution = docs["T25-SG12-C-0001"]
        assert contribution["title"] == "A study group contribution" and contribution["source"] == "Finland"
        assert contribution["summary"] == "What it is about." and contribution["meeting"] == "T25-SG12"
        assert contribution["languages"]["en"]["file"] == "files/T25-SG12/T25-SG12-C-0001-E.htm"


def test_with_a_meeting_only_its_catalog_entry_is_kept():
    with read_itu_sources([DATA / "ITU-D_NEW-Meetings.xml"], meeting="WTDC-22") as imported:
        assert [m["id"] for m in imported.records["meeting"]] == ["WTDC-22"]


def test_zip_with_an_escaping_path_is_refused_whole(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    with zipfile.ZipFile(folder / "T25-SG12-C-0167!R1!ZIP-E.zip", "w") as zf:
        zf.writestr("../T25-SG12-C-0167!R1!MSW-E.docx", b"x")
    with read_itu_sources([folder]) as imported:
        assert not imported.usable
        (skipped,) = imported.skipped
        assert "“..”" in skipped.reason and skipped.path.endswith("ZIP-E.zip")
    assert not (tmp_path / "T25-SG12-C-0167!R1!MSW-E.docx").exists()


def test_a_zip_document_without_named_members_is_still_a_document(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    with zipfile.ZipFile(folder / "T25-SG12-C-0167!R1!ZIP-E.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("measurements.csv", "a,b\n1,2\n")
    shutil.copy(DATA / "ITU-T_Meetings.xml", folder / "ITU-T_Meetings.xml")
    with read_itu_sources([folder]) as imported:
        (doc,) = imported.records["document"]
        assert doc["id"] == "T25-SG12-C-0167" and "languages" not in doc and doc["title"] == "T25-SG12-C-0167"
        assert any("measurements.csv" in s.path for s in imported.skipped)
        assert any("no title" in p for p in imported.problems)


def test_hostile_values_are_left_out_and_the_rest_imported(tmp_path):
    text = (DATA / "D22-WTDC-C.xml").read_text("utf-8")
    text = text.replace("<object_name>D22-WTDC-220606</object_name>", "<object_name>../etc passwd</object_name>")
    text = text.replace("<ltitle_e>African common proposals</ltitle_e>", "<ltitle_e>" + "x" * (5 << 20) + "</ltitle_e>")
    path = tmp_path / "D22-WTDC-C.xml"
    path.write_text(text, "utf-8")
    with read_itu_sources([path]) as imported:
        assert [d["id"] for d in imported.records["document"]] == ["WTDC-22/25"]
        assert "meeting" not in imported.records
        assert any("../etc passwd" in p and "meeting name" in p for p in imported.problems)
        assert any("WTDC-22/26" in p and "not imported" in p for p in imported.problems)


def test_an_impossible_cover_date_is_no_date():
    from wtdc_desktop.exchange.itu.cover import parse_cover_text

    assert parse_cover_text("Document WTDC-22/25-E\n31 February 2022\n2 May 2022").date == "2022-05-02"


def test_progress_and_cancel(folder):
    seen = []
    with read_itu_sources([folder], progress=lambda done, total, name: seen.append((done, total))) as imported:
        assert imported.usable and seen[-1][0] == seen[-1][1] == len(seen)
    with pytest.raises(ItuError, match="cancelled"):
        read_itu_sources([folder], cancel=lambda: True)


def test_report_is_plain_data(folder):
    import json

    with read_itu_sources([folder]) as imported:
        report = json.loads(json.dumps(imported.report()))
    assert report["counts"] == {"document": 5, "meeting": 2, "proposal": 5}
    assert report["unread_proposals"] == [{"document": "WTDC-22/25(Add.1)", "id": "IAP/25A1/6",
                                           "reason": report["unread_proposals"][0]["reason"]}]
    assert any(s["path"].endswith("photo.png") for s in report["skipped"])
    assert report["questions"]["WTDC-22/25"] == ["2022-2025:1/1", "2022-2025:7/2"]


def test_a_documents_study_questions_are_links_in_its_detail():
    from wtdc_desktop.domain.render import record_detail_html

    with read_itu_sources([DATA / "D22-WTDC-C.xml"]) as imported:
        doc = _by_id(imported.records["document"])["WTDC-22/25"]
    html = record_detail_html("document", doc, markdown_fields=("summary", "text"))  # as the detail pane calls it
    assert ">Question 1/1</a>" in html and ">Question 7/2</a>" in html and "wtdc:question/" in html
