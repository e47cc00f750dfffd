"""Instants as the window shows them (the words of coded values are the registry's, domain/records.py)."""

from __future__ import annotations

from wtdc_desktop import formatting


def format_instant(value: str | None, zone: str | None) -> str:
    """A UTC instant shown in the meeting's zone, named by its city, and in the laptop's when
    its offset differs (see wtdc_desktop.formatting.format_instant)."""
    if not value:
        return ""
    try:
        return formatting.format_instant(value, zone)
    except ValueError:  # no offset: shown as published rather than guessed
        return value
