"""Positions belong on the record: the detail pane shows ours and opens its editor; New position
picks its target from the store; Today and the session pane link to the position."""

from __future__ import annotations

import datetime as dt

BRIEF = "Soutenir la **proposition**.\nDeuxième ligne.\nTroisième ligne.\nQuatrième ligne.\nCinquième ligne cachée."


def test_detail_pane_shows_our_position_and_opens_its_editor(qtbot, demo_store):
    from wtdc_desktop.store import positions
    from wtdc_desktop.ui.detail import DetailPane

    pane = DetailPane(demo_store)
    qtbot.addWidget(pane)
    pane.show_record("proposal", "WD2/2.1")
    assert pane.position_button.text() == "Write position" and not pane.position_button.isHidden()
    assert "The delegation has no position on this yet." in pane.browser.toPlainText()
    positions.save_position(demo_store, "proposal", "WD2/2.1", stance="support_with_amendments", priority="high",
                            owner="Awa", brief=BRIEF)
    pane.show_record("proposal", "WD2/2.1")
    text = pane.browser.toPlainText()
    assert pane.position_button.text() == "Edit position"
    assert "Support with amendments" in text and "High" in text and "Awa" in text
    assert "Soutenir la proposition." in text and "**" not in text  # the brief rendered, not raw Markdown
    assert "Quatrième ligne." in text and "Cinquième" not in text  # its first lines only
    assert text.index("Our position") < text.index("Submitted by")  # under the title, before the fields
    with qtbot.waitSignal(pane.navigate) as signal:
        pane.position_button.click()
    assert signal.args == ["position", "proposal/WD2/2.1"]
    pane.show_record("session", pane.store.execute("SELECT id FROM session LIMIT 1").fetchone()[0])
    assert pane.position_button.isHidden()  # a session carries no position of its own


def test_edit_position_in_the_window_opens_the_editor_on_the_record(window):
    win = window
    assert win.open_record("proposal", "WD2/2.3")
    detail = win.current_detail()
    detail.position_button.click()
    assert win.current_key() == "positions"
    editor = win.views["positions"].positions.editor
    assert editor.subject == ("proposal", "WD2/2.3") and editor.save_button.isEnabled()
    assert "WD2/2.3" in editor.heading.toPlainText()
    editor.stance.setCurrentIndex(editor.stance.findData("oppose"))
    editor.owner.setText("Ben")
    assert editor.save()
    win.show_view("proposals")  # back on the record: its pane says the position just written
    assert detail.position_button.text() == "Edit position"
    assert "Oppose" in detail.browser.toPlainText() and "Ben" in detail.browser.toPlainText()


def test_new_position_completes_on_symbol_and_title_and_refuses_what_the_store_lacks(qtbot, demo_store):
    from wtdc_desktop.ui.positions import NewPositionDialog

    dialog = NewPositionDialog(demo_store)
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("proposal"))
    offered = dialog.complete("HAUT segment")
    assert offered == [o for o in offered if o.startswith("WD2/2.3 — Proposition 2.3")] and offered
    assert dialog.completer.model().stringList() == offered
    dialog.ident.setText(offered[0])
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.chosen_target == ("proposal", "WD2/2.3")

    again = NewPositionDialog(demo_store)
    qtbot.addWidget(again)
    again.kind.setCurrentIndex(again.kind.findData("proposal"))
    again.ident.setText("WTDC/999")
    again.accept()
    assert again.result() != again.DialogCode.Accepted and again.chosen_target is None
    assert "Proposal “WTDC/999” is not in the store" in again.chosen.text()
    again.ident.setText("wd2/2.1")  # typed as the store does not spell it: the store's own record
    again.accept()
    assert again.chosen_target == ("proposal", "WD2/2.1")


def test_today_links_a_missing_position_to_its_editor(qtbot, demo_store):
    from wtdc_desktop.ui.today import TodayView

    view = TodayView(demo_store, now=lambda: dt.datetime(2021, 1, 1, 9, tzinfo=dt.timezone.utc))
    qtbot.addWidget(view)
    html = view.browser.toHtml()
    assert "wtdc:position/proposal%2F" in html


def test_a_position_link_opens_the_editor_and_a_save_keeps_the_stores_id(window):
    from wtdc_desktop.store import positions

    win = window
    assert win.open_record("position", "proposal/wd2/2.2")  # a link as the agenda and Today write them
    editor = win.views["positions"].positions.editor
    assert win.current_key() == "positions" and editor.subject == ("proposal", "wd2/2.2")
    assert editor.save()
    assert editor.subject == ("proposal", "WD2/2.2")
    assert [p["subject"]["id"] for p in positions.list_positions(win.store)] == ["WD2/2.2"]
    assert "WD2/2.2" in editor.heading.toPlainText()
