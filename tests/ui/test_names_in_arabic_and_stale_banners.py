"""Names and dates inside Arabic sentences keep their own order (Today's "covered by", the position
editor's "Last saved"), and a live language switch leaves no banner in the old language."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers import drawn as _drawn

OPENING_DAY = dt.datetime(2021, 11, 8, 7, 0, tzinfo=dt.timezone.utc)  # during WTDC-21's opening plenary


@pytest.fixture
def arabic(qapp):
    from wtdc_desktop.ui.app import apply_language

    apply_language(qapp, "ar")
    yield
    apply_language(qapp, "en")


@pytest.mark.gui
def test_who_covers_a_session_reads_as_written_on_the_arabic_today(arabic, demo_store, own_settings, qtbot):
    from wtdc_desktop.store import sessions
    from wtdc_desktop.ui.today import TodayView

    sessions.save_member(demo_store, "Amina K.")
    sessions.assign(demo_store, "WTDC-21/S01", "Amina K.")
    view = TodayView(demo_store, now=lambda: OPENING_DAY)
    qtbot.addWidget(view)
    line = next(line for line in view.browser.toPlainText().splitlines() if "Séance plénière d'ouverture" in line)
    assert "Amina K." in _drawn(line) and ".Amina K" not in _drawn(line), _drawn(line)


@pytest.mark.gui
def test_who_saved_a_position_and_when_read_as_written_in_arabic(arabic, demo_store, own_settings, qtbot):
    from wtdc_desktop.store import positions
    from wtdc_desktop.ui.positions import PositionEditor

    positions.save_position(demo_store, "proposal", "WD2/1.1", stance="support", changed_by="Amina K.")
    editor = PositionEditor(demo_store)
    qtbot.addWidget(editor)
    editor.load("proposal", "WD2/1.1")
    drawn = _drawn(editor.state.text())
    assert "Amina K." in drawn, drawn  # the sentence's own full stop may stand left of it, not the name's


@pytest.mark.gui
def test_a_name_ending_with_a_full_stop_ends_the_sentence_once(demo_store, own_settings, qtbot):
    from wtdc_desktop.store import positions
    from wtdc_desktop.ui.positions import PositionEditor

    positions.save_position(demo_store, "proposal", "WD2/1.1", stance="support", changed_by="Amina K.")
    editor = PositionEditor(demo_store)
    qtbot.addWidget(editor)
    editor.load("proposal", "WD2/1.1")
    assert editor.state.text().startswith("Last saved ") and editor.state.text().endswith(" by Amina K.")


@pytest.mark.gui
def test_a_language_switch_leaves_no_refusal_or_error_banner_in_the_old_language(own_settings, window, qapp):
    from wtdc_desktop.ui.app import apply_language
    from wtdc_desktop.ui.language import switch_language

    window.show_banner("refused", "A bundle was refused: notes.txt is not a WTDC bundle.")
    window.show_banner("error", "Cannot read /tmp/missing.zip: no such file.")
    try:
        switch_language("fr")
        texts = window.banner_texts()
        assert not any("refused" in t or "Cannot read" in t for t in texts), texts
        assert any("démonstration" in t for t in texts), texts  # the store's own banners, in French
    finally:
        apply_language(qapp, "en")


@pytest.mark.gui
def test_a_refused_zips_path_reads_whole_in_the_arabic_banner(arabic, own_settings, window, qtbot, tmp_path):
    """"/tmp/…/photos.zip ليس حزمة WTDC": the path keeps its leading slash, not "tmp/…/photos.zip/"."""
    import zipfile

    photos = tmp_path / "Downloads" / "photos.zip"
    photos.parent.mkdir()
    with zipfile.ZipFile(photos, "w") as z:
        z.writestr("photo.txt", "x")
    with qtbot.waitSignal(window.sync.failed, timeout=30000):
        window.sync.sync_path(photos)
    banner = next(t for t in window.banner_texts() if "manifest.json" in t)
    assert str(photos) in _drawn(banner), _drawn(banner)
