"""frab / Pentabarf schedule XML and frab ``schedule.json`` (what frab and pretalx publish).

Times: when the conference gives ``time_zone_name``, an event's wall-clock
date and start are read in that zone (so a DST change between days is the
zone's business); otherwise the offset of the event's ``date`` is used. An
event whose start is earlier than its day's start belongs to the next
calendar day (a session past midnight).

The newer layout (the c3voc schedule JSON, schema version 2, as the CCC hub
publishes) lists its events in ``schedule.events`` with ``start`` and ``end``
instants and a ``room`` object (name, slug, guid) that refers to
``conference.rooms``; a ``track`` may be an object referring to
``conference.tracks`` by slug. Both layouts are read from one file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wtdc_desktop.exchange.timetable import Conference, Event, Timetable, TimetableError
from wtdc_desktop.i18n import _
from wtdc_desktop.instants import parse_iso


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file name
        return None


def _date(value) -> dt.date | None:
    if not value:
        return None
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _duration(value, where: str) -> dt.timedelta:
    """``HH:MM`` (frab, pretalx) or ``HH:MM:SS``."""
    text = str(value or "").strip()
    if not text:
        return dt.timedelta(0)
    parts = text.split(":")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        raise TimetableError(_("{where}: the duration “{value}” is not HH:MM.").format(
            where=where, value=text)) from None
    if len(nums) == 2:
        return dt.timedelta(hours=nums[0], minutes=nums[1])
    if len(nums) == 3:
        return dt.timedelta(hours=nums[0], minutes=nums[1], seconds=nums[2])
    raise TimetableError(_("{where}: the duration “{value}” is not HH:MM.").format(where=where, value=text))


def _event_start(event: dict, day: dict, tz: ZoneInfo | None, where: str) -> dt.datetime:
    date_text = (event.get("date") or "").strip()
    start_text = (event.get("start") or "").strip()
    parsed = None
    if date_text:
        try:
            parsed = parse_iso(date_text)
        except ValueError:
            raise TimetableError(_("{where}: the date “{value}” is not an ISO date-time.").format(
                where=where, value=date_text)) from None
    if parsed is not None and (parsed.tzinfo is not None or tz is not None) and len(date_text) > 10:
        if tz is not None:
            return parsed.replace(tzinfo=None).replace(tzinfo=tz)  # wall-clock in the conference zone
        return parsed
    # Only the day and HH:MM: place it in the conference zone, or the day's own offset.
    day_date = _date(day.get("date"))
    m = re.match(r"^(\d{1,2}):(\d{2})", start_text)
    if day_date is None or m is None:
        raise TimetableError(_("{where}: the event has no usable date and start time.").format(where=where))
    start_time = dt.time(int(m.group(1)), int(m.group(2)))
    day_start = _day_start(day)
    if day_start is not None and start_time < day_start.time():
        day_date += dt.timedelta(days=1)  # after midnight, still listed under the conference day
    zone = tz or (day_start.tzinfo if day_start is not None else None)
    if zone is None:
        raise TimetableError(_("{where}: the timetable gives neither a time zone nor offsets.").format(where=where))
    return dt.datetime.combine(day_date, start_time, tzinfo=zone)


def _day_start(day: dict) -> dt.datetime | None:
    text = day.get("day_start") or day.get("start")
    if not text:
        return None
    try:
        value = parse_iso(str(text))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def _event(event: dict, day: dict, tz: ZoneInfo | None, room: str | None, where: str) -> Event:
    guid = str(event.get("guid") or "").strip()
    if not guid:
        ident = str(event.get("id") or "").strip()
        if not ident:
            raise TimetableError(_("{where}: an event has neither a guid nor an id.").format(where=where))
        guid = f"id-{ident}"
    here = f"{where}, event {guid}"
    start = _event_start(event, day, tz, here)
    end = (start.astimezone(dt.timezone.utc) + _duration(event.get("duration"), here)).astimezone(start.tzinfo)
    persons = []
    for p in event.get("persons") or []:
        name = p.get("public_name") or p.get("name") if isinstance(p, dict) else p
        if name:
            persons.append(str(name))
    title = (event.get("title") or "").strip() or guid
    if event.get("subtitle"):
        title = f"{title}: {event['subtitle'].strip()}"
    status = "cancelled" if re.search(r"cancel", str(event.get("type") or "") + " " + str(
        event.get("state") or event.get("status") or ""), re.I) else "scheduled"
    return Event(guid=guid, title=title, starts_at=start, ends_at=end,
                 room=(event.get("room") or room or None), track=(event.get("track") or None),
                 language=(event.get("language") or None), status=status,
                 description=(event.get("abstract") or event.get("description") or None),
                 url=event.get("url") or None, persons=persons)


def _conference(raw: dict) -> Conference:
    return Conference(
        acronym=(raw.get("acronym") or None), title=(raw.get("title") or None),
        starts_on=_date(raw.get("start")), ends_on=_date(raw.get("end")),
        timezone=(raw.get("time_zone_name") or None), url=raw.get("url") or raw.get("base_url") or None)


# --- JSON ---------------------------------------------------------------------------------

def parse_json(data: bytes, where: str) -> Timetable:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TimetableError(_("{where} is not a valid frab schedule.json ({reason}).").format(
            where=where, reason=exc)) from None
    schedule = doc.get("schedule") if isinstance(doc, dict) else None
    conf_raw = schedule.get("conference") if isinstance(schedule, dict) else None
    if not isinstance(conf_raw, dict):
        raise TimetableError(_("{where} is not a frab schedule.json: it has no schedule.conference.").format(
            where=where))
    try:
        conference = _conference(conf_raw)
        tz = _zone(conference.timezone)
        events = []
        for day in conf_raw.get("days") or []:
            rooms = day.get("rooms") or {}
            for room_name, room_events in rooms.items():
                for i, ev in enumerate(room_events or []):
                    events.append(_event(ev, day, tz, room_name, f"{where}, day {day.get('index', '?')}, "
                                                                  f"{room_name} #{i + 1}"))
        flat = schedule.get("events")
        if isinstance(flat, list):  # schema version 2: one list of events with their own instants
            rooms_by_guid = {str(r.get("guid")): r.get("name") for r in conf_raw.get("rooms") or []
                             if isinstance(r, dict) and r.get("guid")}
            tracks_by_slug = {str(t.get("slug")): t.get("name") for t in conf_raw.get("tracks") or []
                              if isinstance(t, dict) and t.get("slug")}
            for i, ev in enumerate(flat):
                events.append(_event_v2(ev, tz, rooms_by_guid, tracks_by_slug, f"{where}, event #{i + 1}"))
    except (AttributeError, TypeError, ValueError, OverflowError) as exc:  # a value of the wrong JSON type somewhere
        raise TimetableError(_("{where} is not a valid frab schedule.json ({reason}).").format(
            where=where, reason=exc)) from None
    return Timetable(conference, events, "frab-json-2" if isinstance(schedule.get("events"), list) else "frab-json")


def _text_of(value) -> str | None:
    """A text, or one language of a text given per language ({"en": ..., "de": ...})."""
    if isinstance(value, dict):
        value = value.get("en") or next((v for v in value.values() if v), None)
    text = str(value).strip() if value is not None else ""
    return text or None


def _instant(text, tz: ZoneInfo | None, where: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = parse_iso(str(text).strip())
    except ValueError:
        raise TimetableError(_("{where}: the date “{value}” is not an ISO date-time.").format(
            where=where, value=text)) from None
    if value.tzinfo is None:
        if tz is None:
            raise TimetableError(_("{where}: the timetable gives neither a time zone nor offsets.").format(
                where=where))
        value = value.replace(tzinfo=tz)
    return value


def _event_v2(event: dict, tz: ZoneInfo | None, rooms: dict, tracks: dict, where: str) -> Event:
    """An event of the schema-2 layout: ``start`` and ``end`` instants, ``room`` and ``track`` objects."""
    guid = str(event.get("guid") or event.get("code") or event.get("id") or event.get("slug") or "").strip()
    if not guid:
        raise TimetableError(_("{where}: an event has neither a guid nor an id.").format(where=where))
    here = f"{where} ({guid})"
    start = _instant(event.get("start") or event.get("date"), tz, here)
    if start is None:
        raise TimetableError(_("{where}: the event has no usable date and start time.").format(where=here))
    end = _instant(event.get("end"), tz, here)
    if end is None:
        end = (start.astimezone(dt.timezone.utc) + _duration(event.get("duration"), here)).astimezone(start.tzinfo)
    if tz is not None:
        start, end = start.astimezone(tz), end.astimezone(tz)
    room = event.get("room")
    if isinstance(room, dict):
        room = room.get("name") or rooms.get(str(room.get("guid"))) or room.get("slug")
    track = event.get("track")
    if isinstance(track, dict):
        track = track.get("name") or tracks.get(str(track.get("slug"))) or track.get("slug")
    persons = []
    for p in (event.get("participants") or event.get("persons") or []):
        name = (p.get("public_name") or p.get("name")) if isinstance(p, dict) else p
        if name:
            persons.append(str(name))
    title = (_text_of(event.get("title")) or guid)
    subtitle = _text_of(event.get("subtitle"))
    if subtitle:
        title = f"{title} {subtitle}" if title.endswith(":") else f"{title}: {subtitle}"
    status = "cancelled" if re.search(r"cancel", str(event.get("state") or event.get("status") or ""), re.I) \
        else "scheduled"
    language = event.get("language")
    return Event(guid=guid, title=title, starts_at=start, ends_at=end, room=_text_of(room),
                 track=_text_of(track), language=str(language) if language else None, status=status,
                 description=_text_of(event.get("abstract")) or _text_of(event.get("description")),
                 url=event.get("url") or None, persons=persons)


# --- XML ------------------------------------------------------------------------------------

def parse_xml(data: bytes, where: str) -> Timetable:
    from defusedxml import ElementTree as ET  # refuses entity expansion (billion laughs, external entities)
    from defusedxml.common import DefusedXmlException

    try:
        root = ET.fromstring(data)
    except (ET.ParseError, DefusedXmlException, LookupError, ValueError) as exc:  # LookupError: unknown encoding
        raise TimetableError(_("{where} is not a valid schedule XML ({reason}).").format(
            where=where, reason=exc)) from None
    if root.tag != "schedule":
        raise TimetableError(_("{where} is not a frab/Pentabarf schedule: its root element is <{tag}>.").format(
            where=where, tag=root.tag))

    def text(el, name):
        child = el.find(name)
        return child.text.strip() if child is not None and child.text else None

    conf_el = root.find("conference")
    conf_raw = {}
    if conf_el is not None:
        conf_raw = {k: text(conf_el, k) for k in ("acronym", "title", "start", "end", "time_zone_name",
                                                  "base_url", "url")}
    conference = _conference(conf_raw)
    tz = _zone(conference.timezone)
    events = []
    for day_el in root.findall("day"):
        day = {"index": day_el.get("index"), "date": day_el.get("date"), "start": day_el.get("start")}
        for room_el in day_el.findall("room"):
            room_name = room_el.get("name")
            for i, ev_el in enumerate(room_el.findall("event")):
                ev = {k: text(ev_el, k) for k in ("date", "start", "duration", "room", "title", "subtitle", "track",
                                                   "type", "language", "abstract", "description", "url")}
                ev["guid"] = ev_el.get("guid")
                ev["id"] = ev_el.get("id")
                persons_el = ev_el.find("persons")
                ev["persons"] = [p.text.strip() for p in (persons_el.findall("person") if persons_el is not None
                                                          else []) if p.text and p.text.strip()]
                events.append(_event(ev, day, tz, room_name,
                                     f"{where}, day {day['index'] or '?'}, {room_name} #{i + 1}"))
    return Timetable(conference, events, "frab-xml")
