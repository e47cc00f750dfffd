"""Today: the meetings the delegation follows, their sessions now and next with who covers them,
the deadlines ahead, what changed among my items, the positions missing for the agendas ahead.

Which meetings are followed is the delegation's choice (the "Meetings followed" button above the
page, remembered in the settings); until it chooses, the first conference of the store.
Each section is built by a method of its own (``_sessions``, ``_deadlines``, ``_changed``,
``_missing``) returning its items and the sentence shown when it has none, which says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QPushButton, QVBoxLayout, QWidget

from wtdc_desktop.domain.render import link_sections_html
from wtdc_desktop.i18n import _, is_rtl, isolate, ngettext
from wtdc_desktop.instants import format_date, format_instant_or_text, format_time, iso_utc, parse_instant
from wtdc_desktop.store import changes as store_changes
from wtdc_desktop.store import upcoming
from wtdc_desktop.ui.browser import SafeTextBrowser
from wtdc_desktop.ui.language import directed_html
from wtdc_desktop.ui.view import wants

if TYPE_CHECKING:
    from wtdc_desktop.workspace import Changes

#: The settings key of the meetings followed (ids, one a line); absent: the store's default.
FOLLOWED_KEY = "today/meetings_followed"

Item = tuple[str, str, str, str]  # (type, id, label, detail), as link_sections_html lists them


def followed_meetings(store) -> list[str]:
    """The ids of the meetings Today follows: the delegation's choice, else the first conference."""
    chosen = QSettings().value(FOLLOWED_KEY)
    if isinstance(chosen, str) and chosen.strip():
        ids = [m["id"] for m in upcoming.meetings_by_id(store, chosen.split("\n"))]
        if ids:
            return ids
    first = upcoming.default_meeting(store)
    return [first] if first else []


