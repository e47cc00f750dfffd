"""“Add ITU documents…” in the Sync view, offscreen: a folder chosen in the dialog is read on a worker, applied,
summarised (skipped files with their reasons in the details) and the window's views refresh from its changes."""

from __future__ import annotations

import pytest

from itu_fixtures import DATA, make_folder

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("own_settings")]


def test_a_folder_chosen_in_the_dialog_is_read_applied_and_summarised(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from wtdc_desktop.store import published
    from wtdc_desktop.workspace import Outcome

    folder = make_folder(tmp_path / "src")
    asked = []
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: asked.append(a) or str(folder))
    reloads = []
    original = window.reload
    monkeypatch.setattr(window, "reload", lambda changes=None, **kw: (reloads.append(changes), original(changes, **kw)))
    window.show_view("sync")
    view = window.views["sync"]
    before = published.counts(window.store).get("document", 0)
    progress = []
    window.sync.progress.connect(lambda done, total: progress.append((done, total)))
    with qtbot.waitSignal(window.sync.finished, timeout=60000) as finished:
        view.itu_folder_action.trigger()
        assert not view.add_itu.isEnabled() and view.cancel.isEnabled()
    assert asked and isinstance(finished.args[0], Outcome)
    assert progress and progress[-1][0] == progress[-1][1]
    assert published.counts(window.store)["document"] == before + 5
    text = view.message.text()
    assert "10 files read, 8 skipped" in text and "proposals: 5" in text
    assert "Proposal blocks not imported: 1" in text and "documents: 5 new;" in text
    assert view.details.isVisible()
    details = view.details.toPlainText()
    assert "photo.png: not a kind of file that is read" in details
    assert "IAP/25A1/6" in details and "does not match the file name" in details
    assert view.add_itu.isEnabled() and not view.cancel.isEnabled()
    # the window's views were told what changed, as after a sync
    assert reloads and reloads[-1] is not None and "document" in reloads[-1].records
    docs = window.views.get("documents")
    if docs is not None:
        window.show_view("documents")

    with qtbot.waitSignal(window.sync.finished, timeout=60000):
        view.itu_folder_action.trigger()
    assert "Nothing changed" in view.message.text()


def test_xml_files_chosen_and_a_cancelled_import(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    view = window.views.get("sync") or (window.show_view("sync"), window.views["sync"])[1]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames",
                        lambda *a, **k: ([str(DATA / "T25-SG12-250909-TD.xml"), str(DATA / "ITU-T_Meetings.xml")], ""))
    with qtbot.waitSignal(window.sync.finished, timeout=60000):
        view.itu_files_action.trigger()
    assert "2 files read, 0 skipped" in view.message.text() and "documents: 1" in view.message.text()

    from wtdc_desktop.ui import workers

    # “Cancel” pressed before the first file is read (a small import would otherwise end first)
    monkeypatch.setattr(workers.Worker, "cancelled", lambda self: True)
    with qtbot.waitSignal(window.sync.failed, timeout=60000) as failed:
        view.import_itu([str(DATA / "ITU-T_Meetings.xml")])
    assert "cancelled" in failed.args[0]
    assert "cancelled" in view.message.text() and view.add_itu.isEnabled()


def test_nothing_usable_says_why(window, qtbot, tmp_path):
    window.show_view("sync")
    view = window.views["sync"]
    (tmp_path / "notes.png").write_bytes(b"x")
    with qtbot.waitSignal(window.sync.finished, timeout=60000):
        view.import_itu([str(tmp_path)])
    assert "nothing usable" in view.message.text() and "Nothing usable was read" in view.message.text()
    assert "notes.png" in view.details.toPlainText()


def test_a_folder_can_be_remembered_for_the_periodic_sync(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from wtdc_desktop.sync import itu_folders

    folder = make_folder(tmp_path / "src")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    window.show_view("sync")
    view = window.views["sync"]
    view.itu_remember.setChecked(True)
    with qtbot.waitSignal(window.sync.finished, timeout=60000):
        view.itu_folder_action.trigger()
    assert list(itu_folders(window.store)) == [str(folder)]
    assert window.sync._has_sources()
