"""iCalendar (RFC 5545) timetables in, the delegation's sessions out, with the icalendar package.

Reading: VEVENTs with UTC, TZID (a VTIMEZONE in the file or an IANA name) or
floating times (read in the meeting's zone, or the calendar's
X-WR-TIMEZONE); folded lines, CRLF and escapes are the library's business.
Writing: one VEVENT per session with a stable UID (so a re-export updates
the user's calendar instead of duplicating), times in the meeting's zone
with TZID and the matching VTIMEZONE.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar

from wtdc_desktop import APP_NAME, __version__
from wtdc_desktop.domain.sessions import Session
from wtdc_desktop.exchange.timetable import Conference, Event, Timetable, TimetableError
from wtdc_desktop.i18n import _

UID_DOMAIN = "wtdc-desktop.invalid"


def _zone(name) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(str(name).strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file name
        return None


def _as_instant(value, floating_zone: dt.tzinfo | None, where: str, *, end_of_day: bool = False) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            if floating_zone is None:
                raise TimetableError(_("{where}: a floating time needs the meeting's time zone (give --meeting "
                                       "of a meeting that has one).").format(where=where))
            return value.replace(tzinfo=floating_zone)
        return value
    if isinstance(value, dt.date):  # an all-day event: the whole local day
        zone = floating_zone or dt.timezone.utc
        return dt.datetime.combine(value, dt.time(0), tzinfo=zone)
    shown = " ".join(str(value).split())  # one line, however the file broke it
    if len(shown) > 80:
        shown = shown[:79] + "…"
    raise TimetableError(_("{where}: the time “{value}” cannot be read.").format(where=where, value=shown))


def parse(data: bytes, where: str, *, default_zone: str | None = None) -> Timetable:
    try:
        cal = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError, AttributeError, TypeError, LookupError, OSError) as exc:
        raise TimetableError(_("{where} is not a valid iCalendar file ({reason}).").format(
            where=where, reason=exc)) from None
    if isinstance(cal, list):
        cal = cal[0] if cal else icalendar.Calendar()
    cal_zone_name = str(cal.get("X-WR-TIMEZONE") or "") or None
    floating = _zone(default_zone) or _zone(cal_zone_name)
    events: list[Event] = []
    zones_seen: list[str] = []
    try:
        for i, comp in enumerate(cal.walk("VEVENT")):
            here = f"{where}, VEVENT #{i + 1}"
            if comp.get("DTSTART") is None:
                raise TimetableError(_("{where} has no DTSTART.").format(where=here))
            start_raw = comp.decoded("DTSTART")
            start = _as_instant(start_raw, floating, here)
            if comp.get("DTEND") is not None:
                end = _as_instant(comp.decoded("DTEND"), floating, here)
            elif comp.get("DURATION") is not None:
                end = (start.astimezone(dt.timezone.utc) + comp.decoded("DURATION")).astimezone(start.tzinfo)
            elif isinstance(start_raw, dt.datetime):
                end = start
            else:
                end = _as_instant(start_raw + dt.timedelta(days=1), floating, here)
            tzid = comp["DTSTART"].params.get("TZID") if hasattr(comp["DTSTART"], "params") else None
            if tzid:
                zones_seen.append(str(tzid))
            summary = str(comp.get("SUMMARY") or "").strip()
            uid = str(comp.get("UID") or "").strip()
            if comp.get("RECURRENCE-ID") is not None:
                uid = f"{uid}/{comp.decoded('RECURRENCE-ID').isoformat()}"
            if not uid:
                uid = "h-" + hashlib.sha256(f"{summary}|{start.isoformat()}".encode()).hexdigest()[:20]
            categories = []
            cats = comp.get("CATEGORIES")
            for cat in cats if isinstance(cats, list) else [cats] if cats is not None else []:
                categories += [str(c) for c in getattr(cat, "cats", [])]
            status = "cancelled" if str(comp.get("STATUS") or "").upper() == "CANCELLED" else "scheduled"
            language = None
            if comp.get("SUMMARY") is not None and hasattr(comp["SUMMARY"], "params"):
                language = comp["SUMMARY"].params.get("LANGUAGE")
            events.append(Event(
                guid=uid, title=summary or uid, starts_at=start, ends_at=end,
                room=str(comp.get("LOCATION") or "").strip() or None,
                track=categories[0] if categories else None, language=language, status=status,
                description=str(comp.get("DESCRIPTION") or "") or None, url=str(comp.get("URL") or "") or None))
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError, OSError) as exc:
        # a property of the wrong form (a DURATION that is not a duration, a date out of range…)
        raise TimetableError(_("{where} is not a valid iCalendar file ({reason}).").format(
            where=here, reason=exc)) from None
    name = str(cal.get("X-WR-CALNAME") or cal.get("NAME") or "").strip() or None  # NAME: RFC 7986
    days = sorted({e.starts_at.date() for e in events})
    tz_name = default_zone or cal_zone_name or (zones_seen[0] if zones_seen and _zone(zones_seen[0]) else None)
    conference = Conference(title=name, starts_on=days[0] if days else None, ends_on=days[-1] if days else None,
                            timezone=tz_name if _zone(tz_name) else None)
    return Timetable(conference, events, "ics")


# --- export ---------------------------------------------------------------------------------

def session_uid(session_id: str) -> str:
    """Stable across exports and machines: derived from the session id only."""
    digest = hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:24]
    return f"session-{digest}@{UID_DOMAIN}"


def build_calendar(sessions: Iterable[Session], *, zones: dict[str | None, dt.tzinfo], name: str,
                   descriptions: dict[str, str] | None = None, sequences: dict[str, int] | None = None,
                   now: dt.datetime | None = None) -> icalendar.Calendar:
    """A calendar of the given sessions, each in its meeting's zone (``zones[meeting]``)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    cal = icalendar.Calendar()
    cal.add("PRODID", f"-//{APP_NAME}//{__version__}//EN")
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal.add("X-WR-CALNAME", name)
    for s in sessions:
        tz = zones.get(s.meeting) or dt.timezone.utc
        ev = icalendar.Event()
        ev.add("UID", session_uid(s.id))
        ev.add("DTSTAMP", now.astimezone(dt.timezone.utc).replace(microsecond=0))
        ev.add("DTSTART", s.starts_at.astimezone(tz))
        ev.add("DTEND", s.ends_at.astimezone(tz))
        ev.add("SUMMARY", s.title)
        if s.room:
            ev.add("LOCATION", s.room)
        ev.add("STATUS", "CANCELLED" if s.cancelled else "CONFIRMED")
        if sequences and s.id in sequences:
            ev.add("SEQUENCE", sequences[s.id])
        if s.committee:
            ev.add("CATEGORIES", [s.committee])
        text = (descriptions or {}).get(s.id)
        if text:
            ev.add("DESCRIPTION", text)
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal

