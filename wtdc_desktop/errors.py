"""Errors meant for the user: each carries one clear sentence naming what and where."""

from __future__ import annotations


class WtdcError(Exception):
    """A problem with the user's input or environment (not a bug).

    The message is one translated sentence that names what went wrong and where.
    ``exit_code`` is what the command line returns for it.
    """

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class FileRefusedError(WtdcError, OSError):
    """A file the user named, refused before a byte of it is read or replaced.

    ``message`` is the whole sentence (what the command line prints); the error is also an
    ``OSError`` whose ``strerror`` is the short reason and ``filename`` the path, so a caller that
    words its own "Cannot read {path}: {reason}." for an ``OSError`` still says it in one sentence.
    """

    def __init__(self, message: str, *, path: object, reason: str) -> None:
        super().__init__(message)
        self.strerror = reason
        self.filename = str(path)


class NotARegularFileError(FileRefusedError):
    """The path names a folder, a device, a pipe (FIFO) or a socket, not a regular file."""


class FileTooLargeError(FileRefusedError):
    """The file is larger than the limit for its kind (a key, a brief, a vCard or timetable file)."""
