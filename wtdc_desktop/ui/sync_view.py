"""Sync in the window: one controller (worker or the sync scheduler), and the Sync view."""

from __future__ import annotations

import contextlib

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox, QFileDialog, QHBoxLayout, QLabel, QMenu, QPlainTextEdit, QProgressBar, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget, QHeaderView,
)

from wtdc_desktop.errors import WtdcError
from wtdc_desktop.formatting import format_number
from wtdc_desktop.i18n import N_, _, ngettext
from wtdc_desktop.instants import format_instant_or_text
from wtdc_desktop.store import Store, syncs
from wtdc_desktop.store import sources as source_table
from wtdc_desktop.store import team_state
from wtdc_desktop.store.lock import SyncLock
from wtdc_desktop.ui import workers
from wtdc_desktop.ui.view import wants
from wtdc_desktop.workspace import ItuResult

log = logging.getLogger(__name__)

OUTCOMES = {
    "applied": lambda: _("applied"), "already_applied": lambda: _("already applied"),
    "up_to_date": lambda: _("up to date"), "refused": lambda: _("refused"), "unreachable": lambda: _("unreachable"),
    "cancelled": lambda: _("cancelled"), "failed": lambda: _("failed"), "running": lambda: _("running"),
    "imported": lambda: _("imported"),  # a delegation bundle (a colleague's, or a team member's)
}


def outcome_text(outcome: str | None) -> str:
    return OUTCOMES[outcome]() if outcome in OUTCOMES else (outcome or "")


#: How a record type is named in an import's summary (translated when shown).
TYPE_LABELS = {"meeting": N_("meetings"), "document": N_("documents"), "proposal": N_("proposals")}


def _type_label(type_name: str) -> str:
    return _(TYPE_LABELS[type_name]) if type_name in TYPE_LABELS else type_name


def _applied_text(counts: dict[str, dict[str, int]]) -> str:
    """``documents: 5 new, 1 changed; proposals: 2 withdrawn`` (what did not change is not said)."""
    words = {"new": N_("{count} new"), "changed": N_("{count} changed"), "withdrawn": N_("{count} withdrawn")}
    parts = []
    for type_name, c in counts.items():
        said = [_(word).format(count=format_number(c[key])) for key, word in words.items() if c.get(key)]
        if said:
            parts.append(_("{label}: {count}").format(label=_type_label(type_name), count=", ".join(said)))
    return "; ".join(parts)


def itu_summary(result: ItuResult) -> tuple[str, str]:
    """(one paragraph, the details: skipped files with reasons, unread proposal blocks, problems)."""
    report = result.report
    if result.unchanged:
        return _("The ITU documents have not changed since they were last read; nothing was read again."), ""
    records = ", ".join(_("{label}: {count}").format(label=_type_label(t), count=format_number(n))
                        for t, n in report["counts"].items())
    lines = [ngettext("ITU documents: {read} file read, {skipped} skipped; {records}.",
                      "ITU documents: {read} files read, {skipped} skipped; {records}.", len(report["read"])).format(
        read=format_number(len(report["read"])), skipped=format_number(len(report["skipped"])),
        records=records or _("nothing usable"))]
    if report["unread_proposals"]:
        lines.append(_("Proposal blocks not imported: {count} (their text is kept on the document).").format(
            count=format_number(len(report["unread_proposals"]))))
    if result.applied is not None:
        applied = _applied_text(result.counts)
        lines.append(_("Applied: {changes}.").format(changes=applied) if applied
                     else _("Nothing changed: everything read is already in the store."))
    elif not result.usable:
        lines.append(_("Nothing usable was read; the details say why."))
    details = []
    if report["skipped"]:
        details.append(_("Files skipped: {count}").format(count=format_number(len(report["skipped"]))))
        details += ["  " + _("{path}: {reason}").format(path=result.shown_path(s["path"]), reason=s["reason"])
                    for s in report["skipped"]]
    if report["unread_proposals"]:
        details.append(_("Proposal blocks not imported (their text is kept on the document):"))
        details += ["  " + _("{document}: {id} ({reason})").format(document=u["document"], id=u["id"] or "?",
                                                                   reason=u["reason"])
                    for u in report["unread_proposals"]]
    if report["problems"]:
        details.append(_("Problems:"))
        details += ["  " + result.shown_text(p) for p in report["problems"]]
    return "\n".join(lines), "\n".join(details)


