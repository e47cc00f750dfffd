"""Importing a published timetable (file, folder or https URL) as a bundle source.

Sessions are published data, written only by a bundle apply: the timetable is
turned into a full bundle on the channel of its source (publisher
``schedule-import``) and applied with :func:`apply_bundle`, so history,
withdrawal of dropped events and all-or-nothing apply are the same as for any
bundle. Session ids are derived from event guids, so stars, priorities and
assignments survive a re-import.

A timetable belongs to its own conference: without a meeting the import
creates (or updates) a meeting named from the file (frab acronym and title,
the calendar's name). Adding it to an existing meeting of another conference
or zone, or moving sessions an earlier import of the same source put in
another meeting, is refused unless ``confirmed`` (the caller asked the user);
:func:`preview_schedule` says beforehand what the file is, for the dialog that
asks. A file that yields no session is refused, never applied.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from wtdc_desktop import network
from wtdc_desktop.errors import FileRefusedError, WtdcError
from wtdc_desktop.exchange import frab, ics
from wtdc_desktop.exchange.timetable import Event, Timetable, TimetableError
from wtdc_desktop.i18n import _, ngettext
from wtdc_desktop.instants import iso_utc, to_zone, zone, zone_label
from wtdc_desktop.userfiles import read_user_file

PUBLISHER = "schedule-import"
MAX_BYTES = 32 * 1024 * 1024
_SUFFIXES = (".xml", ".json", ".ics", ".ical", ".ifb")


@dataclass
class ScheduleImport:
    location: str
    meeting: str
    channel: str
    outcome: str  # applied | unchanged | not_modified
    format: str | None = None
    events: int = 0
    counts: dict = field(default_factory=dict)
    meeting_created: bool = False
    zone_note: str | None = None  # how the meeting's zone was chosen, when the file names none
    moved: int = 0  # sessions moved from the meeting of an earlier import of the same source


class ForeignConference(TimetableError):
    """The timetable is another conference's (or in another zone) than the meeting it was to go into."""


class SessionsWouldMove(TimetableError):
    """Importing the source into this meeting would move the sessions an earlier import put elsewhere."""


@dataclass
class SchedulePreview:
    """What a timetable is, read before importing it (for the dialog that asks where it goes)."""

    location: str
    format: str
    name: str  # the conference as the file names it
    acronym: str | None
    zone: str | None  # the zone its sessions will be shown in when it becomes a new meeting
    zone_note: str | None
    events: int
    first_start: dt.datetime | None
    meeting_id: str  # the id of the new meeting it proposes
    earlier_meeting: str | None  # the meeting an earlier import of this source went into
    earlier_sessions: int  # how many sessions of that meeting the earlier import carries
    meetings: list[dict] = field(default_factory=list)  # the store's meetings (id, title, timezone)

    def meeting_id_for(self, name: str) -> str:
        """The id of a new meeting named ``name`` (the file's acronym when the name is the file's)."""
        name = " ".join(name.split())
        if self.acronym and name == self.name:
            return self.acronym.upper()
        return _meeting_id(name)

    def differs_from(self, meeting: dict | None) -> bool:
        """Whether the file's conference or zone is not the meeting's (a new meeting never differs)."""
        if not meeting:
            return False
        return _differs(self.name, self.acronym, self.zone, self.first_start, meeting)

    def moves_to(self, meeting_id: str) -> int:
        """How many sessions importing into ``meeting_id`` moves from the earlier import's meeting."""
        return self.earlier_sessions if self.earlier_meeting and self.earlier_meeting != meeting_id else 0


# --- reading the source ----------------------------------------------------------------------

