"""Importing a published timetable (file, folder or https URL) as a bundle source.

Sessions are published data, written only by a bundle apply: the timetable is
turned into a full bundle on the channel of its source (publisher
``schedule-import``) and applied with :func:`apply_bundle`, so history,
withdrawal of dropped events and all-or-nothing apply are the same as for any
bundle. Session ids are derived from event guids, so stars, priorities and
assignments survive a re-import.
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
from wtdc_desktop.i18n import _
from wtdc_desktop.instants import iso_utc, zone
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


def _meeting_record(conf, meeting_id: str, zone_name: str | None) -> dict:
    meeting = {"id": meeting_id, "kind": "conference",
               "title": conf.title or conf.acronym or meeting_id}
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
                  zone_name: str | None) -> dict[str, list[dict]]:
    tz = zone(zone_name) if zone_name else None
    conf = timetable.conference
    records: dict[str, list[dict]] = {"session": [], "committee": [], "meeting": []}
    if include_meeting:
        records["meeting"].append(_meeting_record(conf, meeting_id, zone_name))
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


def import_schedule(store, location: str, meeting_id: str, *, force: bool = False) -> ScheduleImport:
    """Read the timetable at ``location`` and apply it as a bundle; the store is unchanged on error."""
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.bundles.writer import Header, build_bundle
    from wtdc_desktop.store import sessions as session_store

    meeting_id = (meeting_id or "").strip()
    if not meeting_id:
        raise TimetableError(_("Give the meeting the timetable belongs to (--meeting ID)."))
    channel = channel_for(location)
    channel_key = f"{PUBLISHER}/{channel}"
    known = session_store.schedule_source(store, location)
    existing = session_store.meeting(store, meeting_id)
    etag = last_modified = None
    try:
        if is_url(location):
            body, etag, last_modified = fetch_url(
                location, etag=None if force or not known else known.get("etag"),
                last_modified=None if force or not known else known.get("last_modified"))
            if body is None:
                session_store.record_schedule_import(store, location=location, meeting_id=meeting_id, channel=channel,
                                                    fmt=None, outcome="not_modified")
                return ScheduleImport(location, meeting_id, channel, "not_modified")
            files = [(location, body)]
        else:
            files = read_files(location)
        zone_hint = existing["timezone"] if existing and existing.get("timezone") else None
        timetable = _merge([parse_any(name, data, default_zone=zone_hint) for name, data in files])
        zone_name = (existing or {}).get("timezone") or timetable.conference.timezone
        if zone_name is None and timetable.events:
            first = timetable.events[0].starts_at.tzinfo
            zone_name = getattr(first, "key", None)
        include_meeting = existing is None or session_store.channel_carries(store, "meeting", meeting_id, channel_key)
        records = build_records(
            timetable, meeting_id, include_meeting=include_meeting, zone_name=zone_name,
            committees_to_include=lambda cid: (not session_store.record_exists(store, "committee", cid)
                                               or session_store.channel_carries(store, "committee", cid, channel_key)))
        digest = hashlib.sha256(json.dumps(records, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        events = {r["guid"]: r["id"] for r in records.get("session", [])}
        sequence = session_store.channel_sequence(store, PUBLISHER, channel)
        if not force and known and known.get("content_sha256") == digest and sequence:
            session_store.record_schedule_import(store, location=location, meeting_id=meeting_id, channel=channel,
                                                fmt=timetable.format, outcome="unchanged", etag=etag,
                                                last_modified=last_modified)
            return ScheduleImport(location, meeting_id, channel, "unchanged", timetable.format, len(events))
        with tempfile.TemporaryDirectory(dir=store.data_dir, prefix=".schedule-") as tmp:
            src = Path(tmp) / "src"
            (src / "records").mkdir(parents=True)
            for type_name, recs in records.items():
                with open(src / "records" / f"{type_name}.jsonl", "w", encoding="utf-8") as fp:
                    for r in recs:
                        fp.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
            if not records:
                # An empty timetable withdraws what the channel carried: keep one file for a valid bundle.
                (src / "records" / "session.jsonl").write_text("", "utf-8")
            out = Path(tmp) / "schedule.wtdc.zip"
            build_bundle(src, out, Header(publisher_id=PUBLISHER, publisher_name=_("Imported timetable"),
                                          channel=channel, sequence=sequence + 1, kind="full"))
            result = apply_bundle(store, out, source=location)
    except WtdcError as exc:
        session_store.record_schedule_import(store, location=location, meeting_id=meeting_id, channel=channel,
                                            fmt=None, outcome="refused", message=exc.message)
        raise
    session_store.record_schedule_import(store, location=location, meeting_id=meeting_id, channel=channel,
                                        fmt=timetable.format, outcome="applied", content_sha256=digest,
                                        events=events, etag=etag, last_modified=last_modified)
    return ScheduleImport(location, meeting_id, channel, "applied", timetable.format, len(events),
                          result.counts, meeting_created=existing is None)


def import_schedule_locked(data_dir, location: str, meeting_id: str, *, force: bool = False) -> ScheduleImport:
    """:func:`import_schedule` under the sync lock (never at the same time as a bundle sync)."""
    from wtdc_desktop.store import Store
    from wtdc_desktop.store.lock import SyncLock

    with SyncLock(data_dir):
        with Store(data_dir) as store:
            return import_schedule(store, location, meeting_id, force=force)


def reimport_schedules(store) -> list[tuple[str, ScheduleImport | WtdcError]]:
    """Re-import every remembered timetable source; the caller holds the sync lock.

    Returns (location, outcome) pairs: errors are returned per source, not raised,
    so one unreachable timetable does not stop the others.
    """
    from wtdc_desktop.store import sessions as session_store

    out: list = []
    for src in session_store.schedule_sources(store):
        try:
            out.append((src["location"], import_schedule(store, src["location"], src["meeting"])))
        except WtdcError as exc:
            out.append((src["location"], exc))
    return out
