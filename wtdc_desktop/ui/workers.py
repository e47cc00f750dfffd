"""One way to run long work off the GUI thread: a QRunnable with signals.

The worker opens its own store connection (SQLite connections belong to one
thread), reports progress, and polls a cancel flag; results and errors come
back to the GUI thread as queued signals.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class WorkerSignals(QObject):
    """Signals:
        progress(int, int): done, total
        finished(object): the task's result
        failed(object): the exception raised
    """

    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(object)


class Worker(QRunnable):
    def __init__(self, task: Callable[["Worker"], object]) -> None:
        super().__init__()
        self.task = task
        self.signals = WorkerSignals()
        self._cancel = threading.Event()
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def report(self, done: int, total: int) -> None:
        self.signals.progress.emit(done, total)

    def run(self) -> None:  # worker thread
        try:
            result = self.task(self)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            log.debug("worker failed: %s", traceback.format_exc())
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)


def start(worker: Worker, pool: QThreadPool | None = None) -> Worker:
    (pool or QThreadPool.globalInstance()).start(worker)
    return worker
