"""Instants: parsing, UTC, time zones, and showing them in the interface language (Babel, no Qt).

The one place where a time is read or shown; the window and the command line both use it.

- The store and the bundles keep UTC instants written ``YYYY-MM-DDTHH:MM:SSZ`` (:func:`iso_utc`).
- A time is read with :func:`parse_instant` (``Z`` or an offset); a time without one is refused
  (ValueError): nobody can tell which hour it means.
- A time is shown in the meeting's zone, named as delegates name it, "09:00 Kigali (UTC+2)", and
  in the laptop's zone when that differs (:func:`format_instant`); a stored instant without a
  meeting is shown in the laptop's zone (:func:`format_datetime`).

In the pseudo-locale (``WTDC_PSEUDO=1``) formatted values are marked like translated strings, so a
date shown without these helpers stands out.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import dates as _dates

from wtdc_desktop.i18n import _, current_language, format_locale, pseudo_marked

__all__ = [
    "UTC", "parse_instant", "parse_iso", "iso_utc", "now_utc", "now_iso", "to_zone", "zone", "laptop_zone",
    "zone_label", "format_date", "format_time", "format_datetime", "format_instant",
    "format_instant_or_text", "format_time_range", "format_relative",
]

UTC = dt.timezone.utc


def _locale(lang: str | None) -> str:
    return format_locale(lang or current_language())


# --- reading and writing instants ----------------------------------------------------------------

def parse_instant(value: str | dt.datetime, *, keep_offset: bool = False) -> dt.datetime:
    """An aware datetime from an ISO 8601 string (``2026-11-28T08:00:00Z``, ``…+02:00``) or a
    datetime, in UTC (in its own offset with ``keep_offset``).

    Raises ValueError for a time without an offset, or for text that is no ISO 8601 date-time.
    """
    if isinstance(value, str):
        value = parse_iso(value)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"the time {value.isoformat()} has no time zone")
    return value if keep_offset else value.astimezone(UTC)


def iso_utc(instant: dt.datetime | str) -> str:
    """The store's form of an instant: ``YYYY-MM-DDTHH:MM:SSZ`` (a naive one is refused)."""
    return parse_instant(instant).strftime("%Y-%m-%dT%H:%M:%SZ")


def now_utc() -> dt.datetime:
    """Now, in UTC, to the second."""
    return dt.datetime.now(UTC).replace(microsecond=0)


def now_iso() -> str:
    """Now, as the store writes it."""
    return iso_utc(now_utc())


# --- zones ---------------------------------------------------------------------------------------------

def to_zone(name: str | dt.tzinfo | None) -> dt.tzinfo | None:
    """A tzinfo for an IANA name (``Africa/Kigali``); None when unknown or empty."""
    if name is None or isinstance(name, dt.tzinfo):
        return name
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone(name: str | None, fallback: str = "UTC") -> ZoneInfo:
    """The IANA zone ``name`` (``fallback`` when empty or unknown, UTC at worst)."""
    for candidate in (name, fallback, "UTC"):
        if candidate:
            found = to_zone(candidate)
            if found is not None:
                return found
    return ZoneInfo("UTC")


@functools.lru_cache(maxsize=1)
def laptop_zone() -> dt.tzinfo:
    """The laptop's time zone, by IANA name when the system says it; else its current offset."""
    env = os.environ.get("TZ", "").lstrip(":")
    if env and to_zone(env):
        return to_zone(env)
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo" + os.sep in target:
            found = to_zone(target.split("zoneinfo" + os.sep, 1)[1])
            if found:
                return found
    except OSError:
        pass
    try:  # Windows (the registry) and the rest: Babel maps the system's zone to its IANA name
        from babel.localtime import get_localzone

        system = get_localzone()
        found = to_zone(getattr(system, "key", None) or getattr(system, "zone", None))
        if found:
            return found
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


def _city(tz: dt.tzinfo, lang: str | None) -> str | None:
    key = getattr(tz, "key", None)
    if not key or key in ("UTC", "GMT", "Universal", "Zulu") or key.startswith("Etc/"):  # Etc/GMT-2: the offset alone
        return None
    try:
        return _dates.get_timezone_location(tz, locale=_locale(lang), return_city=True)
    except Exception:  # noqa: BLE001 - an exotic zone name: show the offset alone
        return None


