"""Helpers for tests: rewriting bundle sources and running the CLI."""

from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run the command line in-process; returns (exit code, stdout, stderr)."""
    from wtdc_desktop.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def read_records(src: Path, type_name: str) -> list[dict]:
    path = src / "records" / f"{type_name}.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def write_records(src: Path, type_name: str, records: list[dict]) -> None:
    path = src / "records" / f"{type_name}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records), "utf-8")


def set_header(src: Path, **fields) -> None:
    path = src / "manifest.json"
    header = json.loads(path.read_text("utf-8"))
    header.update(fields)
    path.write_text(json.dumps(header, indent=1), "utf-8")


def make_source(base: Path, dest: Path) -> Path:
    shutil.copytree(base, dest)
    return dest
