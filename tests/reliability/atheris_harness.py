"""Coverage-guided fuzzing with atheris (optional: a test tool, not a dependency of the application).

    pip install atheris
    python tests/reliability/atheris_harness.py TARGET [libFuzzer options] [CORPUS_DIR]
    python tests/reliability/atheris_harness.py frab-json -runs=20000

TARGET is one of: manifest, records, symbol, markdown, frab-xml, frab-json, ics.
Without a corpus folder, the seeds of tests/data/fuzz-seeds/<target>/ are
copied to a temporary folder and used as the starting corpus (libFuzzer
writes the inputs it finds into its first corpus folder, so the committed
seeds are never changed). Any input must give success or the module's own
error; any other exception is a finding, printed with the input that caused
it.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import atheris

SEEDS = Path(__file__).resolve().parent.parent / "data" / "fuzz-seeds"

with atheris.instrument_imports(include=["wtdc_desktop"]):
    from wtdc_desktop.bundles.errors import BundleError
    from wtdc_desktop.bundles.manifest import parse_manifest
    from wtdc_desktop.bundles.reader import parse_record_line
    from wtdc_desktop.domain.records import ALL_TYPES, RecordError
    from wtdc_desktop.domain.render import markdown_to_html
    from wtdc_desktop.domain.symbols import SymbolError, parse_symbol
    from wtdc_desktop.exchange import frab, ics
    from wtdc_desktop.exchange.timetable import TimetableError


def _records(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    type_name = sorted(ALL_TYPES)[fdp.ConsumeIntInRange(0, len(ALL_TYPES) - 1)]
    # raw bytes, as a records file holds them: escapes of lone surrogates and deep nesting included
    record = parse_record_line(fdp.ConsumeBytes(4096), "fuzz.wtdc.zip: records/fuzz.jsonl, line 1")
    if isinstance(record, dict):
        ALL_TYPES[type_name].validate(record)


def _text(data: bytes) -> str:
    return atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))


TARGETS = {
    "manifest": (lambda d: parse_manifest(d, "fuzz.wtdc.zip"), (BundleError,)),
    "records": (_records, (RecordError, BundleError)),
    "symbol": (lambda d: parse_symbol(_text(d)), (SymbolError,)),
    "markdown": (lambda d: markdown_to_html(_text(d)), ()),
    "frab-xml": (lambda d: frab.parse_xml(d, "fuzz.xml"), (TimetableError,)),
    "frab-json": (lambda d: frab.parse_json(d, "fuzz.json"), (TimetableError,)),
    "ics": (lambda d: ics.parse(d, "fuzz.ics", default_zone="Europe/Zurich"), (TimetableError,)),
}


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in TARGETS:
        raise SystemExit(f"usage: {argv[0]} {{{','.join(TARGETS)}}} [libFuzzer options] [CORPUS_DIR]")
    target = argv.pop(1)
    run, allowed = TARGETS[target]
    if not any(not a.startswith("-") for a in argv[1:]):
        corpus = Path(tempfile.mkdtemp(prefix=f"fuzz-{target}-"))
        seeds = SEEDS / ("manifest" if target == "records" else target)
        for seed in seeds.iterdir():
            shutil.copy(seed, corpus / seed.name)
        argv.append(str(corpus))

    def one_input(data: bytes) -> None:
        try:
            run(data)
        except allowed:
            pass

    atheris.Setup(argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
