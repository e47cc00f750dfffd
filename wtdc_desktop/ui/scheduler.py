"""The thin Qt adapter of the sync scheduler: a QTimer plus a worker thread.

The decisions (which source is due, back-off) are the plain
:class:`~wtdc_desktop.bundles.scheduler.Scheduler`'s; the work is
:func:`~wtdc_desktop.bundles.scheduler.sync_all`, run on a private one-thread
pool so a sync never blocks the window and two never overlap. The worker
opens its own Store (SQLite connections belong to one thread).
"""

from __future__ import annotations

import logging
import threading
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from wtdc_desktop.bundles.scheduler import BUSY_RETRY_SECONDS, DEFAULT_INTERVAL_MINUTES, Scheduler, sync_all
from wtdc_desktop.bundles.sources import SyncOptions
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _

log = logging.getLogger(__name__)


class _WorkerSignals(QObject):
    done = Signal(object)
    error = Signal(str)


class _SyncWorker(QRunnable):
    def __init__(self, owner: "SyncScheduler", due_only: bool) -> None:
        super().__init__()
        self.owner = owner
        self.due_only = due_only
        self.signals = _WorkerSignals()
        self.setAutoDelete(False)

    def run(self) -> None:  # worker thread
        owner = self.owner
        try:
            if self.due_only:
                results = owner.scheduler.run_once(cancelled=owner._cancel.is_set, progress=owner._report)
            else:
                results = sync_all(owner.data_dir, owner._report, owner._cancel.is_set,
                                   on_source=owner._record_source, options=owner.scheduler.options,
                                   lock_wait=owner.lock_wait)
        except WtdcError as exc:
            self.signals.error.emit(exc.message)
        except Exception as exc:  # noqa: BLE001 - a bug still reaches the window as a message
            log.error("sync failed: %s", traceback.format_exc())
            self.signals.error.emit(_("The sync failed unexpectedly: {reason}").format(reason=exc))
        else:
            self.signals.done.emit(results)


class SyncScheduler(QObject):
    """Syncs the remembered sources every interval, and on demand.

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
        self.scheduler = Scheduler(self.data_dir, interval_minutes=interval_minutes,
                                   options=options or SyncOptions(), on_result=self._source_done)
        self._cancel = threading.Event()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._worker: _SyncWorker | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer)
        self._running_schedule = False

    # -- control (GUI thread) ------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def start(self) -> None:
        """Sync the sources that are due now, then each at its time."""
        self._running_schedule = True
        self._timer.start(0)

    def stop(self) -> None:
        """Stop the schedule and cancel a sync in progress (waits for it to roll back)."""
        self._running_schedule = False
        self._timer.stop()
        self.cancel()
        self._pool.waitForDone()

    def set_interval(self, minutes: float) -> None:
        self.scheduler.set_interval(minutes)
        if self._running_schedule and not self.busy:
            self._reschedule()

    def sync_now(self) -> bool:
        """Sync every remembered source now; False when a sync is already running."""
        return self._launch(due_only=False)

    def cancel(self) -> None:
        """Stop the sync in progress; the bundle being applied is rolled back whole."""
        if self._worker is not None:
            self._cancel.set()

    # -- internals --------------------------------------------------------------------

    def _launch(self, due_only: bool) -> bool:
        if self._worker is not None:
            return False
        self._cancel.clear()
        worker = _SyncWorker(self, due_only)
        worker.signals.done.connect(self._on_done)
        worker.signals.error.connect(self._on_error)
        self._worker = worker
        self.started.emit()
        self._pool.start(worker)
        return True

    def _report(self, done: int, total: int) -> None:  # worker thread
        self.progress.emit(done, total)

    def _source_done(self, result) -> None:  # worker thread
        self.source_finished.emit(result)

    def _record_source(self, result) -> None:  # worker thread, for a sync asked for by the user
        self.scheduler.record(result)
        self._source_done(result)

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
