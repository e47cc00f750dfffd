"""The cover block of an ITU document, read from the first page of a .docx (python-docx) or a PDF (pypdf).

A cover names the document ("Document WTDC-21/25-E", "Addendum 1 to Document 25-E", "Revision 1 to
Document TDAG-20/13-E"), its date, "Original: English", its source, title and often a Summary or
Abstract, Expected results and References. Study-group contributions label them ("Source:", "Title:",
"Abstract:"); conference documents write source and title as the lines after "Original:".
:func:`parse_cover_text` is pure; :func:`read_cover` reads a file's first page.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from wtdc_desktop.domain.constants import SYMBOL_LETTERS
from wtdc_desktop.domain.symbols import Symbol
from wtdc_desktop.exchange.itu.filenames import ItuFileName, document_symbol
from wtdc_desktop.exchange.itu.xmlsafe import ItuError
from wtdc_desktop.i18n import _

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_DATE_LINE_RE = re.compile(rf"^(\d{{1,2}})\s+({'|'.join(_MONTHS)})\s+(\d{{4}})$", re.IGNORECASE)
_PART_WORDS = {"revision": "revision", "addendum": "addendum", "corrigendum": "corrigendum"}
_SYMBOL_RE = re.compile(
    r"(?P<parts>(?:(?:Revision|Addendum|Corrigendum)\s+\d{1,4}\s+to\s+)*)"
    r"Document\s+(?:(?P<meeting>[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*)/)?(?P<number>\d{1,6})"
    r"(?P<suffixes>(?:\((?:Rev|Add|Corr)\.\d{1,4}\))*)-(?P<lang>[EFSACR])\b",
    re.IGNORECASE,
)
_PART_RE = re.compile(r"(Revision|Addendum|Corrigendum)\s+(\d{1,4})\s+to", re.IGNORECASE)
_SUFFIX_RE = re.compile(r"\((Rev|Add|Corr)\.(\d{1,4})\)", re.IGNORECASE)
_HEADER_MEETING_RE = re.compile(r"\((?P<meeting>(?:WTDC|TDAG|PP|WTSA|WRC|RA|RPM)[A-Z0-9-]*-\d{2})\)")
_ORIGINAL_RE = re.compile(r"^Original\s*:\s*(?P<language>[A-Za-z]+)", re.IGNORECASE)
_LABELS = {
    "source": ("source", "sources"),
    "title": ("title",),
    "summary": ("summary", "abstract"),
    "expected_results": ("expected results", "expected result"),
    "references": ("references", "reference"),
    "questions": ("question", "questions", "question(s)"),
    "keywords": ("keywords",),
    "contact": ("contact",),
}
_LABEL_RE = re.compile(r"^(?P<label>[A-Za-z][A-Za-z ()]{2,24}?)\s*:\s*(?P<rest>.*)$")
_LANGUAGE_NAMES = {"english": "en", "french": "fr", "spanish": "es", "arabic": "ar", "chinese": "zh",
                   "russian": "ru"}
#: Blocks of a .docx read for the cover (paragraphs and table cells), and the cover's largest text.
COVER_BLOCKS = 120
COVER_CHARS = 20000
DOCX_MAX_UNCOMPRESSED = 256 * 1024 * 1024
DOCX_MAX_RATIO = 200.0


@dataclass(frozen=True)
class Cover:
    symbol: Symbol | None = None
    symbol_text: str | None = None
    date: str | None = None  # ISO date
    original_language: str | None = None  # language code
    source: str | None = None
    title: str | None = None
    summary: str | None = None
    expected_results: str | None = None
    references: str | None = None
    questions: str | None = None


def _lines(text: str) -> list[str]:
    return [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.replace("\r", "\n").split("\n")]


def _symbol(text: str) -> tuple[Symbol | None, str | None]:
    flat = re.sub(r"\s+", " ", text)
    match = _SYMBOL_RE.search(flat)
    if not match:
        return None, None
    values: dict[str, int] = {}
    for word, number in _PART_RE.findall(match.group("parts")):
        values[_PART_WORDS[word.lower()]] = int(number)
    for kind, number in _SUFFIX_RE.findall(match.group("suffixes") or ""):
        values[{"rev": "revision", "add": "addendum", "corr": "corrigendum"}[kind.lower()]] = int(number)
    meeting = match.group("meeting")
    if meeting is None:
        header = _HEADER_MEETING_RE.search(flat[: match.start()])
        meeting = header.group("meeting") if header else None
    symbol = Symbol(meeting=meeting.upper() if meeting else None, number=int(match.group("number")),
                    language=SYMBOL_LETTERS[match.group("lang").upper()], **values)
    return symbol, match.group(0)


def _label(line: str) -> tuple[str, str] | None:
    match = _LABEL_RE.match(line)
    if not match:
        return None
    name = match.group("label").strip().lower()
    for key, names in _LABELS.items():
        if name in names:
            return key, match.group("rest").strip()
    return None


def _date_of(match: re.Match) -> str | None:
    """The ISO date of a "2 May 2022" line (None for "31 February")."""
    month = _MONTHS.index(match.group(2).lower()) + 1
    try:
        return dt.date(int(match.group(3)), month, int(match.group(1))).isoformat()
    except ValueError:
        return None


#: Fields that run over several lines until a blank one; the others take one line.
_MULTILINE = ("summary", "expected_results", "references")


class _CoverScan:
    """The date, original language and labelled fields of a cover's lines, in one pass."""

    def __init__(self) -> None:
        self.date: str | None = None
        self.original: str | None = None
        self.original_at: int | None = None
        self.current: str | None = None
        self.collected: dict[str, list[str]] = {}

    def line(self, index: int, line: str) -> None:
        if self.date is None and (match := _DATE_LINE_RE.match(line)):
            self.date = _date_of(match)
            return
        if self.original is None and (match := _ORIGINAL_RE.match(line)):
            self.original = _LANGUAGE_NAMES.get(match.group("language").lower())
            self.original_at = index
            self.current = None
            return
        labelled = _label(line)
        if labelled:
            self.current, rest = labelled
            self.collected.setdefault(self.current, [])
            if rest:
                self.collected[self.current].append(rest)
            return
        self.continued(line)

    def continued(self, line: str) -> None:
        """A line after a label: more of a multi-line field, or the value of a one-line field."""
        current = self.current
        if current in _MULTILINE:
            if line:
                self.collected[current].append(line)
            elif self.collected[current]:
                self.current = None
        elif current and line:
            self.collected[current].append(line)
            self.current = None if current in ("source", "title") else current

    def fields(self) -> dict[str, str]:
        return {key: "\n".join(parts) if key in _MULTILINE else " ".join(parts)
                for key, parts in self.collected.items() if parts}


