"""Text of attached document files, for search (``.docx``, ``.pdf``, ``.html``, ``.md``, ``.txt``).

When a ``document`` record carries files but no ``text``, the apply extracts
their text from the file cache into ``document.extracted_text`` inside the
apply's transaction, so full-text search finds words that are only inside
the files. A file that cannot be read is kept, flagged
(``document_file.extract_status = 'failed'`` with the reason) and reported as
a warning: it never makes the bundle fail. The files come from bundles and
are treated as hostile: sizes are checked before a library opens them and the
text kept is capped at the text-field limit (spec §7).
"""

from __future__ import annotations

import logging
import sqlite3
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from wtdc_desktop.bundles.limits import DEFAULT_LIMITS, Limits
from wtdc_desktop.i18n import _
from wtdc_desktop.store.extracted_text import save_extracted_text, set_extract_status

log = logging.getLogger(__name__)
# pypdf logs every oddity of a damaged file; the outcome is reported once, as a warning of the apply.
logging.getLogger("pypdf").setLevel(logging.ERROR)

#: Kinds of file whose text is extracted, by extension.
SUPPORTED = (".docx", ".pdf", ".html", ".htm", ".md", ".txt")
#: A .docx is itself a ZIP: refuse one that would expand beyond this or this ratio.
DOCX_MAX_UNCOMPRESSED = 256 * 1024 * 1024
DOCX_MAX_RATIO = 200.0
#: Pages of a PDF read at most (pypdf itself caps each decompressed stream).
PDF_MAX_PAGES = 5000


class ExtractError(Exception):
    """The file's text cannot be read; the message says why (shown to the user)."""


# --- one file ---------------------------------------------------------------------------

class _HTMLText(HTMLParser):
    """Plain text of an HTML page: character data outside script and style, blocks on new lines."""

    _SKIP = {"script", "style", "template", "noscript", "head"}
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
              "table", "blockquote", "pre", "title", "dt", "dd"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data) -> None:
        if not self._skipping:
            self.parts.append(data)


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace")


def _html_text(data: bytes) -> str:
    parser = _HTMLText()
    parser.feed(_decode(data))
    parser.close()
    return "".join(parser.parts)


def _docx_text(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ExtractError(_("not a readable .docx file ({reason})").format(reason=exc)) from None
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > DOCX_MAX_UNCOMPRESSED or total / packed > DOCX_MAX_RATIO:
        raise ExtractError(_("the .docx file would expand to {size} bytes, too much to read safely").format(
            size=total))
    import docx  # python-docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _pdf_text(path: Path, cap: int) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path), strict=False)
    if reader.is_encrypted:
        raise ExtractError(_("the PDF file is encrypted"))
    parts: list[str] = []
    size = 0
    for number, page in enumerate(reader.pages):
        if number >= PDF_MAX_PAGES:
            break
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size >= cap:
            break
    return "\n".join(parts)


def extract_file(path: Path, name: str, *, cap: int = DEFAULT_LIMITS.text_field) -> str | None:
    """The text of the cached file ``path`` (named ``name`` in the bundle).

    Returns None for a kind of file whose text is not extracted; raises
    :class:`ExtractError` when the file cannot be read.
    """
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        return None
    try:
        if suffix in (".md", ".txt"):
            with open(path, "rb") as fp:
                return _decode(fp.read(cap + 4))
        if suffix in (".html", ".htm"):
            with open(path, "rb") as fp:
                return _html_text(fp.read(cap * 4))
        if suffix == ".docx":
            return _docx_text(path)
        return _pdf_text(path, cap)
    except ExtractError:
        raise
    except OSError as exc:
        raise ExtractError(exc.strerror or str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - hostile files make libraries raise anything
        reason = str(exc).strip() or type(exc).__name__
        reason = reason if len(reason) <= 200 else reason[:199] + "…"
        if suffix == ".pdf":
            raise ExtractError(_("not a readable PDF file ({reason})").format(reason=reason)) from None
        if suffix == ".docx":
            raise ExtractError(_("not a readable .docx file ({reason})").format(reason=reason)) from None
        raise ExtractError(reason) from None


def cap_text(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, on a character boundary."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


# --- during an apply ---------------------------------------------------------------------

class DocumentTextExtractor:
    """Fills ``document.extracted_text`` for the documents of one apply (the caller holds the transaction)."""

    def __init__(self, conn: sqlite3.Connection, cache_path: Callable[[str], Path], *, where: str,
                 limits: Limits = DEFAULT_LIMITS) -> None:
        self.conn = conn
        self.cache_path = cache_path
        self.where = where
        self.limit = limits.text_field
        self.warnings: list[str] = []
        self._done: dict[str, tuple[str | None, str | None]] = {}  # sha256 -> (text, error)

    def _extract(self, sha256: str, name: str) -> tuple[str | None, str | None]:
        key = f"{sha256}:{Path(name).suffix.lower()}"
        if key not in self._done:
            path = self.cache_path(sha256)
            if not path.is_file():
                result: tuple[str | None, str | None] = (None, _("the file is not in the file cache"))
            else:
                try:
                    result = (extract_file(path, name, cap=self.limit), None)
                except ExtractError as exc:
                    result = (None, str(exc))
            self._done[key] = result
        return self._done[key]

    def document(self, record: dict, files: list[tuple]) -> None:
        """After the document's files were saved: extract their text when it has none of its own.

        ``files`` are (language, title, path, sha256, size, media_type) as saved.
        """
        doc_id = record["id"]
        if record.get("text"):
            save_extracted_text(self.conn, doc_id, None)
            return
        texts: list[str] = []
        for language, _title, name, sha256, _size, _media in files:
            if Path(name).suffix.lower() not in SUPPORTED:
                set_extract_status(self.conn, doc_id, language, "unsupported", None)
                continue
            if not sha256:
                set_extract_status(self.conn, doc_id, language, "missing", None)
                continue
            text, error = self._extract(sha256, name)
            if error is not None:
                set_extract_status(self.conn, doc_id, language, "failed", error)
                self.warnings.append(
                    _("{where}: the file “{file}” of document “{id}” could not be read for search ({reason}); it is kept.").format(
                        where=self.where, file=name, id=doc_id, reason=error))
                log.debug("cannot extract %s of %s: %s", name, doc_id, error)
                continue
            set_extract_status(self.conn, doc_id, language, "ok", None)
            if text and text.strip():
                texts.append(text.strip())
        combined = cap_text("\n\n".join(texts), self.limit) if texts else None
        save_extracted_text(self.conn, doc_id, combined)
