"""Sessions and their coverage: instants and zones, days, overlaps, coverage conflicts, changes, reminders.

Everything here is pure: sessions come in as :class:`Session` values built from
store rows, times are aware :class:`datetime.datetime` values (UTC inside),
and a wall-clock day is always a day *in a named zone*, so a day that has 23
or 25 hours across a daylight-saving change, or a session past midnight, is
handled by the zone rules rather than by adding 24 hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from wtdc_desktop.instants import UTC, iso_utc, parse_instant, zone  # noqa: F401 - zone: for the views

PRIORITIES = ("must", "should", "optional")
ROLES = ("lead", "support", "observer")

#: Conflict kinds (the ``kind`` of each entry of ``conflicts --json``).
DOUBLE_BOOKED = "double_booked"
MUST_UNCOVERED = "must_uncovered"
UNDERSTAFFED = "understaffed"
LANGUAGE = "language"

#: Change kinds found after a sync.
MOVED = "moved"
ROOM = "room"
CANCELLED = "cancelled"
WITHDRAWN = "withdrawn"


# --- instants and zones ----------------------------------------------------------

def _aware(instant: dt.datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("naive datetime: every time must carry its zone")


def local_day(instant: dt.datetime, tz: dt.tzinfo) -> dt.date:
    _aware(instant)
    return instant.astimezone(tz).date()


def day_bounds(day: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants at which ``day`` starts and ends in ``tz`` (23 or 25 hours apart on DST days)."""
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def at_local(day: dt.date, time: dt.time, tz: dt.tzinfo) -> dt.datetime:
    """The instant of wall-clock ``time`` on ``day`` in ``tz`` (for a time skipped by DST, the later one)."""
    local = dt.datetime.combine(day, time, tzinfo=tz)
    # fold=0 picks the first of a repeated hour; zoneinfo normalises a skipped hour forwards.
    return local.astimezone(UTC)


def overlaps(a_start: dt.datetime, a_end: dt.datetime, b_start: dt.datetime, b_end: dt.datetime) -> bool:
    """Half-open intervals: 10:00-12:00 and 12:00-13:00 touch but do not overlap."""
    return a_start < b_end and b_start < a_end


# --- sessions ----------------------------------------------------------------------

@dataclass(frozen=True)
class Session:
    id: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    meeting: str | None = None
    committee: str | None = None
    room: str | None = None
    status: str | None = None
    withdrawn: bool = False
    language: tuple[str, ...] = ()      # languages the session is held in (no interpretation)
    interpretation: str | None = None   # interpretation noted for it, if any

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled" or self.withdrawn

    @property
    def active(self) -> bool:
        return not self.cancelled

    def overlaps(self, other: "Session") -> bool:
        return overlaps(self.starts_at, self.ends_at, other.starts_at, other.ends_at)

    def on_day(self, day: dt.date, tz: dt.tzinfo) -> bool:
        start, end = day_bounds(day, tz)
        if self.starts_at == self.ends_at:
            return start <= self.starts_at < end
        return overlaps(self.starts_at, self.ends_at, start, end)

    def days(self, tz: dt.tzinfo) -> list[dt.date]:
        """Every local day the session touches (two for one running past midnight)."""
        first = local_day(self.starts_at, tz)
        last_instant = self.ends_at - dt.timedelta(microseconds=1) if self.ends_at > self.starts_at else self.ends_at
        last = local_day(last_instant, tz)
        return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def sessions_on(sessions: Iterable[Session], day: dt.date, tz: dt.tzinfo) -> list[Session]:
    return sorted((s for s in sessions if s.on_day(day, tz)), key=lambda s: (s.starts_at, s.room or "", s.id))


def meeting_days(sessions: Iterable[Session], tz: dt.tzinfo) -> list[dt.date]:
    days: set[dt.date] = set()
    for s in sessions:
        days.update(s.days(tz))
    return sorted(days)


