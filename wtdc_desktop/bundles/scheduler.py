"""Periodic sync of the remembered sources, without Qt.

:func:`sync_all` syncs every remembered source (or some of them) under the
sync lock, so two syncs never run at once on one store. :class:`Scheduler`
decides when each source is due: every interval, and for a source that could
not be reached, after an interval doubled at each failure, up to eight
intervals. The command line runs it with :meth:`Scheduler.run`
(``sync --watch``); the window drives the same object from a QTimer
(ui/scheduler.py).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from wtdc_desktop.bundles import DEFAULT_INTERVAL_MINUTES  # noqa: F401 - re-exported
from wtdc_desktop.bundles.sources import APPLIED, FAILED, UNREACHABLE, UP_TO_DATE, SourceResult, SyncOptions, sync_source
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _, ngettext
from wtdc_desktop.store import Store
from wtdc_desktop.store import sources as source_table
from wtdc_desktop.store.lock import SyncLock

log = logging.getLogger(__name__)

MAX_BACKOFF_FACTOR = 8
#: When another sync holds the store, the next attempt waits this long.
BUSY_RETRY_SECONDS = 60.0


def sync_all(
    data_dir: Path | str,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    *,
    only: list[str] | None = None,
    on_source: Callable[[SourceResult], None] | None = None,
    options: SyncOptions | None = None,
    lock_wait: float | None = None,
) -> list[SourceResult]:
    """Sync every remembered source (or those in ``only``), one after the other.

    Raises :class:`~wtdc_desktop.store.lock.SyncBusy` when another sync holds
    the store. A cancelled sync stops after the source being synced (whose
    bundle in progress is rolled back).
    """
    opts = options or SyncOptions()
    opts.progress = progress or opts.progress
    opts.cancelled = cancelled or opts.cancelled
    results: list[SourceResult] = []
    with SyncLock(data_dir, wait=lock_wait):
        with Store(data_dir) as store:
            rows = source_table.list_sources(store)
            for row in rows:
                if only is not None and row.location not in only:
                    continue
                if opts.is_cancelled():
                    break
                result = sync_source(store, row.location, opts)
                results.append(result)
                if on_source:
                    on_source(result)
            if only is None and not opts.is_cancelled():
                # Published timetables (frab, iCalendar) follow the same schedule as bundles.
                for result in _reimport_timetables(store):
                    results.append(result)
                    if on_source:
                        on_source(result)
    return results


def _reimport_timetables(store) -> list[SourceResult]:
    from wtdc_desktop.exchange.timetable_import import reimport_schedules

    out = []
    for location, item in reimport_schedules(store):
        if isinstance(item, WtdcError):
            out.append(SourceResult(location=location, kind="timetable", outcome=FAILED, message=item.message,
                                    error=item))
        else:
            if item.outcome == "applied":
                message = ngettext("timetable re-imported: {count} session", "timetable re-imported: {count} sessions",
                                   item.events).format(count=item.events)
                out.append(SourceResult(location=location, kind="timetable", outcome=APPLIED, message=message))
            else:
                out.append(SourceResult(location=location, kind="timetable", outcome=UP_TO_DATE,
                                        message=_("timetable unchanged")))
    return out


@dataclass
class _SourceState:
    next_due: float
    failures: int = 0


@dataclass
class Scheduler:
    """When each source is due. Times are seconds from ``clock`` (monotonic by default)."""

    data_dir: Path
    interval_minutes: float = DEFAULT_INTERVAL_MINUTES
    clock: Callable[[], float] = time.monotonic
    sync: Callable[..., list[SourceResult]] = sync_all
    options: SyncOptions | None = None
    on_result: Callable[[SourceResult], None] | None = None
    states: dict[str, _SourceState] = field(default_factory=dict)

    @property
    def interval(self) -> float:
        return self.interval_minutes * 60.0

    def set_interval(self, minutes: float) -> None:
        self.interval_minutes = minutes
        now = self.clock()
        for state in self.states.values():  # a shorter interval takes effect at once
            state.next_due = min(state.next_due, now + self.delay(state.failures))

    def delay(self, failures: int) -> float:
        """The wait after ``failures`` unreachable attempts in a row (0: the plain interval)."""
        return self.interval * min(2 ** failures, MAX_BACKOFF_FACTOR)

    def _known_sources(self) -> list[str]:
        with Store(self.data_dir) as store:
            return [row.location for row in source_table.list_sources(store)]

    def due(self, locations: list[str] | None = None) -> list[str]:
        """The sources due now; a source not seen before is due at once."""
        now = self.clock()
        locations = self._known_sources() if locations is None else locations
        for gone in set(self.states) - set(locations):
            del self.states[gone]
        return [loc for loc in locations if loc not in self.states or self.states[loc].next_due <= now]

    def record(self, result: SourceResult) -> None:
        now = self.clock()
        state = self.states.setdefault(result.location, _SourceState(next_due=now))
        state.failures = state.failures + 1 if result.outcome == UNREACHABLE else 0
        state.next_due = now + self.delay(state.failures)

    def next_wakeup(self) -> float | None:
        """Seconds until the next source is due (None when no source is known yet)."""
        if not self.states:
            return None
        return max(0.0, min(s.next_due for s in self.states.values()) - self.clock())

    def run_once(self, cancelled: Callable[[], bool] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> list[SourceResult]:
        """Sync the sources that are due; raises SyncBusy when another sync holds the store."""
        due = self.due()
        if not due:
            return []

        def on_source(result: SourceResult) -> None:
            self.record(result)
            if self.on_result:
                self.on_result(result)

        return self.sync(self.data_dir, progress, cancelled, only=due, on_source=on_source, options=self.options)

    def run(self, stop: threading.Event | None = None, *, sleep: Callable[[float], None] | None = None,
            on_busy: Callable[[Exception], None] | None = None, poll_seconds: float = 60.0) -> None:
        """Sync at every due time until ``stop`` is set (or Ctrl-C in the caller)."""
        from wtdc_desktop.store.lock import SyncBusy

        stop = stop or threading.Event()
        wait = sleep or (lambda seconds: stop.wait(seconds))
        while not stop.is_set():
            try:
                self.run_once(cancelled=stop.is_set)
            except SyncBusy as exc:  # another sync runs: try again later, it is no source's fault
                if on_busy:
                    on_busy(exc)
                wait(min(BUSY_RETRY_SECONDS, poll_seconds))
                continue
            if stop.is_set():
                break
            # Poll for sources added meanwhile at least every poll_seconds.
            ahead = self.next_wakeup()
            wait(min(ahead if ahead is not None else poll_seconds, poll_seconds))
