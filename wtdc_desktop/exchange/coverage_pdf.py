"""The coverage board as HTML and as PDF (QTextDocument printed by QPdfWriter).

Qt is imported only to print: the command line writes a PDF with an offscreen
QGuiApplication, the window's Agenda with its own.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

from wtdc_desktop.atomic import atomic_path
from wtdc_desktop.domain import sessions as session_model
from wtdc_desktop.domain.session_details import priority_label, role_label
from wtdc_desktop.instants import format_date, format_time, zone_label
from wtdc_desktop.i18n import _, current_language, is_rtl
from wtdc_desktop.store import sessions as session_store


def coverage_html(store, meeting: str | None = None) -> str:
    """The whole coverage board as an HTML table (every text escaped), one section per day."""
    members = session_store.members(store)
    by_session: dict[str, dict[str, str]] = {}
    for a in session_store.assignments(store):
        by_session.setdefault(a.session, {})[a.member] = a.role
    pri = session_store.priorities(store)
    sessions = session_store.sessions(store, meeting=meeting)
    e = html.escape
    rtl = is_rtl(current_language())
    parts = [f'<html><body dir="{"rtl" if rtl else "ltr"}" style="font-family: sans-serif; font-size: 9pt">',
             "<h2>{}</h2>".format(e(_('Coverage board')))]
    if not members:
        parts.append("<p>{}</p>".format(e(_('No delegation member yet.'))))
    by_day: dict[tuple, list[session_model.Session]] = {}
    for s in sessions:
        tz = session_store.meeting_zone(store, s.meeting)
        by_day.setdefault((s.starts_at.astimezone(tz).date(), getattr(tz, "key", "UTC")), []).append(s)
    for (day, _zone_key), day_sessions in sorted(by_day.items()):
        tz = session_store.meeting_zone(store, day_sessions[0].meeting)
        parts.append(f"<h3>{e(format_date(day, 'full'))} — {e(zone_label(tz, day_sessions[0].starts_at))}</h3>")
        head = "".join(f"<th>{e(x)}</th>" for x in [_("time"), _("room"), _("session"), _("priority"),
                                                     *[m.name for m in members]])
        parts.append(f'<table border="1" cellspacing="0" cellpadding="3" width="100%"><tr>{head}</tr>')
        for s in day_sessions:
            assigned = by_session.get(s.id, {})
            title = s.title + (" — " + _("cancelled") if s.cancelled else "")
            style = ' style="color:#777"' if s.cancelled else ""
            cells = [f"{format_time(s.starts_at, tz)}–{format_time(s.ends_at, tz)}", s.room or "", title,
                     priority_label(pri.get(s.id)), *[role_label(assigned.get(m.name)) for m in members]]
            parts.append(f"<tr{style}>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def write_pdf(document_html: str, out: Path | str) -> None:
    """Print HTML to a PDF file (A4 landscape), written to a temp file then moved in place."""
    from PySide6.QtCore import QMarginsF, QSizeF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out, fsync=False) as tmp:  # no fsync, as this export has always been written
        writer = QPdfWriter(str(tmp))
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.A4), QPageLayout.Landscape, QMarginsF(12, 12, 12, 12),
                                         QPageLayout.Millimeter))
        writer.setResolution(96)
        writer.setTitle(_("Coverage board"))
        doc = QTextDocument()
        doc.setHtml(document_html)
        rect = writer.pageLayout().paintRectPixels(writer.resolution())
        doc.setPageSize(QSizeF(rect.width(), rect.height()))
        doc.print_(writer)
        del writer  # flushes and closes the file
        if os.path.getsize(tmp) == 0:
            raise OSError("empty PDF")


def export_pdf(store, out: Path | str, meeting: str | None = None) -> int:
    write_pdf(coverage_html(store, meeting), out)
    return len(session_store.sessions(store, meeting=meeting))


def export_pdf_offscreen(store, out: Path | str, meeting: str | None = None) -> int:
    """For the command line: a QGuiApplication on the offscreen platform when none is running."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["wtdc-desktop"])
    return export_pdf(store, out, meeting)
