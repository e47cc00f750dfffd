"""No traceback, ever: every command of the command line (walked from its parser, so that a new
command is swept too, each with the least a user types in the form ``--help`` shows) run against a
damaged store, a missing store, a store in a read-only folder, a full disk, with standard input
closed and with standard output to a closed pipe.

Each run must print no traceback and no "unexpected error", at most one line on standard error,
exit non-zero when it printed an error (and always, on a damaged store, for a command that opens
the store), and leave the bytes of a damaged or read-only store as they were.

In-process (``run_cli``) for speed; a few commands, and (slow) all of them, also as real processes
with file descriptor 0 closed and with standard output a pipe whose reading end is closed. The full
disk is the LD_PRELOAD fault shim of test_io_faults.py making every write into the data folder
fail with ENOSPC (slow: one process per command). The read-only folder is ``chmod 0555``; run as
root, which ignores permissions, the command runs with the effective user and group ids of
``nobody`` (``os.seteuid``; the real ids stay root, so they are taken back after).
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from helpers import DEMO_BUNDLE, ROOT, cli_commands, damage_store, file_hash, run_cli

COMMANDS = [(path, rest) for path, rest in cli_commands() if path != ("gui",)]  # the window: test_damaged_store
IDS = [" ".join(path) for path, _rest in COMMANDS]
#: Commands that may succeed on a damaged store: they never open it, or (``backups``) list the backups
#: that restore it.
MAY_SUCCEED_ON_DAMAGE = {"symbol", "bundle build", "bundle keygen", "bundle verify", "backups"}
#: A few commands also run as real processes in the quick suite (all of them in the slow one).
SAMPLE = {"stats", "list", "search", "position set", "sync", "changes", "backups"}


def _argv(path, rest, data: Path) -> list[str]:
    return [*path, *rest, "--data-dir", str(data)]


def _check(code: int, out: str, err: str, *, failed: bool | None = None) -> None:
    """The sweep's assertions on one run; ``failed``: the run must (True) exit non-zero."""
    assert "Traceback" not in out + err, err
    assert "unexpected" not in err.lower(), err
    lines = err.strip().splitlines()
    assert len(lines) <= 1, err
    if lines or failed:
        assert code != 0, (code, err)


@pytest.fixture(autouse=True)
def _qt_application(qapp):
    """The application object of the whole test session, made before a command (a PDF export)
    would make a QGuiApplication of its own, which the window tests could not use."""


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> Path:
    """A store synced twice: it holds records, a sync log and a backup."""
    data = tmp_path_factory.mktemp("synced") / "data"
    assert run_cli("sync", DEMO_BUNDLE, "--data-dir", data)[0] == 0
    assert run_cli("sync", DEMO_BUNDLE, "--force", "--data-dir", data)[0] == 0
    return data


@pytest.fixture
def work(tmp_path, monkeypatch) -> Path:
    """The current folder for the command (an ``--out x`` lands here, not in the repository)."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return tmp_path


# -- (a) a damaged store -------------------------------------------------------------------------------

@pytest.mark.parametrize("path, rest", COMMANDS, ids=IDS)
def test_a_damaged_store(synced, work, path, rest):
    data = work / "data"
    shutil.copytree(synced, data)
    damage_store(data / "store.sqlite3")
    before = file_hash(data / "store.sqlite3")
    code, out, err = run_cli(*_argv(path, rest, data))
    _check(code, out, err, failed=" ".join(path) not in MAY_SUCCEED_ON_DAMAGE)
    assert file_hash(data / "store.sqlite3") == before


# -- (b) a missing store -------------------------------------------------------------------------------

@pytest.mark.parametrize("path, rest", COMMANDS, ids=IDS)
def test_a_missing_store(work, path, rest):
    code, out, err = run_cli(*_argv(path, rest, work / "missing"))
    _check(code, out, err)


# -- (c) a store in a read-only folder -------------------------------------------------------------

@contextmanager
def _read_only(folder: Path):
    """``folder`` and what it holds read-only; as root, the effective ids of ``nobody`` meanwhile."""
    modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
    for p in modes:
        p.chmod(stat.S_IMODE(modes[p]) & ~0o222 | (0o555 if p.is_dir() else 0o444))
    root = os.geteuid() == 0
    try:
        if root:
            os.setegid(65534)
            os.seteuid(65534)
        yield
    finally:
        if root:
            os.seteuid(0)
            os.setegid(0)
        for p, mode in modes.items():
            p.chmod(stat.S_IMODE(mode))


@pytest.fixture
def open_to_all(synced):
    """A folder that ``nobody`` can reach (pytest's temporary folders are the owner's only)."""
    base = Path(tempfile.mkdtemp(prefix="wtdc-ro-"))
    base.chmod(0o755)
    (base / "cwd").mkdir(mode=0o777)
    (base / "cwd").chmod(0o777)
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("path, rest", COMMANDS, ids=IDS)
def test_a_store_in_a_read_only_folder(synced, open_to_all, monkeypatch, path, rest):
    data = open_to_all / "data"
    shutil.copytree(synced, data)
    for p in [data, *data.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    monkeypatch.chdir(open_to_all / "cwd")
    # The same command once on a writable copy first, so that the modules it imports on the way are
    # loaded: as nobody, Python's own library may be unreadable (an interpreter under /root).
    warm = open_to_all / "warm"
    shutil.copytree(synced, warm)
    run_cli(*_argv(path, rest, warm))
    before = file_hash(data / "store.sqlite3")
    with _read_only(data):
        assert not os.access(data, os.W_OK, effective_ids=os.access in os.supports_effective_ids)
        code, out, err = run_cli(*_argv(path, rest, data))
    _check(code, out, err)
    assert file_hash(data / "store.sqlite3") == before


# -- (e) standard input closed, (f) standard output a closed pipe: in-process -------------------------

class _ClosedPipe(io.TextIOBase):
    """Standard output whose reader has gone: every write and flush fails as on a closed pipe."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


