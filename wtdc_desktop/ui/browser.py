"""A text browser for untrusted HTML, shared by the views: it shows, it never loads.

Kept apart from the detail pane (and its record rendering, diffs and notes) so that the
window's first view, Today, needs only this.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QTextBrowser

from wtdc_desktop.domain.links import parse_link

log = logging.getLogger(__name__)


class SafeTextBrowser(QTextBrowser):
    """Shows sanitised HTML; never loads anything (no remote, no file:, no qrc:).

    A ``wtdc:`` link asks to open a record; https, mailto and tel links go to the system's
    browser, mail program or phone; any other link is ignored.

    Signals:
        navigate(str, str): an internal ``wtdc:`` link was clicked (type, id)
    """

    navigate = Signal(str, str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.load_attempts = 0
        self.external_opener = QDesktopServices.openUrl
        self.anchorClicked.connect(self._on_anchor)

    def loadResource(self, kind: int, url: QUrl):  # noqa: N802 - Qt's name
        self.load_attempts += 1
        log.debug("refused to load %s", url.toString())
        return None

    def _on_anchor(self, url: QUrl) -> None:
        text = url.toString(QUrl.FullyEncoded)
        target = parse_link(text)
        if target is not None:
            self.navigate.emit(*target)
            return
        if url.scheme().lower() in ("https", "mailto", "tel"):  # to the browser, the mail program, the phone
            self.external_opener(url)
        else:
            log.info("ignored a link with scheme %r", url.scheme())
