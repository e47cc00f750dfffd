"""The allowlist of file types the window hands to the system opener (pure)."""

from __future__ import annotations

import pytest

from wtdc_desktop.domain.filetypes import extension, is_openable, media_type_disagrees


@pytest.mark.parametrize("name, media", [
    ("files/a/report.pdf", "application/pdf"),
    ("C-0025-A1-E.DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("old.doc", "application/msword"),
    ("budget.xls", "application/vnd.ms-excel"),
    ("budget.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("slides.ppt", "application/vnd.ms-powerpoint"),
    ("slides.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("a.odt", "application/vnd.oasis.opendocument.text"),
    ("a.ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("a.odp", "application/vnd.oasis.opendocument.presentation"),
    ("a.rtf", "application/rtf"), ("a.rtf", "text/rtf"),
    ("a.txt", "text/plain; charset=utf-8"), ("a.csv", "text/csv"),
    ("a.png", "image/png"), ("a.jpg", "image/jpeg"), ("a.jpeg", "IMAGE/JPEG"), ("a.gif", "image/gif"),
])
def test_document_types_are_openable(name, media):
    assert is_openable(name, media)
    assert not media_type_disagrees(name, media)


@pytest.mark.parametrize("name, media", [
    ("viewer.desktop", "application/x-desktop"), ("install.sh", "application/x-sh"),
    ("setup.exe", "application/x-msdownload"), ("run.bat", "application/x-bat"),
    ("link.lnk", "application/x-ms-shortcut"), ("Tool.app", "application/octet-stream"),
    ("tool.jar", "application/java-archive"), ("x.js", "text/javascript"), ("x.vbs", "text/vbscript"),
    ("x.scr", "application/octet-stream"), ("x.msi", "application/x-msi"), ("page.html", "text/html"),
    ("notes.md", "text/markdown"),
    # both must be allowed, and agree
    ("setup.exe", "application/pdf"), ("report.pdf", "application/x-msdownload"), ("report.pdf", None),
    ("report.pdf", ""), ("page.html", "text/plain"), ("notes.txt", "text/html"), ("report", "application/pdf"),
    (".pdf", "application/pdf"), ("report.pdf.exe", "application/pdf"), ("a.jpg", "image/png"),
])
def test_anything_else_is_not(name, media):
    assert not is_openable(name, media)


@pytest.mark.parametrize("name, media, disagrees", [
    ("setup.exe", "application/pdf", True),
    ("report.pdf", "application/x-msdownload", True),
    ("notes.txt", "text/html", True),
    ("report", "application/pdf", True),
    ("a.jpg", "image/png", True),
    ("page.html", "text/html", False),
    ("setup.exe", "application/x-msdownload", False),
    ("report.pdf", None, False),
    ("report.pdf", "Application/PDF", False),
])
def test_media_type_and_extension_disagree(name, media, disagrees):
    assert media_type_disagrees(name, media) is disagrees


def test_extension():
    assert extension("files/a/B.PDF") == ".pdf"
    assert extension("files/a.b/readme") == ""
    assert extension(".bashrc") == ""
    assert extension("a\\b.Exe") == ".exe"