def default_day(days: Sequence[dt.date], now: dt.datetime, tz: dt.tzinfo,
                starts_on: dt.date | None = None, ends_on: dt.date | None = None) -> dt.date | None:
    """Today if the meeting is running (or today has sessions), else its first day with sessions."""
    today = local_day(now, tz)
    first = starts_on or (days[0] if days else None)
    last = ends_on or (days[-1] if days else None)
    if today in days or (first and last and first <= today <= last):
        return today
    return days[0] if days else first


def time_slots(day: dt.date, tz: dt.tzinfo, *, minutes: int = 30, first_hour: int = 0,
               last_hour: int = 24) -> list[tuple[dt.datetime, dt.datetime]]:
    """Consecutive slots of wall-clock ``minutes`` over ``day`` in ``tz``, as UTC instants.

    On a daylight-saving day the slot that crosses the change is shorter or longer in
    real time; slots never repeat or skip an instant.
    """
    day_start, day_end = day_bounds(day, tz)
    start = max(at_local(day, dt.time(first_hour), tz), day_start)
    end = day_end if last_hour >= 24 else at_local(day, dt.time(last_hour), tz)
    slots = []
    cursor = start
    step = dt.timedelta(minutes=minutes)
    while cursor < end:
        nxt = min(cursor + step, end)  # UTC arithmetic: real minutes
        slots.append((cursor, nxt))
        cursor = nxt
    return slots


def lanes(sessions: Sequence[Session], key: str = "room") -> list[str]:
    """Column names for a day grid: rooms (or committees) in order of first use."""
    seen: dict[str, None] = {}
    for s in sorted(sessions, key=lambda s: (s.starts_at, s.id)):
        seen.setdefault(getattr(s, key) or "", None)
    return sorted(seen, key=lambda name: (name == "", _natural(name)))


def _natural(text: str) -> tuple:
    import re

    return tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", text))


# --- delegation: members, assignments, conflicts -------------------------------------

@dataclass(frozen=True)
class Member:
    name: str
    role: str | None = None
    languages: tuple[str, ...] = ()
    days_present: tuple[dt.date, ...] = ()  # empty: present every day

    def present_on(self, day: dt.date) -> bool:
        return not self.days_present or day in self.days_present


@dataclass(frozen=True)
class Assignment:
    session: str
    member: str
    role: str = "lead"


@dataclass(frozen=True)
class Conflict:
    kind: str
    sessions: tuple[str, ...]
    member: str | None = None
    detail: dict = field(default_factory=dict, compare=False, hash=False)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "sessions": list(self.sessions), "member": self.member, **self.detail}


def _lang(code: str) -> str:
    return code.strip().lower().replace("_", "-").split("-")[0]


