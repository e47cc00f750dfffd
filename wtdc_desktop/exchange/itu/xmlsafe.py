"""Reading ITU's XML safely: defusedxml only (no entities, no external references), with a size limit.

Errors name the file and, where the parser knows it, the line.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _

#: The largest XML file read (ITU's largest catalogs and document lists are a few MiB).
MAX_XML_BYTES = 64 * 1024 * 1024


class ItuError(WtdcError):
    """ITU material that cannot be read: the message names the file (and the line when known)."""

    def __init__(self, message: str, *, where: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.where = where
        self.line = line


def read_limited(path: Path | str, limit: int = MAX_XML_BYTES) -> bytes:
    """The bytes of ``path``, refused (ItuError) when larger than ``limit`` or unreadable."""
    path = Path(path)
    try:
        with open(path, "rb") as fp:
            data = fp.read(limit + 1)
    except OSError as exc:
        raise ItuError(_("{where} cannot be read ({reason}).").format(where=path, reason=exc.strerror or exc),
                       where=str(path)) from None
    if len(data) > limit:
        raise ItuError(_("{where} is larger than {size} MiB; refused.").format(where=path, size=limit // (1024 * 1024)),
                       where=str(path))
    return data


def parse_xml(data: bytes, where: str, *, limit: int = MAX_XML_BYTES):
    """The root element of ``data`` parsed by defusedxml; ItuError (with the line) when refused or malformed."""
    from defusedxml import ElementTree as ET
    from defusedxml.common import DefusedXmlException

    if len(data) > limit:
        raise ItuError(_("{where} is larger than {size} MiB; refused.").format(where=where, size=limit // (1024 * 1024)),
                       where=where)
    try:
        return ET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise ItuError(_("{where}, line {line}: the XML is malformed ({reason}).").format(
            where=where, line=line or "?", reason=exc), where=where, line=line) from None
    except DefusedXmlException:
        # The exception's text is Python's repr of the entity: the sentence says all a reader needs.
        raise ItuError(_("{where}: the XML declares entities or external references, which are refused.").format(
            where=where), where=where) from None
    except (LookupError, ValueError) as exc:  # LookupError: an unknown encoding
        raise ItuError(_("{where}: the XML cannot be read ({reason}).").format(where=where, reason=exc),
                       where=where) from None


def root_kind(data: bytes) -> str | None:
    """``catalog`` (a ``dataroot``), ``doclist`` (a ``page_content``) or None, judged on the first bytes only."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"<dataroot" in head:
        return "catalog"
    if b"<page_content" in head:
        return "doclist"
    return None


def text_of(element, name: str) -> str | None:
    """The stripped text of the child ``name``, None when absent or empty."""
    child = element.find(name)
    if child is None or child.text is None:
        return None
    value = child.text.strip()
    return value or None


def iso_date(value: str | None) -> dt.date | None:
    """The day an ITU list gives as ``YYYY-MM-DD`` (a time may follow); None when it gives none or
    something else."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
