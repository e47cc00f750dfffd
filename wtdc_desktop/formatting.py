"""Dates, times, time zones, numbers, money and sorting in the interface language.

Everything shown to a user goes through these helpers (Babel for CLDR formats,
Qt's collator for sorting), with ``current_language()`` as the default locale.

Times: the store keeps UTC instants (``...Z``); a time is shown in the
meeting's zone, named as delegates name it, "09:00 Kigali (UTC+2)", and in
the laptop's zone when that differs. A naive datetime is refused: nobody can
tell which hour it means.

Sorting: :func:`sort_key` uses ``QCollator`` (ICU's collation inside the
PySide6 wheels on Linux, the system's collation on Windows and macOS) with
numeric ordering, so "Résolution 9" comes before "Résolution 37", "É" sorts
with "E" in French and Chinese names sort by pinyin. PyICU was considered: it
is published as source only (a C++ compiler and ICU headers on every
machine), and pure-Python UCA packages know no per-language tailoring. Qt is
already a dependency and carries ICU, so no new package is needed. Without
Qt the key falls back to a case- and accent-insensitive one.

In the pseudo-locale (``WTDC_PSEUDO=1``) formatted values are marked like
translated strings, so a date or number shown without these helpers stands out.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
import unicodedata
from collections.abc import Callable, Iterable
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import dates as _dates
from babel import lists as _lists
from babel import numbers as _numbers

from wtdc_desktop.i18n import _, current_language, format_locale, pseudo, pseudo_enabled

__all__ = [
    "parse_instant", "to_zone", "laptop_zone", "zone_label", "format_date", "format_time",
    "format_datetime", "format_instant", "format_time_range", "format_relative", "format_number",
    "format_decimal", "format_percent", "format_currency", "format_money", "format_list",
    "language_name", "sort_key", "sorted_by",
]


def _marked(func: Callable[..., str]) -> Callable[..., str]:
    @functools.wraps(func)
    def wrapper(*args, **kwargs) -> str:
        text = func(*args, **kwargs)
        return pseudo(text) if pseudo_enabled() and text else text

    return wrapper


def _locale(lang: str | None) -> str:
    return format_locale(lang or current_language())


# --- instants and zones ------------------------------------------------------------------------

def parse_instant(value: str | dt.datetime) -> dt.datetime:
    """An aware datetime from an ISO 8601 string (``2026-11-28T08:00:00Z``) or a datetime.

    Raises ValueError for a time without an offset.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"the time {value.isoformat()} has no time zone")
    return value


def to_zone(name: str | dt.tzinfo | None) -> dt.tzinfo | None:
    """A tzinfo for an IANA name (``Africa/Kigali``); None when unknown or empty."""
    if name is None or isinstance(name, dt.tzinfo):
        return name
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@functools.lru_cache(maxsize=1)
def laptop_zone() -> dt.tzinfo:
    """The laptop's time zone, by IANA name when the system says it; else its current offset."""
    env = os.environ.get("TZ", "").lstrip(":")
    if env and to_zone(env):
        return to_zone(env)
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo" + os.sep in target:
            zone = to_zone(target.split("zoneinfo" + os.sep, 1)[1])
            if zone:
                return zone
    except OSError:
        pass
    try:  # Windows and macOS: Qt maps the system's zone to its IANA name
        from PySide6.QtCore import QTimeZone

        zone = to_zone(bytes(QTimeZone.systemTimeZoneId()).decode())
        if zone:
            return zone
    except Exception:  # noqa: BLE001 - any failure here just means "use the offset"
        pass
    return dt.datetime.now().astimezone().tzinfo


def _offset_text(offset: dt.timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _city(zone: dt.tzinfo, lang: str | None) -> str | None:
    key = getattr(zone, "key", None)
    if not key or key in ("UTC", "Etc/UTC", "Etc/GMT", "GMT", "Universal", "Zulu"):
        return None
    try:
        return _dates.get_timezone_location(zone, locale=_locale(lang), return_city=True)
    except Exception:  # noqa: BLE001 - an exotic zone name: show the offset alone
        return None


@_marked
def zone_label(zone: dt.tzinfo | str | None, when: dt.datetime | None = None, lang: str | None = None) -> str:
    """How delegates name a zone: its city in the interface language and the offset then,
    "Kigali (UTC+2)", "Женева (UTC+1)", "日内瓦 (UTC+1)"; "UTC" alone for UTC."""
    tz = to_zone(zone) if zone is not None else laptop_zone()
    if tz is None:
        return str(zone)
    when = when or dt.datetime.now(dt.timezone.utc)
    offset = _offset_text(when.astimezone(tz).utcoffset() or dt.timedelta(0))
    city = _city(tz, lang)
    if not city:
        return offset
    # Translators: a time zone: the city in {city}, the offset from UTC in {offset} ("UTC+2").
    return _("{city} ({offset})").format(city=city, offset=offset)


# --- dates and times -------------------------------------------------------------------------------

def _as_date(value) -> dt.date:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10]) if len(value) <= 10 else parse_instant(value)
    return value


@_marked
def format_date(value: dt.date | dt.datetime | str, fmt: str = "medium", *, zone=None,
                lang: str | None = None) -> str:
    """A day: "28 nov. 2026", "2026年11月28日"; fmt is short / medium / long / full or a CLDR pattern.
    A datetime is first moved into ``zone`` (default: the laptop's)."""
    value = _as_date(value)
    if isinstance(value, dt.datetime):
        value = parse_instant(value).astimezone(to_zone(zone) or laptop_zone()).date()
    return _dates.format_date(value, fmt, locale=_locale(lang))