def find_conflicts(sessions: Iterable[Session], members: Iterable[Member], assignments: Iterable[Assignment],
                   priorities: dict[str, str], tz: dt.tzinfo) -> list[Conflict]:
    """Coverage conflicts among current (not cancelled, not withdrawn) sessions.

    - ``double_booked``: a member assigned to two sessions that overlap;
    - ``must_uncovered``: a must-cover session nobody is assigned to;
    - ``understaffed``: at some instant more must-cover sessions run than members are present;
    - ``language``: a member assigned to a session held in languages they do not list, with
      no interpretation noted.
    """
    by_id = {s.id: s for s in sessions if s.active}
    members = list(members)
    by_name = {m.name: m for m in members}
    assignments = [a for a in assignments if a.session in by_id]
    out: list[Conflict] = []

    per_member: dict[str, list[Session]] = {}
    for a in assignments:
        per_member.setdefault(a.member, []).append(by_id[a.session])
    for name in sorted(per_member):
        mine = sorted(per_member[name], key=lambda s: (s.starts_at, s.id))
        for i, a in enumerate(mine):
            for b in mine[i + 1:]:
                if b.starts_at >= a.ends_at:
                    break
                if a.overlaps(b):
                    out.append(Conflict(DOUBLE_BOOKED, (a.id, b.id), name, {
                        "starts_at": iso_utc(max(a.starts_at, b.starts_at)),
                        "ends_at": iso_utc(min(a.ends_at, b.ends_at))}))

    covered = {a.session for a in assignments}
    must = sorted((s for s in by_id.values() if priorities.get(s.id) == "must"), key=lambda s: (s.starts_at, s.id))
    for s in must:
        if s.id not in covered:
            out.append(Conflict(MUST_UNCOVERED, (s.id,), None, {"starts_at": iso_utc(s.starts_at)}))

    # Sweep the must-cover sessions: at each start, the set running then.
    reported: set[tuple[str, ...]] = set()
    for s in must:
        running = [o for o in must if o.starts_at <= s.starts_at < o.ends_at]
        if len(running) < 2:
            continue
        day = local_day(s.starts_at, tz)
        present = [m for m in members if m.present_on(day)]
        ids = tuple(sorted(o.id for o in running))
        if len(running) > len(present) and ids not in reported and not any(set(ids) <= set(r) for r in reported):
            reported.add(ids)
            out.append(Conflict(UNDERSTAFFED, ids, None, {
                "starts_at": iso_utc(s.starts_at), "sessions_count": len(running), "members_present": len(present)}))

    for a in sorted(assignments, key=lambda a: (a.session, a.member)):
        s = by_id[a.session]
        m = by_name.get(a.member)
        if not s.language or (s.interpretation or "").strip() or m is None or not m.languages:
            continue
        theirs = {_lang(x) for x in m.languages}
        if not theirs & {_lang(x) for x in s.language}:
            out.append(Conflict(LANGUAGE, (s.id,), a.member, {"languages": list(s.language)}))
    return out


# --- changes after a sync --------------------------------------------------------------

@dataclass(frozen=True)
class SessionChange:
    session: str
    kinds: tuple[str, ...]
    before: dict
    after: dict
    members: tuple[str, ...] = ()


def compare_versions(before: dict, after: dict, withdrawn: bool = False) -> tuple[str, ...]:
    """What a user must notice between two published versions of a session."""
    kinds = []
    if withdrawn:
        kinds.append(WITHDRAWN)
    elif after.get("status") == "cancelled" and before.get("status") != "cancelled":
        kinds.append(CANCELLED)

    def instant(record: dict, key: str):
        try:
            return parse_instant(record[key])
        except (KeyError, TypeError, ValueError):
            return None

    if (instant(before, "starts_at"), instant(before, "ends_at")) != (instant(after, "starts_at"),
                                                                      instant(after, "ends_at")):
        kinds.append(MOVED)
    if (before.get("room") or "") != (after.get("room") or ""):
        kinds.append(ROOM)
    return tuple(kinds)


# --- reminders ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Reminder:
    session: str
    title: str
    starts_at: dt.datetime
    room: str | None
    key: str  # session id and start instant: a moved session is reminded again


def due_reminders(sessions: Iterable[Session], now: dt.datetime, minutes_before: int,
                  already: set[str]) -> list[Reminder]:
    """Sessions starting within ``minutes_before`` of ``now`` (and not started) not yet reminded."""
    _aware(now)
    lead = dt.timedelta(minutes=minutes_before)
    out = []
    for s in sorted(sessions, key=lambda s: (s.starts_at, s.id)):
        if not s.active:
            continue
        key = f"{s.id}@{iso_utc(s.starts_at)}"
        if key in already:
            continue
        if s.starts_at - lead <= now < s.starts_at:
            out.append(Reminder(s.id, s.title, s.starts_at, s.room, key))
    return out


def next_reminder_at(sessions: Iterable[Session], now: dt.datetime, minutes_before: int) -> dt.datetime | None:
    """When the next reminder becomes due (for a timer), or None."""
    lead = dt.timedelta(minutes=minutes_before)
    times = [s.starts_at - lead for s in sessions if s.active and s.starts_at - lead > now]
    return min(times) if times else None
