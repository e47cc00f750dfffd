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
        # the last refusal, apart from the last successful sync (shown while no later sync went well)
        self.refusal = QLabel(owner)
        self.refusal.setAccessibleName(_("Last refusal"))
        self.refusal.setStyleSheet("color: #8b1111;")
        self.refusal.setVisible(False)
        self.counts_text = ""
        # The record counts are the status bar's standing message: a dialog, a menu or a status
        # tip clears the message, and the counts come back at once.
        bar.messageChanged.connect(self._message_changed)
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
        for widget in (self.refusal, self.label, self.progress_bar, self.cancel, self.button):
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

    def retranslate(self) -> None:
        """The fixed texts again, in the interface language now in use (refresh() fills the rest)."""
        self.label.setAccessibleName(_("Last sync"))
        self.refusal.setAccessibleName(_("Last refusal"))
        self.progress_bar.setAccessibleName(_("Sync progress"))
        self.cancel.setText(_("Cancel sync"))
        self.button.setText(_("Sync now"))
        self.button.setAccessibleName(_("Sync every source now"))

    def _message_changed(self, message: str) -> None:
        if not message and self.counts_text:
            self.bar.showMessage(self.counts_text)

    def refresh(self, store, counts: bool = True) -> None:
        """The record counts (with ``counts``), the last successful sync, and the last refusal after it."""
        if counts:
            n = published.counts(store, types=("document", "proposal", "session"))
            # Translators: the status bar's counts, each already with its noun ("2 documents").
            self.counts_text = _("{documents}, {proposals}, {sessions}").format(
                documents=ngettext("{count} document", "{count} documents", n["document"]).format(
                    count=format_number(n["document"])),
                proposals=ngettext("{count} proposal", "{count} proposals", n["proposal"]).format(
                    count=format_number(n["proposal"])),
                sessions=ngettext("{count} session", "{count} sessions", n["session"]).format(
                    count=format_number(n["session"])))
            self.bar.showMessage(self.counts_text)
        good = syncs.last_sync_with(store, syncs.SUCCESSFUL_OUTCOMES)
        if good:
            self.label.setText(_("Last sync: {source}, {when}").format(
                source=isolate(_short(good["source"]), ltr=True),
                when=isolate(format_instant_or_text(good["finished_at"]))))
        else:
            self.label.setText(_("Never synced"))
        per_source = syncs.last_sync_per_source(store)
        self.label.setToolTip("\n".join(
            _("{source}: {when} — {state}").format(source=p["source"], when=format_instant_or_text(p["finished_at"]),
                                                  state=outcome_text(p["outcome"]))
            for p in per_source))
        refused = syncs.last_sync_with(store, ("refused",))
        if refused and (good is None or refused["sync_id"] > good["sync_id"]):
            self.refusal.setText(_("Last refusal: {source}, {when}").format(
                source=isolate(_name(refused["source"]), ltr=True),
                when=isolate(format_instant_or_text(refused["finished_at"]))))
            self.refusal.setToolTip(refused["message"] or "")
            self.refusal.setVisible(True)
        else:
            self.refusal.setVisible(False)


def _name(location: str | None) -> str:
    """A refused file by its name (its full location is in the message, in the tooltip)."""
    if not location:
        return "—"
    return _short(location.rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1] or location)


def _short(location: str | None) -> str:
    if not location:
        return "—"
    return location if len(location) <= 40 else "…" + location[-38:]
