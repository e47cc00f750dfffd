"""The Agenda view: a day of parallel sessions on a time axis, a list beside it, details, coverage.

Times are instants (UTC) shown in the meeting's zone, with the laptop's zone
as a second axis when it differs. Keyboard: PageUp/PageDown or Alt+Left/Right
change the day, Home goes to today, Up/Down (or Tab in the grid) move between
sessions, Enter opens the selected session's details.

Signals:
    open_record_requested(str, str): open a record elsewhere in the window (type, id)
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QPainter, QPalette, QPen, QShortcut, QTextOption
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QFileDialog, QFrame, QHBoxLayout, QInputDialog, QLabel, QLineEdit,
    QMenu, QPushButton, QScrollArea, QSizePolicy, QSplitter, QTabWidget, QToolButton, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout, QWidget,
)

from wtdc_desktop.domain import agenda as ag
from wtdc_desktop.domain.links import make_link
from wtdc_desktop.domain.render import sanitize_html
from wtdc_desktop.formatting import format_date, format_time, format_time_range, laptop_zone, zone_label
from wtdc_desktop.i18n import _
from wtdc_desktop.store import agenda as sa
from wtdc_desktop.store import delegation
from wtdc_desktop.ui.coverage import CoverageBoard, MembersPanel, priority_label, role_label
from wtdc_desktop.ui.browser import SafeTextBrowser
from wtdc_desktop.ui.language import directed_html
from wtdc_desktop.ui.view import wants

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]



def change_label(kind: str) -> str:
    return {ag.MOVED: _("moved"), ag.ROOM: _("room changed"), ag.CANCELLED: _("cancelled"),
            ag.WITHDRAWN: _("withdrawn")}.get(kind, kind)


def status_label(session: ag.Session) -> str:
    if session.withdrawn:
        return _("withdrawn")
    return {"cancelled": _("cancelled"), "changed": _("changed"), "scheduled": _("scheduled")}.get(
        session.status or "", session.status or "")


# --- the day grid ------------------------------------------------------------------------------------

class DayGrid(QWidget):
    """Sessions of one day painted on a time axis, one column per room (or committee).

    Signals:
        session_clicked(str): a session was clicked (id)
        session_activated(str): a session was double-clicked (id)
    """

    session_clicked = Signal(str)
    session_activated = Signal(str)
    day_step = Signal(int)
    today_requested = Signal()

    HEADER = 40
    AXIS = 66
    HOUR = 64  # pixels per hour

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAccessibleName(_("Sessions of the day on a time axis"))
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.sessions: list[ag.Session] = []
        self.lanes: list[str] = []
        self.lane_key = "room"
        self.lane_titles: dict[str, str] = {}
        self.day = dt.date.today()
        self.tz: dt.tzinfo = dt.timezone.utc
        self.second_tz: dt.tzinfo | None = None
        self.now: dt.datetime | None = None
        self.selected: str | None = None
        self.covered: set[str] = set()
        self.priorities: dict[str, str] = {}
        self.changes: dict[str, tuple[str, ...]] = {}
        self.conflicted: set[str] = set()
        self.first_hour, self.last_hour = 8, 19

    # -- data

    def set_day(self, day: dt.date, tz: dt.tzinfo, sessions: list[ag.Session], *, lane_key: str = "room",
                lane_titles: dict[str, str] | None = None, second_tz: dt.tzinfo | None = None,
                now: dt.datetime | None = None) -> None:
        self.day, self.tz, self.sessions, self.lane_key = day, tz, sessions, lane_key
        self.lane_titles = lane_titles or {}
        self.second_tz = second_tz
        self.now = now
        self.lanes = ag.lanes(sessions, lane_key) or [""]
        start, end = ag.day_bounds(day, tz)
        if sessions:
            first = max(min(s.starts_at for s in sessions), start).astimezone(tz)
            last = min(max(s.ends_at for s in sessions), end)
            last_local = last.astimezone(tz)
            self.first_hour = min(8, first.hour)
            self.last_hour = 24 if last >= end else max(18, last_local.hour + (1 if last_local.minute else 0))
        else:
            self.first_hour, self.last_hour = 8, 18
        if self.selected not in {s.id for s in sessions}:
            self.selected = None
        self.setMinimumHeight(self.sizeHint().height())
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self.AXIS * 2 + 160 * max(1, len(self.lanes)),
                     self.HEADER + self.HOUR * (self.last_hour - self.first_hour) + 8)

    def ordered_ids(self) -> list[str]:
        return [s.id for s in sorted(self.sessions, key=lambda s: (s.starts_at, self._lane_index(s), s.id))]

    def _lane_index(self, s: ag.Session) -> int:
        name = getattr(s, self.lane_key) or ""
        return self.lanes.index(name) if name in self.lanes else 0

    # -- geometry

    def _axes(self) -> int:
        return 2 if self.second_tz is not None else 1

    def _y(self, instant: dt.datetime) -> float:
        """Vertical position of an instant: wall-clock minutes of the meeting's day (clamped)."""
        start, end = ag.day_bounds(self.day, self.tz)
        instant = min(max(instant, start), end)
        top = ag.at_local(self.day, dt.time(self.first_hour), self.tz) if self.first_hour < 24 else end
        minutes = (instant - top).total_seconds() / 60
        return self.HEADER + minutes * self.HOUR / 60

    def _mirror(self, rect: QRectF) -> QRectF:
        if self.layoutDirection() == Qt.RightToLeft:
            return QRectF(self.width() - rect.x() - rect.width(), rect.y(), rect.width(), rect.height())
        return rect

    def _packing(self) -> dict[str, tuple[int, int]]:
        """For sessions overlapping in one lane: (sub-column, sub-columns) each."""
        out: dict[str, tuple[int, int]] = {}
        for lane in self.lanes:
            group = sorted((s for s in self.sessions if (getattr(s, self.lane_key) or "") == lane),
                           key=lambda s: (s.starts_at, s.id))
            columns: list[dt.datetime] = []
            placed: list[tuple[ag.Session, int]] = []
            for s in group:
                for i, end in enumerate(columns):
                    if end <= s.starts_at:
                        columns[i] = s.ends_at
                        placed.append((s, i))
                        break
                else:
                    columns.append(s.ends_at)
                    placed.append((s, len(columns) - 1))
            for s, i in placed:
                width = 1 + max(j for o, j in placed if o.overlaps(s) or o.id == s.id)
                out[s.id] = (i, width)
        return out

    def _lane_width(self) -> float:
        return max(60.0, (self.width() - self.AXIS * self._axes() - 4) / max(1, len(self.lanes)))

    def _layout(self) -> list[tuple[QRectF, str]]:
        """Where each session is drawn (mirrored in a right-to-left layout)."""
        left = self.AXIS * self._axes()
        lane_w = self._lane_width()
        packing = self._packing()
        out = []
        for s in self.sessions:
            lane = self._lane_index(s)
            sub, count = packing.get(s.id, (0, 1))
            x = left + lane * lane_w + 3 + sub * (lane_w - 6) / count
            w = (lane_w - 6) / count - 2
            y1, y2 = self._y(s.starts_at), self._y(s.ends_at)
            out.append((self._mirror(QRectF(x, y1 + 1, w, max(18.0, y2 - y1 - 2))), s.id))
        return out

    # -- painting

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        pal = self.palette()
        p.fillRect(self.rect(), pal.color(QPalette.Base))
        axes = self._axes()
        left = self.AXIS * axes
        lane_w = self._lane_width()
        text_color = pal.color(QPalette.Text)
        grid = QColor(text_color)
        grid.setAlpha(40)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.85))
        bold = QFont(self.font())
        bold.setBold(True)

        direction = self.layoutDirection()
        # header: lane names
        p.setFont(bold)
        for i, lane in enumerate(self.lanes):
            r = self._mirror(QRectF(left + i * lane_w, 0, lane_w, self.HEADER))
            p.setPen(text_color)
            _draw_text(p, r.adjusted(4, 0, -4, 0), self.lane_titles.get(lane, lane) or _("(no room)"), direction,
                       halign=Qt.AlignHCenter, valign=Qt.AlignVCenter)
        # axis titles
        p.setFont(small)
        zones = [self.tz] + ([self.second_tz] if self.second_tz is not None else [])
        ref = ag.at_local(self.day, dt.time(12), self.tz)
        for k, tz in enumerate(zones):
            r = self._mirror(QRectF(k * self.AXIS, 0, self.AXIS, self.HEADER))
            _draw_text(p, r.adjusted(2, 0, -2, 0), _short_zone(tz, ref), direction, halign=Qt.AlignHCenter,
                       valign=Qt.AlignVCenter, wrap=True)
        # hour lines and labels
        for hour in range(self.first_hour, self.last_hour + 1):
            if hour >= 24:
                instant = ag.day_bounds(self.day, self.tz)[1]
            else:
                instant = ag.at_local(self.day, dt.time(hour), self.tz)
            y = self._y(instant)
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(0, y), QPointF(self.width(), y))
            half = self._y(instant + dt.timedelta(minutes=30))
            if hour < self.last_hour:
                p.setPen(QPen(grid, 1, Qt.DotLine))
                p.drawLine(QPointF(left, half), QPointF(self.width(), half))
            p.setPen(text_color)
            for k, tz in enumerate(zones):
                r = self._mirror(QRectF(k * self.AXIS, y - 1, self.AXIS - 4, 16))
                _draw_text(p, r, format_time(instant, tz), direction, halign=Qt.AlignHCenter)
        # lane separators
        p.setPen(QPen(grid, 1))
        for i in range(len(self.lanes) + 1):
            x = left + i * lane_w
            if self.layoutDirection() == Qt.RightToLeft:
                x = self.width() - x
            p.drawLine(QPointF(x, 0), QPointF(x, self.height()))

        # sessions
        by_id = {s.id: s for s in self.sessions}
        for rect, sid in self._layout():
            self._paint_session(p, rect, by_id[sid], small, bold)

        # the current time
        if self.now is not None:
            start, end = ag.day_bounds(self.day, self.tz)
            if start <= self.now < end:
                y = self._y(self.now)
                p.setPen(QPen(QColor("#d32f2f"), 2))
                p.drawLine(QPointF(left - 6 if self.layoutDirection() != Qt.RightToLeft else 0, y),
                           QPointF(self.width() if self.layoutDirection() != Qt.RightToLeft
                                   else self.width() - left + 6, y))
                p.setBrush(QColor("#d32f2f"))
                cx = left - 6 if self.layoutDirection() != Qt.RightToLeft else self.width() - left + 6
                p.drawEllipse(QPointF(cx, y), 4, 4)
        p.end()

    def _paint_session(self, p: QPainter, rect: QRectF, s: ag.Session, small: QFont, bold: QFont) -> None:
        changed = s.status == "changed" or bool(self.changes.get(s.id))
        if s.cancelled:
            fill, border = QColor("#eeeeee"), QColor("#9e9e9e")
        elif s.id in self.covered:
            fill, border = QColor("#d7efdc"), QColor("#2e7d32")
        else:
            fill, border = QColor("#dde8f6"), QColor("#5c7fb0")
        if changed and not s.cancelled:
            border = QColor("#e65100")
        if s.id in self.conflicted and not s.cancelled:
            border = QColor("#c62828")
        p.setPen(QPen(border, 3 if (changed or s.id == self.selected) else 1.2))
        p.setBrush(fill)
        p.drawRoundedRect(rect, 4, 4)
        if s.cancelled:
            p.setBrush(QBrush(QColor("#9e9e9e"), Qt.BDiagPattern))
            p.setPen(Qt.NoPen)
            p.drawRoundedRect(rect, 4, 4)
        if self.priorities.get(s.id) == "must" and not s.cancelled:
            stripe = QRectF(rect.x(), rect.y(), 5, rect.height())
            if self.layoutDirection() == Qt.RightToLeft:
                stripe.moveLeft(rect.right() - 5)
            p.fillRect(stripe, QColor("#c62828"))
        if s.id == self.selected:
            p.setPen(QPen(self.palette().color(QPalette.Highlight), 2, Qt.DashLine))
            p.setBrush(Qt.NoBrush)
            p.drawRoundedRect(rect.adjusted(-2, -2, 2, 2), 5, 5)
        inner = rect.adjusted(8, 3, -6, -3)
        badges = []
        if s.cancelled:
            badges.append(status_label(s).upper())
        elif changed:
            kinds = self.changes.get(s.id) or ()
            badges.append("⚠ " + (", ".join(change_label(k) for k in kinds) if kinds else _("changed")))
        if self.priorities.get(s.id):
            badges.append(priority_label(self.priorities[s.id]))
        p.setFont(small)
        p.setPen(QColor("#b71c1c") if (s.cancelled or changed) else self.palette().color(QPalette.Text))
        direction = self.layoutDirection()
        line = format_time_range(s.starts_at, s.ends_at, self.tz) + ("  " + " · ".join(badges) if badges else "")
        _draw_text(p, inner, line, direction)
        title_font = QFont(bold)
        title_font.setPointSizeF(small.pointSizeF())
        title_font.setStrikeOut(s.cancelled)
        p.setFont(title_font)
        p.setPen(QColor("#616161") if s.cancelled else self.palette().color(QPalette.Text))
        _draw_text(p, inner.adjusted(0, 15, 0, 0), s.title, direction, wrap=True)

    # -- input

    def session_at(self, pos) -> str | None:
        for rect, sid in reversed(self._layout()):
            if rect.contains(QPointF(pos)):
                return sid
        return None

    def session_rect(self, sid: str) -> QRectF | None:
        for rect, rid in self._layout():
            if rid == sid:
                return rect
        return None

    def mousePressEvent(self, event) -> None:  # noqa: N802
        sid = self.session_at(event.position())
        if sid:
            self.selected = sid
            self.update()
            self.session_clicked.emit(sid)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        sid = self.session_at(event.position())
        if sid:
            self.session_activated.emit(sid)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        sid = self.session_at(event.position())
        s = next((x for x in self.sessions if x.id == sid), None)
        self.setToolTip(f"{s.title}\n{format_time_range(s.starts_at, s.ends_at, self.tz)} · {s.room or ''}"
                        if s else "")

    def step(self, delta: int) -> str | None:
        ids = self.ordered_ids()
        if not ids:
            return None
        if self.selected in ids:
            index = max(0, min(len(ids) - 1, ids.index(self.selected) + delta))
        else:
            index = 0 if delta >= 0 else len(ids) - 1
        self.selected = ids[index]
        self.update()
        self.session_clicked.emit(self.selected)
        return self.selected

    def keyPressEvent(self, event) -> None:  # noqa: N802
        key = event.key()
        alt = bool(event.modifiers() & Qt.AltModifier)
        rtl = self.layoutDirection() == Qt.RightToLeft
        if key == Qt.Key_PageUp or (alt and key == (Qt.Key_Right if rtl else Qt.Key_Left)):
            self.day_step.emit(-1)
            return
        if key == Qt.Key_PageDown or (alt and key == (Qt.Key_Left if rtl else Qt.Key_Right)):
            self.day_step.emit(1)
            return
        if key == Qt.Key_Home:
            self.today_requested.emit()
            return
        if key in (Qt.Key_Down, Qt.Key_Right if self.layoutDirection() != Qt.RightToLeft else Qt.Key_Left):
            if not event.modifiers() & Qt.AltModifier:
                self.step(1)
                return
        if key in (Qt.Key_Up, Qt.Key_Left if self.layoutDirection() != Qt.RightToLeft else Qt.Key_Right):
            if not event.modifiers() & Qt.AltModifier:
                self.step(-1)
                return
        if key in (Qt.Key_Return, Qt.Key_Enter) and self.selected:
            self.session_activated.emit(self.selected)
            return
        super().keyPressEvent(event)


