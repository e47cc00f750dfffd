"""Make a smaller ICU data library for the Linux build: only what the six languages need.

Qt's Linux wheels link ICU, whose data library (``libicudata.so.NN``, about 31 MB) holds locale
data for every language and hundreds of legacy character-set converters. The application needs
the six UN languages only (collation, date, number and currency names, line breaking) and the
common legacy encodings. This script rebuilds the library without the rest (about 11 MB):

    python scripts/trim_icu.py path/to/libicudata.so.73 OUT_DIR

Needs ICU's ``icupkg`` and ``uconv`` (Debian/Ubuntu: ``apt install icu-devtools``) and a C
compiler; the build (build_spec.spec) calls :func:`trim` and keeps the full library, with a
message, when any of them is missing or anything fails. Everything the script drops is a whole
item of the ICU data package, so what remains is byte-for-byte ICU's own data.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")
# Legacy encodings a delegate's old files may use (Windows code pages, ISO 8859, Cyrillic, CJK).
ENCODINGS = (
    "windows-1250 windows-1251 windows-1252 windows-1253 windows-1254 windows-1255 windows-1256 "
    "windows-1257 windows-1258 ISO-8859-2 ISO-8859-3 ISO-8859-4 ISO-8859-5 ISO-8859-6 ISO-8859-7 "
    "ISO-8859-8 ISO-8859-9 ISO-8859-10 ISO-8859-13 ISO-8859-14 ISO-8859-15 ISO-8859-16 KOI8-R KOI8-U "
    "GB18030 GBK GB2312 Big5 Big5-HKSCS Shift_JIS EUC-JP EUC-KR ISO-2022-JP TIS-620 macintosh "
    "x-mac-cyrillic IBM866 IBM850 IBM437 windows-874 windows-949 windows-950 windows-936 windows-31j"
).split()
# Break-iterator dictionaries of scripts none of the six languages uses.
DROP_DICTIONARIES = ("thaidict", "laodict", "burmesedict", "khmerdict")
_LOCALE_ITEM = re.compile(r"^([a-z]{2,3})(_[A-Za-z0-9_]+)?\.res$")
_SYMBOL = re.compile(r"\b(icudt\d+_dat)\b")


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def _symbol(lib: Path) -> tuple[str, int, int]:
    """(symbol, file offset, size) of the data package inside the library."""
    out = _run(["objdump", "-T", str(lib)], check=True).stdout
    for line in out.splitlines():
        m = _SYMBOL.search(line)
        if m:
            fields = line.split()
            address, size = int(fields[0], 16), int(fields[-2], 16)
            break
    else:
        raise RuntimeError(f"{lib} exports no icudtNN_dat symbol")
    sections = _run(["readelf", "-S", "-W", str(lib)], check=True).stdout
    for line in sections.splitlines():
        parts = line.replace("[ ", "[").split()
        if len(parts) > 5 and parts[1] == ".rodata":
            sec_addr, sec_off = int(parts[3], 16), int(parts[4], 16)
            return m.group(1), address - sec_addr + sec_off, size
    raise RuntimeError(f"{lib} has no .rodata section")


def _items_to_drop(items: list[str]) -> set[str]:
    keep_cnv = set()
    for name in ENCODINGS:
        result = _run(["uconv", "--list-code", name])
        if result.returncode == 0 and result.stdout.strip():
            keep_cnv.add(result.stdout.strip())
    drop = set()
    for item in items:
        parts = item.split("/")
        name = parts[-1]
        stem = name.rsplit(".", 1)[0]
        if parts[0] == "translit" or name == "unames.icu":  # transliteration, character names
            drop.add(item)
        elif parts[0] == "brkitr":
            if stem in DROP_DICTIONARIES:
                drop.add(item)
        elif name.endswith(".cnv"):
            if stem not in keep_cnv:
                drop.add(item)
        else:
            m = _LOCALE_ITEM.match(name)
            if m and m.group(1) not in LANGUAGES:
                drop.add(item)
    return drop


def trim(lib: Path, out_dir: Path) -> Path:
    """Write the smaller library (same file name and soname) into ``out_dir``; return its path."""
    for tool in ("icupkg", "uconv", "objdump", "readelf", "cc"):
        if not shutil.which(tool):
            raise RuntimeError(f"{tool} is not installed (apt install icu-devtools binutils gcc)")
    lib = Path(lib)
    symbol, offset, size = _symbol(lib)
    package = symbol[: -len("_dat")] + "l"  # e.g. icudt73l: the package name items are prefixed with
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        full = tmp / "in" / f"{package}.dat"
        full.parent.mkdir()
        with open(lib, "rb") as fp:
            fp.seek(offset)
            full.write_bytes(fp.read(size))
        items = _run(["icupkg", "-l", str(full)], check=True).stdout.split()
        drop = _items_to_drop(items)
        for _round in range(10):  # keep what the kept items depend on
            (tmp / "drop.txt").write_text("\n".join(sorted(drop)) + "\n")
            small = tmp / "out" / f"{package}.dat"
            small.parent.mkdir(exist_ok=True)
            result = _run(["icupkg", "-r", str(tmp / "drop.txt"), str(full), str(small)])
            missing = re.findall(r"Item (\S+) depends on missing item (\S+)", result.stdout + result.stderr)
            if not missing and result.returncode == 0:
                break
            for _item, needed in missing:
                drop.discard(needed)
        else:
            raise RuntimeError(f"icupkg could not write a consistent package: {result.stderr[-500:]}")
        asm = tmp / "icudata.S"
        asm.write_text(
            "    .section .rodata\n    .balign 16\n"
            f"    .globl {symbol}\n    .type {symbol}, @object\n{symbol}:\n"
            f'    .incbin "{small}"\n    .size {symbol}, . - {symbol}\n'
            '    .section .note.GNU-stack,"",@progbits\n'
        )
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / lib.name
        _run(["cc", "-shared", "-nostdlib", f"-Wl,-soname,{lib.name}", "-o", str(target), str(asm)], check=True)
    return target


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__)
        return 2
    lib, out = Path(args[0]), Path(args[1])
    target = trim(lib, out)
    print(f"{target}: {target.stat().st_size / 1e6:.1f} MB (was {lib.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