def set_followed_meetings(ids: list[str]) -> None:
    QSettings().setValue(FOLLOWED_KEY, "\n".join(ids))


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
        self.meetings: list[dict] = []
        self.followed_label = QLabel(_("Meetings followed:"), self)
        self.followed = QPushButton(self)  # a push button sizes itself with room for its menu's arrow
        self.followed.setAccessibleName(_("Meetings followed"))
        self.followed.setToolTip(_("Choose the meetings whose sessions and deadlines Today shows"))
        self.followed_menu = QMenu(self.followed)
        self.followed_menu.aboutToShow.connect(self._fill_menu)
        self.followed.setMenu(self.followed_menu)
        self.followed_label.setBuddy(self.followed)
        self.browser = SafeTextBrowser(self)
        self.browser.setAccessibleName(_("Today"))
        self.browser.navigate.connect(self.open_record_requested)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 0)
        bar.addWidget(self.followed_label)
        bar.addWidget(self.followed)
        bar.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        lay.addWidget(self.browser)
        self.reload()

    def show_record(self, type_name: str, record_id: str) -> bool:
        """Today selects no single record: the window shows it in its own view."""
        return False

    # -- the meetings followed --------------------------------------------------------------------

    def _fill_menu(self) -> None:
        """One checkable entry per conference or preparatory meeting of the store."""
        self.followed_menu.clear()
        followed = {m["id"] for m in self.meetings}
        for meeting in upcoming.followable_meetings(self.store):
            text = meeting["id"] + (" – " + meeting["title"] if meeting.get("title") else "")
            action = self.followed_menu.addAction(text if len(text) <= 90 else text[:89] + "…")
            action.setCheckable(True)
            action.setChecked(meeting["id"] in followed)
            action.toggled.connect(lambda on, mid=meeting["id"]: self.follow(mid, on))
        if self.followed_menu.isEmpty():
            self.followed_menu.addAction(_("No meeting in the store yet")).setEnabled(False)

    def follow(self, meeting_id: str, on: bool = True) -> None:
        """Follow (or stop following) a meeting; Today shows the meetings followed at once."""
        ids = [m["id"] for m in self.meetings]
        if on and meeting_id not in ids:
            ids.append(meeting_id)
        elif not on and meeting_id in ids:
            ids.remove(meeting_id)
        set_followed_meetings(ids)
        self.reload()

    # -- the page ---------------------------------------------------------------------------------

    def reload(self, changes: Changes | None = None) -> None:
        # sessions, deadlines, changed records, positions: any record, the delegation's own items
        if not wants(changes, any_record=True, delegation=("position", "star", "note", "assignment")):
            return
        now = self.now()
        self.meetings = upcoming.meetings_by_id(self.store, followed_meetings(self.store))
        ids = [m["id"] for m in self.meetings]
        self.zones = {m["id"]: m.get("timezone") for m in self.meetings}
        names = ", ".join(m["id"] for m in self.meetings)
        self.followed.setText(names or _("No meeting"))
        zone = self.meetings[0].get("timezone") if len(self.meetings) == 1 else None
        if self.meetings:
            title = _("{meeting} — {day}").format(
                meeting="; ".join(m.get("title") or m["id"] for m in self.meetings),
                day=format_date(now, "full", zone=zone))
        else:
            title = _("Today")
        html = link_sections_html([
            (_("Sessions now and next"), *self._sessions(now, ids)),
            (_("Deadlines ahead"), *self._deadlines(now, ids)),
            (_("Changed in the last sync, among my items"), *self._changed()),
            (_("Positions still missing for the agendas ahead"), *self._missing(now, ids)),
        ], title=title)
        if is_rtl():  # Arabic has no italic in the common fonts (it showed as boxes): the empty states stay upright
            html = html.replace("<i>", "").replace("</i>", "")
        self.browser.setHtml(directed_html(html))

    def _session_zone(self, session: dict) -> str | None:
        return self.zones.get(session.get("meeting"))

    def _sessions(self, now: dt.datetime, ids: list[str]) -> tuple[list[Item], str]:
        if not ids:
            return [], _("You follow no meeting: choose one with “Meetings followed” above.")
        under_way, coming = upcoming.now_and_next(self.store, iso_utc(now), ids)
        items = []
        for s in under_way:
            items.append(("session", s["id"], s["title"] or s["id"], _(
                "now, until {end}, {room} — covered by {who}").format(
                end=format_time(s["ends_utc"], self._session_zone(s)) if s.get("ends_utc") else "—",
                room=s.get("room") or "—", who=_covered(s))))
        for s in coming:
            items.append(("session", s["id"], s["title"] or s["id"], _(
                "{when}, {room} — covered by {who}").format(
                when=format_instant_or_text(s["starts_utc"], self._session_zone(s)), room=s.get("room") or "—",
                who=_covered(s))))
        if items:
            return items, ""
        ended = upcoming.last_session_end(self.store, ids)
        if ended is None:
            return [], _("No session of the meetings you follow is in the store yet.")
        return [], _("The sessions of the meetings you follow are over: the last ended on {date}.").format(
            date=format_date(parse_instant(ended), "long", zone=self._zone_of_all()))

    def _zone_of_all(self) -> str | None:
        zones = set(self.zones.values())
        return zones.pop() if len(zones) == 1 else None

    def _deadlines(self, now: dt.datetime, ids: list[str]) -> tuple[list[Item], str]:
        items = [("deadline", d["id"], d["title"], _due_text(d, self.zones.get(d.get("meeting"))))
                 for d in upcoming.next_deadlines(self.store, iso_utc(now), 6, ids or None)]
        return items, _("No deadline ahead for the meetings you follow.") if ids else _("No deadline ahead.")

    def _changed(self) -> tuple[list[Item], str]:
        items = [(c["type"], c["id"], c["id"], _("{title} ({change})").format(
                     title=c["title"] or "", change=_change_word(c["change"])))
                 for c in store_changes.changes_since(self.store, mine_only=True) if c["mine"]]
        if not store_changes.mine_count(self.store):
            return [], _("You follow no item yet: star a record or write a position, and its changes show here.")
        return items[:20], _("None of the items you follow changed in the last sync.")

    #: The proposals without a position listed at most (the Positions view lists them all).
    MISSING_SHOWN = 15

    def _missing(self, now: dt.datetime, ids: list[str]) -> tuple[list[Item], str]:
        start = iso_utc(now)
        missing = upcoming.proposals_without_position(self.store, start, 10_000, ids or None)
        items: list[Item] = [("position", f"proposal/{m['id']}", m["id"],  # a link to write the position
                              _("{title}, on the agenda of {session}").format(title=m["title"], session=m["session"]))
                             for m in missing[:self.MISSING_SHOWN]]
        more = len(missing) - len(items)
        if more > 0:  # the list is cut: say so, and where the rest is
            items.append(("", "", ngettext("{count} more: see “Missing on upcoming agendas” in Positions.",
                                           "{count} more: see “Missing on upcoming agendas” in Positions.",
                                           more).format(count=more), ""))
        if items:
            return items, ""
        sessions, proposals = upcoming.agenda_proposals_ahead(self.store, start, ids or None)
        if not sessions:
            return [], _("No session ahead has an agenda yet: nothing to take a position on.")
        if not proposals:
            return [], _("The agendas ahead list no proposal.")
        return [], _("Every proposal on the agendas ahead has a position.")


def _covered(session: dict) -> str:
    return ", ".join(isolate(name) for name in session["covered_by"]) or _("nobody yet")  # "Amina K." keeps its order in Arabic


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
