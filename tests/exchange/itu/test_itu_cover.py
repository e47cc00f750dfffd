"""Cover pages of ITU documents from .docx and PDF first pages, cross-checked with the file name."""

from __future__ import annotations

import pytest

from itu_fixtures import COVER_LINES, PROPOSALS_LINES, make_docx, make_pdf
from wtdc_desktop.domain.symbols import Symbol
from wtdc_desktop.exchange.itu.cover import check_against_name, parse_cover_text, read_cover
from wtdc_desktop.exchange.itu.filenames import parse_itu_filename
from wtdc_desktop.exchange.itu.xmlsafe import ItuError


def _check(cover):
    assert cover.symbol == Symbol("WTDC-22", 25, addendum=1, language="en")
    assert cover.date == "2022-05-02" and cover.original_language == "en"
    assert cover.source == "Member States of the Inter-American Telecommunication Commission (CITEL)"
    assert cover.title == "Inter-american proposals for the work of the conference"
    assert cover.summary == "CITEL proposes modifications of WTDC Resolution 37 and of Question 1/1."
    assert cover.expected_results == "The conference is invited to adopt the proposals."
    assert cover.references == "Resolution 37 (Rev. Buenos Aires, 2017)"


def test_conference_cover_from_text():
    _check(parse_cover_text("\n".join(COVER_LINES)))


def test_docx_cover_with_header_table(tmp_path):
    path = make_docx(tmp_path / "D22-WTDC-C-0025!A1!MSW-E.docx", COVER_LINES + PROPOSALS_LINES, header_table=True)
    _check(read_cover(path))


def test_pdf_cover_first_page_only(tmp_path):
    path = make_pdf(tmp_path / "D22-WTDC-C-0025!A1!PDF-E.pdf",
                    [COVER_LINES, ["Document WTDC-22/99-E", "Original: French"]])
    _check(read_cover(path))


@pytest.mark.parametrize(
    "text, symbol",
    [
        ("Document WTDC-21/25-E", Symbol("WTDC-21", 25, language="en")),
        ("Revision 1 to\nDocument TDAG-20/13-E", Symbol("TDAG-20", 13, revision=1, language="en")),
        ("Addendum 2 to Document 25-F", Symbol(None, 25, addendum=2, language="fr")),
        ("Document PP-22/79(Add.1)-S", Symbol("PP-22", 79, addendum=1, language="es")),
    ],
)
def test_symbol_forms(text, symbol):
    assert parse_cover_text(text).symbol == symbol


def test_labelled_study_group_cover():
    cover = parse_cover_text("\n".join([
        "INTERNATIONAL TELECOMMUNICATION UNION", "Document 1/123-E", "12 March 2024", "Original: French",
        "Question(s): 1/1", "Source: Administration of Senegal", "Title: Broadband policies in West Africa",
        "Abstract:", "A first line.", "A second line.", "", "Contact: someone",
    ]))
    assert (cover.source, cover.title, cover.questions) == ("Administration of Senegal", "Broadband policies in West Africa", "1/1")
    assert cover.summary == "A first line.\nA second line."
    assert cover.original_language == "fr" and cover.date == "2024-03-12"


def test_cross_check_with_the_file_name():
    cover = parse_cover_text("\n".join(COVER_LINES))
    same, problems = check_against_name(cover, parse_itu_filename("D22-WTDC-C-0025!A1!MSW-E.docx"))
    assert problems == [] and same.symbol.identity == "WTDC-22/25(Add.1)"
    _cover, problems = check_against_name(cover, parse_itu_filename("D22-WTDC-C-0026!A2!MSW-F.docx"))
    assert len(problems) == 1
    assert "D22-WTDC-C-0026!A2!MSW-F.docx" in problems[0] and "number, language, addendum" in problems[0]
    _cover, problems = check_against_name(parse_cover_text("Document TDAG-20/13-E"),
                                          parse_itu_filename("D22-WTDC-C-0013!!MSW-E.docx"))
    assert "meeting" in problems[0]


def test_unreadable_files(tmp_path):
    bad = tmp_path / "x.docx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ItuError, match="x.docx"):
        read_cover(bad)
    bad_pdf = tmp_path / "x.pdf"
    bad_pdf.write_bytes(b"%PDF-1.4 garbage")
    cover = None
    try:
        cover = read_cover(bad_pdf)
    except ItuError as exc:
        assert "x.pdf" in str(exc)
    else:
        assert cover.symbol is None
