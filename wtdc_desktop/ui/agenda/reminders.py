"""Reminders N minutes before each session the user covers, and notice of covered sessions a sync
changed: a system notification, or (without a system tray) the Agenda view's banner.

The clock is injectable (a callable returning an aware UTC datetime) so tests
drive it; a QTimer only decides *when* to look again.

Signals:
    reminded(str, str): a reminder was shown (session id, text)
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from wtdc_desktop.domain import sessions as session_model
from wtdc_desktop.instants import format_time
from wtdc_desktop.i18n import _
from wtdc_desktop.store import sessions as session_store
from wtdc_desktop.workspace import Workspace

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def reminder_text(store, reminder: session_model.Reminder, now: dt.datetime) -> str:
    session = session_store.session(store, reminder.session)
    tz = session_store.meeting_zone(store, session.meeting if session else None)
    minutes = max(0, int((reminder.starts_at - now).total_seconds() // 60))
    when = format_time(reminder.starts_at, tz)
    if reminder.room:
        return _("{title} starts at {time} in {room} (in {minutes} min).").format(
            title=reminder.title, time=when, room=reminder.room, minutes=minutes)
    return _("{title} starts at {time} (in {minutes} min).").format(title=reminder.title, time=when, minutes=minutes)


class ReminderService(QObject):
    reminded = Signal(str, str)

    def __init__(self, store, parent=None, *, clock: Clock = system_clock, use_tray: bool | None = None,
                 interval_ms: int = 30_000) -> None:
        super().__init__(parent)
        self.store = store
        self.workspace = Workspace(store)
        self.clock = clock
        self.use_tray = QSystemTrayIcon.isSystemTrayAvailable() if use_tray is None else use_tray
        self.tray: QSystemTrayIcon | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        self.timer.start()
        self.check()

    def stop(self) -> None:
        self.timer.stop()

    def sessions(self) -> list[session_model.Session]:
        """The sessions the user covers (every covered session when nobody is set as "me")."""
        return session_store.my_sessions(self.store, session_store.me(self.store))

    def check(self) -> list[session_model.Reminder]:
        """Show every reminder now due; returns them."""
        now = self.clock()
        try:
            due = session_model.due_reminders(self.sessions(), now, session_store.reminder_minutes(self.store),
                                   session_store.reminded_keys(self.store))
        except sqlite3.ProgrammingError:  # the store was closed (the window is going away)
            self.timer.stop()
            return []
        for reminder in due:
            text = reminder_text(self.store, reminder, now)
            if self.use_tray:
                self._tray().showMessage(_("Session soon"), text, QSystemTrayIcon.Information, 15_000)
            self.workspace.mark_reminded(reminder)  # no view shows it: nothing to tell the others
            self.reminded.emit(reminder.session, text)
        return due

    def notify_changes(self, changes: list[session_model.SessionChange]) -> None:
        """A system notification for sessions someone covers that a sync changed (nothing without a tray:
        the view's banner says it)."""
        if not changes or not self.use_tray:
            return
        text = "\n".join(_("{title}: {members}").format(title=c.after.get("title") or c.session,
                                                        members=", ".join(c.members)) for c in changes[:5])
        self._tray().showMessage(_("Sessions you cover have changed"), text, QSystemTrayIcon.Warning, 20_000)

    def _tray(self) -> QSystemTrayIcon:
        if self.tray is None:
            self.tray = QSystemTrayIcon(QApplication.windowIcon(), self)
            self.tray.setToolTip(_("WTDC Desktop reminders"))
            self.tray.show()
        return self.tray