def _text_direction(text: str) -> Qt.LayoutDirection | None:
    """The direction of a text's first strong character (None when it has none)."""
    import unicodedata

    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return Qt.LeftToRight
        if kind in ("R", "AL"):
            return Qt.RightToLeft
    return None


def _draw_text(p: QPainter, rect: QRectF, text: str, base: Qt.LayoutDirection, *, halign=None,
               valign=Qt.AlignTop, wrap: bool = False) -> None:
    """Draw text in its own direction (a time or a French title inside a right-to-left layout),
    aligned to the layout's leading edge unless ``halign`` says otherwise, clipped to ``rect``."""
    if halign is None:
        halign = Qt.AlignRight if base == Qt.RightToLeft else Qt.AlignLeft
    option = QTextOption(halign | valign | Qt.AlignAbsolute)
    option.setTextDirection(_text_direction(text) or base)
    option.setWrapMode(QTextOption.WordWrap if wrap else QTextOption.NoWrap)
    p.save()
    p.setClipRect(rect)
    p.drawText(rect, text, option)
    p.restore()


def _short_zone(tz: dt.tzinfo, when: dt.datetime) -> str:
    return zone_label(tz, when)


# --- the view ------------------------------------------------------------------------------------------

class AgendaView(QWidget):
    """Signals:
        open_record_requested(str, str): open a record elsewhere in the window (type, id)
        changes_notified(list): sessions with an assignment changed by a sync: [(session id, [members])]
    """

    open_record_requested = Signal(str, str)
    changes_notified = Signal(list)

    def __init__(self, store, parent=None, *, clock: Clock | None = None, reminders: bool = True) -> None:
        super().__init__(parent)
        self.store = store
        self.clock: Clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.meeting: str | None = None
        self.tz: dt.tzinfo = dt.timezone.utc
        self.days: list[dt.date] = []
        self.day: dt.date | None = None
        self.current: str | None = None
        self._notified: set[tuple] = set()
        self._build()
        self._shortcuts()
        self.reminders = None
        if reminders:
            from wtdc_desktop.ui.reminders import ReminderService

            self.reminders = ReminderService(store, self, clock=self.clock)
            self.reminders.reminded.connect(self._on_reminded)
            QTimer.singleShot(0, self.reminders, self.reminders.start)  # cancelled if the view goes first
        self.now_timer = QTimer(self)
        self.now_timer.setInterval(60_000)
        self.now_timer.timeout.connect(self._tick)
        self.now_timer.start()
        # Imported timetables are fetched again on the bundles' schedule.
        from wtdc_desktop.bundles import DEFAULT_INTERVAL_MINUTES

        self.schedule_timer = QTimer(self)
        self.schedule_timer.setInterval(int(DEFAULT_INTERVAL_MINUTES * 60_000))
        self.schedule_timer.timeout.connect(self.sync_timetables)
        self.schedule_timer.start()
        self._schedule_worker = None
        self.reload()

    # -- building

    def _build(self) -> None:
        self.meeting_box = QComboBox(self)
        self.meeting_box.setAccessibleName(_("Meeting"))
        self.prev_button = QToolButton(self)
        self.prev_button.setArrowType(Qt.LeftArrow if self.layoutDirection() != Qt.RightToLeft else Qt.RightArrow)
        self.prev_button.setToolTip(_("Previous day (Page Up)"))
        self.prev_button.setAccessibleName(_("Previous day"))
        self.next_button = QToolButton(self)
        self.next_button.setArrowType(Qt.RightArrow if self.layoutDirection() != Qt.RightToLeft else Qt.LeftArrow)
        self.next_button.setToolTip(_("Next day (Page Down)"))
        self.next_button.setAccessibleName(_("Next day"))
        self.day_box = QComboBox(self)
        self.day_box.setAccessibleName(_("Day"))
        self.day_box.setMinimumContentsLength(18)
        self.today_button = QPushButton(_("Today"), self)
        self.lane_box = QComboBox(self)
        self.lane_box.setAccessibleName(_("Columns"))
        self.lane_box.addItem(_("Columns: rooms"), "room")
        self.lane_box.addItem(_("Columns: committees"), "committee")
        self.committee_box = QComboBox(self)
        self.committee_box.setAccessibleName(_("Committee filter"))
        self.committee_box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.committee_box.setMinimumContentsLength(12)
        self.room_box = QComboBox(self)
        self.room_box.setAccessibleName(_("Room filter"))
        self.covered_check = QCheckBox(_("Sessions we cover"), self)
        self.laptop_check = QCheckBox(_("Also my time zone"), self)
        self.laptop_check.setChecked(True)
        self.zone_label = QLabel(self)
        self.zone_label.setWordWrap(True)

        bar = QHBoxLayout()
        bar.addWidget(self.meeting_box)
        bar.addWidget(self.prev_button)
        bar.addWidget(self.day_box)
        bar.addWidget(self.next_button)
        bar.addWidget(self.today_button)
        bar.addStretch(1)
        # Filters on a row of their own, so the view fits a narrow (or 200 % scaled) screen.
        filters = QHBoxLayout()
        filters.addWidget(self.lane_box)
        filters.addWidget(self.committee_box, 1)
        filters.addWidget(self.room_box, 1)
        filters.addWidget(self.covered_check)
        filters.addWidget(self.laptop_check)
        self.import_button = QPushButton(_("Import timetable…"), self)
        self.import_button.setToolTip(_("A frab or Pentabarf schedule (XML or JSON) or an iCalendar file"))
        self.export_button = QToolButton(self)
        self.export_button.setText(_("Export"))
        self.export_button.setPopupMode(QToolButton.InstantPopup)
        menu = QMenu(self.export_button)
        menu.addAction(_("My sessions (iCalendar)…"), lambda: self.export_ics("me"))
        menu.addAction(_("Sessions we cover (iCalendar)…"), lambda: self.export_ics("covered"))
        menu.addAction(_("Whole coverage board (iCalendar)…"), lambda: self.export_ics("all"))
        menu.addSeparator()
        menu.addAction(_("Coverage board (CSV)…"), lambda: self.export_board("csv"))
        menu.addAction(_("Coverage board (PDF)…"), lambda: self.export_board("pdf"))
        self.export_button.setMenu(menu)

        self.banner = QFrame(self)
        self.banner.setFrameShape(QFrame.StyledPanel)
        self.banner.setStyleSheet("QFrame { background: #fff3e0; }")
        self.banner_label = QLabel(self.banner)
        self.banner_label.setWordWrap(True)
        self.banner_label.setTextFormat(Qt.PlainText)
        self.banner_button = QPushButton(_("Seen"), self.banner)
        self.banner_button.setToolTip(_("Stop highlighting these changes"))
        blay = QHBoxLayout(self.banner)
        blay.setContentsMargins(8, 4, 4, 4)
        blay.addWidget(self.banner_label, 1)
        blay.addWidget(self.banner_button)
        self.banner.hide()

        self.reminder_banner = QFrame(self)
        self.reminder_banner.setFrameShape(QFrame.StyledPanel)
        self.reminder_banner.setStyleSheet("QFrame { background: #e3f2fd; }")
        self.reminder_label = QLabel(self.reminder_banner)
        self.reminder_label.setWordWrap(True)
        self.reminder_label.setTextFormat(Qt.PlainText)
        close = QToolButton(self.reminder_banner)
        close.setText("✕")
        close.setAccessibleName(_("Dismiss this message"))
        close.clicked.connect(self.reminder_banner.hide)
        rlay = QHBoxLayout(self.reminder_banner)
        rlay.setContentsMargins(8, 4, 4, 4)
        rlay.addWidget(self.reminder_label, 1)
        rlay.addWidget(close)
        self.reminder_banner.hide()

        self.grid = DayGrid(self)
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(self.grid)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFocusProxy(self.grid)

        self.list = QTreeWidget(self)
        self.list.setAccessibleName(_("Sessions of the day"))
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setSelectionMode(QAbstractItemView.SingleSelection)
        self.list.setHeaderLabels([_("Time"), _("Room"), _("Session"), _("Coverage")])
        self.list.setColumnWidth(0, 110)
        self.list.setColumnWidth(1, 70)
        self.list.setColumnWidth(2, 220)

        self.details = SafeTextBrowser(self)
        self.details.setAccessibleName(_("Session details"))
        # Changes and conflicts are marked with <mark> and <em> (the sanitiser keeps no style attribute).
        self.details.document().setDefaultStyleSheet(
            "mark { background: #ffe0b2; font-weight: bold; } em { color: #c62828; font-style: normal; }")
        self.priority_box = QComboBox(self)
        self.priority_box.setAccessibleName(_("Priority of the session"))
        self.priority_box.addItem(_("No priority"), None)
        for key in ag.PRIORITIES:
            self.priority_box.addItem(priority_label(key), key)
        self.member_box = QComboBox(self)
        self.member_box.setAccessibleName(_("Member"))
        self.role_box = QComboBox(self)
        self.role_box.setAccessibleName(_("Role"))
        for key in ag.ROLES:
            self.role_box.addItem(role_label(key), key)
        self.assign_button = QPushButton(_("Assign"), self)
        self.unassign_button = QPushButton(_("Remove"), self)
        self.unassign_button.setToolTip(_("Remove this member's assignment to the session"))
        controls = QWidget(self)
        clay = QHBoxLayout(controls)
        clay.setContentsMargins(0, 0, 0, 0)
        clay.addWidget(self.priority_box)
        clay.addWidget(self.member_box, 1)
        clay.addWidget(self.role_box)
        clay.addWidget(self.assign_button)
        clay.addWidget(self.unassign_button)
        self.language_edit = QLineEdit(self)
        self.language_edit.setPlaceholderText(_("Held in (e.g. en, fr)"))
        self.language_edit.setAccessibleName(_("Languages the session is held in"))
        self.interpretation_edit = QLineEdit(self)
        self.interpretation_edit.setPlaceholderText(_("Interpretation (e.g. all six languages)"))
        self.interpretation_edit.setAccessibleName(_("Interpretation available"))
        self.language_button = QPushButton(_("Note"), self)
        self.language_button.setToolTip(_("Keep these language notes for the session"))
        language_row = QWidget(self)
        llay = QHBoxLayout(language_row)
        llay.setContentsMargins(0, 0, 0, 0)
        llay.addWidget(self.language_edit, 1)
        llay.addWidget(self.interpretation_edit, 2)
        llay.addWidget(self.language_button)
        detail_box = QWidget(self)
        dlay = QVBoxLayout(detail_box)
        dlay.setContentsMargins(0, 0, 0, 0)
        dlay.addWidget(self.details, 1)
        dlay.addWidget(language_row)
        dlay.addWidget(controls)

        side = QSplitter(Qt.Vertical, self)
        side.addWidget(self.list)
        side.addWidget(detail_box)
        side.setStretchFactor(0, 2)
        side.setStretchFactor(1, 3)
        self.splitter = QSplitter(Qt.Horizontal, self)
        self.splitter.addWidget(self.scroll)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        self.board = CoverageBoard(self.store, self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.splitter, _("Day"))
        self.tabs.addTab(self.board, _("Coverage board"))
        self.members = MembersPanel(self.store, self)
        self.tabs.addTab(self.members, _("Members"))

        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.addLayout(bar)
        outer.addLayout(filters)
        second = QHBoxLayout()
        second.addWidget(self.zone_label, 1)
        second.addWidget(self.import_button)
        second.addWidget(self.export_button)
        outer.addLayout(second)
        outer.addWidget(self.banner)
        outer.addWidget(self.reminder_banner)
        outer.addWidget(self.tabs, 1)

        self.meeting_box.currentIndexChanged.connect(self._on_meeting)
        self.day_box.currentIndexChanged.connect(self._on_day_box)
        self.prev_button.clicked.connect(lambda: self.step_day(-1))
        self.next_button.clicked.connect(lambda: self.step_day(1))
        self.today_button.clicked.connect(self.go_today)
        for box in (self.lane_box, self.committee_box, self.room_box):
            box.currentIndexChanged.connect(self.refresh_day)
        self.covered_check.toggled.connect(self.refresh_day)
        self.laptop_check.toggled.connect(self.refresh_day)
        self.grid.session_clicked.connect(self.select_session)
        self.grid.session_activated.connect(self._focus_details)
        self.grid.day_step.connect(self.step_day)
        self.grid.today_requested.connect(self.go_today)
        self.list.currentItemChanged.connect(self._on_list_item)
        self.list.itemActivated.connect(lambda item, _col: self._focus_details(item.data(0, Qt.UserRole)))
        self.details.navigate.connect(self.open_record_requested)
        self.priority_box.activated.connect(self._on_priority)
        self.assign_button.clicked.connect(self._on_assign)
        self.unassign_button.clicked.connect(self._on_unassign)
        self.banner_button.clicked.connect(self._on_changes_seen)
        self.board.session_selected.connect(self._from_board)
        self.members.changed.connect(self._on_members_changed)
        self.language_button.clicked.connect(self._on_language)
        self.import_button.clicked.connect(self.import_timetable)

    def _shortcuts(self) -> None:
        back = -1 if self.layoutDirection() != Qt.RightToLeft else 1  # Alt+Left goes back, mirrored in RTL
        for seq, delta in ((QKeySequence(Qt.Key_PageUp), -1), (QKeySequence(Qt.Key_PageDown), 1),
                           (QKeySequence(Qt.ALT | Qt.Key_Left), back), (QKeySequence(Qt.ALT | Qt.Key_Right), -back)):
            sc = QShortcut(seq, self, context=Qt.WidgetWithChildrenShortcut)
            sc.activated.connect(lambda d=delta: self.step_day(d))
        QShortcut(QKeySequence(Qt.Key_Home), self, context=Qt.WidgetWithChildrenShortcut,
                  activated=self.go_today)

    # -- loading

    def reload(self, changes=None) -> None:
        """Re-read meetings, days, sessions and changes (after a sync or an edit)."""
        if not wants(changes, any_record=True, delegation=("assignment", "member", "session_priority", "position")):
            return
        meetings = sa.meetings_with_sessions(self.store)
        self.meeting_box.blockSignals(True)
        self.meeting_box.clear()
        for m in meetings:
            self.meeting_box.addItem(m["title"] or m["id"], m["id"])
        if self.meeting is None and meetings:
            self.meeting = self._default_meeting(meetings)
        index = self.meeting_box.findData(self.meeting)
        self.meeting_box.setCurrentIndex(max(0, index))
        self.meeting_box.setVisible(len(meetings) > 1)
        self.meeting_box.blockSignals(False)
        if meetings and index < 0:
            self.meeting = meetings[0]["id"]
        self._load_meeting(keep_day=True)
        self._refresh_members()
        self._show_changes()

    def _default_meeting(self, meetings: list[dict]) -> str:
        now = self.clock()
        for m in meetings:  # one running now first
            tz = ag.zone(m["timezone"])
            today = ag.local_day(now, tz).isoformat()
            if m["starts_on"] and m["ends_on"] and m["starts_on"] <= today <= m["ends_on"]:
                return m["id"]
        return meetings[0]["id"]

    def _load_meeting(self, keep_day: bool = False) -> None:
        m = sa.meeting(self.store, self.meeting) if self.meeting else None
        self.tz = ag.zone(m["timezone"] if m else None)
        sessions = sa.sessions(self.store, meeting=self.meeting)
        self.days = ag.meeting_days(sessions, self.tz)
        if hasattr(self, "members"):
            self.members.set_days(self.days)
        committees = sa.committee_names(self.store, self.meeting)
        self.committee_names = committees
        self._fill_filter(self.committee_box, _("All committees"),
                          sorted({s.committee for s in sessions if s.committee}),
                          lambda c: committees.get(c, c))
        self._fill_filter(self.room_box, _("All rooms"), sorted({s.room for s in sessions if s.room}), str)
        if not (keep_day and self.day in self.days):
            starts = _date_or_none(m.get("starts_on")) if m else None
            ends = _date_or_none(m.get("ends_on")) if m else None
            self.day = ag.default_day(self.days, self.clock(), self.tz, starts, ends)
        self.day_box.blockSignals(True)
        self.day_box.clear()
        shown = sorted(set(self.days) | ({self.day} if self.day else set()))
        for d in shown:
            self.day_box.addItem(format_date(d, "full"), d.isoformat())
        self.day_box.setCurrentIndex(max(0, self.day_box.findData(self.day.isoformat() if self.day else None)))
        self.day_box.blockSignals(False)
        self.refresh_day()

    def _fill_filter(self, box: QComboBox, all_label: str, values: list[str], label) -> None:
        current = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem(all_label, None)
        for v in values:
            box.addItem(label(v), v)
        box.setCurrentIndex(max(0, box.findData(current)) if current else 0)
        box.blockSignals(False)

    def _refresh_members(self) -> None:
        current = self.member_box.currentData()
        self.member_box.clear()
        members = sa.members(self.store)
        for m in members:
            self.member_box.addItem(m.name, m.name)
        me = sa.me(self.store)
        index = self.member_box.findData(current or me)
        self.member_box.setCurrentIndex(max(0, index))
        has = bool(members)
        self.assign_button.setEnabled(has and self.current is not None)
        self.unassign_button.setEnabled(has and self.current is not None)
        if not has:
            self.member_box.setPlaceholderText(_("No member yet"))

    # -- the day

    def visible_sessions(self) -> list[ag.Session]:
        if self.day is None:
            return []
        sessions = sa.sessions_for_day(self.store, self.day, self.tz, meeting=self.meeting)
        committee, room = self.committee_box.currentData(), self.room_box.currentData()
        if committee:
            sessions = [s for s in sessions if s.committee == committee]
        if room:
            sessions = [s for s in sessions if s.room == room]
        if self.covered_check.isChecked():
            covered = sa.covered_session_ids(self.store)
            sessions = [s for s in sessions if s.id in covered]
        return sessions

    def refresh_day(self) -> None:
        sessions = self.visible_sessions()
        now = self.clock()
        here = laptop_zone()
        ref = ag.at_local(self.day, dt.time(12), self.tz) if self.day else now
        differs = ref.astimezone(here).utcoffset() != ref.astimezone(self.tz).utcoffset()
        second = here if (self.laptop_check.isChecked() and differs) else None
        lane_key = self.lane_box.currentData() or "room"
        changes = {c.session: c.kinds for c in sa.session_changes(self.store)}
        asg = sa.assignments(self.store)
        covered = {a.session for a in asg}
        conflicts = sa.conflicts(self.store, self.meeting)
        self.grid.covered = covered
        self.grid.priorities = sa.priorities(self.store)
        self.grid.changes = changes
        self.grid.conflicted = {sid for c in conflicts for sid in c.sessions}
        if self.day is not None:
            self.grid.set_day(self.day, self.tz, sessions, lane_key=lane_key,
                              lane_titles=self.committee_names if lane_key == "committee" else {},
                              second_tz=second, now=now)
        self.laptop_check.setEnabled(differs)
        if self.day is None:
            self.zone_label.setText(_("No session in the store yet: sync a bundle or import a timetable."))
        elif second is not None:
            self.zone_label.setText(_("Times in the meeting's zone, {zone}; beside them, yours: {here}.").format(
                zone=zone_label(self.tz, ref), here=zone_label(here, ref)))
        else:
            self.zone_label.setText(_("Times in the meeting's zone, {zone}.").format(zone=zone_label(self.tz, ref)))
        index = self.days.index(self.day) if self.day in self.days else -1
        self.prev_button.setEnabled(bool(self.days) and (index > 0 or (index < 0 and self.day > self.days[0])))
        self.next_button.setEnabled(bool(self.days) and (index < len(self.days) - 1 if index >= 0
                                                         else self.day < self.days[-1]))
        who: dict[str, list[str]] = {}
        for a in asg:
            who.setdefault(a.session, []).append(f"{a.member} ({role_label(a.role)})")
        self.list.blockSignals(True)
        self.list.clear()
        for s in sessions:
            marks = []
            if s.cancelled:
                marks.append(status_label(s))
            elif s.status == "changed" or s.id in changes:
                marks.append("⚠ " + ", ".join(change_label(k) for k in changes.get(s.id, ())) if s.id in changes
                             else "⚠ " + _("changed"))
            title = s.title + (f" [{'; '.join(marks)}]" if marks else "")
            item = QTreeWidgetItem([format_time_range(s.starts_at, s.ends_at, self.tz), s.room or "", title,
                                    ", ".join(who.get(s.id, []))])
            item.setData(0, Qt.UserRole, s.id)
            item.setToolTip(2, s.title)
            if s.cancelled:
                font = item.font(2)
                font.setStrikeOut(True)
                item.setFont(2, font)
                for col in range(4):
                    item.setForeground(col, QBrush(QColor("#757575")))
            elif s.status == "changed" or s.id in changes:
                item.setForeground(2, QBrush(QColor("#bf360c")))
            self.list.addTopLevelItem(item)
        self.list.blockSignals(False)
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
        self.day = day
        index = self.day_box.findData(day.isoformat())
        if index < 0:
            self.day_box.blockSignals(True)
            self.day_box.addItem(format_date(day, "full"), day.isoformat())
            self.day_box.blockSignals(False)
            index = self.day_box.findData(day.isoformat())
        self.day_box.blockSignals(True)
        self.day_box.setCurrentIndex(index)
        self.day_box.blockSignals(False)
        self.refresh_day()

    def step_day(self, delta: int) -> None:
        """To the previous or next day that has sessions."""
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
        self.go_to_day(ag.local_day(self.clock(), self.tz))

    def _on_day_box(self, index: int) -> None:
        value = self.day_box.itemData(index)
        day = dt.date.fromisoformat(value) if value else None
        if day is not None and day != self.day:
            self.day = day
            self.refresh_day()

    def _on_meeting(self, index: int) -> None:
        self.meeting = self.meeting_box.itemData(index)
        self.current = None
        self._load_meeting()

    def select_session(self, sid: str | None) -> None:
        self.current = sid
        self.grid.selected = sid
        self.grid.update()
        rect = self.grid.session_rect(sid) if sid else None
        if rect is not None:
            self.scroll.ensureVisible(int(rect.center().x()), int(rect.top()), 20, 40)
        for i in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(i)
            if item.data(0, Qt.UserRole) == sid:
                self.list.blockSignals(True)
                self.list.setCurrentItem(item)
                self.list.blockSignals(False)
                break
        self._show_details(sid)

    def _on_list_item(self, item, _previous) -> None:
        if item is not None:
            self.select_session(item.data(0, Qt.UserRole))

    def _focus_details(self, sid: str) -> None:
        self.select_session(sid)
        self.details.setFocus()

    def _from_board(self, sid: str) -> None:
        self.tabs.setCurrentIndex(0)
        self.select_session(sid)

    def open_session(self, sid: str) -> bool:
        """Show a session (its day, selected): for links from elsewhere."""
        s = sa.session(self.store, sid)
        if s is None:
            return False
        if s.meeting != self.meeting:
            self.meeting = s.meeting
            self.reload()
        self.go_to_day(ag.local_day(s.starts_at, self.tz))
        self.select_session(sid)
        return True

    def select_record(self, record_id: str) -> bool:
        """The window's way to show a session (a link, a search hit): its day, selected."""
        return self.open_session(record_id)

    def show_record(self, type_name: str, record_id: str) -> bool:
        self.select_record(record_id)
        return True

    # -- details and editing

    def _show_details(self, sid: str | None) -> None:
        has = sid is not None
        for w in (self.priority_box, self.member_box, self.role_box, self.assign_button, self.unassign_button):
            w.setEnabled(has and (w is self.priority_box or self.member_box.count() > 0))
        for w in (self.language_edit, self.interpretation_edit, self.language_button):
            w.setEnabled(has)
        session = sa.session(self.store, sid) if has else None
        self.language_edit.setText(", ".join(session.language) if session else "")
        self.interpretation_edit.setText((session.interpretation or "") if session else "")
        if not has:
            self.details.setHtml(sanitize_html("<p>{}</p>".format(html.escape(
                _("Choose a session to see its agenda and prepare for it.")))))
            return
        self.details.setHtml(directed_html(session_html(self.store, sid, self.tz, laptop_zone())))
        index = self.priority_box.findData(sa.priorities(self.store).get(sid))
        self.priority_box.setCurrentIndex(max(0, index))

    def _on_priority(self, index: int) -> None:
        if self.current:
            sa.set_priority(self.store, self.current, self.priority_box.itemData(index))
            self.refresh_day()

    def _on_assign(self) -> None:
        member = self.member_box.currentData()
        if self.current and member:
            sa.assign(self.store, self.current, member, self.role_box.currentData())
            self.refresh_day()

    def _on_unassign(self) -> None:
        member = self.member_box.currentData()
        if self.current and member:
            sa.unassign(self.store, self.current, member)
            self.refresh_day()

    # -- changes and reminders

    def _show_changes(self) -> None:
        changes = sa.session_changes(self.store)
        if not changes:
            self.banner.hide()
            return
        lines = []
        for c in changes[:8]:
            title = c.after.get("title") or c.session
            kinds = ", ".join(change_label(k) for k in c.kinds)
            if c.members:
                lines.append(_("{title}: {changes}. Assigned: {members}.").format(
                    title=title, changes=kinds, members=", ".join(c.members)))
            else:
                lines.append(_("{title}: {changes}.").format(title=title, changes=kinds))
        more = len(changes) - 8
        if more > 0:
            lines.append(_("…and {count} more.").format(count=more))
        self.banner_label.setText(_("Sessions changed by the last sync:") + "\n" + "\n".join(lines))
        self.banner.show()
        # A system notification once per change (the banner stays until the user marks them seen).
        assigned = [c for c in changes if c.members and (c.session, c.kinds, c.after.get("starts_at"),
                                                          c.after.get("room")) not in self._notified]
        self._notified.update((c.session, c.kinds, c.after.get("starts_at"), c.after.get("room")) for c in assigned)
        if assigned:  # after the event loop turns, so that whoever built the view has connected
            payload = [(c.session, list(c.members)) for c in assigned]
            QTimer.singleShot(0, self, lambda: self.changes_notified.emit(payload))
        if assigned and self.reminders is not None and self.reminders.use_tray:
            from PySide6.QtWidgets import QSystemTrayIcon

            text = "\n".join(_("{title}: {members}").format(title=c.after.get("title") or c.session,
                                                            members=", ".join(c.members)) for c in assigned[:5])
            self.reminders._tray().showMessage(_("Sessions you cover have changed"), text,
                                               QSystemTrayIcon.Warning, 20_000)

    def _on_changes_seen(self) -> None:
        sa.dismiss_changes(self.store)
        self.banner.hide()
        self.refresh_day()

    def _on_reminded(self, sid: str, text: str) -> None:
        if self.reminders is not None and self.reminders.use_tray:
            return
        self.reminder_label.setText(_("Reminder: {text}").format(text=text))
        self.reminder_banner.show()

    def _tick(self) -> None:
        self.grid.now = self.clock()
        self.grid.update()

    def closeEvent(self, event) -> None:  # noqa: N802
        self.now_timer.stop()
        self.schedule_timer.stop()
        if self.reminders is not None:
            self.reminders.stop()
        super().closeEvent(event)


    # -- members, language notes, import and export

    def _on_members_changed(self) -> None:
        self._refresh_members()
        self.refresh_day()

    def _on_language(self) -> None:
        if not self.current:
            return
        languages = [x.strip() for x in self.language_edit.text().replace(";", ",").split(",") if x.strip()]
        sa.set_session_language(self.store, self.current, languages, self.interpretation_edit.text().strip() or None)
        self.refresh_day()

    def _message(self, text: str) -> None:
        self.reminder_label.setText(text)
        self.reminder_banner.show()

    def export_ics(self, which: str) -> None:
        from wtdc_desktop.errors import WtdcError
        from wtdc_desktop.exchange.coverage import export_ics

        path, _filter = QFileDialog.getSaveFileName(self, _("Export as iCalendar"), "wtdc-sessions.ics",
                                                    _("iCalendar files (*.ics)"))
        if not path:
            return
        member = sa.me(self.store) if which == "me" else None
        try:
            count = export_ics(self.store, path, member=member, everything=(which == "all"))
        except (WtdcError, OSError) as exc:
            self._message(_("The calendar could not be written: {reason}").format(
                reason=getattr(exc, "message", None) or exc))
            return
        self._message(_("{count} sessions written to {path}.").format(count=count, path=path))

    def export_board(self, fmt: str) -> None:
        from wtdc_desktop.exchange.coverage import export_csv
        from wtdc_desktop.ui.coverage import export_pdf

        if fmt == "csv":
            path, _filter = QFileDialog.getSaveFileName(self, _("Export the coverage board"), "coverage.csv",
                                                        _("CSV files (*.csv)"))
        else:
            path, _filter = QFileDialog.getSaveFileName(self, _("Export the coverage board"), "coverage.pdf",
                                                        _("PDF files (*.pdf)"))
        if not path:
            return
        try:
            count = (export_csv if fmt == "csv" else export_pdf)(self.store, path, meeting=self.meeting)
        except OSError as exc:
            self._message(_("The coverage board could not be written: {reason}").format(reason=exc))
            return
        self._message(_("The coverage board ({count} sessions) was written to {path}.").format(count=count, path=path))

    def import_timetable(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import a timetable"), "", _("Timetables (*.xml *.json *.ics);;All files (*)"))
        if not path:
            return
        meeting, ok = QInputDialog.getText(self, _("Import a timetable"),
                                           _("Meeting the sessions belong to (created if new):"),
                                           text=self.meeting or "")
        if ok and meeting.strip():
            self.start_import(path, meeting.strip())

    def start_import(self, location: str, meeting: str):
        """Import off the GUI thread (a URL may take time); returns the worker."""
        from wtdc_desktop.exchange.schedule import import_schedule_locked
        from wtdc_desktop.ui.workers import Worker, start

        data_dir = self.store.data_dir

        def task(worker):
            return import_schedule_locked(data_dir, location, meeting)

        worker = Worker(task)
        worker.signals.finished.connect(lambda result: self._imported(result))
        worker.signals.failed.connect(lambda exc: self._message(
            _("The timetable was not imported: {reason}").format(reason=getattr(exc, "message", None) or exc)))
        self.import_button.setEnabled(False)
        worker.signals.finished.connect(lambda _r: self.import_button.setEnabled(True))
        worker.signals.failed.connect(lambda _e: self.import_button.setEnabled(True))
        self._worker = start(worker)
        return worker

    def sync_timetables(self):
        """Re-import the remembered timetables off the GUI thread; returns the worker (None if nothing to do)."""
        from wtdc_desktop.exchange.schedule import sync_schedule_sources
        from wtdc_desktop.ui.workers import Worker, start

        if self._schedule_worker is not None or not sa.schedule_sources(self.store):
            return None
        data_dir = self.store.data_dir
        worker = Worker(lambda _w: sync_schedule_sources(data_dir))
        worker.signals.finished.connect(self._timetables_synced)
        worker.signals.failed.connect(lambda exc: self._timetables_synced([exc]))
        self._schedule_worker = start(worker)
        return worker

    def _timetables_synced(self, results) -> None:
        self._schedule_worker = None
        failed = [r for r in results if isinstance(r, Exception)]
        if any(getattr(r, "outcome", None) == "applied" for r in results):
            self.reload()
        if failed:
            self._message(_("A timetable could not be updated: {reason}").format(
                reason=getattr(failed[0], "message", None) or failed[0]))

    def _imported(self, result) -> None:
        self.meeting = result.meeting
        self.reload()
        self._message(_("{count} events imported into {meeting}.").format(count=result.events,
                                                                          meeting=result.meeting))


def _date_or_none(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def session_html(store, sid: str, tz: dt.tzinfo, here: dt.tzinfo) -> str:
    """A session's details: when (meeting zone and laptop zone), where, who covers it, and its agenda
    items with their documents (read or not, our position) as links. Every text is escaped, then sanitised."""
    e = html.escape
    s = sa.session(store, sid)
    record = sa.session_record(store, sid) or {}
    if s is None:
        return sanitize_html("<p>{}</p>".format(e(_("This session is no longer in the store."))))
    parts = [f"<h2>{e(s.title)}</h2>"]
    when = format_date(s.starts_at, "full", zone=tz) + ", " + format_time_range(s.starts_at, s.ends_at, tz) + \
        " — " + zone_label(tz, s.starts_at)
    parts.append(f"<p><b>{e(when)}</b>")
    if s.starts_at.astimezone(here).utcoffset() != s.starts_at.astimezone(tz).utcoffset():
        mine = format_date(s.starts_at, "medium", zone=here) + ", " + format_time_range(s.starts_at, s.ends_at, here)
        parts.append("<br>" + e(_("Your time: {when} — {zone}").format(when=mine, zone=zone_label(here, s.starts_at))))
    parts.append("</p>")
    facts = []
    if s.room:
        facts.append(_("Room: {room}").format(room=s.room))
    if s.committee:
        name = sa.committee_names(store).get(s.committee, s.committee)
        facts.append(_("Committee: {name}").format(name=name))
    facts.append(_("Status: {status}").format(status=status_label(s)))
    pri = sa.priorities(store).get(sid)
    if pri:
        facts.append(_("Priority: {priority}").format(priority=priority_label(pri)))
    if s.language:
        facts.append(_("Languages: {languages}").format(languages=", ".join(s.language)) +
                     (" — " + _("interpretation: {what}").format(what=s.interpretation) if s.interpretation else ""))
    parts.append("<p>" + "<br>".join(e(f) for f in facts) + "</p>")
    changes = [c for c in sa.session_changes(store) if c.session == sid]
    for c in changes:
        before = []
        if ag.MOVED in c.kinds and c.before.get("starts_at"):
            b_start, b_end = ag.parse_instant(c.before["starts_at"]), ag.parse_instant(c.before["ends_at"])
            before.append(format_date(b_start, "medium", zone=tz) + ", " + format_time_range(b_start, b_end, tz))
        if ag.ROOM in c.kinds:
            before.append(c.before.get("room") or "—")
        parts.append('<p><mark>{}</mark></p>'.format(e(
            _("Changed by the last sync ({changes}); before: {before}.").format(
                changes=", ".join(change_label(k) for k in c.kinds), before="; ".join(before) or "—"))))
    asg = sa.assignments(store, sid)
    parts.append(f"<h3>{e(_('Coverage'))}</h3>")
    if asg:
        parts.append("<ul>" + "".join(f"<li>{e(a.member)} — {e(role_label(a.role))}</li>" for a in asg) + "</ul>")
    else:
        parts.append(f"<p>{e(_('Nobody covers this session yet.'))}</p>")
    conflicts = [c for c in sa.conflicts(store, s.meeting) if sid in c.sessions]
    for c in conflicts:
        parts.append('<p><em>⚠ {}</em></p>'.format(e(conflict_text(store, c))))
    agenda = record.get("agenda") or []
    parts.append(f"<h3>{e(_('Prepare for this session'))}</h3>")
    if not agenda:
        parts.append(f"<p>{e(_('No agenda published for this session.'))}</p>")
    doc_ids = sorted({d for item in agenda for d in (item.get("documents") or [])})
    titles = sa.document_titles(store, doc_ids)
    parts.append("<ol>")
    for item in agenda:
        label = f"{item.get('item', '')} {item.get('title') or ''}".strip()
        docs = []
        for d in item.get("documents") or []:
            read = delegation.is_read(store, "document", d)
            position = delegation.position_for(store, "document", d)
            marks = [_("read") if read else _("not read")]
            if position:
                marks.append(_("our position: {stance}").format(stance=position.get("stance")))
            title = titles.get(d)
            text = f"{d}" + (f" — {title}" if title else "")
            docs.append(f'<li><a href="{e(make_link("document", d))}">{e(text)}</a> ({e(", ".join(marks))})</li>')
        parts.append(f"<li>{e(label)}" + (f"<ul>{''.join(docs)}</ul>" if docs else "") + "</li>")
    parts.append("</ol>")
    if record.get("url"):
        parts.append(f'<p><a href="{e(str(record["url"]))}">{e(_("Web page of the session"))}</a></p>')
    return sanitize_html("".join(parts))


def conflict_text(store, c: ag.Conflict) -> str:
    if c.kind == ag.DOUBLE_BOOKED:
        return _("{member} is assigned to overlapping sessions: {sessions}.").format(
            member=c.member, sessions=", ".join(c.sessions))
    if c.kind == ag.MUST_UNCOVERED:
        return _("Must cover, but nobody is assigned.")
    if c.kind == ag.UNDERSTAFFED:
        return _("{count} must-cover sessions at once, {present} members present.").format(
            count=c.detail.get("sessions_count", len(c.sessions)), present=c.detail.get("members_present", 0))
    if c.kind == ag.LANGUAGE:
        return _("{member} does not list {languages}, and no interpretation is noted.").format(
            member=c.member, languages=", ".join(c.detail.get("languages", [])))
    return c.kind
