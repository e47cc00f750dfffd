"""ITU meeting catalogs (``ITU_Meetings.xml``, ``ITU-D_NEW-Meetings.xml``, ``ITU-R_Meetings.xml``, ``ITU-T_Meetings.xml``).

A ``dataroot`` of entries (one element per meeting, named after the catalog, e.g. ``<ITU-T_Meetings>``)
with ``Meeting_code``, ``Start_meeting_date``, ``Meeting_place_date`` ("ITU-T SG 12, Geneva, 14-23 January
2025"), ``TD_date`` (yymmdd), ``FTP_path``, ``SG_Title``, ``SG_No_Period``, ``SG_Homepage`` and the per-series
list links ``Frame_src_C``, ``Frame_src_TD_GEN``... whose ``XF=`` parameter names the document list
(``../docs-dms/T25-SG12-C.xml``).
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from wtdc_desktop.exchange.itu.filenames import CONFERENCE_BODIES
from wtdc_desktop.exchange.itu.xmlsafe import ItuError, iso_date, parse_xml, read_limited, text_of
from wtdc_desktop.i18n import _

_MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"), 1)}
_MONTH = r"([A-Za-z]+)"
_RANGE_RE = re.compile(
    rf"^(\d{{1,2}})(?:\s+{_MONTH})?(?:\s+(\d{{4}}))?\s*[-–]\s*(\d{{1,2}})\s+{_MONTH}\s+(\d{{4}})$")
_SINGLE_RE = re.compile(rf"^(\d{{1,2}})\s+{_MONTH}\s+(\d{{4}})$")
_XF_RE = re.compile(r"(?:^|&)XF=([^&]+)")
_LIST_RE = re.compile(r"^(?P<prefix>.+?)-(?:(?P<date>\d{6})-)?(?P<series>[A-Z]+)\.xml$")
_PREFIX_RE = re.compile(r"^(?P<sector>[SDRT])(?P<period>\d{2})-(?P<group>[A-Z0-9]+(?:-[A-Z0-9]+)*)$")
_SECTOR_NAMES = {"S": "ITU", "D": "ITU-D", "R": "ITU-R", "T": "ITU-T"}


@dataclass(frozen=True)
class CatalogMeeting:
    """One catalog entry."""

    entry: int  # its position in the catalog (1-based)
    sector: str | None  # ITU, ITU-D, ITU-R, ITU-T
    code: str  # "ITU-T SG 12"
    start: dt.date | None
    end: dt.date | None
    place: str | None  # "Geneva"
    place_date: str | None
    td_date: str | None
    ftp_path: str | None
    group_title: str | None
    group_period: str | None  # "ITU-T Study Group 12 (Study Period 2025-2028)"
    homepage: str | None
    prefix: str | None  # "T25-SG12", from the list links
    lists: dict = field(default_factory=dict)  # "C", "TD_GEN"... -> document-list file name

    @property
    def object_name(self) -> str | None:
        """ITU's object name of the meeting (``T25-SG12-250909``), as document lists name it."""
        if self.prefix and self.td_date and re.fullmatch(r"\d{6}", self.td_date):
            return f"{self.prefix}-{self.td_date}"
        return None

    @property
    def id(self) -> str:
        """The meeting record id: the conference name where the group has one (``WTDC-22``), else ITU's
        object name of the meeting, else the code and the start date."""
        if self.object_name:
            return meeting_id_for(self.object_name)
        slug = re.sub(r"[^A-Za-z0-9]+", "-", self.code).strip("-")
        return f"{slug}-{self.start:%y%m%d}" if self.start else slug


@dataclass
class Catalog:
    where: str
    meetings: list[CatalogMeeting]
    problems: list[str] = field(default_factory=list)  # entries skipped, with the reason


def meeting_id_for(object_name: str) -> str:
    """Record id of a meeting named by ITU's object name: ``D22-WTDC-220606`` → ``WTDC-22``; others unchanged."""
    parts = object_name.split("-")
    match = _PREFIX_RE.match(object_name)
    if match and len(parts) >= 2:
        group = parts[1]
        body = re.match(rf"^({'|'.join(CONFERENCE_BODIES)})(\d{{2}})?$", group)
        if body:
            return f"{body.group(1)}-{body.group(2) or match.group('period')}"
    return object_name


def meeting_kind(group: str | None, code: str = "") -> str:
    """The bundle ``meeting.kind`` of a group (``WTDC`` conference, ``TDAG`` tdag, ``SG1`` study group...)."""
    text = (group or code or "").upper()
    if re.match(r"^(WTDC|PP|WTSA|WRC|RA|WCIT|WTPF)", text) or re.search(r"\b(WTDC|PP|WTSA|WRC)\b", code.upper()):
        return "conference"
    if text.startswith("TDAG") or "TDAG" in code.upper():
        return "tdag"
    if text.startswith("RPM") or "RPM" in code.upper():
        return "rpm"
    if re.match(r"^(SG|WP|RG|TSAG|RAG)", text) or re.search(r"\bSG\s*\d", code.upper()):
        return "study_group"
    return "other"


