"""An exclusive operating-system lock on a file, waited for a while, then refused.

``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows: the system drops the lock when the
process holding it ends, however it ends, so a crash can never leave it held. The lock is not the
file's existence: the file is never deleted (deleting a lock file lets two processes each lock a
different file). Two opens of the file conflict even in one process, so two threads are kept
apart as two processes are.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

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


class FileLock:
    """Held while in use (a context manager). ``busy()`` is raised when the lock is still held by
    another after ``wait`` seconds, ``unwritable(exc)`` when the file cannot be opened; with
    ``write_pid`` the file holds the id of the last process that took the lock, for people reading it.
    """

    def __init__(self, path: Path, *, wait: float, busy: Callable[[], Exception],
                 unwritable: Callable[[OSError], Exception], poll: float = 0.1, write_pid: bool = True) -> None:
        self.path = Path(path)
        self.wait = wait
        self.poll = poll
        self._busy = busy
        self._unwritable = unwritable
        self._write_pid = write_pid
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        if self._fd is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise self._unwritable(exc) from exc
        deadline = time.monotonic() + self.wait
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                os.close(fd)
                raise self._busy()
            time.sleep(self.poll)
        if self._write_pid:
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

    def __enter__(self) -> "FileLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
