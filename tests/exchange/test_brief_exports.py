"""Brief packs a delegation can hand out: paper of the locale, a cover page, nested headings, no past
deadline, dates without seconds, labels instead of codes."""

from __future__ import annotations

import re

import pytest

BRIEF = "# Goal\n\nKeep the interregional meetings.\n\n## Fallback wording\n\nA light format."


@pytest.fixture
def pack(demo_store):
    from wtdc_desktop.store import brief_packs, positions
    from wtdc_desktop.store.delegation_merge import _set_setting

    positions.save_position(demo_store, "proposal", "WD2/1.1", stance="support", brief=BRIEF, owner="Awa")
    with demo_store.transaction() as conn:
        _set_setting(conn, "delegation_id", "KEN")
    return brief_packs.brief_pack(demo_store, session="WTDC-21/S02")


def _pdf(pack, path, qapp):
    import pypdf

    from wtdc_desktop.exchange.brief_pdf import write_pdf

    write_pdf(pack, path)
    reader = pypdf.PdfReader(str(path))
    box = reader.pages[0].mediabox
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    return (round(float(box.width)), round(float(box.height))), text


@pytest.mark.parametrize("territory, paper", [("US", "Letter"), ("CA", "Letter"), ("MX", "Letter"), ("PH", "Letter"),
                                              ("FR", "A4"), ("KE", "A4"), ("CN", "A4"), ("", "A4")])
def test_the_paper_is_letter_only_where_it_is_the_custom(territory, paper):
    from wtdc_desktop.domain.brief import paper_size

    assert paper_size(territory) == paper


@pytest.mark.parametrize("locale_name, points, inches", [("en_US.UTF-8", (612, 792), (8.5, 11.0)),
                                                         ("en_KE.UTF-8", (595, 842), (8.27, 11.69)),
                                                         ("fr_CA.UTF-8", (612, 792), (8.5, 11.0))])
def test_pdf_and_docx_are_on_the_same_paper_the_locale_uses(pack, tmp_path, qapp, monkeypatch, locale_name,
                                                            points, inches):
    from wtdc_desktop.exchange.brief_docx import build_docx

    monkeypatch.setenv("LC_PAPER", locale_name)
    size, _text = _pdf(pack, tmp_path / "brief.pdf", qapp)
    assert size == points
    section = build_docx(pack).sections[-1]
    assert (round(section.page_width.inches, 2), round(section.page_height.inches, 2)) == inches


def test_the_cover_names_the_delegation_the_meeting_and_the_date(pack, tmp_path, qapp):
    from wtdc_desktop.exchange.brief_docx import build_docx

    _size, text = _pdf(pack, tmp_path / "brief.pdf", qapp)
    cover = text.split("Contents")[0]
    assert "Delegation: KEN" in cover and "CMDT-21" in cover and "Addis-Abeba, Ethiopia" in cover
    assert re.search(r"Prepared on \d{1,2} \w+ 20\d\d", cover)
    paragraphs = [p.text for p in build_docx(pack).paragraphs]
    cover_docx = paragraphs[:paragraphs.index("Contents")]
    assert "Delegation: KEN" in cover_docx and any("CMDT-21" in p for p in cover_docx)


def test_the_cover_writes_the_delegation_id_in_capitals_whatever_the_setting_holds(demo_store):
    """A migration lower-cased the remembered ``delegation_id``: the cover still reads "KEN"."""
    from wtdc_desktop.domain.brief import cover_lines
    from wtdc_desktop.store import brief_packs
    from wtdc_desktop.store.delegation_merge import _set_setting

    with demo_store.transaction() as conn:
        _set_setting(conn, "delegation_id", "ken")
    lines = dict(cover_lines(brief_packs.brief_pack(demo_store, session="WTDC-21/S02")))
    assert lines["delegation"] == "Delegation: KEN"


def test_a_briefs_headings_sit_below_the_section_they_are_in(pack):
    from wtdc_desktop.domain.brief import brief_html
    from wtdc_desktop.domain.positions import labels
    from wtdc_desktop.exchange.brief_docx import build_docx

    html = brief_html(pack, labels=labels())
    assert re.search(r"<h4[^>]*>Goal</h4>", html) and re.search(r"<h5[^>]*>Fallback wording</h5>", html)
    assert not re.search(r"<h1[^>]*>Goal", html)
    styles = {p.text: p.style.name for p in build_docx(pack).paragraphs}
    assert styles["Brief"] == "Heading 3"
    assert styles["Goal"] == "Heading 4" and styles["Fallback wording"] == "Heading 5"


def test_no_past_deadline_and_no_seconds_in_dates(pack, tmp_path, qapp):
    from wtdc_desktop.domain.brief import format_due
    from wtdc_desktop.exchange.brief_docx import build_docx

    assert pack["deadlines"] == []  # the demo's deadlines (2021) are past
    _size, text = _pdf(pack, tmp_path / "brief.pdf", qapp)
    assert "[Exemple]" not in text.split("Deadlines")[-1]
    due = format_due("2031-10-18T23:59:00+02:00")
    assert "2031" in due and "UTC+02:00" in due and not re.search(r"\d:\d\d:\d\d", due)
    docx_text = "\n".join(p.text for p in build_docx(pack).paragraphs)
    assert not re.search(r"\d:\d\d:\d\d", text) and not re.search(r"\d:\d\d:\d\d", docx_text)


def test_values_are_shown_with_their_labels_not_codes(pack, tmp_path, qapp):
    from wtdc_desktop.exchange.brief_docx import build_docx

    _size, text = _pdf(pack, tmp_path / "brief.pdf", qapp)
    assert "WD2/1.1 · Other sources · ADD" in text and "OTHER" not in text  # BDT is no region
    cells = [c.text for t in build_docx(pack).tables for row in t.rows for c in row.cells]
    assert any("Other sources" in c for c in cells) and not any("OTHER" in c for c in cells)
