"""The sync lock: never two syncs (or a sync and a restore) at once on one store.

The lock is an operating-system lock on ``sync.lock`` in the data folder
(:class:`wtdc_desktop.oslock.FileLock`), not the file's existence: the system
drops it when the process holding it ends, however it ends, so a crashed or
killed sync can never leave the store locked. The file only holds the id of
the last process that took it, for people reading it.
"""

from __future__ import annotations

from pathlib import Path

from wtdc_desktop.i18n import _
from wtdc_desktop.oslock import FileLock
from wtdc_desktop.store.db import STORE_FILENAME, StoreLocked, StoreNotWritable

LOCK_FILENAME = "sync.lock"
#: How long a second sync waits for the first before refusing, in seconds.
LOCK_WAIT_SECONDS = 3.0


class SyncBusy(StoreLocked):
    """Another process (or thread) is syncing or restoring this store."""


class SyncLock(FileLock):
    """Held for the whole of a sync or a restore. Use as a context manager."""

    def __init__(self, data_dir: Path | str, *, wait: float | None = None, poll: float = 0.1) -> None:
        self.data_dir = Path(data_dir)
        super().__init__(self.data_dir / LOCK_FILENAME, wait=LOCK_WAIT_SECONDS if wait is None else wait,
                         poll=poll, busy=self._busy_error, unwritable=self._unwritable_error)

    def _busy_error(self) -> SyncBusy:
        return SyncBusy(_("Another sync is running on {store}; try again when it has finished.").format(
            store=self.data_dir / STORE_FILENAME))

    def _unwritable_error(self, exc: OSError) -> StoreNotWritable:
        return StoreNotWritable(
            _("The data folder {path} is not writable ({reason}); choose another with --data-dir.").format(
                path=self.data_dir, reason=exc.strerror or exc))