def _conference_fields(lines: list[str], original_at: int, fields: dict[str, str]) -> None:
    """Conference form: the source, then the title (often in capitals), follow "Original:"."""
    following = []
    for line in lines[original_at + 1:]:
        if not line:
            continue
        if _label(line) or _SYMBOL_RE.search(line):
            break
        following.append(line)
        if len(following) == 2:
            break
    if following and "source" not in fields:
        fields["source"] = following[0]
        following = following[1:]
    if following and "title" not in fields:
        title = following[0]
        fields["title"] = title.capitalize() if title.isupper() else title


def parse_cover_text(text: str) -> Cover:
    """The cover fields of a first page's text (pure)."""
    text = text[:COVER_CHARS]
    lines = _lines(text)
    symbol, symbol_text = _symbol(text)
    scan = _CoverScan()
    for index, line in enumerate(lines):
        scan.line(index, line)
    fields = scan.fields()
    if scan.original_at is not None and ("source" not in fields or "title" not in fields):
        _conference_fields(lines, scan.original_at, fields)
    return Cover(symbol=symbol, symbol_text=symbol_text, date=scan.date, original_language=scan.original,
                 source=fields.get("source"), title=fields.get("title"), summary=fields.get("summary"),
                 expected_results=fields.get("expected_results"), references=fields.get("references"),
                 questions=fields.get("questions"))


# --- first pages -----------------------------------------------------------------------------------------

