"""Nothing executable is opened: the detail pane hands only document types (listed media type and
extension both allowed and agreeing) to the system opener, from a read-only copy without execute
bits; anything else (a program, a script, a web page) is offered for saving instead."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl

from small_bundles import build, meetings, read_members, relist, write_zip
from wtdc_desktop.bundles.apply import apply_bundle

pytestmark = pytest.mark.gui

#: record id -> (file name, the media type the manifest lists for it)
FILES = {
    "M-1/1": ("report.pdf", "application/pdf"),
    "M-1/2": ("setup.exe", "application/x-msdownload"),
    "M-1/3": ("install.sh", "application/x-sh"),
    "M-1/4": ("page.html", "text/html"),
    "M-1/5": ("viewer.desktop", "application/x-desktop"),
    "M-1/6": ("notes.txt", None),
}


@pytest.fixture
def files_store(store, tmp_path):
    documents = [{"id": rid, "meeting": "M-1", "title": f"Document {rid}",
                  "languages": {"en": {"title": name, "file": f"files/M-1/{name}"}}}
                 for rid, (name, _media) in FILES.items()]
    files = {f"files/M-1/{name}": f"content of {name}\n".encode() for name, _media in FILES.values()}
    built = build(tmp_path / "src", tmp_path / "built.wtdc.zip", files=files,
                  records={"meeting": meetings(), "document": documents})
    members = read_members(built)
    manifest = json.loads(members["manifest.json"])
    media = {f"files/M-1/{name}": media_type for name, media_type in FILES.values()}
    for entry in manifest["files"]:
        if media[entry["path"]] is None:
            entry.pop("media_type", None)
        else:
            entry["media_type"] = media[entry["path"]]
    members["manifest.json"] = json.dumps(manifest, indent=1).encode()
    bundle = write_zip(tmp_path / "files.wtdc.zip", list(relist(members).items()))
    apply_bundle(store, bundle)
    return store


@pytest.fixture
def pane(qtbot, files_store, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    from wtdc_desktop.ui.detail import DetailPane

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    pane = DetailPane(files_store)
    qtbot.addWidget(pane)
    pane.file_opener = opened.append
    pane.opened = opened
    return pane


def test_a_pdf_is_opened_from_a_read_only_copy_without_execute_bits(pane):
    assert pane.show_record("document", "M-1/1")
    path = pane.open_selected_file()
    assert path is not None and path.name == "report.pdf"
    assert pane.opened == [QUrl.fromLocalFile(str(path))]
    mode = stat.S_IMODE(path.stat().st_mode)
    assert mode == 0o444 and not mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    assert path.read_bytes() == b"content of report.pdf\n"
    assert pane.save_file.isHidden()


@pytest.mark.parametrize("record_id", ["M-1/2", "M-1/3", "M-1/4", "M-1/5", "M-1/6"])
def test_anything_else_is_never_opened_and_is_offered_for_saving(pane, record_id, tmp_path, monkeypatch):
    from wtdc_desktop.ui import save_dialogs

    name = FILES[record_id][0]
    assert pane.show_record("document", record_id)
    pane.open_file.click()
    assert pane.opened == []
    assert not pane.file_message.isHidden() and not pane.save_file.isHidden()
    text = pane.file_message.text()
    assert name in text and "not a document type" in text and len(text.split(". ")) == 1
    target = tmp_path / "saved" / name
    target.parent.mkdir()
    asked = []
    monkeypatch.setattr(save_dialogs.QFileDialog, "getSaveFileName",
                        lambda *args, **kwargs: (asked.append(args) or (str(target), "")))
    pane.save_file.click()
    assert len(asked) == 1
    assert target.read_bytes() == f"content of {name}\n".encode()
    assert not stat.S_IMODE(target.stat().st_mode) & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    assert pane.opened == []
    assert list(target.parent.glob("*.part")) == []


def test_a_cancelled_save_writes_nothing(pane, tmp_path, monkeypatch):
    from wtdc_desktop.ui import save_dialogs

    assert pane.show_record("document", "M-1/2")
    assert pane.open_selected_file() is None
    monkeypatch.setattr(save_dialogs.QFileDialog, "getSaveFileName", lambda *args, **kwargs: ("", ""))
    assert pane.save_selected_file() is None
    assert pane.opened == []


def test_the_offer_to_save_goes_with_another_record(pane):
    assert pane.show_record("document", "M-1/3")
    assert pane.open_selected_file() is None and not pane.save_file.isHidden()
    assert pane.show_record("document", "M-1/1")
    assert pane.save_file.isHidden()


def test_a_file_no_application_opens_is_said_and_its_folder_offered(pane):
    pane.file_opener = lambda url: pane.opened.append(url) or False  # the system has no viewer for PDF
    assert pane.show_record("document", "M-1/1")
    pane.open_file.click()
    text = pane.file_message.text()
    assert not pane.file_message.isHidden() and "No application on this computer opens report.pdf" in text
    assert not pane.show_folder.isHidden()
    pane.show_folder.click()
    folder = pane.opened[-1].toLocalFile()
    assert (Path(folder) / "report.pdf").is_file()  # the folder of the read-only copy
    assert pane.show_record("document", "M-1/3") and pane.show_folder.isHidden()


def test_save_dialogs_start_in_the_documents_folder_then_in_the_last_folder_used(pane, own_settings, tmp_path,
                                                                                   monkeypatch):
    from PySide6.QtCore import QStandardPaths

    from wtdc_desktop.ui import save_dialogs

    starts = []
    target = tmp_path / "chosen" / "setup.exe"
    target.parent.mkdir()
    monkeypatch.setattr(save_dialogs.QFileDialog, "getSaveFileName",
                        lambda parent, caption, start, *a: starts.append(Path(start)) or (str(target), ""))
    assert pane.show_record("document", "M-1/2")
    pane.save_selected_file()
    documents = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
    expected = Path(documents) if documents and Path(documents).is_dir() else Path.home()
    assert starts[0] == expected / "setup.exe" and starts[0].parent != Path.cwd()
    pane.save_selected_file()
    assert starts[1] == target.parent / "setup.exe"  # remembered for files saved from the detail pane
    assert save_dialogs.start_folder("brief") == expected  # each kind of export its own folder
