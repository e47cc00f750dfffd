"""The search window names a position or a note by its record, with a plain-text snippet."""

from __future__ import annotations


def test_search_window_shows_a_position_hit_by_symbol_and_title(qtbot, demo_store):
    from wtdc_desktop.store import positions
    from wtdc_desktop.ui.search import ROLE_HTML, ROLE_TARGET, SearchDialog

    pid = positions.save_position(demo_store, "proposal", "WD2/2.1", stance="support",
                                  brief="**Soutenir** la [proposition](https://example.org) telle quelle.")
    dialog = SearchDialog(demo_store)
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("position"))
    dialog.query.setText("Soutenir")
    dialog.run_search()
    items = [dialog.results.topLevelItem(i) for i in range(dialog.results.topLevelItemCount())]
    (hit,) = [i for i in items if i.data(0, ROLE_TARGET)]
    shown = hit.text(0) + " " + (hit.data(0, ROLE_HTML) or "")
    assert pid not in shown and hit.text(0) == "WD2/2.1"
    assert "Proposition 2.1" in hit.data(0, ROLE_HTML)
    assert "**" not in shown and "https://" not in shown and "proposition" in shown
    assert hit.data(0, ROLE_TARGET) == ("proposal", "WD2/2.1")
