"""When each remembered item is synced, without Qt: the interval, the back-off, the watch loop.

A remembered item is a bundle source (a bundle, a folder or a feed) or a
published timetable; both are known by their location. :class:`Scheduler`
decides when each is due: every interval, and for one that could not be
reached, after an interval doubled at each failure, up to eight intervals.
It knows when, not how: it is given the function that lists the remembered
items and the one that syncs some of them (:mod:`wtdc_desktop.sync` gives both,
for bundle sources and timetables alike, and makes the scheduler the command
line and the window use). The command line runs it with :meth:`Scheduler.run`
(``sync --watch``); the window drives the same object from a QTimer
(ui/sync_timer.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from wtdc_desktop.bundles import DEFAULT_INTERVAL_MINUTES
from wtdc_desktop.bundles.sources import UNREACHABLE, SourceResult, SyncOptions
from wtdc_desktop.store.lock import SyncBusy

MAX_BACKOFF_FACTOR = 8
#: When another sync holds the store, the next attempt waits this long.
BUSY_RETRY_SECONDS = 60.0

#: ``sync(data_dir, progress, cancelled, *, only, on_source, options)``: sync the items in ``only``.
SyncFunction = Callable[..., list[SourceResult]]


@dataclass
class _ItemState:
    next_due: float
    failures: int = 0


@dataclass
class Scheduler:
    """When each remembered item is due. Times are seconds from ``clock`` (monotonic by default).

    ``known(data_dir)`` lists the remembered items' locations; ``sync`` syncs some of them.
    """

    data_dir: Path
    known: Callable[[Path], list[str]]
    sync: SyncFunction
    interval_minutes: float = DEFAULT_INTERVAL_MINUTES
    clock: Callable[[], float] = time.monotonic
    options: SyncOptions | None = None
    on_result: Callable[[SourceResult], None] | None = None
    states: dict[str, _ItemState] = field(default_factory=dict)

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

    def due(self, locations: list[str] | None = None) -> list[str]:
        """The items due now; an item not seen before is due at once."""
        now = self.clock()
        locations = self.known(self.data_dir) if locations is None else locations
        for gone in set(self.states) - set(locations):
            del self.states[gone]
        return [loc for loc in locations if loc not in self.states or self.states[loc].next_due <= now]

    def record(self, result: SourceResult) -> None:
        now = self.clock()
        state = self.states.setdefault(result.location, _ItemState(next_due=now))
        state.failures = state.failures + 1 if result.outcome == UNREACHABLE else 0
        state.next_due = now + self.delay(state.failures)

    def next_wakeup(self) -> float | None:
        """Seconds until the next item is due (None when no item is known yet)."""
        if not self.states:
            return None
        return max(0.0, min(s.next_due for s in self.states.values()) - self.clock())

    def run_once(self, cancelled: Callable[[], bool] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> list[SourceResult]:
        """Sync the items that are due; raises SyncBusy when another sync holds the store."""
        due = self.due()
        if not due:
            return []
        return self.sync(self.data_dir, progress, cancelled, only=due, on_source=self._on_source,
                         options=self.options)

    def run_all(self, cancelled: Callable[[], bool] | None = None,
                progress: Callable[[int, int], None] | None = None, *,
                lock_wait: float | None = None) -> list[SourceResult]:
        """Sync every remembered item now (the user asked for it); each one's next time counts from now."""
        return self.sync(self.data_dir, progress, cancelled, on_source=self._on_source, options=self.options,
                         lock_wait=lock_wait)

    def _on_source(self, result: SourceResult) -> None:
        self.record(result)
        if self.on_result:
            self.on_result(result)

    def run(self, stop: threading.Event | None = None, *, sleep: Callable[[float], None] | None = None,
            on_busy: Callable[[Exception], None] | None = None, poll_seconds: float = 60.0) -> None:
        """Sync at every due time until ``stop`` is set (or Ctrl-C in the caller)."""
        stop = stop or threading.Event()
        wait = sleep or (lambda seconds: stop.wait(seconds))
        while not stop.is_set():
            try:
                self.run_once(cancelled=stop.is_set)
            except SyncBusy as exc:  # another sync runs: try again later, it is no item's fault
                if on_busy:
                    on_busy(exc)
                wait(min(BUSY_RETRY_SECONDS, poll_seconds))
                continue
            if stop.is_set():
                break
            # Poll for items added meanwhile at least every poll_seconds.
            ahead = self.next_wakeup()
            wait(min(ahead if ahead is not None else poll_seconds, poll_seconds))
