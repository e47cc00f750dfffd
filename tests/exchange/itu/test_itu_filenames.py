"""ITU file names: the real forms, their parts, their refusals and their document symbols."""

from __future__ import annotations

import datetime as dt

import pytest

from wtdc_desktop.exchange.itu.filenames import (
    ItuFileName, NameRefusal, conference_meeting, document_symbol, parse_itu_filename, parse_object_name,
)


def _parse(name: str) -> ItuFileName:
    parsed = parse_itu_filename(name)
    assert isinstance(parsed, ItuFileName), parsed
    return parsed


@pytest.mark.parametrize(
    "name, kind, number, fmt, ext",
    [
        ("T25-SG12-C-0001!!MSW-E.docx", "original", None, "MSW", ".docx"),
        ("T25-SG12-C-0005!R1!MSW-E.docx", "revision", 1, "MSW", ".docx"),
        ("T25-SG12-C-0167!R1!ZIP-E.zip", "revision", 1, "ZIP", ".zip"),
        ("R19-WP5A-C-0221!N16!MSW-E.docx", "annex", 16, "MSW", ".docx"),
        ("D22-WTDC-C-0025!A1!MSW-E.docx", "addendum", 1, "MSW", ".docx"),
        ("S22-PP-C-0079!C2!PDF-F.pdf", "corrigendum", 2, "PDF", ".pdf"),
    ],
)
def test_real_forms(name, kind, number, fmt, ext):
    parsed = _parse(name)
    assert (parsed.part_kind, parsed.part_number, parsed.format, parsed.extension) == (kind, number, fmt, ext)
    assert parsed.series == "C" and parsed.kind == "contribution"


def test_all_fields_of_a_contribution():
    parsed = _parse("T25-SG12-C-0005!R1!MSW-E.docx")
    assert (parsed.sector, parsed.period, parsed.group, parsed.series, parsed.number) == ("T", "25", "SG12", "C", "0005")
    assert parsed.date is None and parsed.subgroup is None
    assert parsed.part_raw == "R1" and parsed.language == "E" and parsed.language_code == "en"
    assert parsed.object_name == "T25-SG12-C-0005"


def test_temporary_document_with_date_and_subgroup():
    parsed = _parse("T25-SG12-250909-TD-GEN-0292!!MSW-E.docx")
    assert parsed.date == dt.date(2025, 9, 9)
    assert (parsed.subgroup, parsed.series, parsed.number) == ("GEN", "TD", "0292")
    assert parsed.kind == "temporary"
    assert parsed.object_name == "T25-SG12-250909-TD-GEN-0292"


def test_web_page_without_part_and_format():
    parsed = _parse("T25-SG12-C-0001-F.htm")
    assert (parsed.format, parsed.language, parsed.part_kind) == ("HTM", "F", "original")


@pytest.mark.parametrize("letter", list("ACEFRS"))
def test_every_language_letter(letter):
    assert _parse(f"D22-WTDC-C-0025!!MSW-{letter}.docx").language == letter


def test_unknown_part_is_kept_raw_never_guessed():
    parsed = _parse("T25-SG12-C-0001!X9!MSW-E.docx")
    assert (parsed.part_kind, parsed.part_number, parsed.part_raw) == ("unknown", None, "X9")
    assert parsed.is_unknown_part
    assert document_symbol(_parse("D22-WTDC-C-0001!X9!MSW-E.docx")) is None
    assert _parse("D22-WTDC-C-0001!A1R1!MSW-E.docx").part_kind == "unknown"


@pytest.mark.parametrize(
    "name, words",
    [
        ("notes from the meeting.docx", "convention"),
        ("X25-SG12-C-0001!!MSW-E.docx", "sector"),
        ("T25-SG12-C-0001!!MSW-G.docx", "language"),
        ("T25-SG12-C-0001!!PDF-E.docx", "does not match"),
        ("T25-SG12-C-0001!!XLS-E.xlsx", "format"),
        ("T25-SG12-C-0001-E.docx", "web pages"),
        ("T25-SG12-251399-TD-GEN-0001!!MSW-E.docx", "date"),
    ],
)
def test_refusals_say_why(name, words):
    refusal = parse_itu_filename(name)
    assert isinstance(refusal, NameRefusal)
    assert refusal.name == name and words in refusal.reason


def test_language_versions_share_a_version_and_revisions_do_not():
    e, f = _parse("D22-WTDC-C-0025!A1!MSW-E.docx"), _parse("D22-WTDC-C-0025!A1!PDF-F.pdf")
    assert e.version_key() == f.version_key()
    assert _parse("T25-SG12-C-0005!R1!MSW-E.docx").version_key() != _parse("T25-SG12-C-0005!!MSW-E.docx").version_key()
    assert _parse("R19-WP5A-C-0221!N16!MSW-E.docx").version_key() == "R19-WP5A-C-0221"


def test_document_symbols_where_the_meeting_has_conference_symbols():
    assert document_symbol(_parse("D22-WTDC-C-0025!A1!MSW-E.docx")).identity == "WTDC-22/25(Add.1)"
    assert document_symbol(_parse("D22-WTDC21-C-0025!!MSW-E.docx")).identity == "WTDC-21/25"
    assert document_symbol(_parse("D20-TDAG-C-0013!R1!MSW-E.docx")).identity == "TDAG-20/13(Rev.1)"
    assert document_symbol(_parse("S22-PP-C-0079!A1!MSW-E.docx")).identity == "PP-22/79(Add.1)"
    assert document_symbol(_parse("D22-WTDC-C-0025!A1!MSW-E.docx"), meeting="WTDC-21").identity == "WTDC-21/25(Add.1)"
    # study groups and working parties are named by object names, not symbols
    assert document_symbol(_parse("T25-SG12-C-0001!!MSW-E.docx")) is None
    assert document_symbol(_parse("T25-SG12-250909-TD-GEN-0292!!MSW-E.docx")) is None
    assert conference_meeting("SG12", "25") is None
    assert document_symbol(_parse("T25-SG12-C-0001!!MSW-E.docx"), meeting="T25-SG12-250909") is None
    assert parse_object_name("D22-WTDC-C-0025").object_name == "D22-WTDC-C-0025"
    assert isinstance(parse_object_name("minutes"), NameRefusal)
