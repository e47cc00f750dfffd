"""Files the user names: read only a regular file, and only up to a limit suited to its kind.

A key file, a brief, a vCard or a timetable named on the command line or in the window may be
anything: ``/dev/zero`` (endless), a pipe (opening it waits for a writer forever), a folder, or
a regular file far larger than anything of its kind. :func:`read_user_file` refuses all of these
in one sentence, before reading more than the limit plus one byte:

- a path that is not a regular file (a folder, a device, a pipe, a socket) raises
  :class:`~wtdc_desktop.errors.NotARegularFileError`; it is never opened in a way that can block;
- a file larger than ``LIMITS[what]`` raises :class:`~wtdc_desktop.errors.FileTooLargeError`,
  whether its size says so or it grows while being read;
- a missing or unreadable file raises the ``OSError`` as it is, for the caller to word as it
  always has.

Both refusals are also ``OSError`` (their ``strerror`` is the short reason), so a caller that
already says "Cannot read {path}: {reason}." says it for them too. The write side (an export over
a device, a pipe, a socket or a folder) is refused by :mod:`wtdc_desktop.atomic`, with
:func:`not_a_regular_file`'s sentence.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

from wtdc_desktop.errors import FileTooLargeError, NotARegularFileError
from wtdc_desktop.i18n import N_, _

KiB = 1024
MiB = 1024 * KiB

#: The most each kind of file may hold, in bytes.
LIMITS = {
    "key": 16 * KiB,          # a public or private key: a few lines
    "brief": 4 * MiB,         # a position's brief: one text field (spec §7, 4 MiB)
    "vcard": 64 * MiB,        # a vCard file of contacts
    "timetable": 32 * MiB,    # a timetable file (frab XML or JSON, iCalendar), as for one fetched
}

#: The reason a file is refused for its size, with the unit its limit is given in.
_TOO_LARGE = {
    "key": (N_("larger than {size} KiB, the most a key file may hold"), KiB),
    "brief": (N_("larger than {size} MiB, the most a brief may hold"), MiB),
    "vcard": (N_("larger than {size} MiB, the most a vCard file may hold"), MiB),
    "timetable": (N_("larger than {size} MiB, the most a timetable file may hold"), MiB),
}


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return _("a folder")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return _("a device")
    if stat.S_ISFIFO(mode):
        return _("a pipe")
    if stat.S_ISSOCK(mode):
        return _("a socket")
    return _("not a file")


def not_a_regular_file(path: Path | str, mode: int, *, writing: bool) -> NotARegularFileError:
    """The refusal of ``path``, which exists with ``mode`` (``st_mode``) and is not a regular file."""
    kind = _kind(mode)
    reason = _("not a regular file ({kind})").format(kind=kind)
    if writing:
        message = _("{path} is not a regular file ({kind}); nothing was written to it.").format(
            path=path, kind=kind)
    else:
        message = _("{path} is not a regular file ({kind}); name a file to read.").format(path=path, kind=kind)
    return NotARegularFileError(message, path=path, reason=reason)


def _too_large(path: Path | str, what: str, limit: int) -> FileTooLargeError:
    template, unit = _TOO_LARGE[what]
    size = limit / unit
    reason = _(template).format(size=int(size) if size == int(size) else round(size, 1))
    message = _("Cannot read {path}: {reason}.").format(path=path, reason=reason)
    return FileTooLargeError(message, path=path, reason=reason)


def read_user_file(path: Path | str, what: str, *, limit: int | None = None) -> bytes:
    """The bytes of the regular file ``path``, a file of kind ``what`` (a key of :data:`LIMITS`).

    ``limit`` overrides the kind's limit. Raises NotARegularFileError, FileTooLargeError, or the
    OSError of a missing or unreadable file.
    """
    default = LIMITS[what]  # an unknown kind is a KeyError
    if limit is None:
        limit = default
    info = os.stat(path)  # follows a link: what it points to is what would be read
    if not stat.S_ISREG(info.st_mode):
        raise not_a_regular_file(path, info.st_mode, writing=False)
    if info.st_size > limit:
        raise _too_large(path, what, limit)
    # Non-blocking: if a pipe took the file's place since, opening it does not wait for a writer.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as fp:
        mode = os.fstat(fp.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise not_a_regular_file(path, mode, writing=False)
        data = fp.read(limit + 1)
    if len(data) > limit:  # it grew while being read
        raise _too_large(path, what, limit)
    return data


def read_user_text(path: Path | str, what: str, *, limit: int | None = None, encoding: str = "utf-8") -> str:
    """:func:`read_user_file` decoded as ``Path.read_text`` would (universal newlines; a
    UnicodeDecodeError for bytes that are not ``encoding``)."""
    data = read_user_file(path, what, limit=limit)
    with io.TextIOWrapper(io.BytesIO(data), encoding=encoding) as fp:
        return fp.read()
