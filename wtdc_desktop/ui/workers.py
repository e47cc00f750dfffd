"""The one way to run long work off the GUI thread: a QRunnable with signals.

A task is a function of its :class:`Worker`. It opens its own store connection
(SQLite connections belong to one thread), may report progress with
:meth:`Worker.report` and should poll :meth:`Worker.cancelled`; a cancelled task
raises (a :class:`~wtdc_desktop.errors.WtdcError` saying what was left undone)
or returns early. Every view reports the same way:

- ``progress(done, total, text)`` while it runs (emitted from the worker thread;
  slots of GUI objects are queued);
- ``finished(result)`` with what the task returned;
- ``failed(message)``: a :class:`~wtdc_desktop.errors.WtdcError`'s own message; for
  a bug (logged with its traceback), the reason, put in the worker's ``failure``
  sentence when it was given one. The exception itself is kept in :attr:`Worker.error`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from wtdc_desktop.errors import WtdcError

log = logging.getLogger(__name__)

#: The page cache of a worker's own connection for a read, in KiB (SQLite's default is 2 MiB): its
#: pages are in the system's file cache anyway, and each thread's cache adds to the window's memory.
READ_CACHE_KIB = 256


def reading_store(data_dir):
    """A store connection for a worker that only reads (open it in the worker's thread)."""
    from wtdc_desktop.store import Store

    return Store(data_dir, cache_kib=READ_CACHE_KIB)


#: Workers started and not finished yet: kept alive until their signals have been sent.
_running: set["Worker"] = set()


class WorkerSignals(QObject):
    """Signals:
        progress(int, int, str): done, total, and what is being done (may be empty)
        finished(object): the task's result
        failed(str): one sentence saying what went wrong
    """

    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)


class Worker(QRunnable):
    """Runs ``task(worker)`` on a pool thread; see the module's docstring for what it reports."""

    def __init__(self, task: Callable[["Worker"], object], *, failure: str | None = None) -> None:
        super().__init__()
        self.task = task
        #: The sentence for an unexpected failure, with a ``{reason}`` field (None: the reason alone).
        self.failure = failure
        self.signals = WorkerSignals()
        #: The exception the task raised, once it has failed.
        self.error: BaseException | None = None
        self._cancel = threading.Event()
        self._done = threading.Event()
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def report(self, done: int, total: int, text: str = "") -> None:
        self.signals.progress.emit(done, total, text)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the task has ended (True) or ``timeout`` seconds have passed (False)."""
        return self._done.wait(timeout)

    def message(self, exc: BaseException) -> str:
        if isinstance(exc, WtdcError):
            return exc.message
        reason = str(exc) or type(exc).__name__
        return self.failure.format(reason=reason) if self.failure else reason

    def run(self) -> None:  # worker thread
        try:
            result = self.task(self)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            self.error = exc
            if not isinstance(exc, WtdcError):
                log.error("a background task failed", exc_info=exc)
            self._done.set()
            self.signals.failed.emit(self.message(exc))
        else:
            self._done.set()
            self.signals.finished.emit(result)
        finally:
            _running.discard(self)


def start(worker: Worker, pool: QThreadPool | None = None) -> Worker:
    _running.add(worker)
    (pool or QThreadPool.globalInstance()).start(worker)
    return worker


class LatestRead(QObject):
    """A view's readings of the store, of which only the one asked for last is shown.

    ``read`` (a function of a store connection, holding no widget) gives the value passed to
    ``show(*shown, value)`` on the GUI thread. :meth:`here` reads at once on the view's own
    connection; :meth:`off` on a worker with its own (:func:`reading_store`), shown only if nothing
    was asked since. When the latest reading could not run on its worker (the store busy…), it is
    read here instead, as before readings moved to workers. A child of the view: deleted with it,
    so a view gone meanwhile is never called.
    """

    def __init__(self, owner: QObject, store, show: Callable) -> None:
        super().__init__(owner)
        self._store = store
        self._show = show
        self._asked = 0
        self._latest: tuple[tuple, Callable] | None = None
        #: the worker of the reading asked for last, until it is shown
        self.worker: Worker | None = None

    @property
    def loading(self) -> bool:
        return self.worker is not None

    def here(self, shown: tuple, read: Callable) -> None:
        self._asked += 1
        self.worker = None
        self._show(*shown, read(self._store))

    def off(self, shown: tuple, read: Callable) -> Worker:
        self._asked += 1
        asked, data_dir = self._asked, self._store.data_dir
        self._latest = (shown, read)

        def task(_worker):
            with reading_store(data_dir) as store:  # a connection of the worker's thread
                return asked, read(store)

        worker = Worker(task)
        worker.signals.finished.connect(self._read)  # bound methods: see the class's docstring
        worker.signals.failed.connect(self._not_read)
        self.worker = start(worker)
        return worker

    def _read(self, result) -> None:
        asked, value = result
        if asked == self._asked:  # else another reading was asked for since
            self.worker = None
            self._show(*self._latest[0], value)

    def _not_read(self, _message: str) -> None:
        if self.worker is not None and self.worker.error is not None:
            self.here(*self._latest)
