"""Content language: which language version of a document or record to show.

ITU publishes many documents in its six languages, and a record may carry
several versions (a document's ``languages``: code → ``{"title", "file"}``).
The version shown is the one in the interface language when there is one,
else the first available in the order the user set in Settings, else the
first in ITU's own order. Pure functions: the caller passes the interface
language and the user's order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from wtdc_desktop.domain.constants import LANGUAGES, SYMBOL_LETTERS

#: The order used when the user has set none (after the interface language).
DEFAULT_FALLBACK = ("en", "fr", "es", "ar", "ru", "zh")


def normalize(code: str | None) -> str | None:
    """``"EN"``, ``"en-GB"``, ``"zh_Hans"`` or the symbol letter ``"E"`` → ``"en"``; None if empty."""
    if not code:
        return None
    code = str(code).strip()
    if code in SYMBOL_LETTERS:
        return SYMBOL_LETTERS[code]
    code = code.lower().replace("_", "-").split("-")[0]
    return code or None


def language_order(interface: str | None, fallback: Iterable[str] | None = None) -> tuple[str, ...]:
    """The order in which versions are looked for: the interface language, the user's
    fallback order (default :data:`DEFAULT_FALLBACK`), then ITU's order; no repeats."""
    seen: list[str] = []
    for code in (interface, *(DEFAULT_FALLBACK if fallback is None else fallback), *LANGUAGES):
        code = normalize(code)
        if code and code not in seen:
            seen.append(code)
    return tuple(seen)


def choose_language(available: Iterable[str] | Mapping[str, object] | None, interface: str | None,
                    fallback: Iterable[str] | None = None) -> str | None:
    """The code, as the record spells it, of the version to show; None when there is none.

    A language outside the six is chosen only when nothing else exists (first in
    alphabetical order, so the choice is stable).
    """
    codes = [c for c in (available or ()) if normalize(c)]
    if not codes:
        return None
    by_norm: dict[str, str] = {}
    for code in codes:
        by_norm.setdefault(normalize(code), code)
    for code in language_order(interface, fallback):
        if code in by_norm:
            return by_norm[code]
    return sorted(codes)[0]


def localized_version(record: Mapping, interface: str | None,
                      fallback: Iterable[str] | None = None) -> tuple[str | None, Mapping]:
    """``(code, version)`` of a record's ``languages`` object to show; ``(None, {})`` when the
    record has no language versions."""
    versions = record.get("languages")
    if not isinstance(versions, Mapping) or not versions:
        return None, {}
    code = choose_language([k for k, v in versions.items() if isinstance(v, Mapping)], interface, fallback)
    return (code, versions[code]) if code else (None, {})


def localized_title(record: Mapping, interface: str | None, fallback: Iterable[str] | None = None) -> str:
    """The record's title in the chosen language version, else its own ``title`` (or ``name``)."""
    _code, version = localized_version(record, interface, fallback)
    title = version.get("title") if version else None
    return str(title or record.get("title") or record.get("name") or record.get("id") or "")
