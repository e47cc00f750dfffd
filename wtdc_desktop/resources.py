"""Find bundled resources in a checkout, an installed wheel or a frozen build."""

from __future__ import annotations

import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent

#: The built-in demo content, a bundle under ``resources/``.
DEMO_BUNDLE = "demo.wtdc.zip"


def _candidates(kind: str) -> list[Path]:
    found = []
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        found.append(Path(frozen_root) / kind)
    # An installed wheel maps the top-level folders into wtdc_desktop/data/.
    found.append(_PACKAGE_DIR / "data" / kind)
    # A source checkout (or an editable install): the top-level folders.
    found.append(_PACKAGE_DIR.parent / kind)
    return found


def _root(kind: str) -> Path:
    for candidate in _candidates(kind):
        if candidate.is_dir():
            return candidate
    return _candidates(kind)[-1]


def resource_path(*parts: str) -> Path:
    """Path of a file under the project's ``resources/`` folder."""
    return _root("resources").joinpath(*parts)


def i18n_path(*parts: str) -> Path:
    """Path of a file under the project's ``i18n/`` folder (message catalogs)."""
    return _root("i18n").joinpath(*parts)


def demo_bundle_path() -> Path:
    """The built-in demo bundle (what a first launch and ``demo`` load)."""
    return resource_path(DEMO_BUNDLE)
