"""A full disk or a folder that cannot be written while a bundle's files are copied into the store's
file cache (files/): one sentence, no traceback, the store and the files/ tree as before; what an
earlier killed sync left (``.part`` files, downloads) is removed by the next sync."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from helpers import DEMO_BUNDLE, run_cli, table_fingerprint
from wtdc_desktop.bundles import apply as apply_module
from wtdc_desktop.bundles.apply import apply_bundle
from wtdc_desktop.bundles.reader import Bundle
from wtdc_desktop.store import DiskFull, Store, StoreNotWritable



def _tree(root: Path) -> list[str]:
    """Every file and folder under ``root`` (the folder itself included, when it is there)."""
    if not root.exists():
        return []
    return sorted(["."] + [str(p.relative_to(root)) for p in root.rglob("*")])


class _FailingFile:
    """The cache file being written: some bytes reach it, then the write fails."""

    def __init__(self, fp, exc: OSError) -> None:
        self.fp, self.exc = fp, exc

    def write(self, data) -> int:
        self.fp.write(bytes(data[:16]))
        raise self.exc


def _fail_cache_writes(monkeypatch, exc: OSError) -> None:
    """Make every write into the file cache fail with ``exc``, inside the real atomic write (which
    makes the temporary ``.part`` file and must remove it)."""
    real = apply_module.atomic_write

    @contextmanager
    def atomic_write(path, *args, **kwargs):
        with real(path, *args, **kwargs) as fp:
            yield _FailingFile(fp, exc)

    monkeypatch.setattr(apply_module, "atomic_write", atomic_write)


FAULTS = [
    pytest.param(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), DiskFull, "full", id="disk-full"),
    pytest.param(PermissionError(errno.EACCES, os.strerror(errno.EACCES)), StoreNotWritable, "cannot be written",
                 id="permission"),
]


@pytest.mark.parametrize(("exc", "error", "words"), FAULTS)
def test_a_failing_copy_into_the_file_cache_leaves_store_and_files_as_before(store, monkeypatch, exc, error, words):
    before, files_before = table_fingerprint(store), _tree(store.files_dir)
    _fail_cache_writes(monkeypatch, exc)
    with pytest.raises(error) as err:
        apply_bundle(store, DEMO_BUNDLE)
    assert words in str(err.value) and "\n" not in str(err.value)
    assert table_fingerprint(store) == before
    assert _tree(store.files_dir) == files_before  # no empty files/xx folder, no orphan, no .part


def test_the_disk_full_sentence_is_that_of_the_record_apply(store, monkeypatch):
    store.execute(f"PRAGMA max_page_count = {store.execute('PRAGMA page_count').fetchone()[0]}")
    with pytest.raises(DiskFull) as records_full:
        apply_bundle(store, DEMO_BUNDLE)
    store.execute("PRAGMA max_page_count = 1073741823")
    _fail_cache_writes(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    with pytest.raises(DiskFull) as files_full:
        apply_bundle(store, DEMO_BUNDLE)
    assert str(files_full.value) == str(records_full.value)


def test_a_failing_mkdir_of_the_cache_folder_is_refused(store, monkeypatch):
    before = table_fingerprint(store)
    real_mkdir = Path.mkdir

    def mkdir(self, *args, **kwargs):
        if store.files_dir in (self, *self.parents):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    with pytest.raises(StoreNotWritable):
        apply_bundle(store, DEMO_BUNDLE)
    assert table_fingerprint(store) == before
    assert not store.files_dir.exists()


@pytest.mark.parametrize(("exc", "error", "words"), FAULTS)
def test_sync_on_a_failing_file_cache_says_one_sentence(data_dir, monkeypatch, exc, error, words):
    with Store(data_dir) as store:
        before = table_fingerprint(store)
    files_before = _tree(data_dir / "files")
    _fail_cache_writes(monkeypatch, exc)
    code, out, err = run_cli("sync", DEMO_BUNDLE, "--data-dir", data_dir)
    assert code == error.exit_code != 0
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert words in err
    with Store(data_dir) as store:
        assert table_fingerprint(store) == before
    assert _tree(data_dir / "files") == files_before


def test_the_next_sync_removes_what_a_killed_sync_left(data_dir):
    with Store(data_dir):
        pass
    cache = data_dir / "files" / "ab"
    cache.mkdir(parents=True)
    part = cache / ".abcdef.1234abcd.part"
    part.write_bytes(b"half")
    empty = data_dir / "files" / "cd"
    empty.mkdir()
    kept = cache / ("ab" + "0" * 62)
    kept.write_bytes(b"a cached file")
    downloads = data_dir / "tmp" / "downloads"
    downloads.mkdir(parents=True)
    (downloads / ".x.wtdc.zip.1234abcd.part").write_bytes(b"half a download")
    code, out, err = run_cli("sync", DEMO_BUNDLE, "--data-dir", data_dir)
    assert code == 0, err
    assert not part.exists() and not empty.exists()
    assert kept.read_bytes() == b"a cached file"
    assert not downloads.exists() or not any(downloads.iterdir())
    assert not list((data_dir / "files").rglob("*.part"))


def test_an_error_reading_the_bundle_is_not_called_a_full_disk(store, monkeypatch):
    def copy_member(self, name, dest):
        raise OSError(errno.EIO, "the USB stick went away")

    monkeypatch.setattr(Bundle, "copy_member", copy_member)
    with pytest.raises(OSError) as err:
        apply_bundle(store, DEMO_BUNDLE)
    assert not isinstance(err.value, DiskFull) and err.value.errno == errno.EIO
    assert _tree(store.files_dir) == []


@pytest.mark.slow
@pytest.mark.parametrize(("errno_value", "words"), [(errno.ENOSPC, "full"), (errno.EACCES, "cannot be written")])
def test_real_failing_writes_into_the_file_cache_say_one_sentence(shim, tmp_path, errno_value, words):
    """The system call writing into files/ fails (the fault shim, in a subprocess running the
    command line): one line, the store and the files/ tree as before."""
    data_dir = tmp_path / "data"
    with Store(data_dir) as store:
        before = table_fingerprint(store)
    env = dict(os.environ, LD_PRELOAD=str(shim), WTDC_FAULT_AT="1", WTDC_FAULT_ERRNO=str(errno_value),
               WTDC_FAULT_MATCH=f"{os.sep}files{os.sep}")
    proc = subprocess.run([sys.executable, "-m", "wtdc_desktop", "sync", str(DEMO_BUNDLE), "--data-dir", str(data_dir)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert words in proc.stderr
    with Store(data_dir) as store:
        assert table_fingerprint(store) == before
    assert _tree(data_dir / "files") == []
