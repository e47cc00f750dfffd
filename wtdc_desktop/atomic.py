"""Writing a file whole or not at all: a temporary file beside it, fsync, then renamed onto it.

A reader, or the user after a crash, a full disk or a cancelled export, then finds either the old
file or the new one, never half of one. The temporary file is made in the destination's own folder,
so the rename never crosses file systems, and is named after the destination
(``.NAME.XXXXXXXX.part``), so one left behind by a crash is recognisable. On any failure it is
removed and the exception goes on unchanged. Standard library only: bundles and exchange use it as
well as the window.

Only a regular file is ever replaced: a destination that exists and is a folder, a device (an
export to ``/dev/full`` as root would otherwise put a file in the device's place), a pipe or a
socket is refused with :class:`~wtdc_desktop.errors.NotARegularFileError` (one sentence naming
it) before anything is written, and checked again just before the rename. A regular file that is
replaced keeps its permissions; a new file gets those of ``open()`` (0o666 less the umask); a
``private`` write is owner-only (0o600) either way.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def _temporary(path: Path) -> tuple[int, str]:
    """A new, empty, owner-only (0o600) file beside ``path``, named after it: descriptor, name."""
    return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")


def _remove(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _existing_mode(path: Path) -> int | None:
    """The permission bits of the regular file at ``path``, None if there is none; refuses
    (NotARegularFileError) anything else there. A link is followed, as a write through it would."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not stat.S_ISREG(info.st_mode):
        from wtdc_desktop.userfiles import not_a_regular_file  # translated text: imported when needed

        raise not_a_regular_file(path, info.st_mode, writing=True)
    return stat.S_IMODE(info.st_mode) & 0o777  # no set-id or sticky bits carried over


def _move_into_place(tmp: str, path: Path, private: bool) -> None:
    mode = _existing_mode(path)  # again: a pipe or a folder may have taken its place meanwhile
    if not private:
        # that of the file replaced, else as open() would have made it
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
    os.replace(tmp, path)


@contextmanager
def atomic_path(path: Path | str, *, fsync: bool = True,
                private: bool = False) -> Iterator[Path]:
    """Yield the name of a temporary file beside ``path``, which becomes ``path`` if all goes well.

    For writers that want a file name rather than a file object (``zipfile.ZipFile``, Qt's
    ``QPdfWriter``): the block writes the file by that name and closes it. ``fsync`` syncs it to
    disk before the rename. ``private`` keeps the owner-only permissions (0o600) of the temporary
    file; otherwise the file gets those of the regular file it replaces, or of a newly created one
    (0o666 less the umask). A destination that is not a regular file is refused before the block
    runs (NotARegularFileError).
    """
    path = Path(path)
    _existing_mode(path)
    fd, tmp = _temporary(path)
    try:
        os.close(fd)
        yield Path(tmp)
        if fsync:
            with open(tmp, "rb+") as fp:
                os.fsync(fp.fileno())
        _move_into_place(tmp, path, private)
    except BaseException:
        _remove(tmp)
        raise


@contextmanager
def atomic_write(path: Path | str, mode: str = "wb", *, encoding: str | None = None,
                 newline: str | None = None, fsync: bool = True,
                 private: bool = False) -> Iterator[IO]:
    """Yield an open file whose content lands at ``path`` only if the block raises nothing.

    ``mode`` is ``"wb"`` (bytes) or ``"w"`` (text, with ``encoding`` and ``newline`` as for
    ``open()``). The file is flushed, synced to disk (unless ``fsync`` is false) and closed before
    the rename; a failure at any step, or an exception in the block, removes the temporary file and
    propagates as it is. ``private`` as for :func:`atomic_path`.
    """
    if mode not in ("wb", "w", "wt"):
        raise ValueError(f"atomic_write: mode must be 'wb', 'w' or 'wt', not {mode!r}")
    if "b" in mode and (encoding is not None or newline is not None):
        raise ValueError("atomic_write: binary mode takes no encoding or newline")
    path = Path(path)
    _existing_mode(path)
    fd, tmp = _temporary(path)
    try:
        # on failure (an unknown encoding), io.open has closed fd itself
        fp = os.fdopen(fd, mode, encoding=encoding, newline=newline)
    except BaseException:
        _remove(tmp)
        raise
    try:
        yield fp
        fp.flush()
        if fsync:
            os.fsync(fp.fileno())
        fp.close()
        _move_into_place(tmp, path, private)
    except BaseException:
        try:
            fp.close()  # a flush failing again here must not hide the first exception
        except Exception:
            pass
        _remove(tmp)
        raise


def atomic_write_bytes(path: Path | str, data: bytes, *, fsync: bool = True,
                       private: bool = False) -> None:
    """Write ``data`` to ``path`` through :func:`atomic_write`."""
    with atomic_write(path, "wb", fsync=fsync, private=private) as fp:
        fp.write(data)


def atomic_write_text(path: Path | str, text: str, encoding: str = "utf-8", *,
                      newline: str | None = None, fsync: bool = True,
                      private: bool = False) -> None:
    """Write ``text`` to ``path`` through :func:`atomic_write` (``newline`` as for ``open()``)."""
    with atomic_write(path, "w", encoding=encoding, newline=newline, fsync=fsync,
                      private=private) as fp:
        fp.write(text)
