"""A brief pack as PDF: the brief's HTML laid out by QTextDocument and printed by QPdfWriter.

From the command line there is no window: an offscreen QGuiApplication is
created when none exists.
"""

from __future__ import annotations

import os
from pathlib import Path

from wtdc_desktop.atomic import atomic_path
from wtdc_desktop.domain.brief import brief_html, paper_size
from wtdc_desktop.domain.positions import labels as all_labels
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _


class BriefPdfError(WtdcError):
    exit_code = 5


def ensure_gui_app():
    """The running Qt application, or a new offscreen QGuiApplication (for the command line)."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([])
    return app


def locale_territory() -> str | None:
    """The territory of the user's locale ("US", "FR"…): the paper size follows it, not the
    interface language (French in Canada prints on Letter, English in Kenya on A4)."""
    from babel.core import Locale, UnknownLocaleError, default_locale

    name = default_locale(("LC_PAPER", "LC_ALL", "LC_MEASUREMENT", "LANG"))
    if not name:
        from PySide6.QtCore import QLocale

        name = QLocale.system().name()
    try:
        return Locale.parse(name.split(".")[0].split("@")[0]).territory
    except (ValueError, UnknownLocaleError):
        return None


def write_pdf(pack: dict, out: Path | str, *, title: str | None = None) -> Path:
    """Write the brief pack as a PDF at ``out`` (through a temporary file), on the paper of the
    user's locale (A4, or Letter where it is the custom)."""
    ensure_gui_app()
    from PySide6.QtCore import QMarginsF, QSizeF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

    out = Path(out)
    html = brief_html(pack, labels=all_labels(), title=title)
    try:
        with atomic_path(out, private=True) as tmp:  # owner-only, as before: a brief holds the delegation's positions
            writer = QPdfWriter(str(tmp))
            writer.setTitle(title or _("Brief pack"))
            writer.setCreator("WTDC Desktop")
            writer.setResolution(96)
            size = QPageSize.Letter if paper_size(locale_territory()) == "Letter" else QPageSize.A4
            layout = QPageLayout(QPageSize(size), QPageLayout.Portrait, QMarginsF(15, 15, 15, 15),
                                 QPageLayout.Millimeter)
            writer.setPageLayout(layout)
            doc = QTextDocument()
            doc.setDefaultStyleSheet("h1 { color: #1a3a5f; } h2 { color: #1a3a5f; } th { text-align: left; } "
                                     "h4 { font-size: 11pt; } h5 { font-size: 10pt; } h6 { font-size: 10pt; }")
            doc.setHtml(html)
            paint_rect = writer.pageLayout().paintRectPixels(writer.resolution())
            doc.setPageSize(QSizeF(paint_rect.size()))
            doc.print_(writer)
            del writer
            if os.path.getsize(tmp) == 0:
                raise BriefPdfError(_("Could not write {path}: the PDF came out empty.").format(path=out))
    except OSError as exc:
        raise BriefPdfError(_("Could not write {path}: {reason}.").format(path=out, reason=exc.strerror or exc)) from exc
    return out
