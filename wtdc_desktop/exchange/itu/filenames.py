"""ITU file names: ``<sector><period>-<group>-[<yymmdd>-TD-<subgroup>-]<series>-<number>!<part>!<format>-<lang>.<ext>``.

Real forms: ``T25-SG12-C-0001!!MSW-E.docx``, ``T25-SG12-C-0005!R1!MSW-E.docx`` (revision 1),
``T25-SG12-C-0167!R1!ZIP-E.zip``, ``R19-WP5A-C-0221!N16!MSW-E.docx`` (annex part 16),
``D22-WTDC-C-0025!A1!MSW-E.docx`` (addendum 1), ``T25-SG12-250909-TD-GEN-0292!!MSW-E.docx`` (a TD,
whose series is ``TD`` and whose subgroup is ``GEN``), and web pages ``T25-SG12-C-0001-E.htm``.

A name that does not fit is refused with a reason; a part code that cannot be interpreted is kept as
``unknown`` with its raw text and reported, never guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from wtdc_desktop.domain.constants import SYMBOL_LETTERS
from wtdc_desktop.domain.symbols import Symbol
from wtdc_desktop.i18n import _

#: Sector letters: S general secretariat (Plenipotentiary, Council), D development, R radio, T standardization.
SECTORS = {"S": "ITU", "D": "ITU-D", "R": "ITU-R", "T": "ITU-T"}
#: Formats and the extensions each may carry.
FORMATS = {
    "MSW": (".docx", ".doc", ".rtf"),
    "PDF": (".pdf",),
    "ZIP": (".zip",),
    "HTM": (".htm", ".html"),
    "TXT": (".txt",),
}
#: Part codes: the letter and the kind of part it names.
PART_KINDS = {"R": "revision", "A": "addendum", "C": "corrigendum", "N": "annex"}
#: Groups whose documents carry conference symbols (``WTDC-21/25``): the group's body name.
CONFERENCE_BODIES = ("WTDC", "TDAG", "PP", "WTSA", "WRC", "RA", "CWG", "WCIT", "WTPF", "RPM")
#: Document kind (bundle ``document.kind``) per series.
SERIES_KINDS = {
    "C": "contribution",
    "TD": "temporary",
    "DT": "temporary",
    "INF": "information",
    "ADM": "administrative",
    "R": "report",
    "COL": "other",
    "LS": "other",
}

_NAME_RE = re.compile(
    r"""^(?P<sector>[A-Z])(?P<period>[0-9]{2})
        -(?P<group>[A-Z0-9]+(?:-[A-Z0-9]+)*?)
        -(?:(?P<date>[0-9]{6})-TD-(?P<subgroup>[A-Z0-9]+)|(?P<series>[A-Z]+))
        -(?P<number>[0-9]{1,6})
        (?:!(?P<part>[^!]*)!(?P<format>[A-Z]+))?
        -(?P<lang>[A-Z])
        \.(?P<ext>[A-Za-z0-9]{1,8})$""",
    re.VERBOSE,
)
_PART_RE = re.compile(r"^([A-Z])([0-9]{1,4})$")
_BODY_RE = re.compile(rf"^(?P<body>{'|'.join(CONFERENCE_BODIES)})-?(?P<year>[0-9]{{2}})?$")


@dataclass(frozen=True)
class ItuFileName:
    """One parsed ITU file name. ``number`` keeps its leading zeros as ITU writes them."""

    name: str
    sector: str
    period: str
    group: str
    date: dt.date | None
    subgroup: str | None
    series: str
    number: str
    part_kind: str  # original | revision | addendum | corrigendum | annex | unknown
    part_number: int | None
    part_raw: str
    format: str
    language: str  # ITU letter: A C E F R S
    extension: str

    @property
    def object_name(self) -> str:
        """ITU's object name of the document (as in document lists): ``T25-SG12-250909-TD-GEN-0292``."""
        head = f"{self.sector}{self.period}-{self.group}"
        if self.subgroup is not None and self.date is not None:
            return f"{head}-{self.date:%y%m%d}-TD-{self.subgroup}-{self.number}"
        return f"{head}-{self.series}-{self.number}"

    @property
    def language_code(self) -> str:
        """The language code (``en``, ``fr``...) of the file's language letter."""
        return SYMBOL_LETTERS[self.language]

    @property
    def kind(self) -> str:
        """The bundle ``document.kind`` of the series."""
        return SERIES_KINDS.get(self.series, "other")

    @property
    def is_unknown_part(self) -> bool:
        return self.part_kind == "unknown"

    def version_key(self) -> str:
        """The document version the file belongs to: the object name plus addendum/revision/corrigendum.

        Language versions and annex parts of one version share it.
        """
        if self.part_kind in ("original", "annex"):
            return self.object_name
        if self.part_kind == "unknown":
            return f"{self.object_name}!{self.part_raw}"
        return f"{self.object_name}!{self.part_raw}"


