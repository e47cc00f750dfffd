"""Numbers, money, lists and language names in the interface language (Babel; no Qt).

Everything shown to a user goes through these helpers, with ``current_language()`` as the default
locale; instants (dates, times, zones) go through :mod:`wtdc_desktop.instants`, sorting by the
language's rules through :mod:`wtdc_desktop.ui.collation`.

In the pseudo-locale (``WTDC_PSEUDO=1``) formatted values are marked like translated strings, so a
number shown without these helpers stands out.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from babel import lists as _lists
from babel import numbers as _numbers

from wtdc_desktop.i18n import current_language, format_locale, pseudo_marked

__all__ = [
    "format_number", "format_decimal", "format_percent", "format_currency", "format_money", "format_list",
    "language_name",
]


def _locale(lang: str | None) -> str:
    return format_locale(lang or current_language())


# --- numbers and money -----------------------------------------------------------------------------

@pseudo_marked
def format_number(value: int | float | Decimal, *, lang: str | None = None) -> str:
    """ "1 234 567" in French, "1,234,567" in English and Arabic (Western digits, as ITU texts use)."""
    return _numbers.format_decimal(value, locale=_locale(lang))


@pseudo_marked
def format_decimal(value: float | Decimal, digits: int = 2, *, lang: str | None = None) -> str:
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return _numbers.format_decimal(value, pattern, locale=_locale(lang))


@pseudo_marked
def format_percent(value: float | Decimal, *, lang: str | None = None) -> str:
    return _numbers.format_percent(value, locale=_locale(lang))


@pseudo_marked
def format_currency(amount: float | Decimal | int, currency: str, *, lang: str | None = None) -> str:
    """ "1 500 000,00 CHF", "CHF 1,500,000.00"; unknown codes are shown as given."""
    try:
        return _numbers.format_currency(amount, currency.upper(), locale=_locale(lang))
    except Exception:  # noqa: BLE001 - a made-up currency code from a bundle: number and code
        return f"{_numbers.format_decimal(amount, locale=_locale(lang))} {currency}"


def format_money(value: dict | None, *, lang: str | None = None) -> str:
    """A bundle's ``{"amount": …, "currency": "CHF"}``; "" when absent."""
    if not value or value.get("amount") is None:
        return ""
    amount = value["amount"]
    currency = value.get("currency")
    return format_currency(amount, currency, lang=lang) if currency else format_number(amount, lang=lang)


@pseudo_marked
def format_list(items: Iterable[str], style: str = "standard", *, lang: str | None = None) -> str:
    """ "A, B and C", "A, B et C", "A、B和C"."""
    return _lists.format_list(list(items), style=style, locale=_locale(lang))


@pseudo_marked
def language_name(code: str, *, lang: str | None = None) -> str:
    """The name of a language in the interface language: ``language_name("ar")`` → "arabe" in French."""
    from babel import Locale

    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(_locale(lang)) or code
    except Exception:  # noqa: BLE001 - not a language code we know
        return code
