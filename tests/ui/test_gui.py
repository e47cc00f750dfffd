"""The window, offscreen: first launch loads the demo, each view lists records, nothing loads remotely."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("own_settings")]


def test_first_launch_on_an_empty_store_loads_the_demo(window, qtbot):
    from wtdc_desktop.store import published

    assert published.counts(window.store)["proposal"] == 20
    assert "Last sync: demo" in window.sync_label.text()  # at once
    qtbot.waitUntil(lambda: "20 proposals" in window.statusBar().currentMessage())  # just after the first paint


# Contacts, Priorities and Agenda have views of their own, tested in test_negotiation_gui and test_agenda_gui.
@pytest.mark.parametrize("key, expected", [("documents", 2), ("resolutions", 4), ("proposals", 20),
                                           ("questions", 3)])
def test_each_list_view_shows_the_demo_records(window, key, expected):
    window.show_view(key)
    view = window.views[key]
    assert window.stack.currentWidget() is view
    assert view.model.rowCount() == expected


def test_filter_narrows_the_list_and_selection_shows_details(window, qtbot):
    window.show_view("proposals")
    view = window.views["proposals"]
    qtbot.keyClicks(view.filter, "interregionales")  # typed without accents
    with qtbot.waitSignal(view.model.modelReset):  # Enter filters at once (else after a short pause)
        qtbot.keyClick(view.filter, Qt.Key_Return)
    assert 0 < view.model.rowCount() < 20
    view.table.selectRow(0)
    html = view.detail.browser.toHtml()
    assert view.model.record_id(0) in html


def test_hostile_text_renders_with_nothing_active(qtbot):
    from wtdc_desktop.domain.render import markdown_to_html
    from wtdc_desktop.ui.browser import SafeTextBrowser

    hostile = ('<script>alert(1)</script> [js](javascript:alert(1)) [file](file:///etc/passwd) '
               '![img](https://example.org/x.png) <img src="https://example.org/y.png"> '
               '<iframe src="https://example.org"></iframe>')
    html = markdown_to_html(hostile)
    assert "<script" not in html and "javascript:" not in html and "file:" not in html
    assert "<img" not in html and "<iframe" not in html
    browser = SafeTextBrowser()
    qtbot.addWidget(browser)
    browser.setHtml(html)
    browser.show()
    qtbot.wait(10)
    assert browser.load_attempts == 0
