"""The window's own preferences in QSettings (sync interval, font size, language, data folder).

A small module of its own: the main window reads a preference before its first paint, without
loading the settings dialog that edits them.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings


def setting(key: str, default=None, kind=None):
    """A preference, ``default`` when absent (or, with ``kind=int``, when not a whole number)."""
    value = QSettings().value(key, default)
    if kind is int:
        try:
            return int(value)
        except (TypeError, ValueError):
            return default
    return value
