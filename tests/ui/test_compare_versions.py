"""Comparing versions works for every type with text: proposals and documents as resolutions and Questions."""

from __future__ import annotations

import json
import shutil

import pytest

from helpers import DEMO_SOURCE, read_records, run_cli, set_header, write_records


@pytest.fixture
def revised_store(demo_store, tmp_path):
    """The demo, then its next bundle, where proposal WD2/2.1's text and status and document
    TDAG-WD2-20/1's title and summary changed."""
    from wtdc_desktop.bundles.apply import apply_bundle

    src = tmp_path / "revised"
    shutil.copytree(DEMO_SOURCE, src)
    manifest = json.loads((src / "manifest.json").read_text("utf-8"))
    set_header(src, sequence=manifest["sequence"] + 1)
    proposals = read_records(src, "proposal")
    for p in proposals:
        if p["id"] == "WD2/2.1":
            p["text"] = "Texte révisé : les discussions porteront sur le financement du développement."
            p["status"] = "agreed"
    write_records(src, "proposal", proposals)
    documents = read_records(src, "document")
    for d in documents:
        if d["id"] == "TDAG-WD2-20/1":
            d["title"] = d["title"] + " (révisé)"
            d["summary"] = "Résumé révisé du dialogue."
    write_records(src, "document", documents)
    code, _out, err = run_cli("bundle", "build", src, "--out", tmp_path / "revised.wtdc.zip")
    assert code == 0, err
    apply_bundle(demo_store, tmp_path / "revised.wtdc.zip", source="test")
    return demo_store


def test_a_changed_proposal_shows_its_text_and_status_compared(qtbot, revised_store):
    from wtdc_desktop.ui.detail import DetailPane

    pane = DetailPane(revised_store)
    qtbot.addWidget(pane)
    pane.show_record("proposal", "WD2/2.1")
    assert not pane.compare_from.isHidden() and pane.compare_from.count() == 2
    text = pane.browser.toPlainText()
    assert "Changes from version 1 to current" in text
    html = pane.browser.toHtml()
    assert "Texte révisé" in text and "line-through" in html and "underline" in html  # struck through, underlined
    assert "submitted" in text and "agreed" in text  # the status before and after, in words
    pane.compare_from.setCurrentIndex(1)  # the current version against itself: nothing struck through
    assert "line-through" not in pane.browser.toHtml() and "Texte révisé" in pane.browser.toPlainText()


def test_a_changed_document_compares_title_and_summary(qtbot, revised_store):
    from wtdc_desktop.ui.detail import DetailPane

    pane = DetailPane(revised_store)
    qtbot.addWidget(pane)
    pane.show_record("document", "TDAG-WD2-20/1")
    text = pane.browser.toPlainText()
    assert "Changes from version 1 to current" in text and "Résumé révisé du dialogue." in text
    assert "(révisé)" in text


def test_what_changed_opens_the_comparison_of_a_changed_record(qtbot, revised_store):
    from PySide6.QtCore import Qt

    from wtdc_desktop.ui.changes import ChangesView

    view = ChangesView(revised_store)
    qtbot.addWidget(view)
    rows = []

    def walk(item):
        for i in range(item.childCount()):
            rows.append(item.child(i))
            walk(item.child(i))

    for i in range(view.tree.topLevelItemCount()):
        top = view.tree.topLevelItem(i)
        rows.append(top)
        view.tree.expandItem(top)
        walk(top)
    (row,) = [r for r in rows if r.data(0, Qt.UserRole) == ("proposal", "WD2/2.1")]
    view.tree.setCurrentItem(row)
    text = view.detail.browser.toPlainText()
    # the comparison comes first, under the title, before the proposal's fields
    assert "Changes from version 1 to current" in text
    assert text.index("Changes from version 1 to current") < text.index("Submitted by")


def test_cli_history_compare_shows_a_proposal_word_by_word(revised_store):
    code, out, err = run_cli("history", "proposal", "WD2/2.1", "--compare", "--data-dir", revised_store.data_dir)
    assert code == 0, err
    assert "== Text ==" in out and "{+Texte révisé" in out and "[-" in out
    assert "== Status ==" in out and "[-submitted-]{+agreed+}" in out
    code, out, err = run_cli("history", "document", "TDAG-WD2-20/1", "--compare", "--data-dir",
                             revised_store.data_dir)
    assert code == 0 and "== Summary ==" in out and "(révisé)+}" in out, err


def test_every_type_with_text_has_compared_fields_in_the_registry():
    from wtdc_desktop.domain.records import PUBLISHED_TYPES

    assert PUBLISHED_TYPES["proposal"].compared == ("text", "reasons", "status", "action")
    assert PUBLISHED_TYPES["document"].compared == ("title", "summary", "text")
    for t in PUBLISHED_TYPES.values():
        assert all(t.spec(name) is not None for name in t.compared), t.name


def test_choosing_versions_in_compare_shows_their_comparison_first(qtbot, revised_store):
    """"Compare: version 1 / current" chosen by hand: the changes head the pane, not below the whole text."""
    from wtdc_desktop.ui.detail import DetailPane

    pane = DetailPane(revised_store)
    qtbot.addWidget(pane)
    pane.show_record("proposal", "WD2/2.1")
    assert "Changes from" not in pane.browser.toPlainText().split("Text")[0]  # opened from a list: the record first
    pane.compare_from.setCurrentIndex(1)
    pane.compare_from.setCurrentIndex(0)  # version 1 against current, chosen
    text = pane.browser.toPlainText()
    assert text.index("Changes from version 1 to current") < text.index("Submitted by"), text


def test_the_marks_column_shows_a_changed_records_marks_whole(qtbot, revised_store):
    """"★ ✎ changed" in the list's first column, not "✎ chan…"."""
    from PySide6.QtGui import QFontMetrics

    from wtdc_desktop.store import record_marks
    from wtdc_desktop.ui.lists import RecordListView

    record_marks.set_star(revised_store, "proposal", "WD2/2.1")
    record_marks.save_note(revised_store, "proposal", "WD2/2.1", "À voir.")
    view = RecordListView(revised_store, "proposal")
    qtbot.addWidget(view)
    view.resize(1280, 700)
    view.show()
    view.model.refresh_marks()
    row = next(r for r in range(view.model.rowCount()) if view.model.index(r, 1).data() == "WD2/2.1")
    text = view.model.index(row, 0).data()
    assert text == "★ ✎ changed"
    bold = view.table.font()
    bold.setBold(True)
    assert view.table.columnWidth(0) >= QFontMetrics(bold).horizontalAdvance(text) + 8


@pytest.mark.parametrize("lang, fields", [("en", "Status, Text"), ("fr", "Statut, Texte")])
def test_what_changed_names_the_changed_fields_in_the_interface_language(qtbot, qapp, revised_store, lang, fields):
    """"Statut, Texte" in French (and "Status, Text" in English), not the fields' codes "status, text"."""
    from PySide6.QtCore import Qt

    from wtdc_desktop.ui.app import apply_language
    from wtdc_desktop.ui.changes import ChangesView

    apply_language(qapp, lang)
    try:
        view = ChangesView(revised_store)
        qtbot.addWidget(view)
        rows = []
        for i in range(view.tree.topLevelItemCount()):
            top = view.tree.topLevelItem(i)
            view.tree.expandItem(top)
            rows += [top] + [top.child(j) for j in range(top.childCount())]
        (row,) = [r for r in rows if r.data(0, Qt.UserRole) == ("proposal", "WD2/2.1")]
        assert row.text(3) == fields
    finally:
        apply_language(qapp, "en")
