"""The command line as a user types it: --data-dir and --lang in every position, no store created
by a command that only reads, no terminal control characters from store data, small refusals."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from helpers import DEMO_SOURCE, read_records, run_cli, set_header, write_records
from helpers import leaf_commands as _leaf_commands, minimal_args as _minimal_args
from wtdc_desktop.cli.parser import build_parser


COMMANDS = [(path, _minimal_args(p)) for path, p in _leaf_commands(build_parser())]
OPTIONS = ["--data-dir", "D", "--lang", "fr"]


def _positions(path, rest):
    yield "before", [*OPTIONS, *path, *rest]
    if len(path) > 1:
        yield "between", [path[0], *OPTIONS, *path[1:], *rest]
    yield "after", [*path, *rest, *OPTIONS]


CASES = [pytest.param(argv, id=f"{' '.join(path)}-{where}")
         for path, rest in COMMANDS for where, argv in _positions(path, rest)]


def test_every_command_is_walked():
    names = {" ".join(path) for path, _rest in COMMANDS}
    assert {"stats", "list", "position set", "position history", "trust list", "sync"} <= names


@pytest.mark.parametrize("argv", CASES)
def test_data_dir_and_lang_land_in_every_position(argv):
    args = build_parser().parse_args(argv)
    assert args.data_dir == Path("D")
    assert args.lang == "fr"


def test_without_the_options_the_defaults_are_none():
    args = build_parser().parse_args(["stats"])
    assert args.data_dir is None and args.lang is None


def test_position_set_between_group_and_subcommand_writes_the_named_store(tmp_path, monkeypatch):
    default = tmp_path / "default"
    monkeypatch.setenv("WTDC_DATA_DIR", str(default))
    named = tmp_path / "named"
    assert run_cli("--data-dir", named, "demo")[0] == 0
    code, out, err = run_cli("position", "--data-dir", named, "set", "proposal", "WD2/1.1", "--stance", "support")
    assert code == 0, err
    assert not default.exists()
    code, out, err = run_cli("--data-dir", named, "position", "history", "proposal", "WD2/1.1", "--json")
    assert code == 0, err
    assert "support" in out


@pytest.mark.parametrize("argv", [
    ["stats"], ["list", "proposal"], ["search", "spectrum"], ["changes"], ["conflicts"], ["sync-log"],
    ["history", "proposal", "WD2/1.1"], ["trust", "list"], ["position", "history", "proposal", "WD2/1.1"],
    ["matrix"], ["budget"], ["backups"], ["sources", "list"], ["member", "list"],
])
def test_a_read_only_command_on_a_folder_without_store_refuses(tmp_path, argv):
    missing = tmp_path / "typo"
    code, out, err = run_cli(*argv, "--data-dir", missing)
    assert code != 0
    assert "no store" in err.lower() and str(missing) in err
    assert len(err.strip().splitlines()) == 1
    assert not missing.exists()


@pytest.mark.parametrize("argv", [
    ["demo"], ["position", "set", "proposal", "WD2/1.1", "--stance", "support"],
    ["trust", "add", "itu-bdt", "KEY"], ["sources", "add", "https://example.org/feed"],
])
def test_a_command_that_writes_creates_the_store(tmp_path, argv):
    fresh = tmp_path / "fresh"
    if argv[:2] == ["trust", "add"]:
        from wtdc_desktop.bundles.signing import generate_key

        _private, key, _fingerprint = generate_key(tmp_path / "key")
        argv = [*argv[:3], str(key)]
    code, out, err = run_cli(*argv, "--data-dir", fresh)
    assert (fresh / "store.sqlite3").exists(), err
    if argv[0] != "position":  # no such proposal in an empty store: refused, but the store is there
        assert code == 0, err


# -- control characters ---------------------------------------------------------------------------

HOSTILE = "Clear \x1b[2J screen \x9b31m red\x07 bell\nline\ttab"


@pytest.fixture
def hostile_store(tmp_path):
    from wtdc_desktop.bundles.writer import build_bundle

    src = tmp_path / "src"
    shutil.copytree(DEMO_SOURCE, src)
    data = tmp_path / "data"
    build_bundle(src, tmp_path / "s1.wtdc.zip")
    assert run_cli("sync", tmp_path / "s1.wtdc.zip", "--data-dir", data)[0] == 0
    proposals = read_records(src, "proposal")
    proposals[0] = {**proposals[0], "title": f"spectrum {HOSTILE}"}
    write_records(src, "proposal", proposals)
    set_header(src, sequence=2)
    build_bundle(src, tmp_path / "s2.wtdc.zip")
    assert run_cli("sync", tmp_path / "s2.wtdc.zip", "--data-dir", data)[0] == 0
    return data, proposals[0]["id"]


@pytest.mark.parametrize("argv", [["list", "proposal"], ["search", "spectrum"], ["changes", "--since", "1"]])
def test_no_control_character_reaches_the_terminal(hostile_store, argv):
    data, _id = hostile_store
    code, out, err = run_cli(*argv, "--data-dir", data)
    assert code == 0, err
    assert "Clear" in out and "screen" in out
    for ch in ("\x1b", "\x9b", "\x07", "\t"):
        assert ch not in out
    assert "bell line" in out  # the cell stays on one line


def test_json_output_escapes_control_characters(hostile_store):
    import json

    data, pid = hostile_store
    code, out, err = run_cli("list", "proposal", "--json", "--data-dir", data)
    assert code == 0, err
    assert "\x1b" not in out and "\x9b" not in out
    titles = [r["title"] for r in json.loads(out)]
    assert f"spectrum {HOSTILE}" in titles


def test_an_error_message_echoing_input_carries_no_control_character(hostile_store):
    data, _id = hostile_store
    code, out, err = run_cli("history", "proposal", "no\x1b[2Jsuch\x9b", "--data-dir", data)
    assert code != 0
    assert "nosuch" in err.replace("[2J", "")
    assert "\x1b" not in err and "\x9b" not in err


# -- small refusals -------------------------------------------------------------------------------

def test_position_set_with_an_empty_id_is_refused(tmp_path):
    data = tmp_path / "data"
    assert run_cli("demo", "--data-dir", data)[0] == 0
    code, out, err = run_cli("position", "set", "proposal", "", "--stance", "support", "--data-dir", data)
    assert code != 0
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_sync_with_an_empty_source_is_refused(tmp_path):
    code, out, err = run_cli("sync", "", "--data-dir", tmp_path / "data")
    assert code != 0
    assert "Nothing new" not in out
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("version", [0, 1, 5])
def test_a_store_whose_version_was_set_back_is_damaged(tmp_path, version):
    data = tmp_path / "data"
    assert run_cli("demo", "--data-dir", data)[0] == 0
    conn = sqlite3.connect(data / "store.sqlite3")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.close()
    before = (data / "store.sqlite3").read_bytes()
    for argv in (["stats"], ["position", "set", "proposal", "WD2/1.1", "--stance", "support"]):
        code, out, err = run_cli(*argv, "--data-dir", data)
        assert code != 0
        assert "damaged" in err and "restore" in err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert (data / "store.sqlite3").read_bytes() == before


def test_the_backups_of_a_store_that_is_gone_are_still_listed(tmp_path):
    from helpers import DEMO_BUNDLE

    data = tmp_path / "data"
    assert run_cli("sync", DEMO_BUNDLE, "--data-dir", data)[0] == 0
    assert run_cli("sync", DEMO_BUNDLE, "--data-dir", data, "--force")[0] == 0
    code, listed, err = run_cli("backups", "--data-dir", data)
    assert code == 0, err
    for name in ("store.sqlite3", "store.sqlite3-wal", "store.sqlite3-shm"):
        (data / name).unlink(missing_ok=True)
    code, out, err = run_cli("backups", "--data-dir", data)
    assert code == 0, err
    assert not (data / "store.sqlite3").exists()
    assert out.splitlines()[2].split()[0] == listed.splitlines()[2].split()[0]
