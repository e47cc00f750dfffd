"""A session's details (what the pane shows, read in one go) as sanitised HTML, and the labels of the
agenda's values: pure, tested without Qt.

The details are rendered from one :class:`SessionDetails` value (what the store's
``session_details`` query returns) and the coverage conflicts the caller already
holds for the meeting; nothing here reads the store. Every text is escaped, then
the whole is sanitised like a record's details (:func:`domain.render.sanitize_html`).
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from wtdc_desktop.domain import sessions as session_model
from wtdc_desktop.domain.links import make_link, position_link
from wtdc_desktop.domain.render import list_numbers_agenda, sanitize_html
from wtdc_desktop.instants import format_date, format_time_range, zone_label
from wtdc_desktop.i18n import _, ngettext, isolate

# --- what the details pane shows -----------------------------------------------------------------


@dataclass(frozen=True)
class AgendaDocument:
    """A document on a session's agenda, with the delegation's marks on it."""

    id: str
    title: str | None = None
    read: bool = False
    stance: str | None = None  # the stance of our position on it; None: we have no position


@dataclass(frozen=True)
class AgendaItem:
    """One item of a session's published agenda (its number and title as published)."""

    item: object = ""
    title: str | None = None
    documents: tuple[AgendaDocument, ...] = ()


@dataclass(frozen=True)
class SessionDetails:
    """Everything the details of one session show, read in one go."""

    session: session_model.Session
    committee_name: str | None = None
    priority: str | None = None
    assignments: tuple[session_model.Assignment, ...] = ()
    changes: tuple[session_model.SessionChange, ...] = ()
    agenda: tuple[AgendaItem, ...] = ()
    url: str | None = None


# --- labels ---------------------------------------------------------------------------------------

def change_label(kind: str) -> str:
    return {session_model.MOVED: _("moved"), session_model.ROOM: _("room changed"), session_model.CANCELLED: _("cancelled"),
            session_model.WITHDRAWN: _("withdrawn")}.get(kind, kind)


def status_label(session: session_model.Session) -> str:
    if session.withdrawn:
        return _("withdrawn")
    return {"cancelled": _("cancelled"), "changed": _("changed"), "scheduled": _("scheduled")}.get(
        session.status or "", session.status or "")


def role_label(role: str | None) -> str:
    return {"lead": _("lead"), "support": _("support"), "observer": _("observer")}.get(role or "", role or "")


def priority_label(priority: str | None) -> str:
    return {"must": _("must cover"), "should": _("should cover"), "optional": _("optional")}.get(
        priority or "", "")


def conflict_text(c: session_model.Conflict) -> str:
    if c.kind == session_model.DOUBLE_BOOKED:
        return _("{member} is assigned to overlapping sessions: {sessions}.").format(
            member=isolate(c.member), sessions=", ".join(c.sessions))
    if c.kind == session_model.MUST_UNCOVERED:
        return _("Must cover, but nobody is assigned.")
    if c.kind == session_model.UNDERSTAFFED:
        count, present = c.detail.get("sessions_count", len(c.sessions)), c.detail.get("members_present", 0)
        # Translators: the second half of "{sessions}, {members}." below.
        members = ngettext("{present} member present", "{present} members present", present).format(present=present)
        # Translators: "3 must-cover sessions at once, 2 members present."
        return ngettext("{count} must-cover session at once, {members}.", "{count} must-cover sessions at once, {members}.",
                        count).format(count=count, members=members)
    if c.kind == session_model.LANGUAGE:
        return _("{member} does not list {languages}, and no interpretation is noted.").format(
            member=isolate(c.member), languages=", ".join(c.detail.get("languages", [])))
    return c.kind


# --- the details ----------------------------------------------------------------------------------

def no_session_html() -> str:
    """The details pane when no session is chosen."""
    return sanitize_html("<p>{}</p>".format(html.escape(_("Choose a session to see its agenda and prepare for it."))))