def _check_docx(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ItuError(_("{where} is not a readable .docx file ({reason}).").format(where=path, reason=exc),
                       where=str(path)) from None
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > DOCX_MAX_UNCOMPRESSED or total / packed > DOCX_MAX_RATIO:
        raise ItuError(_("{where} would expand to {size} bytes, too much to read safely.").format(
            where=path, size=total), where=str(path))


def docx_first_page(path: Path | str) -> str:
    """Text of a .docx's first page: paragraphs and table cells in body order, up to the first page break."""
    import docx  # python-docx
    from docx.oxml.ns import qn

    path = Path(path)
    _check_docx(path)
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # noqa: BLE001 - hostile files make the library raise anything
        raise ItuError(_("{where} is not a readable .docx file ({reason}).").format(
            where=path, reason=str(exc) or type(exc).__name__), where=str(path)) from None
    parts: list[str] = []
    blocks = 0

    def paragraph_text(p) -> tuple[str, bool]:
        texts, brk = [], False
        for node in p.iter():
            if node.tag == qn("w:t") and node.text:
                texts.append(node.text)
            elif node.tag == qn("w:tab"):
                texts.append("\t")
            elif node.tag == qn("w:br"):
                if node.get(qn("w:type")) == "page":
                    brk = True
                    break
                texts.append("\n")
        return "".join(texts), brk

    for child in document.element.body.iterchildren():
        if blocks >= COVER_BLOCKS:
            break
        if child.tag == qn("w:p"):
            text, brk = paragraph_text(child)
            parts.append(text)
            blocks += 1
            if brk:
                break
        elif child.tag == qn("w:tbl"):
            for p in child.iter(qn("w:p")):
                parts.append(paragraph_text(p)[0])
                blocks += 1
    return "\n".join(parts)


def pdf_first_page(path: Path | str) -> str:
    from pypdf import PdfReader

    path = Path(path)
    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            raise ItuError(_("{where} is an encrypted PDF.").format(where=path), where=str(path))
        if not reader.pages:
            return ""
        return (reader.pages[0].extract_text() or "")[:COVER_CHARS]
    except ItuError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise ItuError(_("{where} is not a readable PDF file ({reason}).").format(
            where=path, reason=str(exc) or type(exc).__name__), where=str(path)) from None


def read_cover(path: Path | str) -> Cover:
    """The cover of a .docx or .pdf file (an empty Cover for other kinds); ItuError when unreadable."""
    suffix = Path(path).suffix.lower()
    if suffix == ".docx":
        return parse_cover_text(docx_first_page(path))
    if suffix == ".pdf":
        return parse_cover_text(pdf_first_page(path))
    return Cover()


def check_against_name(cover: Cover, parsed: ItuFileName, *, meeting: str | None = None) -> tuple[Cover, list[str]]:
    """Cross-check a cover's symbol with the file name: (the cover with its symbol completed, disagreements).

    The number, addendum, corrigendum, revision and language must agree; a cover symbol without a meeting
    ("Addendum 1 to Document 25-E") takes the meeting of the name's symbol.
    """
    problems: list[str] = []
    if cover.symbol is None:
        return cover, problems
    symbol = cover.symbol
    expected = document_symbol(parsed, meeting)
    if expected is not None and symbol.meeting is None:
        symbol = replace(symbol, meeting=expected.meeting)
        cover = replace(cover, symbol=symbol)
    named = {"number": int(parsed.number), "language": parsed.language_code,
             "revision": parsed.part_number if parsed.part_kind == "revision" else None,
             "addendum": parsed.part_number if parsed.part_kind == "addendum" else None,
             "corrigendum": parsed.part_number if parsed.part_kind == "corrigendum" else None}
    if parsed.part_kind in ("annex", "unknown"):
        named.pop("revision"), named.pop("addendum"), named.pop("corrigendum")
    differs = [key for key, value in named.items() if getattr(symbol, key) != value]
    if expected is not None and symbol.meeting and expected.meeting != symbol.meeting:
        differs.append("meeting")
    if differs:
        problems.append(_("{name}: the cover names “{cover}”, which does not match the file name ({fields}).").format(
            name=parsed.name, cover=cover.symbol_text, fields=", ".join(differs)))
    return cover, problems
