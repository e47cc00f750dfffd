"""Where an export's save dialog starts: the last folder used for that kind of export (remembered in
the settings), else the user's documents folder; never the working directory."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

#: The kinds of export, each remembering its own folder.
KINDS = ("brief", "calendar", "coverage", "vcard", "file")


def _key(kind: str) -> str:
    return f"exports/{kind}/folder"


def documents_folder() -> Path:
    """The user's documents folder (the home folder where the platform has none)."""
    found = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
    return Path(found) if found and Path(found).is_dir() else Path.home()


def start_folder(kind: str) -> Path:
    """The folder the save dialog of ``kind`` opens in."""
    last = QSettings().value(_key(kind))
    if isinstance(last, str) and last and Path(last).is_dir():
        return Path(last)
    return documents_folder()


def remember_folder(kind: str, path: Path | str) -> None:
    QSettings().setValue(_key(kind), str(Path(path).parent))


def save_file_name(parent: QWidget | None, kind: str, caption: str, file_name: str, filters: str = "") -> str:
    """Ask where to save an export of ``kind`` (offering ``file_name``); "" when cancelled. The
    folder chosen is remembered for the next export of that kind."""
    path, _selected = QFileDialog.getSaveFileName(parent, caption, str(start_folder(kind) / file_name), filters)
    if path:
        remember_folder(kind, path)
    return path
