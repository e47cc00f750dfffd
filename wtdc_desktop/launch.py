"""Opening the window: the command line's default command.

A root module, so that the command line (``cli/``) never imports the window (``ui/``).
"""

from __future__ import annotations

from pathlib import Path


def run_window(data_dir: Path | None = None, lang: str | None = None) -> int:
    """Run the window on ``data_dir`` in the interface language ``lang``; the exit code."""
    from wtdc_desktop.ui.app import run

    return run(data_dir=data_dir, lang=lang)