def one_off_sources(store) -> list[str]:
    """Locations synced once (a bundle file or folder, the demo), not remembered, whose last sync
    went well: a file that was refused (a text file, a ZIP that is no bundle) is no source."""
    remembered = {row.location for row in source_table.list_sources(store)}
    from wtdc_desktop.store import sessions as session_store  # not needed before the first paint

    remembered |= {src["location"] for src in session_store.schedule_sources(store)}
    return [item["source"] for item in syncs.last_sync_per_source(store)
            if item["source"] and item["source"] not in remembered
            and item["outcome"] in syncs.SUCCESSFUL_OUTCOMES]


class SyncController(QObject):
    """Runs syncs off the GUI thread and reports back; never two at once.

    The periodic sync (and "Sync now") is the sync scheduler's; a bundle file or folder chosen
    by the user is applied on a :class:`~wtdc_desktop.ui.workers.Worker`.

    Signals:
        started(): a sync began
        progress(int, int): done, total
        progress_text(str): what is being done (the file being read), when the worker says it
        finished(object): the results (a list of source results, or one apply result)
        failed(str): the reason a sync could not run or a bundle was refused
        refused(str): a bundle was refused (the reason, for a banner)
        store_damaged(object): the store was found damaged (the StoreDamaged, for the Restore banner)
    """

    started = Signal()
    progress = Signal(int, int)
    #: what is being done (a file's name), while a worker reports it
    progress_text = Signal(str)
    finished = Signal(object)
    failed = Signal(str)
    refused = Signal(str)
    store_damaged = Signal(object)

    def __init__(self, data_dir: Path, parent=None, *, store=None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        #: the window's own connection, for the GUI thread's small reads (a new connection would
        #: quick-check a store that another process changed, on the GUI thread)
        self.store = store
        self.worker: workers.Worker | None = None
        # The periodic scheduler (and the network code under it) is made when first needed, not
        # before the window's first paint.
        self._scheduler = None
        self._stopped = False
        self._periodic_minutes: float | None = None  # set by start_periodic
        self._periodic_started = False

    @property
    def scheduler(self):
        """The periodic sync scheduler, made on first use."""
        if self._scheduler is None:
            # Imported here: the network code under it loads only once there is something to sync.
            from wtdc_desktop.ui.sync_timer import SyncScheduler

            scheduler = SyncScheduler(self.data_dir, parent=self)
            scheduler.started.connect(self.started)
            scheduler.progress.connect(self.progress)
            scheduler.finished.connect(self._scheduler_finished)
            scheduler.failed.connect(self.failed)
            scheduler.source_finished.connect(self._source_finished)
            self._scheduler = scheduler
        return self._scheduler

    @property
    def running(self) -> bool:
        return self.worker is not None or (self._scheduler is not None and self._scheduler.busy)

    #: The first periodic sync waits this long after the window opens, so that it does not
    #: compete with the first paint (a sync of an unchanged source takes well under a second).
    FIRST_SYNC_DELAY_MS = 1500

    def start_periodic(self, minutes: float) -> None:
        """Sync the due sources every ``minutes``, the first time shortly after the window opens."""
        self._stopped = False
        self._periodic_minutes = minutes
        QTimer.singleShot(self.FIRST_SYNC_DELAY_MS, self, self._begin_periodic)

    def _begin_periodic(self) -> None:
        minutes = self._periodic_minutes
        if self._stopped or minutes is None or self._periodic_started:
            return
        if not self._has_sources():
            # Nothing remembered yet: look again in an interval (or when Settings are saved)
            # without loading the sync machinery (network, signatures) that has nothing to do.
            QTimer.singleShot(int(minutes * 60_000), self, self._begin_periodic)
            return
        self.scheduler.set_interval(minutes)  # made now, or earlier by "Sync now"
        self.scheduler.start()
        self._periodic_started = True

    def set_interval(self, minutes: float) -> None:
        if self._periodic_minutes is not None:
            self._periodic_minutes = minutes
        if self._scheduler is not None:
            self._scheduler.set_interval(minutes)
        if not self._periodic_started:
            self._begin_periodic()  # a source may just have been added

    def stop(self) -> None:
        self._stopped = True
        if self._scheduler is not None:
            self._scheduler.stop()
        self.cancel()

    def sync_now(self) -> None:
        """Sync every remembered source and timetable now (saying so when there is none yet)."""
        if not self._has_sources():
            once = self._synced_once()
            if once:
                self.failed.emit(_("Nothing to sync again: the sources listed ({sources}) were synced once and "
                                   "are not remembered. Add a folder or a publisher's address in Settings to sync "
                                   "at each sync.").format(sources=", ".join(once)))
            else:
                self.failed.emit(_("There is no source to sync yet: add a folder or a publisher's address in "
                                   "Settings, or sync a bundle file from the Sync view."))
            return
        self.scheduler.sync_now()

    def _synced_once(self) -> list[str]:
        """The sources the Sync view lists that are not remembered (a bundle file, the demo)."""
        try:
            with self._reading() as store:
                return [Path(loc).name or loc for loc in one_off_sources(store)]
        except WtdcError:
            return []

    def _reading(self):
        """The window's connection when there is one (kept open), else a connection of this call."""
        if self.store is not None and not self.store.closed:
            return contextlib.nullcontext(self.store)
        return Store(self.data_dir)

    def _has_sources(self) -> bool:
        """A remembered bundle source or timetable; True when the store cannot tell, to let the
        sync itself say what is wrong."""
        try:
            with self._reading() as store:
                from wtdc_desktop.store import sessions as session_store
                from wtdc_desktop.sync import itu_folders

                return (bool(source_table.list_sources(store)) or bool(session_store.schedule_sources(store))
                        or bool(itu_folders(store)) or team_state.config(store) is not None)
        except WtdcError:
            return True

    def sync_path(self, path: Path | str, *, source: str | None = None) -> workers.Worker | None:
        """Apply one bundle file or folder on a worker."""

        def task(worker):
            # The window reads the result with the sources' code (which loads the network code):
            # loaded here, off the GUI thread, rather than when the sync has finished.
            import wtdc_desktop.bundles.sources  # noqa: F401
            from wtdc_desktop.workspace import Workspace

            with SyncLock(self.data_dir, wait=30), Workspace.open(self.data_dir) as workspace:
                return workspace.apply_bundle(path, source=source or str(path), progress=worker.report,
                                              cancelled=worker.cancelled).value

        return self._run(task)

    def import_itu(self, sources: list[Path | str], **options) -> workers.Worker | None:
        """Read ITU catalogs, document lists, folders or files on a worker and apply them; the
        result is the :class:`~wtdc_desktop.workspace.Outcome` of ``Workspace.import_itu``."""
        sources = [str(s) for s in sources]

        def task(worker):
            from wtdc_desktop.workspace import Workspace

            with Workspace.open(self.data_dir) as workspace:
                return workspace.import_itu(sources, progress=worker.report, cancelled=worker.cancelled, **options)

        return self._run(task)

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
        elif self._scheduler is not None:
            self._scheduler.cancel()

    def _run(self, task) -> workers.Worker | None:
        if self.running:
            self.failed.emit(_("A sync is already running."))
            return None
        worker = workers.Worker(task, failure=_("The sync failed: {reason}"))
        worker.signals.progress.connect(self._worker_progress)
        worker.signals.finished.connect(self._worker_finished)
        worker.signals.failed.connect(self._worker_failed)
        self.worker = worker
        self.started.emit()
        workers.start(worker)
        return worker

    def _worker_progress(self, done: int, total: int, text: str) -> None:
        self.progress.emit(done, total)
        if text:
            self.progress_text.emit(text)

    def _worker_finished(self, result) -> None:
        self.worker = None
        self._begin_periodic()  # a sync from a file or folder may have remembered the first source
        if isinstance(result, list):
            for item in result:
                self._source_finished(item)
        self.finished.emit(result)

    def _worker_failed(self, message: str) -> None:
        exc, self.worker = self.worker.error, None
        from wtdc_desktop.bundles.errors import AlreadyApplied, ApplyCancelled, BundleError
        from wtdc_desktop.store.db import StoreDamaged

        if isinstance(exc, StoreDamaged):  # the window's Restore banner, not a line in the status bar
            self.store_damaged.emit(exc)
            return
        if isinstance(exc, BundleError) and not isinstance(exc, (ApplyCancelled, AlreadyApplied)):
            self.refused.emit(message)
        elif isinstance(exc, WtdcError) and not isinstance(exc, ApplyCancelled):
            log.error("sync failed: %s", message)  # a bug is logged by the worker, with its traceback
        self.failed.emit(message)

    def _scheduler_finished(self, result) -> None:
        self.finished.emit(result)

    def _source_finished(self, result) -> None:
        if getattr(result, "outcome", None) == "refused":
            self.refused.emit(result.message or _("A bundle of {source} was refused.").format(source=result.location))


class SyncView(QWidget):
    """Sources, their last sync, the sync log, and the buttons to sync.

    Signals:
        open_record_requested(str, str): never emitted (the view lists no record)
    """

    open_record_requested = Signal(str, str)
    store_changed = Signal(object)  # never emitted (a sync's changes reach the window through the controller)

    def __init__(self, store, controller: SyncController, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.controller = controller
        self.sync_now = QPushButton(_("Sync now"), self)
        self.sync_now.setAccessibleName(_("Sync every source now"))
        self.sync_file = QPushButton(_("Sync a bundle file…"), self)
        self.sync_folder = QPushButton(_("Sync a bundle folder…"), self)
        self.add_itu = QPushButton(_("Add ITU documents…"), self)
        self.add_itu.setToolTip(_("Read a folder of ITU documents, or ITU document lists and meeting catalogs (XML), "
                                  "into the store"))
        itu_menu = QMenu(self.add_itu)
        self.itu_folder_action = itu_menu.addAction(_("A folder of ITU documents…"), self._choose_itu_folder)
        self.itu_files_action = itu_menu.addAction(_("Document lists, catalogs or document files…"),
                                                   self._choose_itu_files)
        self.add_itu.setMenu(itu_menu)
        self.itu_remember = QCheckBox(_("Read the folder again at each sync"), self)
        self.itu_remember.setToolTip(_("Remember the chosen folder of ITU documents: the periodic sync reads it "
                                       "again whenever its files change"))
        self.cancel = QPushButton(_("Cancel"), self)
        self.cancel.setEnabled(False)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName(_("Sync progress"))
        self.progress.setVisible(False)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setAccessibleName(_("What the ITU import read, skipped and noticed"))
        self.details.setMaximumHeight(240)
        self.details.setVisible(False)
        bar = QHBoxLayout()
        for w in (self.sync_now, self.sync_file, self.sync_folder, self.progress, self.cancel):
            bar.addWidget(w)
        bar.addStretch(1)
        itu_bar = QHBoxLayout()  # a row of its own: with the sync buttons it would widen the window in long languages
        itu_bar.addWidget(self.add_itu)
        itu_bar.addWidget(self.itu_remember)
        itu_bar.addStretch(1)
        self.sources = QTableWidget(0, 4, self)
        self.sources.setAccessibleName(_("Sources and their last sync"))
        self.sources.setHorizontalHeaderLabels([_("Source"), _("Last sync"), _("State"), _("Message")])
        self.log = QTableWidget(0, 6, self)
        self.log.setAccessibleName(_("Sync log"))
        self.log.setHorizontalHeaderLabels([_("Sync"), _("When"), _("Source"), _("Stream"), _("Outcome"), _("Message")])
        for table in (self.sources, self.log):
            table.verticalHeader().setVisible(False)
            table.setEditTriggers(QTableWidget.NoEditTriggers)
            table.horizontalHeader().setStretchLastSection(True)
            table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
            table.setColumnWidth(0, 260)
            table.setColumnWidth(1, 190)
            table.setWordWrap(False)
        self.log.setColumnWidth(0, 60)
        self.log.setColumnWidth(2, 220)
        self.log.setColumnWidth(3, 180)
        for table in (self.sources, self.log):  # no heading clipped ("Synchronisation" in French)
            header = table.horizontalHeader()
            for column in range(table.columnCount() - 1):
                table.setColumnWidth(column, max(table.columnWidth(column), header.sectionSizeHint(column)))
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addLayout(itu_bar)
        lay.addWidget(self.message)
        lay.addWidget(self.details)
        from wtdc_desktop.ui.team_panel import TeamPanel

        self.team = TeamPanel(self)
        lay.addWidget(self.team)
        lay.addWidget(QLabel(_("Sources"), self))
        lay.addWidget(self.sources, 1)
        lay.addWidget(QLabel(_("Sync log"), self))
        lay.addWidget(self.log, 2)

        self.sync_now.clicked.connect(controller.sync_now)
        self.sync_file.clicked.connect(self._choose_file)
        self.sync_folder.clicked.connect(self._choose_folder)
        self.cancel.clicked.connect(controller.cancel)
        controller.started.connect(self._on_started)
        controller.progress.connect(self._on_progress)
        controller.progress_text.connect(self._on_progress_text)
        controller.finished.connect(self._on_done)
        controller.failed.connect(self._on_failed)
        self.reload()

    def _choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Choose a bundle"), "", _("Bundles (*.wtdc.zip *.zip)"))
        if path:
            self.controller.sync_path(path)

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, _("Choose a bundle folder"))
        if path:
            self.controller.sync_path(path)

    def _choose_itu_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, _("Choose the folder of your ITU documents"))
        if path:
            self.import_itu([path], remember=self.itu_remember.isChecked())

    def _choose_itu_files(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(
            self, _("Choose ITU document lists, catalogs or documents"), "",
            _("ITU material (*.xml *.docx *.pdf *.htm *.html *.txt *.zip);;All files (*)"))
        if paths:
            self.import_itu(paths)

    def import_itu(self, sources: list[str], *, remember: bool = False) -> None:
        self.details.clear()
        self.details.setVisible(False)
        if self.controller.import_itu(sources, remember=remember) is not None:
            self.message.setText(_("Reading ITU documents…"))

    def _on_started(self) -> None:
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel.setEnabled(True)
        self.sync_now.setEnabled(False)
        self.add_itu.setEnabled(False)
        self.message.setText(_("Syncing…"))

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(done)

    def _on_progress_text(self, text: str) -> None:
        self.message.setText(_("Reading {name}…").format(name=text))

    def _on_done(self, result) -> None:
        self.progress.setVisible(False)
        self.cancel.setEnabled(False)
        self.sync_now.setEnabled(True)
        self.add_itu.setEnabled(True)
        value = getattr(result, "value", None)
        if isinstance(value, ItuResult):
            self.show_itu_summary(value)
        else:
            self.message.setText(_("Sync finished."))
        self.reload()

    def show_itu_summary(self, result: ItuResult) -> None:
        """What an ITU import read, applied and skipped: a summary line and the details below it."""
        summary, details = itu_summary(result)
        self.message.setText(summary)
        self.details.setPlainText(details)
        self.details.setVisible(bool(details))

    def _on_failed(self, message: str) -> None:
        self._on_done(None)
        self.message.setText(message)

    def show_record(self, type_name: str, record_id: str) -> bool:
        """This view lists no record: the window shows it in a dialog."""
        return False

    def reload(self, changes=None) -> None:
        if not wants(changes, syncs=True, delegation=("source", "trust")):
            return
        self.team.reload(self.store)
        last = {item["source"]: item for item in syncs.last_sync_per_source(self.store)}
        # what Sync now syncs, and the bundles synced once that were applied; never a file refused
        from wtdc_desktop.store import sessions as session_store

        locations = [row.location for row in source_table.list_sources(self.store)]
        locations += [src["location"] for src in session_store.schedule_sources(self.store)
                      if src["location"] not in locations]
        locations += [loc for loc in one_off_sources(self.store) if loc not in locations]
        self.sources.setRowCount(len(locations))
        for row, loc in enumerate(locations):
            item = last.get(loc) or {}
            values = [loc, format_instant_or_text(item.get("finished_at")) or _("never"), outcome_text(item.get("outcome")),
                      item.get("message") or ""]
            for col, value in enumerate(values):
                self.sources.setItem(row, col, QTableWidgetItem(str(value)))
        entries = syncs.sync_log(self.store, 200)
        self.log.setRowCount(len(entries))
        for row, e in enumerate(entries):
            stream = (f"{e.get('publisher') or ''}/{e.get('channel') or ''} #{e.get('sequence') or ''}"
                      if e.get("publisher") else "—")  # a refused file has no stream
            values = [e["sync_id"], format_instant_or_text(e.get("finished_at") or e.get("started_at")),
                      e.get("source") or "", stream,
                      outcome_text(e.get("outcome")), e.get("message") or ""]
            for col, value in enumerate(values):
                self.log.setItem(row, col, QTableWidgetItem(str(value)))