def is_url(location: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", location))


def fetch_url(url: str, *, etag: str | None = None, last_modified: str | None = None
              ) -> tuple[bytes | None, str | None, str | None]:
    """(body or None when not modified, etag, last_modified), under the network module's rules."""
    try:
        fetched = network.fetch(url, limit=MAX_BYTES, etag=etag, last_modified=last_modified)
    except network.TooLarge:
        raise TimetableError(_("{url} is larger than {size} MiB; refused.").format(
            url=url, size=MAX_BYTES // (1024 * 1024))) from None
    except (network.Refused, network.Unreachable) as exc:
        raise TimetableError(exc.message) from None
    return fetched.body, fetched.etag, fetched.last_modified


def read_files(location: str) -> list[tuple[str, bytes]]:
    path = Path(location).expanduser()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES)
        if not files:
            raise TimetableError(_("{where} holds no timetable (.xml, .json or .ics file).").format(where=path))
    elif path.exists():
        files = [path]  # a device, a pipe or a socket is refused by read_user_file, in one sentence
    else:
        raise TimetableError(_("{where} does not exist.").format(where=path))
    out = []
    for p in files:
        try:
            out.append((str(p), read_user_file(p, "timetable", limit=MAX_BYTES)))
        except FileRefusedError as exc:
            raise TimetableError(exc.message) from None
        except OSError as exc:
            raise TimetableError(_("{where} cannot be read ({reason}).").format(
                where=p, reason=exc.strerror or exc)) from None
    return out


def parse_any(name: str, data: bytes, *, default_zone: str | None = None) -> Timetable:
    """Recognise the format by content (then by name)."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048]
    if head.startswith(b"BEGIN:VCALENDAR"):
        return ics.parse(data, name, default_zone=default_zone)
    if head.startswith(b"{"):
        return frab.parse_json(data, name)
    if head.startswith(b"<"):
        return frab.parse_xml(data, name)
    raise TimetableError(_("{where} is neither frab XML, frab JSON nor iCalendar.").format(where=name))


# --- turning a timetable into a bundle -------------------------------------------------------------

def channel_for(location: str) -> str:
    if is_url(location):  # a channel name is plain ASCII without "/" or ":" (spec §2)
        return "url-" + hashlib.sha256(location.encode("utf-8")).hexdigest()[:16]
    resolved = str(Path(location).expanduser().resolve())
    return "file-" + hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:16]


def session_id_for(meeting_id: str, guid: str) -> str:
    return f"{meeting_id}/{guid}"


def _slug(text: str) -> str:
    slug = re.sub(r"[^\w]+", "-", text.strip().lower(), flags=re.UNICODE).strip("-")
    return slug or hashlib.sha256(text.encode()).hexdigest()[:8]


def _utc(value: dt.datetime) -> str:
    return iso_utc(value)


def _local_iso(value: dt.datetime, tz: dt.tzinfo | None) -> str:
    """An instant with the offset of the meeting's zone (what a publisher would write)."""
    return (value.astimezone(tz) if tz else value).isoformat()


def _meeting_id(name: str) -> str:
    """A meeting id from a name: its words joined by hyphens ("Réunion préparatoire" → "Réunion-préparatoire")."""
    words = re.findall(r"[\w.]+", name, flags=re.UNICODE)
    return "-".join(words)[:60].strip("-.") or "timetable"


def _normal(text: str | None) -> str:
    return "".join(ch for ch in (text or "").casefold() if ch.isalnum())


def zone_of(timetable: Timetable) -> tuple[str | None, str | None]:
    """(the IANA zone of the timetable, a sentence when it came from its times' offset and not a name)."""
    if timetable.conference.timezone:
        return timetable.conference.timezone, None
    offsets = {}
    for ev in timetable.events:
        key = getattr(ev.starts_at.tzinfo, "key", None)
        if key:
            return key, None
        off = ev.starts_at.utcoffset()
        offsets[off] = offsets.get(off, 0) + 1
    if not offsets:
        return None, None
    offset = max(offsets, key=offsets.get)  # the offset most of its times carry
    minutes = int(offset.total_seconds()) // 60
    shown = "UTC{sign}{h:02d}:{m:02d}".format(sign="-" if minutes < 0 else "+", h=abs(minutes) // 60,
                                              m=abs(minutes) % 60)
    if minutes % 60 == 0 and abs(minutes) <= 12 * 60:
        # IANA names fixed offsets Etc/GMT with the sign the other way round: UTC+02:00 is Etc/GMT-2.
        name = "Etc/GMT" if minutes == 0 else "Etc/GMT{:+d}".format(-minutes // 60)
        return name, _("No time zone named in the file; using the offset its times carry, {offset}.").format(
            offset=shown)
    return None, _("No time zone named in the file, and the offset its times carry ({offset}) has no zone "
                   "name: times are shown in UTC.").format(offset=shown)


def zone_shown(name: str | None, when: dt.datetime | None) -> str:
    return zone_label(name or "UTC", when) if name and to_zone(name) else _("no time zone")


def _differs(name: str, acronym: str | None, zone_name: str | None, when: dt.datetime | None,
             meeting: dict) -> bool:
    names = {_normal(n) for n in (name, acronym) if _normal(n)}
    theirs = {_normal(n) for n in (meeting.get("id"), meeting.get("title")) if _normal(n)}
    if names and not names & theirs:
        return True
    if zone_name and when is not None:
        return when.astimezone(zone(zone_name)).utcoffset() != when.astimezone(
            zone(meeting.get("timezone"))).utcoffset()
    return False


def meeting_shown(meeting: dict) -> str:
    title = meeting.get("title")
    if title and _normal(title) != _normal(meeting.get("id")):
        return "{id} “{title}”".format(id=meeting["id"], title=title)
    return meeting["id"]


def _conference_name(timetable: Timetable, location: str) -> str:
    conf = timetable.conference
    name = conf.title or conf.acronym
    if not name:
        stem = re.split(r"[\\/]", location.rstrip("/\\"))[-1]
        name = stem.rsplit(".", 1)[0] if "." in stem else stem
    return " ".join(str(name).split()) or "timetable"


def _meeting_record(conf, meeting_id: str, zone_name: str | None, title: str | None = None) -> dict:
    meeting = {"id": meeting_id, "kind": "conference",
               "title": title or conf.title or conf.acronym or meeting_id}
    if conf.starts_on:
        meeting["starts_on"] = conf.starts_on.isoformat()
    if conf.ends_on:
        meeting["ends_on"] = conf.ends_on.isoformat()
    if zone_name:
        meeting["timezone"] = zone_name
    if conf.url:
        meeting["url"] = conf.url
    return meeting


def _session_record(ev: Event, meeting_id: str, committee: str | None, tz: dt.tzinfo | None) -> dict:
    session = {"id": session_id_for(meeting_id, ev.guid), "meeting": meeting_id, "title": ev.title,
               "starts_at": _local_iso(ev.starts_at, tz), "ends_at": _local_iso(ev.ends_at, tz),
               "status": ev.status, "guid": ev.guid}
    if ev.room:
        session["room"] = ev.room
    if committee:
        session["committee"] = committee
    if ev.language:
        session["language"] = ev.language
    if ev.url:
        session["url"] = ev.url
    if ev.persons:
        session["persons"] = ev.persons
    if ev.description:
        session["description"] = ev.description
    return session


def build_records(timetable: Timetable, meeting_id: str, *, include_meeting: bool, committees_to_include,
                  zone_name: str | None, title: str | None = None) -> dict[str, list[dict]]:
    tz = zone(zone_name) if zone_name else None
    conf = timetable.conference
    records: dict[str, list[dict]] = {"session": [], "committee": [], "meeting": []}
    if include_meeting:
        records["meeting"].append(_meeting_record(conf, meeting_id, zone_name, title))
    tracks: dict[str, str] = {}
    seen: dict[str, Event] = {}
    for ev in timetable.events:
        seen.setdefault(ev.guid, ev)  # the first wins if a guid repeats
    for ev in seen.values():
        committee = None
        if ev.track:
            committee = f"{meeting_id}/track-{_slug(ev.track)}"
            tracks.setdefault(committee, ev.track)
        records["session"].append(_session_record(ev, meeting_id, committee, tz))
    for cid, name in sorted(tracks.items()):
        if committees_to_include(cid):
            records["committee"].append({"id": cid, "meeting": meeting_id, "name": name, "kind": "working_group"})
    records["session"].sort(key=lambda r: (r["starts_at"], r["id"]))
    return {k: v for k, v in records.items() if v}


def _merge(timetables: list[Timetable]) -> Timetable:
    if len(timetables) == 1:
        return timetables[0]
    conf = timetables[0].conference
    for t in timetables[1:]:
        for key in ("acronym", "title", "timezone", "url"):
            if getattr(conf, key) is None:
                setattr(conf, key, getattr(t.conference, key))
        starts = [d for d in (conf.starts_on, t.conference.starts_on) if d]
        ends = [d for d in (conf.ends_on, t.conference.ends_on) if d]
        conf.starts_on = min(starts) if starts else None
        conf.ends_on = max(ends) if ends else None
    return Timetable(conf, [e for t in timetables for e in t.events], "+".join(sorted({t.format for t in timetables})))


def _read(location: str, known: dict | None, force: bool, zone_hint: str | None
          ) -> tuple[Timetable | None, str | None, str | None]:
    """(the timetable, or None when the URL has not changed; etag; last_modified)."""
    etag = last_modified = None
    if is_url(location):
        body, etag, last_modified = fetch_url(
            location, etag=None if force or not known else known.get("etag"),
            last_modified=None if force or not known else known.get("last_modified"))
        if body is None:
            return None, etag, last_modified
        files = [(location, body)]
    else:
        files = read_files(location)
    timetable = _merge([parse_any(name, data, default_zone=zone_hint) for name, data in files])
    if not timetable.events:
        raise TimetableError(_("{where} holds no session: nothing was imported.").format(where=location))
    return timetable, etag, last_modified


def preview_schedule(store, location: str) -> SchedulePreview:
    """Read the timetable at ``location`` (nothing is written) and say what it is and where it would go."""
    from wtdc_desktop.store import sessions as session_store

    timetable, _etag, _lm = _read(location, None, True, None)
    zone_name, note = zone_of(timetable)
    known = session_store.schedule_source(store, location)
    earlier = known["meeting"] if known else None
    count = session_store.channel_session_count(
        store, f"{PUBLISHER}/{channel_for(location)}", earlier) if earlier else 0
    name = _conference_name(timetable, location)
    acronym = timetable.conference.acronym
    first = min(e.starts_at for e in timetable.events)
    return SchedulePreview(
        location=location, format=timetable.format, name=name, acronym=acronym, zone=zone_name, zone_note=note,
        events=len({e.guid for e in timetable.events}), first_start=first,
        meeting_id=acronym.upper() if acronym else _meeting_id(name), earlier_meeting=earlier,
        earlier_sessions=count, meetings=session_store.all_meetings(store))


def import_schedule(store, location: str, meeting_id: str | None = None, *, force: bool = False,
                    confirmed: bool = False, title: str | None = None) -> ScheduleImport:
    """Read the timetable at ``location`` and apply it as a bundle; the store is unchanged on error.

    Without ``meeting_id`` the meeting is the file's own conference (created if new). Unless
    ``confirmed``: an existing meeting of another conference or zone is refused
    (:class:`ForeignConference`), and so is moving sessions an earlier import of the same
    source put in another meeting (:class:`SessionsWouldMove`). ``title`` names a new meeting.
    """
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.bundles.writer import Header, build_bundle
    from wtdc_desktop.store import sessions as session_store

    meeting_id = (meeting_id or "").strip() or None
    channel = channel_for(location)
    channel_key = f"{PUBLISHER}/{channel}"
    known = session_store.schedule_source(store, location)
    existing = session_store.meeting(store, meeting_id) if meeting_id else None
    remembered = meeting_id or (known or {}).get("meeting") or ""
    try:
        zone_hint = existing["timezone"] if existing and existing.get("timezone") else None
        timetable, etag, last_modified = _read(location, known, force, zone_hint)
        if timetable is None:
            session_store.record_schedule_import(store, location=location, meeting_id=remembered, channel=channel,
                                                fmt=None, outcome="not_modified")
            return ScheduleImport(location, remembered, channel, "not_modified")
        file_zone, zone_note = zone_of(timetable)
        name = _conference_name(timetable, location)
        if meeting_id is None:
            acronym = timetable.conference.acronym
            meeting_id = acronym.upper() if acronym else _meeting_id(title or name)
            existing = session_store.meeting(store, meeting_id)
        remembered = meeting_id
        first = min(e.starts_at for e in timetable.events)
        ours = existing is not None and session_store.channel_carries(store, "meeting", meeting_id, channel_key)
        if (existing is not None and not ours and not confirmed
                and _differs(name, timetable.conference.acronym, file_zone, first, existing)):
            raise ForeignConference(_(
                "{where} is the timetable of “{conference}” ({zone}), not of the meeting {meeting} ({meeting_zone}): "
                "nothing was imported; to add its sessions to {id} all the same, give --into {id}.").format(
                where=location, conference=name, zone=zone_shown(file_zone, first),
                meeting=meeting_shown(existing), meeting_zone=zone_shown(existing.get("timezone"), first),
                id=meeting_id))
        moved = 0
        if known and known.get("meeting") and known["meeting"] != meeting_id:
            moved = session_store.channel_session_count(store, channel_key, known["meeting"])
            if moved and not confirmed:
                raise SessionsWouldMove(ngettext(
                    "{where} was imported into {old} before: importing it into {new} moves its {count} session "
                    "from {old} to {new}; nothing was imported; to move it, give --into {new}.",
                    "{where} was imported into {old} before: importing it into {new} moves its {count} sessions "
                    "from {old} to {new}; nothing was imported; to move them, give --into {new}.", moved).format(
                    where=location, old=known["meeting"], new=meeting_id, count=moved))
        zone_name = (existing or {}).get("timezone") or file_zone
        if (existing or {}).get("timezone"):
            zone_note = None  # the meeting's own zone is used
        include_meeting = existing is None or ours
        records = build_records(
            timetable, meeting_id, include_meeting=include_meeting, zone_name=zone_name, title=title,
            committees_to_include=lambda cid: (not session_store.record_exists(store, "committee", cid)
                                               or session_store.channel_carries(store, "committee", cid, channel_key)))
        digest = hashlib.sha256(json.dumps(records, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        events = {r["guid"]: r["id"] for r in records.get("session", [])}
        sequence = session_store.channel_sequence(store, PUBLISHER, channel)
        if not force and known and known.get("content_sha256") == digest and sequence:
            session_store.record_schedule_import(store, location=location, meeting_id=meeting_id, channel=channel,
                                                fmt=timetable.format, outcome="unchanged", etag=etag,
                                                last_modified=last_modified)
            return ScheduleImport(location, meeting_id, channel, "unchanged", timetable.format, len(events),
                                  zone_note=zone_note)
        with tempfile.TemporaryDirectory(dir=store.data_dir, prefix=".schedule-") as tmp:
            src = Path(tmp) / "src"
            (src / "records").mkdir(parents=True)
            for type_name, recs in records.items():
                with open(src / "records" / f"{type_name}.jsonl", "w", encoding="utf-8") as fp:
                    for r in recs:
                        fp.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
            out = Path(tmp) / "schedule.wtdc.zip"
            build_bundle(src, out, Header(publisher_id=PUBLISHER, publisher_name=_("Imported timetable"),
                                          channel=channel, sequence=sequence + 1, kind="full"))
            result = apply_bundle(store, out, source=location)
    except WtdcError as exc:
        # A refusal never changes the meeting a source is remembered with; a source refused for its
        # meeting (not yet asked) is not remembered, so that no periodic sync imports it unasked.
        if known or not isinstance(exc, (ForeignConference, SessionsWouldMove)):
            session_store.record_schedule_import(
                store, location=location, meeting_id=(known or {}).get("meeting") or remembered, channel=channel,
                fmt=None, outcome="refused", message=exc.message)
        raise
    session_store.record_schedule_import(store, location=location, meeting_id=meeting_id, channel=channel,
                                        fmt=timetable.format, outcome="applied", content_sha256=digest,
                                        events=events, etag=etag, last_modified=last_modified)
    return ScheduleImport(location, meeting_id, channel, "applied", timetable.format, len(events),
                          result.counts, meeting_created=existing is None, zone_note=zone_note, moved=moved)


def import_schedule_locked(data_dir, location: str, meeting_id: str | None = None, *, force: bool = False,
                           confirmed: bool = False, title: str | None = None) -> ScheduleImport:
    """:func:`import_schedule` under the sync lock (never at the same time as a bundle sync)."""
    from wtdc_desktop.store import Store
    from wtdc_desktop.store.lock import SyncLock

    with SyncLock(data_dir):
        with Store(data_dir) as store:
            return import_schedule(store, location, meeting_id, force=force, confirmed=confirmed, title=title)


def preview_schedule_in(data_dir, location: str) -> SchedulePreview:
    """:func:`preview_schedule` on the store of ``data_dir`` (reads only)."""
    from wtdc_desktop.store import Store

    with Store(data_dir) as store:
        return preview_schedule(store, location)


def reimport_schedules(store) -> list[tuple[str, ScheduleImport | WtdcError]]:
    """Re-import every remembered timetable source; the caller holds the sync lock.

    Returns (location, outcome) pairs: errors are returned per source, not raised,
    so one unreachable timetable does not stop the others.
    """
    from wtdc_desktop.store import sessions as session_store

    out: list = []
    for src in session_store.schedule_sources(store):
        try:
            # the meeting it was imported into, chosen (and confirmed) then
            out.append((src["location"], import_schedule(store, src["location"], src["meeting"], confirmed=True)))
        except WtdcError as exc:
            out.append((src["location"], exc))
    return out
