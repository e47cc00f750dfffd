"""Smaller things a delegate meets in the first hour: agendas numbered once, times across midnight
without seconds, a matrix row proposed by no region named as such."""

from __future__ import annotations

import datetime as dt
import re

UTC = dt.timezone.utc


def _list_text(html: str) -> list[str]:
    """The agenda lines as a reader sees them: a numbered list's own number, then the item's text."""
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(html)
    lines, block = [], doc.begin()
    while block.isValid():
        text_list = block.textList()
        marker = text_list.itemText(block) if text_list is not None else ""
        lines.append((marker + " " + block.text()).strip())
        block = block.next()
    return lines


def test_a_session_agenda_is_numbered_once(demo_store, qapp):
    from wtdc_desktop.domain.render import record_detail_html
    from wtdc_desktop.domain.session_details import session_html
    from wtdc_desktop.store import published
    from wtdc_desktop.store import sessions as sa

    details = sa.session_details(demo_store, "WTDC-21/S11")
    assert [item.item for item in details.agenda] == ["1", "2"]
    for html in (session_html(details, [], UTC, UTC),
                 record_detail_html("session", published.get_record(demo_store, "session", "WTDC-21/S11"))):
        lines = [line for line in _list_text(html) if "Manifestations thématiques" in line]
        assert lines and lines[0].startswith("1. Manifestations"), lines  # never "1. 1 Manifestations"


def test_published_numbers_that_are_not_1_2_3_are_kept(qapp):
    from wtdc_desktop.domain.render import list_numbers_agenda

    assert list_numbers_agenda(["1", "2", "3"]) and list_numbers_agenda(["1.", "2."])
    assert not list_numbers_agenda(["4.1", "4.2"]) and not list_numbers_agenda(["2", "3"])


def test_a_span_across_midnight_has_no_seconds():
    from wtdc_desktop.instants import format_time_range

    for lang in ("en", "fr", "ar", "zh"):
        text = format_time_range("2026-11-08T21:00:00Z", "2026-11-09T01:00:00Z", "UTC", lang=lang)
        assert not re.search(r"\d:\d\d:\d\d", text), (lang, text)
        assert "8" in text and "9" in text  # both days said


def test_a_target_proposed_by_the_bdt_alone_is_not_called_one_region():
    from wtdc_desktop.domain import matrix

    rows = matrix.build_matrix([{"id": "WD2/1.1", "action": "ADD", "sources": ["BDT"],
                                 "target": {"type": "other", "id": "x"}}], {"BDT": None})
    assert rows[0].assessment == matrix.NO_REGION
    assert matrix.ASSESSMENT_LABELS[rows[0].assessment] == "No region proposed it (other sources only)"
    assert matrix.summary(rows)[matrix.NO_REGION] == 1
    one = matrix.build_matrix([{"id": "A/1", "action": "ADD", "sources": ["AFR"],
                                "target": {"type": "other", "id": "x"}}], {})
    assert one[0].assessment == matrix.SINGLE

