"""Exports of the delegation's coverage: iCalendar (my / a member's / all sessions) and CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from wtdc_desktop.atomic import atomic_write_bytes
from wtdc_desktop.domain import sessions as session_model
from wtdc_desktop.exchange import ics
from wtdc_desktop.i18n import _
from wtdc_desktop.store import sessions as session_store


def write_atomic(out: Path, data: bytes) -> None:
    """Write a file the user asked for (its folder made if need be): whole or not at all."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, data)


def _describe(session: session_model.Session, assignments: list[session_model.Assignment], committees: dict[str, str],
              priority: str | None) -> str:
    lines = []
    if session.committee:
        lines.append(committees.get(session.committee, session.committee))
    roles = {"lead": _("lead"), "support": _("support"), "observer": _("observer")}
    for a in assignments:
        lines.append(_("{member} ({role})").format(member=a.member, role=roles.get(a.role, a.role)))
    if priority:
        labels = {"must": _("must cover"), "should": _("should cover"), "optional": _("optional")}
        lines.append(labels.get(priority, priority))
    return "\n".join(lines)


def export_ics(store, out: Path | str, *, member: str | None = None, everything: bool = False,
               meeting: str | None = None) -> int:
    """Write the sessions of ``member`` (or every covered session, or all with ``everything``); returns how many."""
    if member and session_store.member(store, member) is None:
        raise session_store.AgendaError(_("“{name}” is not a member of the delegation.").format(name=member))
    if everything:
        chosen = session_store.sessions(store, meeting=meeting)
    else:
        chosen = [s for s in session_store.my_sessions(store, member) if meeting is None or s.meeting == meeting]
    by_session: dict[str, list[session_model.Assignment]] = {}
    for a in session_store.assignments(store):
        by_session.setdefault(a.session, []).append(a)
    zones = {m: session_store.meeting_zone(store, m) for m in {s.meeting for s in chosen}}
    committees = session_store.committee_names(store)
    pri = session_store.priorities(store)
    descriptions = {s.id: _describe(s, by_session.get(s.id, []), committees, pri.get(s.id)) for s in chosen}
    sequences = session_store.session_sequences(store, [s.id for s in chosen])
    if member:
        name = _("Sessions of {member}").format(member=member)
    elif everything:
        name = _("Coverage board")
    else:
        name = _("Sessions we cover")
    cal = ics.build_calendar(chosen, zones=zones, name=name, descriptions=descriptions, sequences=sequences)
    write_atomic(Path(out), cal.to_ical())
    return len(chosen)


def coverage_table(store, meeting: str | None = None) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the coverage board: one row per session, members as columns."""
    members = session_store.members(store)
    by_session: dict[str, dict[str, str]] = {}
    for a in session_store.assignments(store):
        by_session.setdefault(a.session, {})[a.member] = a.role
    pri = session_store.priorities(store)
    roles = {"lead": _("lead"), "support": _("support"), "observer": _("observer")}
    header = [_("session"), _("title"), _("day"), _("starts"), _("ends"), _("time zone"), _("room"),
              _("status"), _("priority"), *[m.name for m in members]]
    rows = []
    for s in session_store.sessions(store, meeting=meeting):
        tz = session_store.meeting_zone(store, s.meeting)
        start, end = s.starts_at.astimezone(tz), s.ends_at.astimezone(tz)
        assigned = by_session.get(s.id, {})
        rows.append([s.id, s.title, start.date().isoformat(), start.strftime("%H:%M"),
                     end.strftime("%H:%M") + ("" if end.date() == start.date() else f" (+{(end.date() - start.date()).days})"),
                     getattr(tz, "key", str(tz)), s.room or "", s.status or "", pri.get(s.id, ""),
                     *[roles.get(assigned.get(m.name, ""), "") for m in members]])
    return header, rows


def export_csv(store, out: Path | str, *, meeting: str | None = None) -> int:
    header, rows = coverage_table(store, meeting)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    write_atomic(Path(out), buf.getvalue().encode("utf-8-sig"))  # BOM: spreadsheets then read UTF-8
    return len(rows)
