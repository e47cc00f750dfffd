"""The day grid: the sessions of one day painted on a time axis, one column per room (or committee).

Times are instants (UTC) drawn in the meeting's zone, with a second axis in the laptop's zone when it
differs; the layout mirrors in a right-to-left language, each text keeping its own direction.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPalette, QPen, QTextOption
from PySide6.QtWidgets import QSizePolicy, QWidget

from wtdc_desktop.domain import sessions as session_model
from wtdc_desktop.domain.session_details import change_label, priority_label, status_label
from wtdc_desktop.instants import format_time, format_time_range, zone_label
from wtdc_desktop.i18n import _


class DayGrid(QWidget):
    """Sessions of one day painted on a time axis, one column per room (or committee).

    Signals:
        session_clicked(str): a session was clicked (id)
        session_activated(str): a session was double-clicked, or Enter pressed on it (id)
        day_step(int): the previous (-1) or next (1) day was asked for (Page Up/Down, Alt+arrow)
        today_requested(): Home was pressed
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
        self.sessions: list[session_model.Session] = []
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

    def set_day(self, day: dt.date, tz: dt.tzinfo, sessions: list[session_model.Session], *, lane_key: str = "room",
                lane_titles: dict[str, str] | None = None, second_tz: dt.tzinfo | None = None,
                now: dt.datetime | None = None) -> None:
        self.day, self.tz, self.sessions, self.lane_key = day, tz, sessions, lane_key
        self.lane_titles = lane_titles or {}
        self.second_tz = second_tz
        self.now = now
        self.lanes = session_model.lanes(sessions, lane_key) or [""]
        start, end = session_model.day_bounds(day, tz)
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

    def _lane_index(self, s: session_model.Session) -> int:
        name = getattr(s, self.lane_key) or ""
        return self.lanes.index(name) if name in self.lanes else 0

    # -- geometry

    def _axes(self) -> int:
        return 2 if self.second_tz is not None else 1

    def _y(self, instant: dt.datetime) -> float:
        """Vertical position of an instant: wall-clock minutes of the meeting's day (clamped)."""
        start, end = session_model.day_bounds(self.day, self.tz)
        instant = min(max(instant, start), end)
        top = session_model.at_local(self.day, dt.time(self.first_hour), self.tz) if self.first_hour < 24 else end
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
            placed: list[tuple[session_model.Session, int]] = []
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
        ref = session_model.at_local(self.day, dt.time(12), self.tz)
        for k, tz in enumerate(zones):
            r = self._mirror(QRectF(k * self.AXIS, 0, self.AXIS, self.HEADER))
            _draw_text(p, r.adjusted(2, 0, -2, 0), zone_label(tz, ref), direction, halign=Qt.AlignHCenter,
                       valign=Qt.AlignVCenter, wrap=True)
        # hour lines and labels
        for hour in range(self.first_hour, self.last_hour + 1):
            if hour >= 24:
                instant = session_model.day_bounds(self.day, self.tz)[1]
            else:
                instant = session_model.at_local(self.day, dt.time(hour), self.tz)
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
            start, end = session_model.day_bounds(self.day, self.tz)
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

    def _paint_session(self, p: QPainter, rect: QRectF, s: session_model.Session, small: QFont, bold: QFont) -> None:
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
        direction = self.layoutDirection()
        if inner.height() < 2 * QFontMetricsF(small).height():
            self._paint_short_session(p, rect, s, bold, badges)
            return
        p.setFont(small)
        p.setPen(QColor("#b71c1c") if (s.cancelled or changed) else self.palette().color(QPalette.Text))
        line = format_time_range(s.starts_at, s.ends_at, self.tz) + ("  " + " · ".join(badges) if badges else "")
        _draw_text(p, inner, line, direction)
        title_font = QFont(bold)
        title_font.setPointSizeF(small.pointSizeF())
        title_font.setStrikeOut(s.cancelled)
        p.setFont(title_font)
        p.setPen(QColor("#616161") if s.cancelled else self.palette().color(QPalette.Text))
        _draw_text(p, inner.adjusted(0, 15, 0, 0), s.title, direction, wrap=True)

    def _paint_short_session(self, p: QPainter, rect: QRectF, s: session_model.Session, bold: QFont,
                             badges: list[str]) -> None:
        """A session too short for two lines (15 minutes): its title on one line, in a font small
        enough for the box and elided at its end; the time is in the tooltip."""
        inner = rect.adjusted(8, 1, -6, -1)
        font = QFont(bold)
        font.setStrikeOut(s.cancelled)
        size = font.pointSizeF() * 0.85
        font.setPointSizeF(size)
        while size > 6.0 and QFontMetricsF(font).height() > inner.height() + 2:
            size -= 0.5
            font.setPointSizeF(size)
        text = " · ".join([s.title or s.id, *badges])
        p.setFont(font)
        p.setPen(QColor("#616161") if s.cancelled else self.palette().color(QPalette.Text))
        elided = QFontMetricsF(font).elidedText(text, Qt.ElideRight, max(0.0, inner.width()))
        _draw_text(p, inner, elided, self.layoutDirection(), valign=Qt.AlignVCenter)

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