def parse_place_date(text: str | None) -> tuple[str | None, dt.date | None, dt.date | None]:
    """(place, first day, last day) of "ITU-T SG 12, Geneva, 14-23 January 2025"; None where not readable."""
    if not text:
        return None, None, None
    parts = [p.strip() for p in text.split(",")]
    when = parts[-1] if parts else ""
    start = end = None
    match = _RANGE_RE.match(when)
    try:
        if match:
            d1, m1, y1, d2, m2, y2 = match.groups()
            month2 = _MONTHS.get(m2.lower())
            month1 = _MONTHS.get(m1.lower()) if m1 else month2
            if month1 and month2:
                year2 = int(y2)
                year1 = int(y1) if y1 else (year2 - 1 if month1 > month2 else year2)
                start, end = dt.date(year1, month1, int(d1)), dt.date(year2, month2, int(d2))
        elif (single := _SINGLE_RE.match(when)) and _MONTHS.get(single.group(2).lower()):
            start = end = dt.date(int(single.group(3)), _MONTHS[single.group(2).lower()], int(single.group(1)))
    except ValueError:
        start = end = None
    place_parts = parts[1:-1] if start else parts[1:]
    place = ", ".join(p for p in place_parts if p) or None
    return place, start, end


def _lists(entry) -> dict[str, str]:
    lists = {}
    for child in entry:
        if not isinstance(child.tag, str) or not child.tag.startswith("Frame_src_") or not child.text:
            continue
        match = _XF_RE.search(child.text.strip())
        if match:
            lists[child.tag[len("Frame_src_"):]] = urllib.parse.unquote(match.group(1)).rsplit("/", 1)[-1]
    return lists


def _prefix(lists: dict[str, str]) -> str | None:
    for name in lists.values():
        match = _LIST_RE.match(name)
        if match and _PREFIX_RE.match(match.group("prefix")):
            return match.group("prefix")
    return None


def parse_catalog(data: bytes, where: str) -> Catalog:
    """The meetings of a catalog; ItuError when the file is not a readable catalog."""
    root = parse_xml(data, where)
    if root.tag != "dataroot":
        raise ItuError(_("{where} is not an ITU meeting catalog: its root element is <{tag}>, not <dataroot>.").format(
            where=where, tag=root.tag), where=where)
    meetings, problems = [], []
    for number, entry in enumerate(root, 1):
        if not isinstance(entry.tag, str):
            continue
        code = text_of(entry, "Meeting_code")
        if not code:
            problems.append(_("{where}, entry {number}: no Meeting_code; skipped.").format(where=where, number=number))
            continue
        place_date = text_of(entry, "Meeting_place_date")
        place, start, end = parse_place_date(place_date)
        start = iso_date(text_of(entry, "Start_meeting_date")) or start
        lists = _lists(entry)
        prefix = _prefix(lists)
        sector = None
        if prefix:
            sector = _SECTOR_NAMES.get(prefix[0])
        elif entry.tag.startswith("ITU"):
            sector = entry.tag.split("_", 1)[0].replace("-D_NEW", "-D")
        meetings.append(CatalogMeeting(
            entry=number, sector=sector, code=code, start=start, end=end, place=place, place_date=place_date,
            td_date=text_of(entry, "TD_date"), ftp_path=text_of(entry, "FTP_path"),
            group_title=text_of(entry, "SG_Title"), group_period=text_of(entry, "SG_No_Period"),
            homepage=text_of(entry, "SG_Homepage"), prefix=prefix, lists=lists,
        ))
    return Catalog(where, meetings, problems)


def read_catalog(path: Path | str) -> Catalog:
    return parse_catalog(read_limited(path), str(path))


def meeting_record(meeting: CatalogMeeting) -> dict:
    """The bundle ``meeting`` record of a catalog entry."""
    group = meeting.prefix.split("-", 1)[1] if meeting.prefix and "-" in meeting.prefix else None
    title = meeting.code
    if meeting.group_title and meeting.group_title not in title:
        title = f"{meeting.code}: {meeting.group_title}"
    record: dict = {"id": meeting.id, "kind": meeting_kind(group, meeting.code), "title": title}
    if meeting.place:
        record["city"] = meeting.place
    if meeting.start:
        record["starts_on"] = meeting.start.isoformat()
    if meeting.end and (not meeting.start or meeting.end >= meeting.start):
        record["ends_on"] = meeting.end.isoformat()
    if meeting.homepage and meeting.homepage.startswith("https://"):
        record["url"] = meeting.homepage
    return record
