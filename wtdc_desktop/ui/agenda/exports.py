"""The Agenda view's exports: sessions as iCalendar (mine, those we cover, the whole board) and the
coverage board as CSV or PDF. Each asks for a file and returns the message to show (None if the user
cancelled)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from wtdc_desktop.errors import WtdcError
from wtdc_desktop.exchange import coverage
from wtdc_desktop.exchange.coverage_pdf import export_pdf
from wtdc_desktop.i18n import _, ngettext
from wtdc_desktop.store import sessions as session_store
from wtdc_desktop.ui.save_dialogs import save_file_name


def export_ics(parent: QWidget, store, which: str) -> str | None:
    """``which``: "me" (the user's sessions), "covered" (every session we cover) or "all"."""
    path = save_file_name(parent, "calendar", _("Export as iCalendar"), "wtdc-sessions.ics",
                          _("iCalendar files (*.ics)"))
    if not path:
        return None
    member = session_store.me(store) if which == "me" else None
    try:
        count = coverage.export_ics(store, path, member=member, everything=(which == "all"))
    except (WtdcError, OSError) as exc:
        return _("The calendar could not be written: {reason}").format(reason=getattr(exc, "message", None) or exc)
    return ngettext("{count} session written to {path}.", "{count} sessions written to {path}.", count).format(count=count, path=path)


def export_board(parent: QWidget, store, meeting: str | None, fmt: str) -> str | None:
    """``fmt``: "csv" or "pdf"."""
    if fmt == "csv":
        path = save_file_name(parent, "coverage", _("Export the coverage board"), "coverage.csv",
                              _("CSV files (*.csv)"))
    else:
        path = save_file_name(parent, "coverage", _("Export the coverage board"), "coverage.pdf",
                              _("PDF files (*.pdf)"))
    if not path:
        return None
    try:
        count = (coverage.export_csv if fmt == "csv" else export_pdf)(store, path, meeting=meeting)
    except OSError as exc:
        return _("The coverage board could not be written: {reason}").format(reason=exc)
    return ngettext("The coverage board ({count} session) was written to {path}.",
                    "The coverage board ({count} sessions) was written to {path}.", count).format(count=count, path=path)
