"""The log file: ``logs/wtdc-desktop.log`` in the data folder, written by the window and the command
line alike (warnings, and the traceback of anything unexpected, which the user is told about in one
sentence naming this file). When the data folder cannot be written (a read-only folder), the
platform's user log folder is used instead (``platformdirs.user_log_dir``)."""

from __future__ import annotations

import logging
from pathlib import Path

from wtdc_desktop import APP_ID

LOG_NAME = "wtdc-desktop.log"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_path(data_dir: Path | str) -> Path:
    return Path(data_dir) / "logs" / LOG_NAME


def fallback_log_path() -> Path:
    """The platform's user log folder, for when the data folder cannot be written."""
    import platformdirs

    return Path(platformdirs.user_log_dir(APP_ID, appauthor=False)) / LOG_NAME


def writable_log_path(data_dir: Path | str) -> Path | None:
    """The first of the data folder's log file and the platform's one that can be written (None: neither).
    A data folder that does not exist is not created for a log file (a mistyped --data-dir)."""
    for path in (log_path(data_dir), fallback_log_path()):
        if path.parent.parent == Path(data_dir) and not Path(data_dir).is_dir():
            continue
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8"):
                return path
        except OSError:
            continue
    return None


class FirstUseFileHandler(logging.Handler):
    """The rotating log file (1 MB, three old ones kept), opened with the first record written.

    A start-up that logs nothing neither opens the file nor loads ``logging.handlers``.
    """

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.inner: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.inner is None:
            from logging.handlers import RotatingFileHandler

            try:
                self.inner = RotatingFileHandler(self.path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
            except OSError:
                self.handleError(record)
                return
            self.inner.setFormatter(logging.Formatter(LOG_FORMAT))
        self.inner.emit(record)

    def flush(self) -> None:
        if self.inner is not None:
            self.inner.flush()

    def close(self) -> None:
        if self.inner is not None:
            self.inner.close()
        super().close()


class DataFolderLogHandler(FirstUseFileHandler):
    """The log file of a data folder, or the platform's when that folder cannot be written; neither
    is chosen (nor any folder created) before the first record. ``path`` is None until then, and
    stays None when no log file could be written."""

    def __init__(self, data_dir: Path | str) -> None:
        super().__init__(None)  # type: ignore[arg-type]
        self.data_dir = Path(data_dir)

    def emit(self, record: logging.LogRecord) -> None:
        if self.path is None:
            self.path = writable_log_path(self.data_dir)
            if self.path is None:
                return
        super().emit(record)
        if self.inner is None:  # the file could not be opened after all
            self.path = None