@pseudo_marked
def zone_label(zone: dt.tzinfo | str | None, when: dt.datetime | None = None, lang: str | None = None) -> str:
    """How delegates name a zone: its city in the interface language and the offset then,
    "Kigali (UTC+2)", "Женева (UTC+1)", "日内瓦 (UTC+1)"; "UTC" alone for UTC."""
    tz = to_zone(zone) if zone is not None else laptop_zone()
    if tz is None:
        return str(zone)
    when = when or dt.datetime.now(UTC)
    offset = _offset_text(when.astimezone(tz).utcoffset() or dt.timedelta(0))
    city = _city(tz, lang)
    if not city:
        return offset
    # Translators: a time zone: the city in {city}, the offset from UTC in {offset} ("UTC+2").
    return _("{city} ({offset})").format(city=city, offset=offset)


# --- showing instants ------------------------------------------------------------------------------

def _as_date(value) -> dt.date:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10]) if len(value) <= 10 else parse_instant(value)
    return value


@pseudo_marked
def format_date(value: dt.date | dt.datetime | str, fmt: str = "medium", *, zone=None,
                lang: str | None = None) -> str:
    """A day: "28 nov. 2026", "2026年11月28日"; fmt is short / medium / long / full or a CLDR pattern.
    A datetime is first moved into ``zone`` (default: the laptop's)."""
    value = _as_date(value)
    if isinstance(value, dt.datetime):
        value = parse_instant(value).astimezone(to_zone(zone) or laptop_zone()).date()
    return _dates.format_date(value, fmt, locale=_locale(lang))


@pseudo_marked
def format_time(value: dt.datetime | str, zone=None, fmt: str = "short", *, lang: str | None = None) -> str:
    """The time of an instant in a zone (default: the laptop's): "09:00", "9:00 AM"."""
    instant = parse_instant(value).astimezone(to_zone(zone) or laptop_zone())
    return _dates.format_time(instant, fmt, tzinfo=instant.tzinfo, locale=_locale(lang))


@pseudo_marked
def format_datetime(value: dt.datetime | str, zone=None, fmt: str = "medium", *,
                    lang: str | None = None) -> str:
    """Day and time of an instant in a zone (default: the laptop's); the zone is named only by the
    ``long`` and ``full`` formats."""
    instant = parse_instant(value).astimezone(to_zone(zone) or laptop_zone())
    return _dates.format_datetime(instant, fmt, tzinfo=instant.tzinfo, locale=_locale(lang))


@pseudo_marked
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
        return _("{time} {zone}").format(time=when, zone=zone_label.__wrapped__(tz, instant, lang))

    text = one(meeting, with_date)
    if instant.astimezone(meeting).utcoffset() != instant.astimezone(here).utcoffset():
        # The day again only when it differs at home.
        again = with_date and instant.astimezone(meeting).date() != instant.astimezone(here).date()
        # Translators: the same instant in the meeting's zone and in the laptop's zone.
        text = _("{meeting_time} · {local_time}").format(meeting_time=text, local_time=one(here, again))
    return text


def format_instant_or_text(value: str | None, meeting_zone=None) -> str:
    """:func:`format_instant` for a value read from a record: "" when empty, and a value that is no
    instant with an offset shown as it was published rather than guessed."""
    if not value:
        return ""
    try:
        return format_instant(value, meeting_zone)
    except ValueError:
        return value


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


@pseudo_marked
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


@pseudo_marked
def format_relative(target: dt.date | dt.datetime | str, now: dt.datetime | None = None, *,
                    lang: str | None = None) -> str:
    """How far away: "in 3 days", "il y a 2 heures", "через 5 дней"."""
    now = now or dt.datetime.now(UTC)
    if isinstance(target, str):
        target = _as_date(target)
    if isinstance(target, dt.datetime):
        delta = parse_instant(target) - now
    else:
        delta = dt.timedelta(days=(target - now.astimezone(laptop_zone()).date()).days)
    return _dates.format_timedelta(delta, granularity="minute" if isinstance(target, dt.datetime) else "day",
                                   threshold=1.0, add_direction=True, locale=_locale(lang))


def parse_iso(text: str) -> dt.datetime:
    """A date-time as an outside format writes it (``Z`` read as UTC); naive when it gives no
    offset, for the importer to place in the meeting's zone. Instants go through
    :func:`parse_instant`."""
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    return dt.datetime.fromisoformat(text)
