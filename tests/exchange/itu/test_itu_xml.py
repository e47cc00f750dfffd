"""ITU meeting catalogs and document lists, read through defusedxml; hostile and malformed XML refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from wtdc_desktop.exchange.itu.catalog import (
    meeting_id_for, meeting_record, parse_catalog, parse_place_date, read_catalog,
)
from wtdc_desktop.exchange.itu.doclist import parse_doclist, question_parts, read_doclist
from wtdc_desktop.exchange.itu.xmlsafe import ItuError, root_kind
from wtdc_desktop.domain.records import PUBLISHED_TYPES

DATA = Path(__file__).resolve().parents[2] / "data" / "itu"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<dataroot><ITU-T_Meetings><Meeting_code>&lol3;</Meeting_code></ITU-T_Meetings></dataroot>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE page_content [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<page_content><folder_list><folder><object_name>&secret;</object_name></folder></folder_list></page_content>"""


def test_catalog_entries():
    catalog = read_catalog(DATA / "ITU-T_Meetings.xml")
    (meeting,) = catalog.meetings
    assert meeting.code == "ITU-T SG 12"
    assert (meeting.start, meeting.end) == (dt.date(2025, 9, 9), dt.date(2025, 9, 18))
    assert meeting.place == "Geneva" and meeting.td_date == "250909" and meeting.ftp_path == "/t/2025/sg12/docs"
    assert meeting.prefix == "T25-SG12" and meeting.object_name == "T25-SG12-250909"
    assert meeting.lists == {"C": "T25-SG12-C.xml", "TD_GEN": "T25-SG12-250909-TD.xml"}
    assert meeting.sector == "ITU-T" and meeting.group_title == "Performance, QoS and QoE"
    assert meeting.group_period == "ITU-T Study Group 12 (Study Period 2025-2028)"
    record = meeting_record(meeting)
    PUBLISHED_TYPES["meeting"].validate(record)
    assert record == {"id": "T25-SG12-250909", "kind": "study_group", "title": "ITU-T SG 12: Performance, QoS and QoE",
                      "city": "Geneva", "starts_on": "2025-09-09", "ends_on": "2025-09-18",
                      "url": "https://www.itu.int/en/ITU-T/studygroups/2025-2028/12/Pages/default.aspx"}


def test_conference_catalog_and_skipped_entry():
    catalog = read_catalog(DATA / "ITU-D_NEW-Meetings.xml")
    wtdc, sg1 = catalog.meetings
    assert wtdc.id == "WTDC-22" and meeting_record(wtdc)["kind"] == "conference"
    assert (sg1.start, sg1.end) == (dt.date(2024, 10, 28), dt.date(2024, 11, 1))
    assert sg1.id == "D22-SG01-241028" and meeting_record(sg1)["kind"] == "study_group"
    assert len(catalog.problems) == 1 and "entry 3" in catalog.problems[0] and "Meeting_code" in catalog.problems[0]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ITU-T SG 12, Geneva, 14-23 January 2025", ("Geneva", dt.date(2025, 1, 14), dt.date(2025, 1, 23))),
        ("TDAG, Geneva, 30 May-2 June 2023", ("Geneva", dt.date(2023, 5, 30), dt.date(2023, 6, 2))),
        ("X, Online, 29 December - 3 January 2025", ("Online", dt.date(2024, 12, 29), dt.date(2025, 1, 3))),
        ("X, Kigali, 6 June 2022", ("Kigali", dt.date(2022, 6, 6), dt.date(2022, 6, 6))),
        ("X, Geneva, sometime", ("Geneva, sometime", None, None)),
        (None, (None, None, None)),
    ],
)
def test_place_and_dates(text, expected):
    assert parse_place_date(text) == expected


def test_meeting_ids():
    assert meeting_id_for("D22-WTDC-220606") == "WTDC-22"
    assert meeting_id_for("D22-WTDC21-211108") == "WTDC-21"
    assert meeting_id_for("D22-TDAG-230530") == "TDAG-22"
    assert meeting_id_for("T25-SG12-250909") == "T25-SG12-250909"


def test_document_list_with_questions_and_three_languages():
    doclist = read_doclist(DATA / "D22-WTDC-C.xml")
    assert (doclist.sector, doclist.study_period, doclist.group, doclist.doc_type) == ("D", "2022", "D22-WTDC", "C")
    assert doclist.meeting_name == "D22-WTDC-220606"
    assert (doclist.meeting_start, doclist.meeting_end) == (dt.date(2022, 6, 6), dt.date(2022, 6, 16))
    assert doclist.group_titles["fr"].startswith("Conférence mondiale")
    first, second = doclist.entries
    assert first.object_name == "D22-WTDC-C-0025" and first.doc_number == "0025"
    assert set(first.titles) == {"en", "fr", "es"}
    assert first.abstracts == {"en": "Common proposals of CITEL Member States on WTDC Resolutions and ITU-D Questions.",
                               "fr": "Propositions communes des États Membres de la CITEL."}
    assert first.questions == ("Q1/1", "Q7/2")
    assert first.main_source.endswith("(CITEL)") and first.reception_date == dt.date(2022, 5, 2)
    assert first.access_type == "P" and first.static_path == "/dms_inf/itu-d/md/22/wtdc/c"
    assert second.questions == () and second.md_part is None
    assert len(doclist.problems) == 1 and "entry 3" in doclist.problems[0]


def test_temporary_document_list():
    doclist = read_doclist(DATA / "T25-SG12-250909-TD.xml")
    (entry,) = doclist.entries
    assert (entry.subgroup, entry.doc_type, entry.questions) == ("GEN", "TD", ("Q2/12",))
    assert entry.titles == {"en": "Updated baseline text E.800: Definitions of terms related to quality of service"}


def test_question_parts():
    assert question_parts("Q2/12") == ("2", 12)
    assert question_parts("q 1 / 1") == ("1", 1)
    assert question_parts("Resolution 9") is None


def test_root_kind():
    assert root_kind((DATA / "ITU-T_Meetings.xml").read_bytes()) == "catalog"
    assert root_kind((DATA / "D22-WTDC-C.xml").read_bytes()) == "doclist"
    assert root_kind(b"<schedule/>") is None


def test_billion_laughs_refused():
    with pytest.raises(ItuError, match="entities"):
        parse_catalog(BILLION_LAUGHS, "ITU-T_Meetings.xml")


def test_external_entity_refused():
    with pytest.raises(ItuError, match="entities"):
        parse_doclist(EXTERNAL, "T25-SG12-C.xml")


def test_malformed_xml_names_file_and_line():
    with pytest.raises(ItuError) as info:
        parse_doclist(b"<?xml version='1.0'?>\n<page_content>\n<folder_list>\n<folder></folder_list>", "list.xml")
    assert info.value.where == "list.xml" and info.value.line == 4
    assert "list.xml, line 4" in str(info.value)


def test_wrong_root_and_size_limit(tmp_path):
    with pytest.raises(ItuError, match="not an ITU meeting catalog"):
        parse_catalog(b"<page_content/>", "x.xml")
    with pytest.raises(ItuError, match="not an ITU document list"):
        parse_doclist(b"<dataroot/>", "x.xml")
    big = tmp_path / "big.xml"
    big.write_bytes(b"<dataroot>" + b" " * 2048 + b"</dataroot>")
    from wtdc_desktop.exchange.itu.xmlsafe import read_limited
    with pytest.raises(ItuError, match="larger than"):
        read_limited(big, limit=1024)
