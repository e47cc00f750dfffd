"""The sync lock: never two syncs (or a sync and a restore) at once on one store.

The lock is an operating-system lock on ``sync.lock`` in the data folder
(``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows), not the file's
existence: the system drops it when the process holding it ends, however it
ends, so a crashed or killed sync can never leave the store locked. The file
itself is never deleted (deleting a lock file lets two processes each lock a
different file); it only holds the id of the last process that took it, for
people reading it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from wtdc_desktop.i18n import _
from wtdc_desktop.store.db import STORE_FILENAME, StoreLocked, StoreNotWritable

LOCK_FILENAME = "sync.lock"
#: How long a second sync waits for the first before refusing, in seconds.
LOCK_WAIT_SECONDS = 3.0

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class SyncBusy(StoreLocked):
    """Another process (or thread) is syncing or restoring this store."""


class SyncLock:
    """Held for the whole of a sync or a restore. Use as a context manager."""

    def __init__(self, data_dir: Path | str, *, wait: float | None = None, poll: float = 0.1) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / LOCK_FILENAME
        self.wait = LOCK_WAIT_SECONDS if wait is None else wait
        self.poll = poll
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        if self._fd is not None:
            return
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreNotWritable(
                _("The data folder {path} is not writable ({reason}); choose another with --data-dir.").format(
                    path=self.data_dir, reason=exc.strerror or exc
                )
            ) from exc
        deadline = time.monotonic() + self.wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                os.close(fd)
                raise SyncBusy(
                    _("Another sync is running on {store}; try again when it has finished.").format(
                        store=self.data_dir / STORE_FILENAME
                    )
                )
            time.sleep(self.poll)
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            pass  # informative only
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> "SyncLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