@dataclass(frozen=True)
class NameRefusal:
    """A file name that does not fit the convention, and why."""

    name: str
    reason: str


def _part(raw: str) -> tuple[str, int | None]:
    if raw == "":
        return "original", None
    match = _PART_RE.match(raw)
    if match and match.group(1) in PART_KINDS:
        return PART_KINDS[match.group(1)], int(match.group(2))
    return "unknown", None


def parse_itu_filename(name: str) -> ItuFileName | NameRefusal:
    """Parse a file name (no folder) by ITU's convention; a :class:`NameRefusal` says why it does not fit."""
    match = _NAME_RE.match(name)
    if not match:
        return NameRefusal(name, _("the name does not follow ITU's convention "
                                   "(such as T25-SG12-C-0001!!MSW-E.docx)"))
    sector = match.group("sector")
    if sector not in SECTORS:
        return NameRefusal(name, _("“{letter}” is not an ITU sector letter (S, D, R or T)").format(letter=sector))
    lang = match.group("lang")
    if lang not in SYMBOL_LETTERS:
        return NameRefusal(name, _("“{letter}” is not an ITU language letter (A, C, E, F, R or S)").format(letter=lang))
    ext = "." + match.group("ext").lower()
    fmt = match.group("format")
    if fmt is None:
        if ext not in FORMATS["HTM"]:
            return NameRefusal(name, _("only web pages (.htm) may be named without a part and format "
                                       "(such as !!MSW)"))
        fmt = "HTM"
    elif fmt not in FORMATS:
        return NameRefusal(name, _("“{format}” is not a known ITU file format (MSW, PDF, ZIP or HTM)").format(
            format=fmt))
    if ext not in FORMATS[fmt]:
        return NameRefusal(name, _("the format {format} does not match the extension {ext}").format(
            format=fmt, ext=ext))
    date = None
    if match.group("date"):
        try:
            date = dt.datetime.strptime(match.group("date"), "%y%m%d").date()
        except ValueError:
            return NameRefusal(name, _("“{date}” is not a date (yymmdd)").format(date=match.group("date")))
    raw = match.group("part") or ""
    kind, number = _part(raw)
    return ItuFileName(
        name=name, sector=sector, period=match.group("period"), group=match.group("group"), date=date,
        subgroup=match.group("subgroup"), series=match.group("series") or "TD", number=match.group("number"),
        part_kind=kind, part_number=number, part_raw=raw, format=fmt, language=lang, extension=ext,
    )


def conference_meeting(group: str, period: str) -> str | None:
    """The symbol prefix of a group that uses conference symbols: ``WTDC`` in period 22 → ``WTDC-22``,
    ``WTDC21`` → ``WTDC-21``; None for a group numbered by object names (study groups, working parties)."""
    match = _BODY_RE.match(group)
    if not match:
        return None
    return f"{match.group('body')}-{match.group('year') or period}"


def document_symbol(parsed: ItuFileName, meeting: str | None = None) -> Symbol | None:
    """The document symbol of a file (``WTDC-21/25(Add.1)``), or None when its meeting has no conference symbols.

    ``meeting`` is the symbol prefix to use (``WTDC-21``) for a group that has conference symbols; without it
    the prefix comes from the group (:func:`conference_meeting`). Only contributions (series C) carry symbols; an annex part is a file of
    its document; an unknown part gives no symbol (it is never guessed).
    """
    if parsed.series != "C" or parsed.part_kind == "unknown":
        return None
    prefix = conference_meeting(parsed.group, parsed.period)
    if prefix is None:
        return None
    prefix = meeting or prefix
    extra = {}
    if parsed.part_kind in ("revision", "addendum", "corrigendum"):
        extra[parsed.part_kind] = parsed.part_number
    return Symbol(meeting=prefix, number=int(parsed.number), **extra)


def parse_object_name(object_name: str) -> ItuFileName | NameRefusal:
    """An ITU object name (``D22-WTDC-C-0025``, ``T25-SG12-250909-TD-GEN-0292``) read as a file name would be."""
    parsed = parse_itu_filename(f"{object_name}-E.htm")
    if isinstance(parsed, NameRefusal):
        return NameRefusal(object_name, _("“{name}” is not an ITU object name (such as T25-SG12-C-0001)").format(
            name=object_name))
    return parsed
