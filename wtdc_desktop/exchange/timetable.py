"""A published timetable read from frab/Pentabarf XML, frab JSON or iCalendar.

Every parser returns a :class:`Timetable`: the conference (when the format
says), and events with aware start and end instants, keyed on their guid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from wtdc_desktop.errors import WtdcError


class TimetableError(WtdcError):
    """A timetable that cannot be read; the message names the file and the place."""


@dataclass
class Conference:
    acronym: str | None = None
    title: str | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    timezone: str | None = None
    url: str | None = None


@dataclass
class Event:
    guid: str
    title: str
    starts_at: dt.datetime  # aware
    ends_at: dt.datetime  # aware
    room: str | None = None
    track: str | None = None
    language: str | None = None
    status: str = "scheduled"  # scheduled | cancelled
    description: str | None = None
    url: str | None = None
    persons: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for value in (self.starts_at, self.ends_at):
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError("an event's times must be aware")


@dataclass
class Timetable:
    conference: Conference
    events: list[Event]
    format: str