@pytest.mark.parametrize("path, rest", COMMANDS, ids=IDS)
def test_standard_input_closed(synced, work, path, rest):
    data = work / "data"
    shutil.copytree(synced, data)
    code, out, err = run_cli(*_argv(path, rest, data), stdin_closed=True)
    _check(code, out, err)


@pytest.mark.parametrize("path, rest", COMMANDS, ids=IDS)
def test_standard_output_to_a_closed_pipe(synced, work, path, rest):
    data = work / "data"
    shutil.copytree(synced, data)
    code, out, err = run_cli(*_argv(path, rest, data), stdout=_ClosedPipe())
    _check(code, out, err)


# -- the same as real processes ---------------------------------------------------------------------

def _env(**extra) -> dict:
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
                QT_QPA_PLATFORM="offscreen", **extra)


def _process(argv, cwd: Path, *, stdin_closed=False, closed_pipe=False, env=None) -> tuple[int, str, str]:
    read_end = write_end = None
    stdout = subprocess.PIPE
    if closed_pipe:
        read_end, write_end = os.pipe()
        os.close(read_end)
        stdout = write_end
    try:
        done = subprocess.run([sys.executable, "-m", "wtdc_desktop", *argv], cwd=cwd, env=env or _env(),
                              stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120,
                              stdin=None if stdin_closed else subprocess.DEVNULL,
                              preexec_fn=(lambda: os.close(0)) if stdin_closed else None)
    finally:
        if write_end is not None:
            os.close(write_end)
    return done.returncode, done.stdout or "", done.stderr


def _process_cases(sample_only: bool):
    return [pytest.param(path, rest, how, id=f"{' '.join(path)}-{how}")
            for path, rest in COMMANDS if not sample_only or " ".join(path) in SAMPLE
            for how in ("stdin-closed", "closed-pipe")]


def _run_process_case(synced, work, path, rest, how):
    data = work / "data"
    shutil.copytree(synced, data)
    code, out, err = _process(_argv(path, rest, data), work / "cwd",
                              stdin_closed=how == "stdin-closed", closed_pipe=how == "closed-pipe")
    _check(code, out, err)
    assert code >= 0, f"killed by signal {-code}"  # SIGPIPE is ignored by Python; nothing else kills it


@pytest.mark.parametrize("path, rest, how", _process_cases(sample_only=True))
def test_a_process_with_stdin_closed_or_output_to_a_closed_pipe(synced, work, path, rest, how):
    _run_process_case(synced, work, path, rest, how)


@pytest.mark.slow
@pytest.mark.parametrize("path, rest, how", [c for c in _process_cases(sample_only=False)
                                              if " ".join(c.values[0]) not in SAMPLE])
def test_every_process_with_stdin_closed_or_output_to_a_closed_pipe(synced, work, path, rest, how):
    _run_process_case(synced, work, path, rest, how)


# -- (d) a full disk: every write into the data folder fails with ENOSPC --------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("path, rest", COMMANDS, ids=IDS)
def test_a_full_disk(synced, work, shim, path, rest):
    data = work / "data"
    shutil.copytree(synced, data)
    before = file_hash(data / "store.sqlite3")
    env = _env(LD_PRELOAD=str(shim), WTDC_FAULT_AT="1", WTDC_FAULT_ERRNO=str(errno.ENOSPC),
               WTDC_FAULT_MATCH=str(data))
    code, out, err = _process(_argv(path, rest, data), work / "cwd", env=env)
    _check(code, out, err)
    assert file_hash(data / "store.sqlite3") == before  # no write reached it
