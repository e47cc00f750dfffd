"""Small pieces shared by the positions, matrix, contacts and budget views."""

from __future__ import annotations

import functools

from babel import Locale
from babel.numbers import format_decimal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox

from wtdc_desktop.i18n import current_language

#: Colours of proposal actions in the matrix (background, text), readable in light and dark themes.
ACTION_COLOURS = {
    "ADD": ("#cfe3fb", "#0b3d75"),
    "MOD": ("#fde7bd", "#6b4300"),
    "SUP": ("#f8cfcf", "#7a1010"),
    "NOC": ("#d3f0d3", "#145214"),
}
MIXED_COLOURS = ("#e5dcf5", "#3f2a6b")
STANCE_COLOURS = {
    "support": "#2e7d32", "support_with_amendments": "#9e7700", "oppose": "#c62828",
    "neutral": "#546e7a", "undecided": "#6d4c41",
}


def money(amount: float | None, currency: str | None) -> str:
    """An amount in the interface language's format (Babel)."""
    if amount is None:
        return ""
    locale, pattern = _currency_format(current_language())
    if not currency:
        return format_decimal(amount, locale=locale)
    # format_currency(amount, currency, locale=…) would parse the locale and its pattern again for
    # every amount: a list of ten thousand costs spent seconds there.
    return pattern.apply(amount, locale, currency=currency)


@functools.lru_cache(maxsize=8)
def _currency_format(lang: str):
    locale = Locale.parse(lang)  # the same locale format_currency(…, locale=lang) uses
    return locale, locale.currency_formats["standard"]


def colour(hex_value: str) -> QColor:
    return QColor(hex_value)


def fill_combo(combo: QComboBox, items: list[tuple[str, str | None]], keep: bool = True) -> None:
    """Replace a combo's entries (label, data), keeping the current choice when it is still there."""
    current = combo.currentData() if keep else None
    # Long titles must not widen the window: the popup shows them whole.
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(min(combo.minimumContentsLength() or 14, 14))
    combo.blockSignals(True)
    combo.clear()
    for label, data in items:
        combo.addItem(label, data)
    index = combo.findData(current) if current is not None else -1
    combo.setCurrentIndex(index if index >= 0 else 0)
    combo.blockSignals(False)


class TabsFilledWhenOpened:
    """Fills each of some tabs of a QTabWidget the first time it is opened, and again on
    :meth:`refill` only once it has been: a tab most visits never open costs nothing."""

    def __init__(self, tabs, fills: dict) -> None:
        self.tabs = tabs
        self.fills = fills  # tab widget -> function filling it
        self.filled: set = set()
        tabs.currentChanged.connect(lambda _index: self.fill_current())

    def fill_current(self) -> None:
        tab = self.tabs.currentWidget()
        if tab in self.fills and tab not in self.filled:
            self.filled.add(tab)
            self.fills[tab]()

    def refill(self) -> None:
        for tab in list(self.filled):
            self.fills[tab]()

