"""The sync's part of the status bar: the last sync, a progress bar, Cancel and Sync now."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar

from wtdc_desktop.formatting import format_number
from wtdc_desktop.i18n import _, isolate, ngettext
from wtdc_desktop.store import published, syncs
from wtdc_desktop.instants import format_instant_or_text
from wtdc_desktop.ui.sync_view import SyncController, outcome_text


class SyncStatus:
    """The status bar's sync widgets, driven by the window's :class:`SyncController`."""

    def __init__(self, bar: QStatusBar, sync: SyncController) -> None:
        self.bar = bar
        owner = bar.parentWidget()
        self.label = QLabel(owner)
        self.label.setAccessibleName(_("Last sync"))
        self.progress_bar = QProgressBar(owner)
        self.progress_bar.setMaximumWidth(180)
        self.progress_bar.setVisible(False)
        self.progress_bar.setAccessibleName(_("Sync progress"))
        self.cancel = QPushButton(_("Cancel sync"), owner)
        self.cancel.setVisible(False)
        self.cancel.clicked.connect(sync.cancel)
        self.button = QPushButton(_("Sync now"), owner)
        self.button.setAccessibleName(_("Sync every source now"))
        self.button.clicked.connect(sync.sync_now)
        for widget in (self.label, self.progress_bar, self.cancel, self.button):
            bar.addPermanentWidget(widget)

    def started(self) -> None:
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setVisible(True)
        self.cancel.setVisible(True)
        self.button.setEnabled(False)

    def progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(0, total))
        self.progress_bar.setValue(done)

    def finished(self) -> None:
        self.progress_bar.setVisible(False)
        self.cancel.setVisible(False)
        self.button.setEnabled(True)

    def refresh(self, store, counts: bool = True) -> None:
        """The record counts (with ``counts``) and the last sync of each source."""
        if counts:
            n = published.counts(store, types=("document", "proposal", "session"))
            # Translators: the status bar's counts, each already with its noun ("2 documents").
            self.bar.showMessage(_("{documents}, {proposals}, {sessions}").format(
                documents=ngettext("{count} document", "{count} documents", n["document"]).format(
                    count=format_number(n["document"])),
                proposals=ngettext("{count} proposal", "{count} proposals", n["proposal"]).format(
                    count=format_number(n["proposal"])),
                sessions=ngettext("{count} session", "{count} sessions", n["session"]).format(
                    count=format_number(n["session"]))))
        per_source = syncs.last_sync_per_source(store)
        if per_source:
            latest = per_source[0]
            self.label.setText(_("Last sync: {source}, {when} ({state})").format(
                source=isolate(_short(latest["source"]), ltr=True),
                when=isolate(format_instant_or_text(latest["finished_at"])),
                state=outcome_text(latest["outcome"])))
            self.label.setToolTip("\n".join(
                f"{p['source']}: {format_instant_or_text(p['finished_at'])} — {outcome_text(p['outcome'])}"
                for p in per_source))
        else:
            self.label.setText(_("Never synced"))

    def retranslate(self) -> None:
        """The fixed texts again, in the interface language now in use (refresh() fills the rest)."""
        self.label.setAccessibleName(_("Last sync"))
        self.progress_bar.setAccessibleName(_("Sync progress"))
        self.cancel.setText(_("Cancel sync"))
        self.button.setText(_("Sync now"))
        self.button.setAccessibleName(_("Sync every source now"))


def _short(location: str | None) -> str:
    if not location:
        return "—"
    return location if len(location) <= 40 else "…" + location[-38:]