def session_html(details: SessionDetails | None, conflicts: list[session_model.Conflict], tz: dt.tzinfo,
                 here: dt.tzinfo) -> str:
    """A session's details: when (meeting zone and laptop zone), where, who covers it, its conflicts
    (those of ``conflicts`` that name it) and its agenda items with their documents (read or not, our
    position) as links. ``details`` None: the session is no longer in the store."""
    e = html.escape
    if details is None:
        return sanitize_html("<p>{}</p>".format(e(_("This session is no longer in the store."))))
    s = details.session
    parts = [f"<h2>{e(s.title)}</h2>"]
    when = format_date(s.starts_at, "full", zone=tz) + ", " + format_time_range(s.starts_at, s.ends_at, tz) + \
        " — " + zone_label(tz, s.starts_at)
    parts.append(f"<p><b>{e(when)}</b>")
    if s.starts_at.astimezone(here).utcoffset() != s.starts_at.astimezone(tz).utcoffset():
        mine = format_date(s.starts_at, "medium", zone=here) + ", " + format_time_range(s.starts_at, s.ends_at, here)
        parts.append("<br>" + e(_("Your time: {when} — {zone}").format(when=mine, zone=zone_label(here, s.starts_at))))
    parts.append("</p>")
    parts.append("<p>" + "<br>".join(e(f) for f in _facts(details)) + "</p>")
    for c in details.changes:
        parts.append("<p><mark>{}</mark></p>".format(e(_change_text(c, tz))))
    parts.append("<h3>{}</h3>".format(e(_('Coverage'))))
    if details.assignments:
        parts.append("<ul>" + "".join(f"<li>{e(isolate(a.member))} — {e(role_label(a.role))}</li>"
                                      for a in details.assignments) + "</ul>")
    else:
        parts.append("<p>{}</p>".format(e(_('Nobody covers this session yet.'))))
    for c in conflicts:
        if s.id in c.sessions:
            parts.append("<p><em>⚠ {}</em></p>".format(e(conflict_text(c))))
    parts.append("<h3>{}</h3>".format(e(_('Prepare for this session'))))
    if not details.agenda:
        parts.append("<p>{}</p>".format(e(_('No agenda published for this session.'))))
    numbered = list_numbers_agenda([item.item for item in details.agenda])
    tag = "ol" if numbered else "ul"  # published numbers 1, 2, 3…: the list says them, once
    parts.append(f"<{tag}>" + "".join(_agenda_item(item, numbered) for item in details.agenda) + f"</{tag}>")
    if details.url:
        parts.append('<p><a href="{}">{}</a></p>'.format(e(details.url), e(_('Web page of the session'))))
    return sanitize_html("".join(parts))


def _facts(details: SessionDetails) -> list[str]:
    s = details.session
    facts = []
    if s.room:
        facts.append(_("Room: {room}").format(room=isolate(s.room)))
    if s.committee:
        facts.append(_("Committee: {name}").format(name=isolate(details.committee_name or s.committee)))
    facts.append(_("Status: {status}").format(status=status_label(s)))
    if details.priority:
        facts.append(_("Priority: {priority}").format(priority=priority_label(details.priority)))
    if s.language:
        facts.append(_("Languages: {languages}").format(languages=", ".join(s.language)) +
                     (" — " + _("interpretation: {what}").format(what=isolate(s.interpretation)) if s.interpretation else ""))
    return facts


def _change_text(c: session_model.SessionChange, tz: dt.tzinfo) -> str:
    before = []
    if session_model.MOVED in c.kinds and c.before.get("starts_at"):
        b_start, b_end = session_model.parse_instant(c.before["starts_at"]), session_model.parse_instant(c.before["ends_at"])
        before.append(format_date(b_start, "medium", zone=tz) + ", " + format_time_range(b_start, b_end, tz))
    if session_model.ROOM in c.kinds:
        before.append(c.before.get("room") or "—")
    return _("Changed by the last sync ({changes}); before: {before}.").format(
        changes=", ".join(change_label(k) for k in c.kinds), before="; ".join(before) or "—")


def _agenda_item(item: AgendaItem, numbered: bool = False) -> str:
    e = html.escape
    label = (item.title or "") if numbered else f"{item.item} {item.title or ''}".strip()
    docs = []
    for d in item.documents:
        marks = [_("read") if d.read else _("not read")]
        if d.stance is not None:
            marks.append(_("our position: {stance}").format(stance=d.stance))
        text = f"{d.id}" + (f" — {d.title}" if d.title else "")
        # the delegation's position on the document: a link to its editor
        action = _("Edit position") if d.stance is not None else _("Write position")
        docs.append(f'<li><a href="{e(make_link("document", d.id))}">{e(text)}</a> ({e(", ".join(marks))}) '
                    f'<a href="{e(position_link("document", d.id))}">{e(action)}</a></li>')
    return f"<li>{e(label)}" + (f"<ul>{''.join(docs)}</ul>" if docs else "") + "</li>"
