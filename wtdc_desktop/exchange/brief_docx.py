"""A brief pack as a Word document (python-docx): cover page, table of contents, positions side by side."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Mm, Pt, RGBColor

from wtdc_desktop.atomic import atomic_path
from wtdc_desktop.domain.brief import (
    TEXT_HEADING_LEVEL, counts_text, cover_lines, entry_heading, format_due, paper_size, region_label, text_direction,
)
from wtdc_desktop.domain.diff import word_diff
from wtdc_desktop.domain.positions import labels as all_labels
from wtdc_desktop.domain.render import markdown_to_html
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.exchange.brief_pdf import locale_territory
from wtdc_desktop.i18n import _, current_language, is_rtl


class BriefExportError(WtdcError):
    exit_code = 5


class _Blocks(HTMLParser):
    """Sanitised HTML (from Markdown) to plain paragraphs: enough for a brief in Word."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "br"}

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[tuple[str, str]] = []
        self._buf: list[str] = []
        self._kind = "p"

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self._flush()
            self._kind = tag if tag == "li" or (tag[0] == "h" and tag[1:].isdigit()) else "p"

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data):
        self._buf.append(data)

    def _flush(self):
        text = " ".join("".join(self._buf).split())
        if text:
            self.blocks.append((self._kind, text))
        self._buf = []

    def close(self):
        super().close()
        self._flush()


def markdown_blocks(text: str | None) -> list[tuple[str, str]]:
    parser = _Blocks()
    parser.feed(markdown_to_html(text))
    parser.close()
    return parser.blocks


