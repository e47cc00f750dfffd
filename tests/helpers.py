"""Helpers for tests: the repository's paths, rewriting bundle sources, running the CLI, table
fingerprints. Test modules in every folder import them by name (pytest's ``pythonpath`` holds
tests/); conftest.py keeps the fixtures only."""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import json
import re
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A byte-identical copy of the bundle format specification's example bundle, so that the suite
# needs nothing outside the repository.
EXAMPLE_BUNDLE = ROOT / "tests" / "data" / "example-bundle"
DEMO_SOURCE = ROOT / "resources" / "demo"
DEMO_BUNDLE = ROOT / "resources" / "demo.wtdc.zip"


def run_cli(*args: str, stdout: io.TextIOBase | None = None, stdin_closed: bool = False) -> tuple[int, str, str]:
    """Run the command line in-process; returns (exit code, stdout, stderr). ``stdout`` replaces the
    captured standard output (what it received is then returned as ""); ``stdin_closed`` runs the
    command as with ``<&-`` (``sys.stdin`` is None)."""
    import sys
    from unittest import mock

    from wtdc_desktop.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout or out), redirect_stderr(err), \
            mock.patch.object(sys, "stdin", None if stdin_closed else sys.stdin):
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


def copy_source(src: Path, dest: Path) -> Path:
    """A writable copy of a bundle source folder."""
    shutil.copytree(src, dest)
    return dest


def table_fingerprint(store, tables=None) -> dict[str, str]:
    """A hash of every row of every table (or of the given ones)."""
    from wtdc_desktop.store.schema import LOG_TABLES

    if tables is None:
        tables = [r[0] for r in store.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'search_index%' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        tables = [t for t in tables if t not in LOG_TABLES]
    out = {}
    for table in tables:
        h = hashlib.sha256()
        for row in store.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
            h.update(repr(tuple(row)).encode())
        out[table] = h.hexdigest()
    return out


def sqlite_db(store):
    """The store's connection seen through sqlite-utils, for introspection (its settings unchanged)."""
    import sqlite_utils

    return sqlite_utils.Database(store.conn, recursive_triggers=False, execute_plugins=False)


def schema_of(store) -> dict[str, dict]:
    """The structure of every table and view, by name: columns (name, type, not null, default,
    primary key), indexes, foreign keys, triggers, WITHOUT ROWID. Two stores with the same structure compare equal
    even where their CREATE statements are spelled differently (a table rebuilt by a migration)."""
    db = sqlite_db(store)
    out = {}
    for name in db.table_names():
        table = db[name]
        out[name] = {
            "columns": [tuple(c)[1:] for c in table.columns],
            "indexes": sorted((i.name, bool(i.unique), tuple(i.columns), bool(i.partial)) for i in table.indexes),
            "foreign_keys": sorted(tuple(fk) for fk in table.foreign_keys),
            "triggers": sorted((t.name, t.sql) for t in table.triggers),
            # sqlite-utils' transform() rebuilds a WITHOUT ROWID table as a rowid table
            "without_rowid": bool(re.search(r"\)\s*WITHOUT\s+ROWID\s*;?\s*$", table.schema, re.IGNORECASE)),
        }
    for name in db.view_names():
        out[name] = {"view": db[name].schema}
    return out


def dispose(win) -> None:
    """Close a window and delete it (its views' timers with it), then close its store."""
    from PySide6.QtCore import QCoreApplication, QEvent

    store = win.store
    win.close()
    win.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    store.close()


def local_tls_contexts(tmp_path):
    """A self-signed certificate for 127.0.0.1: the server's context, and a client context trusting only it."""
    import datetime as dt
    import ipaddress
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert_path, key_path)
    return server_ctx, ssl.create_default_context(cafile=str(cert_path))


# -- the command line's commands, walked from its parser ---------------------------------------------

def sub_action(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return None


def leaf_commands(parser, path=()):
    """(words leading to the command, the command's parser) for every command of the parser."""
    sub = sub_action(parser)
    if sub is None:
        yield path, parser
        return
    for name, child in sub.choices.items():
        yield from leaf_commands(child, (*path, name))


def minimal_args(parser: argparse.ArgumentParser) -> list[str]:
    """The least a user types after the command's name for the parser to accept it."""
    def value(action) -> str:
        if action.choices:
            return str(next(iter(action.choices)))
        if action.type is int:
            return "1"
        return "x"

    out: list[str] = []
    for action in parser._actions:
        if action.option_strings and action.required:
            out += [action.option_strings[0]] + [value(action)] * (action.nargs if isinstance(action.nargs, int) else 1)
    for action in parser._actions:
        if action.option_strings or isinstance(action, argparse._SubParsersAction):
            continue
        if action.nargs in ("?", "*", argparse.REMAINDER):
            continue
        count = action.nargs if isinstance(action.nargs, int) else 1
        out += [value(action)] * count
    return out


def cli_commands() -> list[tuple[tuple[str, ...], list[str]]]:
    """(the words naming the command, the least a user types after them) for every command of the
    command line's parser, so that a new command is covered by the tests walking them."""
    from wtdc_desktop.cli.parser import build_parser

    return [(path, minimal_args(p)) for path, p in leaf_commands(build_parser())]


# -- a damaged store ----------------------------------------------------------------------------------

def damage_store(path: Path, at: float = 0.5, length: int = 3 * 4096) -> None:
    """Overwrite ``length`` bytes in the middle of a store file (at the fraction ``at`` of its size)
    with bytes no page holds, as a failing disk or a stray write would."""
    size = os.path.getsize(path)
    with open(path, "r+b") as fp:
        fp.seek(int(size * at) // 4096 * 4096 + 100)
        fp.write(bytes(range(7, 251)) * (length // 244 + 1))


def file_hash(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def drawn(text: str, rtl: bool = True) -> str:
    """The visible characters of ``text`` in the order Qt draws them, left to right, laid out as
    a line of a right-to-left (or left-to-right) widget: what a reader sees."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont, QTextLayout, QTextOption

    layout = QTextLayout(text, QFont())
    option = QTextOption()
    option.setTextDirection(Qt.RightToLeft if rtl else Qt.LeftToRight)
    layout.setTextOption(option)
    layout.beginLayout()
    layout.createLine().setLineWidth(10000)
    layout.endLayout()
    x = {}
    for run in layout.glyphRuns(-1, -1, QTextLayout.GlyphRunRetrievalFlag.RetrieveAll):
        for index, position in zip(run.stringIndexes(), run.positions(), strict=False):
            x.setdefault(index, position.x())
    marks = {"\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f"}
    return "".join(text[i] for i in sorted(x, key=lambda i: (x[i], i)) if text[i] not in marks)
