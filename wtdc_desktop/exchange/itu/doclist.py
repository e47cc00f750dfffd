"""ITU document lists (``T25-SG12-C.xml``, ``T25-SG12-250909-TD.xml``...).

``page_content`` with ``page_param`` (sector, study_period, group, doc_type), ``group_desc``,
``meeting_desc`` (object_name, ltitle_e/f/s, start_date, end_date) and ``folder_list/folder`` entries:
object_name, doc_number, doc_type, subgroup, main_source, reception_date, meeting_name, ltitle_e/f/s,
abstract_e/f/s, study_questions/rvalue (``Q2/12``), derived_from, access_type, md_part, static_path.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from wtdc_desktop.exchange.itu.xmlsafe import ItuError, iso_date, parse_xml, read_limited, text_of
from wtdc_desktop.i18n import _

#: ITU's e/f/s title suffixes and the language codes they stand for.
TITLE_LANGUAGES = {"e": "en", "f": "fr", "s": "es"}
_QUESTION_RE = re.compile(r"^Q\s*(\d{1,3}(?:-\d{1,2})?)\s*/\s*(\d{1,2})$", re.IGNORECASE)


@dataclass(frozen=True)
class DocEntry:
    """One ``folder`` of a document list."""

    entry: int
    object_name: str
    doc_number: str | None
    doc_type: str | None
    subgroup: str | None
    main_source: str | None
    reception_date: dt.date | None
    meeting_name: str | None
    titles: dict  # language code -> title
    abstracts: dict  # language code -> abstract
    questions: tuple  # ("Q2/12", ...) as written
    derived_from: tuple
    access_type: str | None
    md_part: str | None
    static_path: str | None


@dataclass
class DocList:
    where: str
    sector: str | None
    study_period: str | None
    group: str | None
    doc_type: str | None
    group_titles: dict
    meeting_name: str | None
    meeting_titles: dict
    meeting_start: dt.date | None
    meeting_end: dt.date | None
    entries: list[DocEntry]
    problems: list[str] = field(default_factory=list)


def _per_language(element, stem: str) -> dict:
    out = {}
    for suffix, code in TITLE_LANGUAGES.items():
        value = text_of(element, f"{stem}_{suffix}")
        if value:
            out[code] = value
    return out


def _values(element, name: str) -> tuple:
    holder = element.find(name)
    if holder is None:
        return ()
    values = [(child.text or "").strip() for child in holder if isinstance(child.tag, str)]
    if not values and holder.text and holder.text.strip():
        values = [p.strip() for p in re.split(r"[,;]", holder.text)]
    return tuple(v for v in values if v)


def question_parts(text: str) -> tuple[str, int] | None:
    """("2", 12) for ``Q2/12``; None when the text is not a Question reference."""
    match = _QUESTION_RE.match(text.strip())
    return (match.group(1), int(match.group(2))) if match else None


def parse_doclist(data: bytes, where: str) -> DocList:
    """The entries of a document list; ItuError when the file is not a readable document list."""
    root = parse_xml(data, where)
    if root.tag != "page_content":
        raise ItuError(_("{where} is not an ITU document list: its root element is <{tag}>, not <page_content>.").format(
            where=where, tag=root.tag), where=where)
    param = root.find("page_param")
    group_desc = root.find("group_desc")
    meeting = root.find("meeting_desc")
    empty = root.makeelement("none", {})
    param = param if param is not None else empty
    group_desc = group_desc if group_desc is not None else empty
    meeting = meeting if meeting is not None else empty
    entries, problems = [], []
    folder_list = root.find("folder_list")
    for number, folder in enumerate(folder_list.findall("folder") if folder_list is not None else [], 1):
        name = text_of(folder, "object_name")
        if not name:
            problems.append(_("{where}, entry {number}: no object_name; skipped.").format(where=where, number=number))
            continue
        entries.append(DocEntry(
            entry=number, object_name=name, doc_number=text_of(folder, "doc_number"),
            doc_type=text_of(folder, "doc_type"), subgroup=text_of(folder, "subgroup"),
            main_source=text_of(folder, "main_source"), reception_date=iso_date(text_of(folder, "reception_date")),
            meeting_name=text_of(folder, "meeting_name"), titles=_per_language(folder, "ltitle"),
            abstracts=_per_language(folder, "abstract"), questions=_values(folder, "study_questions"),
            derived_from=_values(folder, "derived_from"), access_type=text_of(folder, "access_type"),
            md_part=text_of(folder, "md_part"), static_path=text_of(folder, "static_path"),
        ))
    return DocList(
        where=where, sector=text_of(param, "sector"), study_period=text_of(param, "study_period"),
        group=text_of(param, "group"), doc_type=text_of(param, "doc_type"),
        group_titles=_per_language(group_desc, "ltitle"), meeting_name=text_of(meeting, "object_name"),
        meeting_titles=_per_language(meeting, "ltitle"), meeting_start=iso_date(text_of(meeting, "start_date")),
        meeting_end=iso_date(text_of(meeting, "end_date")), entries=entries, problems=problems,
    )


def read_doclist(path: Path | str) -> DocList:
    return parse_doclist(read_limited(path), str(path))
