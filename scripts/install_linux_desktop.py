"""Install (or remove) the Linux desktop entry and icons of a one-folder build, for one user.

    python3 scripts/install_linux_desktop.py dist/wtdc-desktop            # install
    python3 scripts/install_linux_desktop.py dist/wtdc-desktop --uninstall
    python3 scripts/install_linux_desktop.py dist/wtdc-desktop --prefix ~/.local   (the default)

Writes ``share/applications/wtdc-desktop.desktop`` (pointing at the executable inside the folder,
which stays where it is) and ``share/icons/hicolor/<size>/apps/wtdc-desktop.png`` plus the SVG under
the prefix, then refreshes the desktop and icon caches when their tools exist. Needs no
administrator rights with the default prefix. Uses only the standard library, so it also runs
from a build on a machine without the source (a Linux build carries it as
``_internal/install_linux_desktop.py``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

APP_ID = "wtdc-desktop"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

DESKTOP_ENTRY = """[Desktop Entry]
Type=Application
Version=1.5
Name=WTDC Desktop
GenericName=Conference documents
GenericName[fr]=Documents de conférence
GenericName[es]=Documentos de la conferencia
GenericName[ru]=Документы конференции
GenericName[ar]=وثائق المؤتمر
GenericName[zh]=会议文件
Comment=Offline conference material for delegations at ITU's World Telecommunication Development Conference
Comment[fr]=Les documents de la CMDT hors ligne, pour les délégations
Exec="{exe}"
TryExec={exe}
Icon={app_id}
Terminal=false
Categories=Office;Viewer;
Keywords=ITU;WTDC;UIT;CMDT;conference;proposals;resolutions;
StartupNotify=true
StartupWMClass={app_id}
"""


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fp:
            fp.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _icons_dir(build: Path) -> Path:
    for candidate in (build / "_internal" / "resources" / "icons", build / "resources" / "icons",
                      Path(__file__).resolve().parent.parent / "resources" / "icons"):
        if (candidate / f"{APP_ID}.svg").is_file():
            return candidate
    raise SystemExit(f"no icons found in {build} (expected _internal/resources/icons/)")


def _targets(prefix: Path) -> list[Path]:
    share = prefix / "share"
    return ([share / "applications" / f"{APP_ID}.desktop", share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"]
            + [share / "icons" / "hicolor" / f"{s}x{s}" / "apps" / f"{APP_ID}.png" for s in SIZES])


def _refresh(prefix: Path) -> None:
    share = prefix / "share"
    for cmd in (["update-desktop-database", str(share / "applications")],
                ["gtk-update-icon-cache", "--quiet", "--ignore-theme-index", str(share / "icons" / "hicolor")]):
        if shutil.which(cmd[0]):
            subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def install(build: Path, prefix: Path) -> list[Path]:
    exe = (build / APP_ID).resolve()
    if not exe.is_file() or not os.access(exe, os.X_OK):
        raise SystemExit(f"{exe} is not an executable: give the one-folder build (e.g. dist/{APP_ID})")
    icons = _icons_dir(build)
    written = []
    share = prefix / "share"
    entry = share / "applications" / f"{APP_ID}.desktop"
    _write(entry, DESKTOP_ENTRY.format(exe=exe, app_id=APP_ID).encode("utf-8"))
    written.append(entry)
    svg = share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    _write(svg, (icons / f"{APP_ID}.svg").read_bytes())
    written.append(svg)
    for size in SIZES:
        png = icons / f"{APP_ID}-{size}.png"
        if png.is_file():
            dest = share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
            _write(dest, png.read_bytes())
            written.append(dest)
    _refresh(prefix)
    return written


def uninstall(prefix: Path) -> list[Path]:
    removed = [p for p in _targets(prefix) if p.exists()]
    for path in removed:
        path.unlink()
    _refresh(prefix)
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path, help=f"the one-folder build (the folder holding {APP_ID})")
    parser.add_argument("--prefix", type=Path, default=Path.home() / ".local",
                        help="where share/applications and share/icons are (default: ~/.local)")
    parser.add_argument("--uninstall", action="store_true", help="remove what an install wrote")
    args = parser.parse_args(argv)
    if sys.platform != "linux":
        print("This script installs a Linux desktop entry; nothing to do on this system.")
        return 0
    paths = uninstall(args.prefix) if args.uninstall else install(args.build, args.prefix)
    for path in paths:
        print(("removed " if args.uninstall else "wrote ") + str(path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
