"""Build hook: compile the message catalogs (i18n/*.po) into the package.

Everything else about the package is in pyproject.toml. ``pip install .`` and
``python -m build`` run build_py, which here also writes
``wtdc_desktop/data/i18n/<lang>/LC_MESSAGES/wtdc_desktop.mo`` into the build,
so an installed application never compiles a catalog at start-up. An editable
install (``pip install -e .``) compiles them into the checkout's i18n/ folder
(ignored by git); without them the application compiles the .po in memory.
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
DOMAIN = "wtdc_desktop"


def compile_catalogs(source_dir: Path, dest_dir: Path) -> list[Path]:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(source_dir.glob("*.po")):
        with po.open("rb") as fp:
            catalog = read_po(fp, locale=po.stem)
        target = dest_dir / po.stem / "LC_MESSAGES" / f"{DOMAIN}.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".tmp")
        with tmp.open("wb") as fp:
            write_mo(fp, catalog, use_fuzzy=False)
        os.replace(tmp, target)
        written.append(target)
    return written


class BuildPyWithCatalogs(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            dest = HERE / "i18n"
        else:
            dest = Path(self.build_lib) / "wtdc_desktop" / "data" / "i18n"
        for path in compile_catalogs(HERE / "i18n", dest):
            self.announce(f"compiled {path}", level=2)


setup(cmdclass={"build_py": BuildPyWithCatalogs})
