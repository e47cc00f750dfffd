"""Internal links: ``wtdc:`` addresses, and linkifying mentions inside record texts.

A ``wtdc:`` address names a record of the store: ``wtdc:TYPE/ID`` where ID is
percent-encoded (``wtdc:document/TDAG-WD2-20%2F1``). Mentions recognised in
running text: document symbols (``WTDC-21/25(Add.1)``), resolution ids
(``WTDC/37``, ``PP/71``), "Resolution 24" / "Résolution 24" / "Resolución 24"
(a WTDC resolution unless a body follows), and Question numbers
("Question 1/1"). Pure functions: no I/O, no Qt.
"""

from __future__ import annotations

import re

from wtdc_desktop.domain.symbols import SYMBOL_MENTION_RE

SCHEME = "wtdc"
RESOLUTION_BODIES = ("WTDC", "PP", "WTSA", "WRC", "RA")
_SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:()+,")

_RES_ID_RE = re.compile(r"^(?:%s)/[0-9]+[A-Za-z]?$" % "|".join(RESOLUTION_BODIES))
# "Résolution 24", "Resolution 24 (Rev. Dubai, 2014) of PP", "Resolución 24", "Резолюция 24"
_RES_WORD_RE = re.compile(
    r"\b(?P<word>R[ée]solution|Resoluci[óo]n|Резолюци[яи])s?\s+(?:n[o°º]\s*)?(?P<number>[0-9]{1,4})\b"
    r"(?P<tail>\s*\((?:Rév|Rev)\.[^)]{0,60}\))?(?P<body>\s+(?:de la |of the |of )?(?:PP|AMNT|WTSA|CMR|WRC|AR|RA|Conférence de plénipotentiaires|Plenipotentiary Conference))?",
    re.IGNORECASE,
)
_QUESTION_RE = re.compile(r"\b(?P<word>Questions?|Cuesti[óo]n|Вопрос[а-я]*)\s+(?P<number>[0-9]{1,2}/[0-9]{1,2})\b")
_BODY_ALIASES = {"pp": "PP", "conférence de plénipotentiaires": "PP", "plenipotentiary conference": "PP",
                 "amnt": "WTSA", "wtsa": "WTSA", "cmr": "WRC", "wrc": "WRC", "ar": "RA", "ra": "RA"}


def encode(value: str) -> str:
    """Percent-encode an id for a ``wtdc:`` address (UTF-8, everything outside a small safe set)."""
    out = []
    for ch in value:
        if ch in _SAFE:
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
    return "".join(out)


def decode(value: str) -> str:
    data = bytearray()
    i = 0
    raw = value.encode("utf-8")
    while i < len(raw):
        if raw[i:i + 1] == b"%" and i + 2 < len(raw) and re.match(rb"[0-9A-Fa-f]{2}", raw[i + 1:i + 3]):
            data.append(int(raw[i + 1:i + 3], 16))
            i += 3
        else:
            data.append(raw[i])
            i += 1
    return data.decode("utf-8", errors="replace")


def make_link(type_name: str, record_id: str) -> str:
    return f"{SCHEME}:{type_name}/{encode(str(record_id))}"


def position_link(subject_type: str, subject_id: str) -> str:
    """The address of the delegation's position on a record (``wtdc:position/TYPE/ID``): following
    it opens the position editor on that record."""
    return make_link("position", f"{subject_type}/{subject_id}")


def position_subject(record_id: str) -> tuple[str, str]:
    """(type, id) of the record a ``position`` link names (the id of :func:`position_link`)."""
    subject_type, _sep, subject_id = record_id.partition("/")
    return subject_type, subject_id


def parse_link(url: str) -> tuple[str, str] | None:
    """``(type, id)`` of a ``wtdc:`` address, or None if it is not one."""
    if not url.lower().startswith(SCHEME + ":"):
        return None
    rest = url[len(SCHEME) + 1:].lstrip("/")
    type_name, sep, rid = rest.partition("/")
    if not sep or not type_name or not rid:
        return None
    return type_name, decode(rid)


def classify_symbol(text: str) -> tuple[str, str]:
    """A mention matched as a symbol: a resolution id (``WTDC/37``) or a document symbol."""
    if _RES_ID_RE.match(text):
        return "resolution", text
    # The language letter is not part of a document's identity.
    ident = re.sub(r"-[EFSACR]$", "", text)
    return "document", ident


def find_mentions(text: str) -> list[tuple[int, int, str, str]]:
    """Mentions in plain text: (start, end, type, id), sorted, not overlapping."""
    found: list[tuple[int, int, str, str]] = []
    for m in _RES_WORD_RE.finditer(text):
        body = "WTDC"
        if m.group("body"):
            key = re.sub(r"^(de la |of the |of )", "", m.group("body").strip(), flags=re.IGNORECASE).lower()
            body = _BODY_ALIASES.get(key, "WTDC")
        end = m.end("number") if not m.group("tail") else m.end("tail")
        found.append((m.start(), end, "resolution", f"{body}/{m.group('number')}"))
    for m in _QUESTION_RE.finditer(text):
        found.append((m.start(), m.end(), "question", m.group("number")))
    for m in SYMBOL_MENTION_RE.finditer(text):
        type_name, rid = classify_symbol(m.group(0))
        found.append((m.start(), m.end(), type_name, rid))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    out: list[tuple[int, int, str, str]] = []
    last_end = -1
    for item in found:
        if item[0] >= last_end:
            out.append(item)
            last_end = item[1]
    return out


_TAG_RE = re.compile(r"(<[^>]*>)")


def linkify_html(fragment: str, *, skip: set[tuple[str, str]] | None = None) -> str:
    """Wrap mentions found in the text of an HTML fragment in ``wtdc:`` links.

    Text inside existing links and code is left alone. The fragment is
    expected to be sanitised already; the links added are ``wtdc:`` only.
    ``skip`` lists (type, id) pairs not to link (the record being shown).
    """
    skip = skip or set()
    parts = _TAG_RE.split(fragment)
    depth_a = depth_code = 0
    out = []
    for part in parts:
        if part.startswith("<"):
            tag = part[1:].lstrip("/").split()[0].rstrip(">").lower() if len(part) > 2 else ""
            closing = part.startswith("</")
            if tag == "a":
                depth_a += -1 if closing else 1
            elif tag in ("code", "pre"):
                depth_code += -1 if closing else 1
            out.append(part)
            continue
        if depth_a > 0 or depth_code > 0 or not part:
            out.append(part)
            continue
        out.append(_linkify_text(part, skip))
    return "".join(out)


def _linkify_text(text: str, skip: set[tuple[str, str]]) -> str:
    # ``text`` is already HTML-escaped; mentions contain no characters that escaping changes.
    pieces = []
    pos = 0
    for start, end, type_name, rid in find_mentions(text):
        if (type_name, rid) in skip:
            continue
        pieces.append(text[pos:start])
        pieces.append(f'<a href="{make_link(type_name, rid)}">{text[start:end]}</a>')
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)
