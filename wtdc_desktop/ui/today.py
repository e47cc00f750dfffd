"""Today: the current meeting's sessions today, next deadlines, what changed for my items, missing positions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from wtdc_desktop.domain.render import link_sections_html
from wtdc_desktop.i18n import _
from wtdc_desktop.instants import format_date, format_instant_or_text, iso_utc
from wtdc_desktop.store import changes as store_changes
from wtdc_desktop.store import upcoming
from wtdc_desktop.ui.browser import SafeTextBrowser
from wtdc_desktop.ui.language import directed_html
from wtdc_desktop.ui.view import wants

if TYPE_CHECKING:
    from wtdc_desktop.workspace import Changes


class TodayView(QWidget):
    """Signals:
        open_record_requested(str, str): a link was chosen (type, id)
    """

    open_record_requested = Signal(str, str)
    store_changed = Signal(object)  # never emitted (Today writes nothing)

    def __init__(self, store, parent=None, now: Callable[[], dt.datetime] | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.now = now or (lambda: dt.datetime.now(dt.timezone.utc))
        self.browser = SafeTextBrowser(self)
        self.browser.setAccessibleName(_("Today"))
        self.browser.navigate.connect(self.open_record_requested)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.browser)
        self.reload()

    def show_record(self, type_name: str, record_id: str) -> bool:
        """Today selects no single record: the window shows it in its own view."""
        return False

    def reload(self, changes: Changes | None = None) -> None:
        # sessions, deadlines, changed records, positions: any record, the delegation's own items
        if not wants(changes, any_record=True, delegation=("position", "star", "note", "assignment")):
            return
        now = self.now()
        meeting = upcoming.current_meeting(self.store, now.date().isoformat())
        zone = meeting.get("timezone") if meeting else None
        mid = meeting["id"] if meeting else None
        # "Today" is the meeting's day when the meeting has a zone, else the laptop's.
        try:
            from zoneinfo import ZoneInfo

            local_now = now.astimezone(ZoneInfo(zone)) if zone else now.astimezone()
        except Exception:  # noqa: BLE001 - an unknown zone falls back to the laptop's
            local_now = now.astimezone()
        start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
        end = start + dt.timedelta(days=1)
        sessions = upcoming.sessions_between(self.store, iso_utc(start), iso_utc(end), mid)
        session_items = []
        for s in sessions:
            covered = ", ".join(s["covered_by"]) or _("nobody yet")
            when = format_instant_or_text(s["starts_utc"], zone)
            session_items.append(("session", s["id"], s["title"] or s["id"],
                                  _("{when}, {room} — covered by {who}").format(when=when, room=s.get("room") or "—",
                                                                                  who=covered)))
        deadlines = [("deadline", d["id"], d["title"], _due_text(d, zone))
                     for d in upcoming.next_deadlines(self.store, iso_utc(now), 6, mid)]
        changed = [(c["type"], c["id"], c["id"], _("{title} ({change})").format(
                       title=c["title"] or "", change=_change_word(c["change"])))
                   for c in store_changes.changes_since(self.store, mine_only=True) if c["mine"]]
        missing = [("proposal", m["id"], m["id"],
                    _("{title}, on the agenda of {session}").format(title=m["title"], session=m["session"]))
                   for m in upcoming.proposals_without_position(self.store, iso_utc(start), 15, mid)]
        if meeting:
            title = _("{meeting} — {day}").format(
                meeting=meeting.get("title") or mid, day=format_date(local_now.date(), "full"))
        else:
            title = _("Today")
        html = link_sections_html([
            (_("My sessions today"), session_items, _("No session of this meeting today.")),
            (_("Next deadlines"), deadlines, _("No deadline ahead.")),
            (_("Changed since the last sync, among my items"), changed[:20],
             _("Nothing you follow changed in the last sync.")),
            (_("Positions still missing for upcoming agendas"), missing, _("Every proposal on upcoming agendas has a position.")),
        ], title=title)
        self.browser.setHtml(directed_html(html))


def _change_word(change: str) -> str:
    return {"new": _("new"), "changed": _("changed"), "withdrawn": _("withdrawn"),
            "restored": _("restored")}.get(change, change)


def _due_text(deadline: dict, zone: str | None) -> str:
    due = str(deadline.get("due") or "")
    if "T" in due:
        return format_instant_or_text(due, zone)
    try:
        return format_date(dt.date.fromisoformat(due), "long")
    except ValueError:
        return due
