"""ITU document symbols: parsing, identity and ordering.

Real forms handled: ``WTDC-21/25``, ``WTDC-17/23(Add.10)``,
``PP14/34(Rev.1)(Add.1)``, ``TDAG-20/13(Rev.1)``, ``TDAG17-22/13``,
``RPM-AMS17/41``, ``518(Corr.1)``, each optionally followed by a language
letter (``-E``, ``-F``, ``-S``, ``-A``, ``-C``, ``-R``) that is not part of
the document's identity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wtdc_desktop.domain.constants import SYMBOL_LETTERS
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _


_MEETING = r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*"
_SYMBOL_RE = re.compile(
    rf"""^(?:(?P<meeting>{_MEETING})/)?
        (?P<number>[0-9]{{1,6}})
        (?P<suffixes>(?:\((?:Rev|Add|Corr)\.[0-9]{{1,4}}\))*)
        (?:-(?P<lang>[EFSACR]))?$""",
    re.VERBOSE,
)
_SUFFIX_RE = re.compile(r"\((Rev|Add|Corr)\.([0-9]{1,4})\)")


class SymbolError(WtdcError):
    """A document symbol that does not have the ITU form."""


@dataclass(frozen=True, order=False)
class Symbol:
    """A parsed document symbol. ``language`` is not part of its identity."""

    meeting: str | None
    number: int
    revision: int | None = None
    addendum: int | None = None
    corrigendum: int | None = None
    language: str | None = None

    @property
    def identity(self) -> str:
        """The symbol without its language letter, in canonical form."""
        head = f"{self.meeting}/{self.number}" if self.meeting else str(self.number)
        # Canonical suffix order follows ITU practice: Add, then Rev, then Corr
        # (``WTDC-21/25(Add.1)(Rev.1)`` is revision 1 of addendum 1).
        parts = [head]
        if self.addendum is not None:
            parts.append(f"(Add.{self.addendum})")
        if self.revision is not None:
            parts.append(f"(Rev.{self.revision})")
        if self.corrigendum is not None:
            parts.append(f"(Corr.{self.corrigendum})")
        return "".join(parts)

    def sort_key(self) -> tuple:
        """Meeting, then number as a number, then revision, addendum, corrigendum."""
        return (
            self.meeting or "",
            self.number,
            self.revision or 0,
            self.addendum or 0,
            self.corrigendum or 0,
        )

    def sort_text(self) -> str:
        """``sort_key`` as a string that SQLite can order by with an index."""
        meeting, number, rev, add, corr = self.sort_key()
        return f"{meeting}\x1f{number:06d}.{rev:04d}.{add:04d}.{corr:04d}"


def parse_symbol(text: str) -> Symbol:
    """Parse an ITU document symbol; raise :class:`SymbolError` when malformed."""
    if not isinstance(text, str):
        raise SymbolError(_("A document symbol must be text, not {kind}.").format(kind=type(text).__name__))
    cleaned = text.strip()
    match = _SYMBOL_RE.match(cleaned.upper().replace("(REV.", "(Rev.").replace("(ADD.", "(Add.").replace("(CORR.", "(Corr."))
    if not match:
        raise SymbolError(
            _("“{symbol}” is not a valid ITU document symbol (expected a form such as WTDC-21/25(Add.1)(Rev.1)).").format(
                symbol=text
            )
        )
    values: dict[str, int] = {}
    for kind, number in _SUFFIX_RE.findall(match.group("suffixes")):
        key = {"Rev": "revision", "Add": "addendum", "Corr": "corrigendum"}[kind]
        if key in values:
            raise SymbolError(
                _("“{symbol}” is not a valid ITU document symbol: “{part}” appears twice.").format(
                    symbol=text, part=kind
                )
            )
        values[key] = int(number)
    lang = match.group("lang")
    return Symbol(
        meeting=match.group("meeting"),
        number=int(match.group("number")),
        language=SYMBOL_LETTERS[lang] if lang else None,
        **values,
    )


def try_parse_symbol(text: str) -> Symbol | None:
    try:
        return parse_symbol(text)
    except SymbolError:
        return None


_UNPARSED = object()


def document_sort_text(document_id: str, symbol: Symbol | None | object = _UNPARSED) -> str:
    """Sort text for a document id; ids that are not symbols sort after, by text. ``symbol``: the
    id already parsed (None when it is not a symbol)."""
    if symbol is _UNPARSED:
        symbol = try_parse_symbol(document_id)
    if symbol is None:
        return "\x7f" + document_id
    return symbol.sort_text()


#: Mentions of symbols inside running text (used to linkify record texts).
SYMBOL_MENTION_RE = re.compile(
    rf"\b(?:{_MEETING})/[0-9]{{1,6}}(?:\((?:Rev|Add|Corr)\.[0-9]{{1,4}}\))*(?:-[EFSACR])?\b"
)
