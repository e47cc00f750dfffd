"""The Agenda view: the day's bar and filters above the composed parts (the day grid and the list of
the day's sessions, the session pane, the coverage board and the members), the banners, and the
reminders.

Times are instants (UTC) shown in the meeting's zone, with the laptop's zone as a second axis when it
differs. Keyboard: PageUp/PageDown or Alt+Left/Right change the day, Home goes to today, Up/Down (or Tab
in the grid) move between sessions, Enter opens the selected session's details.

The view re-reads the store when told (``reload``: after a sync, which also refreshes remembered
timetables, or an import) and after its own edits; it fetches nothing on a timer of its own. Built
with ``deferred=True`` (by the window), it reads the store in the event loop's next turn, so that
building its widgets and filling them are two short blocks of the GUI thread rather than one long
one; ``loading`` is true until then, and anything asked of it meanwhile fills it first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget

from wtdc_desktop.domain import sessions as session_model
from wtdc_desktop.domain.session_details import role_label
from wtdc_desktop.instants import laptop_zone, zone_label
from wtdc_desktop.i18n import _, ngettext
from wtdc_desktop.store import sessions as session_store
from wtdc_desktop.ui.agenda.banners import ChangesBanner, MessageBanner
from wtdc_desktop.ui.agenda.coverage_board import CoverageBoard
from wtdc_desktop.ui.agenda.day_bar import DayBar
from wtdc_desktop.ui.agenda.day_grid import DayGrid
from wtdc_desktop.ui.agenda.members_panel import MembersPanel
from wtdc_desktop.ui.agenda.reminders import ReminderService
from wtdc_desktop.ui.agenda.session_list import SessionList
from wtdc_desktop.ui.agenda.session_pane import SessionPane
from wtdc_desktop.ui.view import wants
from wtdc_desktop.ui.workers import Worker, start
from wtdc_desktop.workspace import Workspace

Clock = Callable[[], dt.datetime]


class AgendaView(QWidget):
    """Signals:
        open_record_requested(str, str): open a record elsewhere in the window (type, id)
        changes_notified(list): sessions with an assignment changed by a sync: [(session id, [members])]
        store_changed(Changes): an edit of the view (coverage, members, changes seen) wrote these
    """

    open_record_requested = Signal(str, str)
    changes_notified = Signal(list)
    store_changed = Signal(object)

    def __init__(self, store, parent=None, *, clock: Clock | None = None, reminders: bool = True,
                 deferred: bool = False) -> None:
        super().__init__(parent)
        self.store = store
        self.workspace = Workspace(store)
        self.clock: Clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.meeting: str | None = None
        self.import_dialog = None  # where a timetable goes, once its file has been read
        self.tz: dt.tzinfo = dt.timezone.utc
        self.days: list[dt.date] = []
        self.day: dt.date | None = None
        self.current: str | None = None
        self.committee_names: dict[str, str] = {}
        self.conflicts: list[session_model.Conflict] = []  # of the meeting shown, as of the last refresh
        self._notified: set[tuple] = set()
        self._worker = None
        #: True until the store has been read (``deferred``: in the event loop's next turn)
        self.loading = deferred
        self._build()
        self._shortcuts()
        self.reminders: ReminderService | None = None
        if reminders:
            self.reminders = ReminderService(store, self, clock=self.clock)
            self.reminders.reminded.connect(self._on_reminded)
            QTimer.singleShot(0, self.reminders, self.reminders.start)  # cancelled if the view goes first
        self.now_timer = QTimer(self)  # moves the current-time line
        self.now_timer.setInterval(60_000)
        self.now_timer.timeout.connect(self._tick)
        self.now_timer.start()
        if deferred:
            QTimer.singleShot(1, self, self._finish_loading)  # a timer: the loop paints and turns first
        else:
            self.reload()

    # -- building

    def _build(self) -> None:
        self.bar = DayBar(self)
        self.banner = ChangesBanner(self)
        self.message_banner = MessageBanner(self)

        self.grid = DayGrid(self)
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(self.grid)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFocusProxy(self.grid)
        self.list = SessionList(self)
        self.pane = SessionPane(self.store, self)

        side = QSplitter(Qt.Vertical, self)
        side.addWidget(self.list)
        side.addWidget(self.pane)
        side.setStretchFactor(0, 2)
        side.setStretchFactor(1, 3)
        self.splitter = QSplitter(Qt.Horizontal, self)  # its state is kept by the window
        self.splitter.addWidget(self.scroll)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        self.board = CoverageBoard(self.store, self)
        self.members = MembersPanel(self.store, self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.splitter, _("Day"))
        self.tabs.addTab(self.board, _("Coverage board"))
        self.tabs.addTab(self.members, _("Members"))

        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addWidget(self.bar)
        outer.addWidget(self.banner)
        outer.addWidget(self.message_banner)
        outer.addWidget(self.tabs, 1)

        bar = self.bar
        bar.meeting_box.currentIndexChanged.connect(self._on_meeting)
        bar.day_box.currentIndexChanged.connect(self._on_day_box)
        bar.prev_button.clicked.connect(lambda: self.step_day(-1))
        bar.next_button.clicked.connect(lambda: self.step_day(1))
        bar.today_button.clicked.connect(self.go_today)
        for box in (bar.lane_box, bar.committee_box, bar.room_box):
            box.currentIndexChanged.connect(self.refresh_day)
        bar.covered_check.toggled.connect(self.refresh_day)
        bar.laptop_check.toggled.connect(self.refresh_day)
        bar.import_button.clicked.connect(self.import_timetable)
        bar.export_requested.connect(self._export)
        self.grid.session_clicked.connect(self.select_session)
        self.grid.session_activated.connect(self._focus_details)
        self.grid.day_step.connect(self.step_day)
        self.grid.today_requested.connect(self.go_today)
        self.list.currentItemChanged.connect(self._on_list_item)
        self.list.itemActivated.connect(lambda item, _col: self._focus_details(item.data(0, Qt.UserRole)))
        self.pane.navigate.connect(self.open_record_requested)
        self.pane.edited.connect(self.refresh_day)
        self.pane.store_changed.connect(self.store_changed)
        self.banner.button.clicked.connect(self._on_changes_seen)
        self.board.session_selected.connect(self._from_board)
        self.members.changed.connect(self._on_members_changed)
        self.members.store_changed.connect(self.store_changed)

    def _shortcuts(self) -> None:
        back = -1 if self.layoutDirection() != Qt.RightToLeft else 1  # Alt+Left goes back, mirrored in RTL
        for seq, delta in ((QKeySequence(Qt.Key_PageUp), -1), (QKeySequence(Qt.Key_PageDown), 1),
                           (QKeySequence(Qt.ALT | Qt.Key_Left), back), (QKeySequence(Qt.ALT | Qt.Key_Right), -back)):
            sc = QShortcut(seq, self, context=Qt.WidgetWithChildrenShortcut)
            sc.activated.connect(lambda d=delta: self.step_day(d))
        QShortcut(QKeySequence(Qt.Key_Home), self, context=Qt.WidgetWithChildrenShortcut,
                  activated=self.go_today)

    # -- loading

    def _finish_loading(self) -> None:
        """The first reading of the store, if it is still to come (a deferred view)."""
        if self.loading:
            self._read()

    def reload(self, changes=None) -> None:
        """Re-read meetings, days, sessions and changes (after a sync or an edit)."""
        if self.loading or wants(changes, any_record=True,
                                 delegation=("assignment", "member", "session_priority", "position")):
            self._read()

    def _read(self) -> None:
        self.loading = False
        meetings = session_store.meetings_with_sessions(self.store)
        if self.meeting is None and meetings:
            self.meeting = self._default_meeting(meetings)
        index = self.bar.show_meetings(meetings, self.meeting)
        if meetings and index < 0:
            self.meeting = meetings[0]["id"]
        self._load_meeting(keep_day=True)
        self._refresh_members()
        self._show_changes()

    def _default_meeting(self, meetings: list[dict]) -> str:
        now = self.clock()
        for m in meetings:  # one running now first
            tz = session_model.zone(m["timezone"])
            today = session_model.local_day(now, tz).isoformat()
            if m["starts_on"] and m["ends_on"] and m["starts_on"] <= today <= m["ends_on"]:
                return m["id"]
        return meetings[0]["id"]

    def _load_meeting(self, keep_day: bool = False) -> None:
        m = session_store.meeting(self.store, self.meeting) if self.meeting else None
        self.tz = session_model.zone(m["timezone"] if m else None)
        sessions = session_store.sessions(self.store, meeting=self.meeting)
        self.days = session_model.meeting_days(sessions, self.tz)
        self.members.set_days(self.days)
        self.committee_names = session_store.committee_names(self.store, self.meeting)
        self.bar.show_filters(sorted({s.committee for s in sessions if s.committee}), self.committee_names,
                              sorted({s.room for s in sessions if s.room}))
        if not (keep_day and self.day in self.days):
            starts = _date_or_none(m.get("starts_on")) if m else None
            ends = _date_or_none(m.get("ends_on")) if m else None
            self.day = session_model.default_day(self.days, self.clock(), self.tz, starts, ends)
        self.bar.show_days(self.days, self.day)
        self.refresh_day()

    def _refresh_members(self) -> None:
        self.pane.set_members(session_store.members(self.store), session_store.me(self.store))

    # -- the day

    def visible_sessions(self) -> list[session_model.Session]:
        self._finish_loading()
        if self.day is None:
            return []
        sessions = session_store.sessions_for_day(self.store, self.day, self.tz, meeting=self.meeting)
        committee, room = self.bar.committee(), self.bar.room()
        if committee:
            sessions = [s for s in sessions if s.committee == committee]
        if room:
            sessions = [s for s in sessions if s.room == room]
        if self.bar.covered_check.isChecked():
            covered = session_store.covered_session_ids(self.store)
            sessions = [s for s in sessions if s.id in covered]
        return sessions

    def refresh_day(self) -> None:
        if self.loading:
            self._finish_loading()  # it refreshes the day
            return
        sessions = self.visible_sessions()
        now = self.clock()
        here = laptop_zone()
        ref = session_model.at_local(self.day, dt.time(12), self.tz) if self.day else now
        differs = ref.astimezone(here).utcoffset() != ref.astimezone(self.tz).utcoffset()
        second = here if (self.bar.laptop_check.isChecked() and differs) else None
        lane_key = self.bar.lane_key()
        changes = {c.session: c.kinds for c in session_store.session_changes(self.store)}
        asg = session_store.assignments(self.store)
        self.conflicts = session_store.conflicts(self.store, self.meeting)
        self.grid.covered = {a.session for a in asg}
        self.grid.priorities = session_store.priorities(self.store)
        self.grid.changes = changes
        self.grid.conflicted = {sid for c in self.conflicts for sid in c.sessions}
        if self.day is not None:
            self.grid.set_day(self.day, self.tz, sessions, lane_key=lane_key,
                              lane_titles=self.committee_names if lane_key == "committee" else {},
                              second_tz=second, now=now)
        self.bar.laptop_check.setEnabled(differs)
        if self.day is None:
            self.bar.zone_label.setText(_("No session in the store yet: sync a bundle or import a timetable."))
        elif second is not None:
            self.bar.zone_label.setText(_("Times in the meeting's zone, {zone}; beside them, yours: {here}.").format(
                zone=zone_label(self.tz, ref), here=zone_label(here, ref)))
        else:
            self.bar.zone_label.setText(_("Times in the meeting's zone, {zone}.").format(
                zone=zone_label(self.tz, ref)))
        index = self.days.index(self.day) if self.day in self.days else -1
        self.bar.prev_button.setEnabled(bool(self.days) and (index > 0 or (index < 0 and self.day > self.days[0])))
        self.bar.next_button.setEnabled(bool(self.days) and (index < len(self.days) - 1 if index >= 0
                                                             else self.day < self.days[-1]))
        who: dict[str, list[str]] = {}
        for a in asg:
            who.setdefault(a.session, []).append(f"{a.member} ({role_label(a.role)})")
        self.list.show_sessions(sessions, self.tz, changes, who)
        if self.current not in {s.id for s in sessions}:
            self.current = None
        if self.current:
            self.select_session(self.current)
        else:
            self._show_details(None)
        if self.day is not None:
            self.board.show_day(self.meeting, self.day, self.tz)

    # -- navigation

    def go_to_day(self, day: dt.date) -> None:
        self._finish_loading()
        self.day = day
        self.bar.choose_day(day)
        self.refresh_day()

    def step_day(self, delta: int) -> None:
        """To the previous or next day that has sessions."""
        self._finish_loading()
        if not self.days or self.day is None:
            return
        if delta > 0:
            later = [d for d in self.days if d > self.day]
            if later:
                self.go_to_day(later[0])
        else:
            earlier = [d for d in self.days if d < self.day]
            if earlier:
                self.go_to_day(earlier[-1])

    def go_today(self) -> None:
        self._finish_loading()
        self.go_to_day(session_model.local_day(self.clock(), self.tz))

    def _on_day_box(self, index: int) -> None:
        value = self.bar.day_box.itemData(index)
        day = dt.date.fromisoformat(value) if value else None
        if day is not None and day != self.day:
            self.day = day
            self.refresh_day()

    def _on_meeting(self, index: int) -> None:
        self.meeting = self.bar.meeting_box.itemData(index)
        self.current = None
        self._load_meeting()

    def select_session(self, sid: str | None) -> None:
        self._finish_loading()
        self.current = sid
        self.grid.selected = sid
        self.grid.update()
        rect = self.grid.session_rect(sid) if sid else None
        if rect is not None:
            self.scroll.ensureVisible(int(rect.center().x()), int(rect.top()), 20, 40)
        self.list.select(sid)
        self._show_details(sid)

    def _on_list_item(self, item, _previous) -> None:
        if item is not None:
            self.select_session(item.data(0, Qt.UserRole))

    def _focus_details(self, sid: str) -> None:
        self.select_session(sid)
        self.pane.details.setFocus()

    def _from_board(self, sid: str) -> None:
        self.tabs.setCurrentIndex(0)
        self.select_session(sid)

    def open_session(self, sid: str) -> bool:
        """Show a session (its day, selected): for links from elsewhere."""
        self._finish_loading()
        s = session_store.session(self.store, sid)
        if s is None:
            return False
        if s.meeting != self.meeting:
            self.meeting = s.meeting
            self.reload()
        self.go_to_day(session_model.local_day(s.starts_at, self.tz))
        self.select_session(sid)
        return True

    def select_record(self, record_id: str) -> bool:
        """The window's way to show a session (a link, a search hit): its day, selected."""
        return self.open_session(record_id)

    def show_record(self, type_name: str, record_id: str) -> bool:
        self.select_record(record_id)
        return True

    def _show_details(self, sid: str | None) -> None:
        self.pane.show_session(sid, self.conflicts, self.tz)

    # -- changes and reminders

    def _show_changes(self) -> None:
        changes = session_store.session_changes(self.store)
        self.banner.show_changes(changes)
        # A system notification once per change (the banner stays until the user marks them seen).
        assigned = [c for c in changes if c.members and (c.session, c.kinds, c.after.get("starts_at"),
                                                          c.after.get("room")) not in self._notified]
        self._notified.update((c.session, c.kinds, c.after.get("starts_at"), c.after.get("room")) for c in assigned)
        if assigned:  # after the event loop turns, so that whoever built the view has connected
            payload = [(c.session, list(c.members)) for c in assigned]
            QTimer.singleShot(0, self, lambda: self.changes_notified.emit(payload))
        if self.reminders is not None:
            self.reminders.notify_changes(assigned)

    def _on_changes_seen(self) -> None:
        changes = self.workspace.dismiss_session_changes().changes
        self.banner.hide()
        self.refresh_day()
        self.store_changed.emit(changes)

    def _on_reminded(self, sid: str, text: str) -> None:
        if self.reminders is not None and self.reminders.use_tray:
            return
        self.message_banner.show_message(_("Reminder: {text}").format(text=text))

    def _tick(self) -> None:
        self.grid.now = self.clock()
        self.grid.update()

    def closeEvent(self, event) -> None:  # noqa: N802
        self.now_timer.stop()
        if self.reminders is not None:
            self.reminders.stop()
        super().closeEvent(event)

    # -- members, import and export

    def _on_members_changed(self) -> None:
        self._refresh_members()
        self.refresh_day()

    def _export(self, which: str) -> None:
        from wtdc_desktop.ui.agenda import exports  # iCalendar, CSV and PDF writers: loaded when first used

        self._finish_loading()
        if which.startswith("ics-"):
            message = exports.export_ics(self, self.store, which.removeprefix("ics-"))
        else:
            message = exports.export_board(self, self.store, self.meeting, which.removeprefix("board-"))
        if message:
            self.message_banner.show_message(message)

    def import_timetable(self) -> None:
        from wtdc_desktop.ui.agenda.timetable_import import ask_timetable_file  # loaded when first used

        path = ask_timetable_file(self)
        if path:
            self.open_import_dialog(path)

    def open_import_dialog(self, location: str):
        """Read the timetable off the GUI thread, then ask where its sessions go (``import_dialog``, open;
        it imports when accepted). A file that is no timetable, or holds no session, is said in the
        message banner and nothing is imported. Returns the worker that reads the file."""
        from wtdc_desktop.workspace import Workspace

        self.import_dialog = None
        data_dir = self.store.data_dir
        worker = Worker(lambda _worker: Workspace.preview_schedule(data_dir, location).value)
        worker.signals.finished.connect(lambda preview: self._ask_where(location, preview))
        worker.signals.failed.connect(lambda message: self.message_banner.show_message(
            _("The timetable was not imported: {reason}").format(reason=message)))
        self.bar.import_button.setEnabled(False)
        worker.signals.finished.connect(lambda _r: self.bar.import_button.setEnabled(True))
        worker.signals.failed.connect(lambda _e: self.bar.import_button.setEnabled(True))
        self._preview_worker = start(worker)
        return worker

    def _ask_where(self, location: str, preview) -> None:
        from wtdc_desktop.ui.agenda.timetable_import import ImportTimetableDialog

        dialog = ImportTimetableDialog(preview, self)
        self.import_dialog = dialog

        def chosen() -> None:
            meeting, title = dialog.choice()
            self.start_import(location, meeting, title=title, confirmed=True)  # the dialog asked

        dialog.accepted.connect(chosen)
        dialog.open()

    def start_import(self, location: str, meeting: str, *, title: str | None = None, confirmed: bool = False):
        """Import off the GUI thread (a URL may take time); returns the worker."""
        from wtdc_desktop.ui.agenda.timetable_import import import_worker

        worker = import_worker(self.store.data_dir, location, meeting, title=title, confirmed=confirmed)
        worker.signals.finished.connect(self._imported)
        worker.signals.failed.connect(lambda exc: self.message_banner.show_message(
            _("The timetable was not imported: {reason}").format(reason=getattr(exc, "message", None) or exc)))
        self.bar.import_button.setEnabled(False)
        worker.signals.finished.connect(lambda _r: self.bar.import_button.setEnabled(True))
        worker.signals.failed.connect(lambda _e: self.bar.import_button.setEnabled(True))
        self._worker = start(worker)
        return worker

    def _imported(self, outcome) -> None:
        result = outcome.value
        self.meeting = result.meeting
        self.reload()
        parts = [ngettext("{count} event imported into {meeting}.", "{count} events imported into {meeting}.",
                          result.events).format(count=result.events, meeting=result.meeting)]
        if result.moved:
            parts.append(ngettext("{count} session moved from the meeting of the earlier import.",
                                  "{count} sessions moved from the meeting of the earlier import.",
                                  result.moved).format(count=result.moved))
        if result.zone_note:
            parts.append(result.zone_note)
        self.message_banner.show_message(" ".join(parts))
        self.store_changed.emit(outcome.changes)


def _date_or_none(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
