"""The thin Qt adapter of the periodic sync: a QTimer, and the work on a :class:`~wtdc_desktop.ui.workers.Worker`.

The decisions (which remembered source or timetable is due, back-off) are
the plain :class:`~wtdc_desktop.bundles.periodic.Scheduler`'s, made by
:func:`wtdc_desktop.sync.make_scheduler`; the work is
:func:`wtdc_desktop.sync.sync_all`, run on a worker so a sync never blocks the
window, and never two at once. The worker opens its own Store (SQLite
connections belong to one thread).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from wtdc_desktop.bundles import DEFAULT_INTERVAL_MINUTES
from wtdc_desktop.bundles.periodic import BUSY_RETRY_SECONDS
from wtdc_desktop.bundles.sources import SyncOptions
from wtdc_desktop.i18n import _
from wtdc_desktop.sync import make_scheduler
from wtdc_desktop.ui import workers

log = logging.getLogger(__name__)


class SyncScheduler(QObject):
    """Syncs the remembered sources and timetables every interval, and on demand.

    Signals:
        started(): a sync began.
        progress(int, int): records applied, out of the total of the bundle chain
            being applied. Emitted from the worker thread (slots of GUI objects are queued).
        source_finished(object): a SourceResult, when one source is done (worker thread too).
        finished(object): the list of SourceResult of the sync.
        failed(str): one sentence, e.g. another sync holds the store.
    """

    started = Signal()
    progress = Signal(int, int)
    source_finished = Signal(object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, data_dir: Path | str, interval_minutes: float = DEFAULT_INTERVAL_MINUTES,
                 parent: QObject | None = None, *, options: SyncOptions | None = None,
                 lock_wait: float | None = None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.lock_wait = lock_wait
        self.scheduler = make_scheduler(self.data_dir, interval_minutes=interval_minutes,
                                        options=options or SyncOptions(), on_result=self._source_done)
        self._worker: workers.Worker | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer)
        self._running_schedule = False

    # -- control (GUI thread) ------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def start(self) -> None:
        """Sync what is due now, then each at its time."""
        self._running_schedule = True
        self._timer.start(0)

    def stop(self) -> None:
        """Stop the schedule and cancel a sync in progress (waits for it to roll back)."""
        self._running_schedule = False
        self._timer.stop()
        worker = self._worker
        self.cancel()
        if worker is not None:
            worker.wait()

    def set_interval(self, minutes: float) -> None:
        self.scheduler.set_interval(minutes)
        if self._running_schedule and not self.busy:
            self._reschedule()

    def sync_now(self) -> bool:
        """Sync every remembered source and timetable now; False when a sync is already running."""
        return self._launch(due_only=False)

    def cancel(self) -> None:
        """Stop the sync in progress; the bundle being applied is rolled back whole."""
        if self._worker is not None:
            self._worker.cancel()

    # -- internals --------------------------------------------------------------------

    def _launch(self, due_only: bool) -> bool:
        if self._worker is not None:
            return False
        scheduler, lock_wait = self.scheduler, self.lock_wait

        def task(worker: workers.Worker):  # worker thread
            if due_only:
                return scheduler.run_once(cancelled=worker.cancelled, progress=worker.report)
            return scheduler.run_all(cancelled=worker.cancelled, progress=worker.report, lock_wait=lock_wait)

        worker = workers.Worker(task, failure=_("The sync failed unexpectedly: {reason}"))
        worker.signals.progress.connect(self._report, Qt.DirectConnection)  # on the worker thread, at once
        worker.signals.finished.connect(self._on_done)
        worker.signals.failed.connect(self._on_error)
        self._worker = worker
        self.started.emit()
        workers.start(worker)
        return True

    def _report(self, done: int, total: int, _text: str) -> None:  # worker thread
        self.progress.emit(done, total)

    def _source_done(self, result) -> None:  # worker thread
        self.source_finished.emit(result)

    @Slot()
    def _on_timer(self) -> None:
        if not self._launch(due_only=True):
            self._reschedule()

    @Slot(object)
    def _on_done(self, results) -> None:
        self._worker = None
        self._reschedule()
        self.finished.emit(results)

    @Slot(str)
    def _on_error(self, message: str) -> None:
        self._worker = None
        self._reschedule(at_least=BUSY_RETRY_SECONDS)
        self.failed.emit(message)

    def _reschedule(self, at_least: float = 0.0) -> None:
        if not self._running_schedule:
            return
        ahead = self.scheduler.next_wakeup()
        seconds = max(self.scheduler.interval if ahead is None else ahead, at_least)
        self._timer.start(int(min(seconds, 24 * 3600) * 1000))