@_marked
def format_time(value: dt.datetime | str, zone=None, fmt: str = "short", *, lang: str | None = None) -> str:
    """The time of an instant in a zone (default: the laptop's): "09:00", "9:00 AM"."""
    instant = parse_instant(value).astimezone(to_zone(zone) or laptop_zone())
    return _dates.format_time(instant, fmt, tzinfo=instant.tzinfo, locale=_locale(lang))


@_marked
def format_datetime(value: dt.datetime | str, zone=None, fmt: str = "medium", *,
                    lang: str | None = None) -> str:
    """Day and time of an instant in a zone (default: the laptop's), without the zone's name."""
    instant = parse_instant(value).astimezone(to_zone(zone) or laptop_zone())
    return _dates.format_datetime(instant, fmt, tzinfo=instant.tzinfo, locale=_locale(lang))


@_marked
def format_instant(value: dt.datetime | str, meeting_zone=None, *, laptop=None, with_date: bool = True,
                   lang: str | None = None) -> str:
    """An instant as a delegate reads it: in the meeting's zone, named, and also in the laptop's
    zone when its offset differs: "28 nov. 2026, 09:00 Kigali (UTC+2) · 08:00 Genève (UTC+1)"."""
    instant = parse_instant(value)
    meeting = to_zone(meeting_zone) or to_zone(laptop) or laptop_zone()
    here = to_zone(laptop) or laptop_zone()
    loc = _locale(lang)

    def one(tz, date_too: bool) -> str:
        local = instant.astimezone(tz)
        if date_too:
            when = _day_and_time(local, loc)
        else:
            when = _dates.format_time(local, "short", tzinfo=tz, locale=loc)
        # Translators: a time and the zone it is in: "09:00 Kigali (UTC+2)".
        return _("{time} {zone}").format(time=when, zone=_unmarked(zone_label, tz, instant, lang))

    text = one(meeting, with_date)
    if instant.astimezone(meeting).utcoffset() != instant.astimezone(here).utcoffset():
        # The day again only when it differs at home.
        again = with_date and instant.astimezone(meeting).date() != instant.astimezone(here).date()
        # Translators: the same instant in the meeting's zone and in the laptop's zone.
        text = _("{meeting_time} · {local_time}").format(meeting_time=text, local_time=one(here, again))
    return text


def _day_and_time(local: dt.datetime, loc: str) -> str:
    """The medium day and the short time, joined as the locale joins them: "28 nov. 2026, 09:00"."""
    from babel import Locale

    glue = Locale.parse(loc).datetime_formats["medium"]
    day = _dates.format_date(local.date(), "medium", locale=loc)
    time = _dates.format_time(local, "short", tzinfo=local.tzinfo, locale=loc)
    return str(glue).replace("{1}", day).replace("{0}", time)


def _uses_24h(loc: str) -> bool:
    from babel import Locale

    pattern = Locale.parse(loc).time_formats["short"].pattern
    return "H" in pattern or "k" in pattern


def _unmarked(func, *args, **kwargs) -> str:
    return func.__wrapped__(*args, **kwargs)


@_marked
def format_time_range(start: dt.datetime | str, end: dt.datetime | str, zone=None, *,
                      lang: str | None = None) -> str:
    """A session's span in a zone: "09:00–10:30" (the day only once when both are on one day)."""
    tz = to_zone(zone) or laptop_zone()
    a, b = parse_instant(start).astimezone(tz), parse_instant(end).astimezone(tz)
    loc = _locale(lang)
    skeleton = "Hm" if _uses_24h(loc) else "hm"
    if a.date() != b.date():
        skeleton = "yMMMd" + skeleton
    return _dates.format_interval(a, b, skeleton, tzinfo=tz, locale=loc)


@_marked
def format_relative(target: dt.date | dt.datetime | str, now: dt.datetime | None = None, *,
                    lang: str | None = None) -> str:
    """How far away: "in 3 days", "il y a 2 heures", "через 5 дней"."""
    now = now or dt.datetime.now(dt.timezone.utc)
    if isinstance(target, str):
        target = _as_date(target)
    if isinstance(target, dt.datetime):
        delta = parse_instant(target) - now
    else:
        delta = dt.timedelta(days=(target - now.astimezone(laptop_zone()).date()).days)
    return _dates.format_timedelta(delta, granularity="minute" if isinstance(target, dt.datetime) else "day",
                                   threshold=1.0, add_direction=True, locale=_locale(lang))


# --- numbers and money -----------------------------------------------------------------------------

@_marked
def format_number(value: int | float | Decimal, *, lang: str | None = None) -> str:
    """ "1 234 567" in French, "1,234,567" in English and Arabic (Western digits, as ITU texts use)."""
    return _numbers.format_decimal(value, locale=_locale(lang))


@_marked
def format_decimal(value: float | Decimal, digits: int = 2, *, lang: str | None = None) -> str:
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return _numbers.format_decimal(value, pattern, locale=_locale(lang))


@_marked
def format_percent(value: float | Decimal, *, lang: str | None = None) -> str:
    return _numbers.format_percent(value, locale=_locale(lang))


@_marked
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


@_marked
def format_list(items: Iterable[str], style: str = "standard", *, lang: str | None = None) -> str:
    """ "A, B and C", "A, B et C", "A、B和C"."""
    return _lists.format_list(list(items), style=style, locale=_locale(lang))


@_marked
def language_name(code: str, *, lang: str | None = None) -> str:
    """The name of a language in the interface language: ``language_name("ar")`` → "arabe" in French."""
    from babel import Locale

    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(_locale(lang)) or code
    except Exception:  # noqa: BLE001 - not a language code we know
        return code


# --- sorting ---------------------------------------------------------------------------------------

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
        except Exception:  # noqa: BLE001 - no Qt: the plain fallback below
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
