"""A list's rows keep up with what changes around them: the interface language, the application's
font, the delegation's marks (each row's text and font are made once, when it is first painted)."""

from __future__ import annotations

from PySide6.QtCore import Qt


def _status_column(model) -> int:
    return model.columns.index("status")


def test_a_switch_of_language_translates_the_rows_already_shown(window):
    from wtdc_desktop.i18n import _
    from wtdc_desktop.ui.language import switch_language

    window.show_view("proposals")
    model = window.views["proposals"].model
    row = model.row_of("WD2/2.1")
    status = model.index(row, _status_column(model))
    english = model.data(status, Qt.DisplayRole)
    assert english in ("submitted", "under discussion", "agreed")
    try:
        switch_language("fr")
        assert model.data(status, Qt.DisplayRole) == _(english)  # "soumise", "en discussion"…
        assert model.data(status, Qt.DisplayRole) != english
    finally:
        switch_language("en")
    assert model.data(status, Qt.DisplayRole) == english


def test_unread_rows_are_bold_in_the_font_size_chosen_after_they_were_shown(window, qapp):
    from wtdc_desktop.ui.main_window import apply_font_size

    window.show_view("proposals")
    model = window.views["proposals"].model
    cell = model.index(model.row_of("WD2/2.1"), 1)
    before = qapp.font()
    size = model.data(cell, Qt.FontRole).pointSize()
    try:
        apply_font_size(size + 4)
        font = model.data(cell, Qt.FontRole)
        assert font.bold() and font.pointSize() == size + 4
    finally:
        qapp.setFont(before)


def test_a_filter_shows_the_rows_of_the_new_filter_with_their_own_text(window):
    window.show_view("documents")
    view = window.views["documents"]
    first = [view.model.data(view.model.index(r, 1), Qt.DisplayRole) for r in range(view.model.rowCount())]
    view.filter.setText(first[-1])
    view.apply_filter()
    ids = [view.model.record_id(r) for r in range(view.model.rowCount())]
    shown = [view.model.data(view.model.index(r, 1), Qt.DisplayRole) for r in range(view.model.rowCount())]
    assert shown == ids  # the symbol column shows each row's own id, not a row cached before the filter
    assert first[-1] in shown
