"""Fixture files for the ITU readers: Word documents (python-docx), PDFs (written by hand) and a proposals text."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

COVER_LINES = [
    "World Telecommunication Development Conference 2022 (WTDC-22)",
    "Kigali, Rwanda, 6-16 June 2022",
    "PLENARY MEETING",
    "Addendum 1 to",
    "Document 25-E",
    "2 May 2022",
    "Original: English",
    "Member States of the Inter-American Telecommunication Commission (CITEL)",
    "INTER-AMERICAN PROPOSALS FOR THE WORK OF THE CONFERENCE",
    "Summary:",
    "CITEL proposes modifications of WTDC Resolution 37 and of Question 1/1.",
    "",
    "Expected results:",
    "The conference is invited to adopt the proposals.",
    "",
    "References:",
    "Resolution 37 (Rev. Buenos Aires, 2017)",
]

PROPOSALS_LINES = [
    "",
    "ADD\tIAP/25A1/1",
    "DRAFT NEW RESOLUTION [IAP-1]",
    "Connecting schools",
    "The World Telecommunication Development Conference (Kigali, 2022),",
    "resolves",
    "1\tto connect every school;",
    "Reasons:\tSchools are not yet connected.",
    "",
    "MOD\tIAP/25A1/2",
    "RESOLUTION 37 (REV. BUENOS AIRES, 2017)",
    "Bridging the digital divide",
    "resolves",
    "1\tto bridge the divide faster;",
    "Reasons:\tTo update the resolution.",
    "",
    "SUP*\tIAP/25A1/3",
    "RESOLUTION 9 (REV. BUENOS AIRES, 2017)",
    "Participation of countries",
    "Reasons:\tMerged into Resolution 37.",
    "",
    "(MOD)\tIAP/25A1/4",
    "QUESTION 1/1",
    "Strategies and policies for the deployment of broadband",
    "Reasons:\tUpdate the Question's scope.",
    "",
    "NOC\tIAP/25A1/5",
    "RESOLUTION 1 (REV. BUENOS AIRES, 2017)",
    "Reasons:\tNo change needed.",
    "",
    "MOD\tIAP/25A1/6",
    "RESOLUTION 21 (REV. BUENOS AIRES, 2017)",
    "Coordination and collaboration",
    "resolves",
    "1\ttext whose reasons are missing;",
]


def make_docx(path: Path, lines: list[str], *, header_table: bool = False) -> Path:
    """A .docx with ``lines`` as paragraphs; ``header_table`` puts the first five lines in a table, as ITU does."""
    import docx

    document = docx.Document()
    rest = lines
    if header_table:
        table = document.add_table(rows=5, cols=1)
        for row, line in zip(table.rows, lines[:5], strict=False):
            row.cells[0].text = line
        rest = lines[5:]
    for line in rest:
        document.add_paragraph(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A small valid PDF whose pages hold ``pages``' lines as text (Helvetica), written without a PDF library."""
    objects: list[bytes] = []
    page_ids = []
    font_id = 3
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(b"")  # pages, filled below
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for lines in pages:
        body = ["BT", "/F1 10 Tf", "12 TL", "50 800 Td"]
        for line in lines:
            body.append(f"({_pdf_escape(line)}) Tj T*")
        body.append("ET")
        stream = "\n".join(body).encode("cp1252", errors="replace")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_id = len(objects)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> "
                       b"/Contents %d 0 R >>" % (font_id, content_id))
        page_ids.append(len(objects))
    kids = " ".join(f"{i} 0 R" for i in page_ids).encode()
    objects[1] = b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(page_ids)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))
    return path


DATA = Path(__file__).resolve().parent / "data" / "itu"
BILLION_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>\n'
                  b"<page_content><folder_list><folder><object_name>&b;</object_name></folder></folder_list></page_content>")


def cover_lines(symbol_lines: list[str], title: str) -> list[str]:
    return COVER_LINES[:3] + symbol_lines + ["2 May 2022", "Original: English",
                                             "Member States of the Inter-American Telecommunication Commission (CITEL)",
                                             title]


def make_folder(root: Path) -> Path:
    """A delegate's folder of WTDC-22 material: lists, languages, an addendum with proposals, a revision,
    a misnamed file, a picture, a .zip document, a zip bomb, hostile and broken XML."""
    docs = root / "WTDC-22"
    (docs / "lists").mkdir(parents=True)
    shutil.copy(DATA / "D22-WTDC-C.xml", docs / "lists" / "D22-WTDC-C.xml")
    shutil.copy(DATA / "ITU-D_NEW-Meetings.xml", docs / "lists" / "ITU-D_NEW-Meetings.xml")
    make_docx(docs / "D22-WTDC-C-0025!!MSW-E.docx", cover_lines(["Document WTDC-22/25-E"], "PROPOSALS"))
    make_docx(docs / "D22-WTDC-C-0025!!MSW-F.docx", cover_lines(["Document WTDC-22/25-F"], "PROPOSITIONS"))
    make_pdf(docs / "D22-WTDC-C-0025!!PDF-S.pdf", [cover_lines(["Document WTDC-22/25-S"], "PROPUESTAS")])
    make_docx(docs / "add" / "D22-WTDC-C-0025!A1!MSW-E.docx", COVER_LINES + PROPOSALS_LINES, header_table=True)
    make_pdf(docs / "add" / "D22-WTDC-C-0025!A1!PDF-E.pdf", [COVER_LINES])
    make_docx(docs / "D22-WTDC-C-0026!!MSW-E.docx", cover_lines(["Document WTDC-22/26-E"], "AFRICAN COMMON PROPOSALS"))
    make_docx(docs / "D22-WTDC-C-0026!R1!MSW-E.docx", cover_lines(["Revision 1 to", "Document WTDC-22/26-E"],
                                                              "AFRICAN COMMON PROPOSALS"))
    make_docx(docs / "D22-WTDC-C-0027!!MSW-E.docx", cover_lines(["Document WTDC-22/72-E"], "SOMETHING ELSE"))
    make_docx(docs / "minutes of the coordination meeting.docx", ["Minutes"])
    (docs / "photo.png").write_bytes(b"\x89PNG\r\n")
    inner = root / "tmp-inner" / "D22-WTDC-C-0030!!MSW-E.docx"
    make_docx(inner, cover_lines(["Document WTDC-22/30-E"], "ARAB STATES PROPOSALS"))
    with zipfile.ZipFile(docs / "D22-WTDC-C-0030!!ZIP-E.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(inner, inner.name)
        zf.writestr("readme.txt", "hello")
    shutil.rmtree(root / "tmp-inner")
    with zipfile.ZipFile(docs / "D22-WTDC-C-0099!!ZIP-E.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("D22-WTDC-C-0099!!MSW-E.docx", b"\0" * (20 << 20))
    (docs / "lists" / "hostile.xml").write_bytes(BILLION_LAUGHS)
    (docs / "lists" / "broken.xml").write_bytes(b"<page_content>\n<folder_list>\n</page_content>")
    return docs