def _rtl(paragraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    bidi = OxmlElement("w:bidi")
    bidi.set(qn("w:val"), "1")
    ppr.append(bidi)


def _toc_field(paragraph) -> None:
    """A Word table-of-contents field (Word fills in the page numbers when the document is opened)."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = 'TOC \\o "1-2" \\h \\z \\u'
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(instr)
    run._r.append(sep)
    paragraph.add_run(_("Right-click and choose “Update field” to show page numbers."))
    tail = paragraph.add_run()
    tail._r.append(end)


class _Writer:
    """Paragraphs and headings of one brief document, in the interface's direction."""

    def __init__(self, doc: Document, rtl: bool) -> None:
        self.doc = doc
        self.rtl = rtl

    def para(self, text: str = "", style: str | None = None, bold: bool = False, size: int | None = None,
             content: bool = False):
        """A paragraph; interface text follows the interface's direction, content its own."""
        p = self.doc.add_paragraph(style=style)
        if text:
            run = p.add_run(text)
            run.bold = bold
            if size:
                run.font.size = Pt(size)
        if (text_direction(text) == "rtl") if content else self.rtl:
            _rtl(p)
        return p

    def heading(self, text: str, level: int):
        h = self.doc.add_heading(text, level=level)
        if self.rtl:
            _rtl(h)
        return h

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _cover(w: _Writer, pack: dict, title: str | None) -> None:
    for _i in range(6):
        w.para()
    w.para(title or _("Brief pack"), style="Title")
    for kind, text in cover_lines(pack):
        w.para(text, size=16 if kind in ("delegation", "meeting") else 13, content=kind in ("meeting", "scope"))
    w.para(counts_text(pack))
    w.para(_("Internal to the delegation: positions, red lines and fallbacks are not for distribution.")).runs[0].italic = True
    w.page_break()


def _contents(w: _Writer, pack: dict, labels: dict) -> None:
    """A Word TOC field, and the outline written out so it reads without updating fields."""
    w.heading(_("Contents"), 1)
    _toc_field(w.para())
    w.para("1. " + _("Positions"))
    for i, entry in enumerate(pack["entries"], 1):
        w.para(f"    1.{i} {entry_heading(entry, labels['subject'])}")
    for n, label in enumerate((_("Documents"), _("Coordinators"), _("Deadlines")), 2):
        w.para(f"{n}. {label}")
    w.page_break()


def _position_table(w: _Writer, p: dict, labels: dict) -> None:
    table = w.doc.add_table(rows=0, cols=2)
    table.style = "Light List"
    for k, v in ((_("Our stance"), labels["stance"].get(p["stance"], p["stance"])),
                 (_("Priority"), labels["priority"].get(p.get("priority") or "", p.get("priority") or "–")),
                 (_("Status"), labels["status"].get(p.get("status") or "", p.get("status") or "")),
                 (_("Owner"), p.get("owner") or "–")):
        cells = table.add_row().cells
        cells[0].text = k
        cells[1].text = v


def _position_texts(w: _Writer, p: dict) -> None:
    for key, label in (("brief", _("Brief")), ("red_lines", _("Red lines")), ("fallback", _("Fallback"))):
        if p.get(key):
            w.heading(label, 3)
            for kind, text in markdown_blocks(p[key]):
                if kind.startswith("h"):  # the brief's own headings, nested below "Brief"
                    w.heading(text, min(9, TEXT_HEADING_LEVEL + int(kind[1:])))
                else:
                    w.para(text, style="List Bullet" if kind == "li" else None, content=True)


def _diff_paragraph(body, current_text: str, proposed_text: str) -> None:
    dp = body.add_paragraph()
    for op, text in word_diff(current_text, proposed_text):
        run = dp.add_run(text)
        if op == "insert":
            run.underline = True
            run.font.color.rgb = RGBColor(0x0B, 0x5D, 0x0B)
        elif op == "delete":
            run.font.strike = True
            run.font.color.rgb = RGBColor(0x8B, 0x11, 0x11)


def _proposal_cells(t, col: int, pr: dict, current: dict | None, labels: dict) -> None:
    head = t.cell(0, col).paragraphs[0].add_run("{id} · {regions} · {action}".format(
        id=pr["id"], regions=", ".join(region_label(r) for r in pr.get("regions") or pr.get("sources") or []),
        action=pr["action"]))
    head.bold = True
    body = t.cell(1, col)
    status = labels["proposal_status"].get(pr.get("status") or "", pr.get("status") or "")
    body.paragraphs[0].add_run(status).italic = True
    if pr.get("title"):
        body.add_paragraph().add_run(pr["title"]).bold = True
    if current and current.get("text") and pr.get("text") and pr["action"] == "MOD":
        _diff_paragraph(body, current["text"], pr["text"])
    else:
        for kind, text in markdown_blocks(pr.get("text")):
            body.add_paragraph().add_run(text).bold = kind.startswith("h")


def _proposals(w: _Writer, entry: dict, labels: dict) -> None:
    """The proposals on the position's subject, three to a table."""
    props = entry["proposals"]
    current = entry.get("current")
    if not props:
        return
    w.heading(_("Proposals side by side"), 3)
    for start in range(0, len(props), 3):
        chunk = props[start:start + 3]
        t = w.doc.add_table(rows=2, cols=len(chunk))
        t.style = "Table Grid"
        for col, pr in enumerate(chunk):
            _proposal_cells(t, col, pr, current, labels)
        w.para()


def _entry_coordinators(w: _Writer, entry: dict) -> None:
    coords = entry.get("coordinators") or []
    if not coords:
        return
    w.heading(_("Regional coordinators"), 3)
    for c in coords:
        bits = [f"{region_label(c.get('region'))}: {c.get('name')}"]
        if c.get("organization"):
            bits.append(f"({c['organization']})")
        if c.get("email"):
            bits.append(f"– {c['email']}")
        w.para(" ".join(bits), style="List Bullet")


def _positions(w: _Writer, pack: dict, labels: dict) -> None:
    w.heading("1. " + _("Positions"), 1)
    if not pack["entries"]:
        w.para(_("No position recorded for this scope."))
    for i, entry in enumerate(pack["entries"], 1):
        p = entry["position"]
        w.heading(f"1.{i} {entry_heading(entry, labels['subject'])}", 2)
        _position_table(w, p, labels)
        _position_texts(w, p)
        _proposals(w, entry, labels)
        _entry_coordinators(w, entry)


def _documents(w: _Writer, pack: dict) -> None:
    w.heading("2. " + _("Documents"), 1)
    for d in pack["documents"]:
        w.para("{}  {}".format(d['id'], d.get('title') or _('(not in the store)')), style="List Bullet")
    if not pack["documents"]:
        w.para(_("None."))


def _coordinators(w: _Writer, pack: dict) -> None:
    """Every coordinator of the pack, by region, with the items they coordinate."""
    w.heading("3. " + _("Coordinators"), 1)
    seen: dict[str, tuple[dict, list[str]]] = {}
    for entry in pack["entries"]:
        for c in entry.get("coordinators") or []:
            seen.setdefault(c["id"], (c, []))[1].append(entry["position"]["subject"]["id"])
    if not seen:
        w.para(_("None."))
        return
    t = w.doc.add_table(rows=1, cols=6)
    t.style = "Table Grid"
    for col, label in enumerate((_("Region"), _("Name"), _("Organization"), _("E-mail"), _("Phone"), _("Items"))):
        t.cell(0, col).text = label
    for c, items in sorted(seen.values(), key=lambda v: (v[0].get("region") or "", v[0].get("name") or "")):
        cells = t.add_row().cells
        for col, value in enumerate((region_label(c.get("region")), c.get("name"), c.get("organization"), c.get("email"),
                                     c.get("phone"), ", ".join(items))):
            cells[col].text = value or ""


def _deadlines(w: _Writer, pack: dict) -> None:
    w.heading("4. " + _("Deadlines"), 1)
    for d in pack["deadlines"]:
        w.para(f"{format_due(d.get('due'))} – {d.get('title')}", style="List Bullet")
    if not pack["deadlines"]:
        w.para(_("No deadline ahead."))


def build_docx(pack: dict, *, title: str | None = None) -> Document:
    labels = all_labels()
    rtl = is_rtl()
    lang = current_language()
    doc = Document()
    section = doc.sections[0]  # the paper of the user's locale, as the PDF's
    if paper_size(locale_territory()) == "Letter":
        section.page_width, section.page_height = Inches(8.5), Inches(11)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    styles = doc.styles
    styles["Normal"].font.size = Pt(10.5)
    w = _Writer(doc, rtl)
    _cover(w, pack, title)
    _contents(w, pack, labels)
    _positions(w, pack, labels)
    _documents(w, pack)
    _coordinators(w, pack)
    _deadlines(w, pack)
    if any(len(e["proposals"]) > 2 for e in pack["entries"]):
        section = doc.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    doc.core_properties.title = title or _("Brief pack")
    doc.core_properties.language = lang
    return doc


def write_docx(pack: dict, out: Path | str, *, title: str | None = None) -> Path:
    """Write the brief pack to ``out`` (through a temporary file: never a half-written document)."""
    out = Path(out)
    doc = build_docx(pack, title=title)
    try:
        with atomic_path(out, private=True) as tmp:  # owner-only, as a brief's positions are the delegation's
            doc.save(tmp)
    except OSError as exc:
        raise BriefExportError(_("Could not write {path}: {reason}.").format(
            path=out, reason=exc.strerror or exc)) from exc
    return out
