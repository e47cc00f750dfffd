"""Sorting names and titles as a reader of the interface language expects (Qt's collator).

:func:`sort_key` uses ``QCollator`` (ICU's collation inside the PySide6 wheels on Linux, the
system's collation on Windows and macOS) with numeric ordering, so "Résolution 9" comes before
"Résolution 37", "É" sorts with "E" in French and Chinese names sort by pinyin. PyICU was
considered: it is published as source only (a C++ compiler and ICU headers on every machine), and
pure-Python UCA packages know no per-language tailoring. Qt is already a dependency and carries ICU,
so no new package is needed. Without a collator the key falls back to a case- and accent-insensitive
one.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable, Iterable

from wtdc_desktop.i18n import current_language, format_locale

__all__ = ["sort_key", "sorted_by"]


def _locale(lang: str | None) -> str:
    return format_locale(lang or current_language())


_collators = threading.local()  # QCollator is reentrant, not thread-safe: one per thread


def _collator(loc: str):
    cache = getattr(_collators, "by_locale", None)
    if cache is None:
        cache = _collators.by_locale = {}
    if loc not in cache:
        try:
            from PySide6.QtCore import QCollator, QLocale, Qt

            collator = QCollator(QLocale(loc))
            collator.setNumericMode(True)
            collator.setCaseSensitivity(Qt.CaseInsensitive)
            cache[loc] = collator
        except Exception:  # noqa: BLE001 - no collator: the plain fallback below
            cache[loc] = None
    return cache[loc]


def _plain_key(text: str):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold(), text


def sort_key(text: str | None, *, lang: str | None = None):
    """A key that sorts names and titles as a reader of the interface language expects."""
    text = text or ""
    collator = _collator(_locale(lang))
    if collator is None:
        return _plain_key(text)
    return collator.sortKey(text)


def sorted_by(items: Iterable, key: Callable[[object], str | None] = lambda x: x, *,
              reverse: bool = False, lang: str | None = None) -> list:
    """``items`` sorted by the collated text that ``key`` gives for each."""
    return sorted(items, key=lambda item: sort_key(key(item), lang=lang), reverse=reverse)
