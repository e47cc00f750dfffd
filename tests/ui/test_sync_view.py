"""The Sync view and the status bar: refused files are no sources, the last sync and the last refusal."""

from __future__ import annotations

import zipfile


def _refuse(window, qtbot, path):
    with qtbot.waitSignal(window.sync.failed, timeout=30000) as failed:
        window.sync.sync_path(path)
    return failed.args[0]


def test_a_refused_file_is_not_listed_among_the_sources(window, qtbot, tmp_path):
    window.show_view("sync")
    view = window.views["sync"]
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a bundle")
    random_zip = tmp_path / "random.zip"
    with zipfile.ZipFile(random_zip, "w") as z:
        z.writestr("photo.txt", "x")
    _refuse(window, qtbot, text_file)
    message = _refuse(window, qtbot, random_zip)
    assert message.endswith("random.zip is not a WTDC bundle (no manifest.json inside).")
    listed = [view.sources.item(r, 0).text() for r in range(view.sources.rowCount())]
    assert listed == ["demo"]  # the refusals are in the sync log only
    logged = [view.log.item(r, 2).text() for r in range(view.log.rowCount())]
    assert str(random_zip) in logged and str(text_file) in logged


def test_the_status_bar_shows_the_last_good_sync_and_apart_from_it_the_last_refusal(window, qtbot, tmp_path):
    status = window.sync_status
    assert "Last sync: demo" in status.label.text() and status.refusal.isHidden()
    random_zip = tmp_path / "random.zip"
    with zipfile.ZipFile(random_zip, "w") as z:
        z.writestr("photo.txt", "x")
    _refuse(window, qtbot, random_zip)
    qtbot.waitUntil(lambda: status.refusal.isVisibleTo(window))  # the status bar refreshes in the next turn
    assert "Last sync: demo" in status.label.text()  # the refusal does not take the last sync's place
    assert "Last refusal: " in status.refusal.text()
    assert "random.zip" in status.refusal.text()
    assert "not a WTDC bundle" in status.refusal.toolTip()


def test_sync_now_with_sources_listed_never_says_there_is_no_source(window, qtbot):
    window.show_view("sync")
    assert window.views["sync"].sources.rowCount() == 1  # the demo
    with qtbot.waitSignal(window.sync.failed) as failed:
        window.views["sync"].sync_now.click()
    assert "no source" not in failed.args[0] and "demo" in failed.args[0]


def test_sync_now_after_another_process_wrote_the_store_runs_no_quick_check_on_the_gui_thread(window, qtbot,
                                                                                            monkeypatch):
    """"Sync now" reads the sources through the window's connection: a new one would quick-check the
    whole store on the GUI thread (seconds on a large store) when a command-line sync changed it."""
    from wtdc_desktop.store import db

    monkeypatch.setattr(db, "_CHECKED", set())  # the file as changed by another process since
    checked = []
    monkeypatch.setattr(db, "check_store_file", lambda conn, path: checked.append(path))
    window.show_view("sync")
    with qtbot.waitSignal(window.sync.failed):
        window.views["sync"].sync_now.click()
    assert checked == []


def test_the_record_counts_come_back_after_a_dialog_clears_the_status_bar(window, qtbot):
    from PySide6.QtGui import QStatusTipEvent
    from PySide6.QtWidgets import QApplication

    qtbot.waitUntil(lambda: "proposals" in window.statusBar().currentMessage())
    counts = window.statusBar().currentMessage()
    QApplication.sendEvent(window, QStatusTipEvent(""))  # what a closing file dialog or a menu sends
    assert window.statusBar().currentMessage() == counts
    window.statusBar().showMessage("Saved.", 50)  # a message of its own, for a while
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == counts)


def test_no_heading_of_the_sync_tables_is_clipped_in_french(window, qapp):
    """"Synchronisation" heads the sync log's first column whole, not "ıchronisat"."""
    from wtdc_desktop.ui.app import apply_language
    from wtdc_desktop.ui.language import switch_language

    try:
        switch_language("fr")
        window.show_view("sync")
        view = window.views["sync"]
        for table in (view.sources, view.log):
            header = table.horizontalHeader()
            for column in range(table.columnCount() - 1):
                heading = table.horizontalHeaderItem(column).text()
                assert header.sectionSize(column) >= header.sectionSizeHint(column), heading
        assert view.log.horizontalHeaderItem(0).text() == "Synchronisation"
    finally:
        apply_language(qapp, "en")


def test_a_refusal_is_said_once_in_its_banner_and_the_status_bar_keeps_its_counts(window, qtbot, tmp_path):
    """The long refusal is not repeated in the status bar, where "Last refusal" clipped it."""
    random_zip = tmp_path / "random.zip"
    with zipfile.ZipFile(random_zip, "w") as z:
        z.writestr("photo.txt", "x")
    message = _refuse(window, qtbot, random_zip)
    assert any(message in text for text in window.banner_texts())
    qtbot.waitUntil(lambda: not window.sync_status.refusal.isHidden())  # the status bar refreshes in the next turn
    assert "not a WTDC bundle" not in window.statusBar().currentMessage()
    assert "proposals" in window.statusBar().currentMessage()
