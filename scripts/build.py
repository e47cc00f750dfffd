"""Build the one-folder desktop application with PyInstaller, then check it with --self-test.

    python scripts/build.py                 # dist/wtdc-desktop/ (Windows, Linux) or dist/WTDC Desktop.app (macOS)
    python scripts/build.py --no-test       # build only
    python scripts/build.py --dist DIR --work DIR
    WTDC_DEBUG_CONSOLE=1 python scripts/build.py   # Windows/macOS: keep a console for tracebacks

Needs PyInstaller in the environment that has the application installed
(``pip install pyinstaller``). Prints the size of the result and the self-test's report;
the exit code is non-zero if the build or the self-test failed.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build_spec.spec"
sys.path.insert(0, str(ROOT))

from wtdc_desktop import APP_ID, APP_NAME  # noqa: E402


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def executable(dist: Path) -> Path:
    """The built executable inside the one-folder output."""
    if platform.system() == "Darwin" and (dist / f"{APP_NAME}.app").is_dir():
        return dist / f"{APP_NAME}.app" / "Contents" / "MacOS" / APP_ID
    name = f"{APP_ID}.exe" if platform.system() == "Windows" else APP_ID
    return dist / APP_ID / name


def build(dist: Path, work: Path) -> Path:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise SystemExit("PyInstaller is not installed in this environment: pip install pyinstaller") from None
    cmd = [sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm", "--clean",
           "--distpath", str(dist), "--workpath", str(work), "--log-level", "WARN"]
    print("$", " ".join(cmd), flush=True)
    started = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT)
    exe = executable(dist)
    if not exe.is_file():
        raise SystemExit(f"the build finished but {exe} is missing")
    folder = dist / APP_ID
    print(f"built {folder} in {time.perf_counter() - started:.0f} s: {folder_size(folder) / 1e6:.1f} MB", flush=True)
    return exe


def self_test(exe: Path) -> int:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    print("$", exe, "--self-test", flush=True)
    return subprocess.run([str(exe), "--self-test"], env=env).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller's work folder (default: build/pyinstaller/)")
    parser.add_argument("--no-test", action="store_true", help="do not run --self-test in the result")
    args = parser.parse_args(argv)
    exe = build(args.dist.resolve(), args.work.resolve())
    if args.no_test:
        return 0
    code = self_test(exe)
    print("self-test passed" if code == 0 else f"self-test FAILED (exit code {code})", flush=True)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
