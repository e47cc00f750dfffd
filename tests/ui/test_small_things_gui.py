"""Smaller things of the window: a 15-minute session shows its title, the assignment controls show no
member without a session, a visible focus ring, menus with access keys and a key for Sync."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.gui

UTC = dt.timezone.utc


def test_a_fifteen_minute_session_shows_its_title_in_the_day_grid(qtbot, monkeypatch):
    from wtdc_desktop.domain.sessions import Session
    from wtdc_desktop.ui.agenda import day_grid

    start = dt.datetime(2030, 6, 3, 9, 0, tzinfo=UTC)
    short = Session("S1", "Coffee with the chair of Committee 4", start, start + dt.timedelta(minutes=15),
                    room="Room 1")
    grid = day_grid.DayGrid()
    qtbot.addWidget(grid)
    grid.set_day(start.date(), UTC, [short])
    grid.resize(500, grid.sizeHint().height())
    drawn = []
    real = day_grid._draw_text
    monkeypatch.setattr(day_grid, "_draw_text", lambda p, rect, text, *a, **k: (
        drawn.append((rect, text)), real(p, rect, text, *a, **k)))
    grid.grab()
    box = grid.session_rect("S1")
    inside = [(rect, text) for rect, text in drawn if box.contains(rect.center())]
    titles = [text for rect, text in inside if text.startswith("Coffee")]
    assert titles, inside  # the title is drawn (elided if it must be), not clipped away
    rect = next(r for r, t in inside if t.startswith("Coffee"))
    assert rect.top() >= box.top() - 1 and rect.bottom() <= box.bottom() + 1


def test_the_assignment_controls_show_no_member_when_no_session_is_chosen(qtbot, demo_store):
    from wtdc_desktop.store import sessions as sa
    from wtdc_desktop.ui.agenda import AgendaView

    sa.save_member(demo_store, "Amina")
    sa.save_member(demo_store, "Ben")
    view = AgendaView(demo_store)
    qtbot.addWidget(view)
    view.select_session("WTDC-21/S02")
    box = view.pane.member_box
    box.setCurrentIndex(box.findData("Ben"))
    view.pane.show_session(None, [], UTC)
    assert box.currentText() == "" and not box.isEnabled()
    assert box.placeholderText() == "—" and box.toolTip() == "Choose a session first"
    view.select_session("WTDC-21/S03")
    assert box.currentText() == "Ben" and box.isEnabled()  # the member chosen comes back with a session
    assert box.toolTip() == ""


def test_the_navigation_list_draws_a_visible_focus_ring(window, qtbot):
    window.activateWindow()
    window.nav.setFocus()
    qtbot.waitUntil(window.nav.hasFocus)
    focused = window.nav.grab().toImage()
    window.stack.setFocus()
    qtbot.waitUntil(lambda: not window.nav.hasFocus())
    unfocused = window.nav.grab().toImage()
    highlight = window.nav.palette().highlight().color()
    border = [(x, 0) for x in range(focused.width())] + [(0, y) for y in range(focused.height())]
    ring = sum(1 for x, y in border if focused.pixelColor(x, y) == highlight)
    assert ring > len(border) // 2
    assert sum(1 for x, y in border if unfocused.pixelColor(x, y) == highlight) < ring // 4


@pytest.mark.parametrize("lang", ["en", "fr", "ar", "zh"])
def test_every_menu_entry_has_its_own_access_key_and_sync_has_keys(own_settings, qtbot, data_dir, lang):
    from helpers import dispose
    from wtdc_desktop.i18n import set_language
    from wtdc_desktop.ui.app import open_window

    set_language(lang)
    win = open_window(data_dir)
    try:
        for menu_action in win.menuBar().actions():
            entries = [a.text() for a in menu_action.menu().actions() if not a.isSeparator()]
            keys = []
            for text in entries:
                plain = text.replace("&&", "")
                assert plain.count("&") == 1, text
                keys.append(plain[plain.index("&") + 1].lower())
            assert len(set(keys)) == len(keys), entries
        bound = [k.toString() for a in win.shortcut_actions for k in a.shortcuts()]
        assert len(bound) == len(set(bound))  # no key does two things
        sync_entries = [a for a in win.shortcut_actions if a.shortcuts() and "Ctrl+Shift+R" in
                        [k.toString() for k in a.shortcuts()]]
        assert len(sync_entries) == 1
        sync_entries[0].trigger()
        assert win.current_key() == "sync"
    finally:
        dispose(win)
        set_language("en")


def test_mnemonics_for_labels_without_a_latin_letter_follow_their_language():
    from wtdc_desktop.ui.menus import with_mnemonics

    assert with_mnemonics(["Today", "Tools", "&Quit"]) == ["&Today", "T&ools", "&Quit"]
    assert with_mnemonics(["今天", "同步"]) == ["今天(&1)", "同步(&2)"]


def test_every_save_dialog_of_the_window_goes_through_the_remembered_folders():
    """No export asks for a file from the working directory: each uses ui/save_dialogs.py."""
    from pathlib import Path

    import wtdc_desktop.ui as ui

    root = Path(ui.__file__).parent
    direct = [str(p.relative_to(root)) for p in root.rglob("*.py")
              if p.name != "save_dialogs.py" and "getSaveFileName" in p.read_text("utf-8")]
    assert direct == []
