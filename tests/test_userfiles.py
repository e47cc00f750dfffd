"""Files the user names: read only when a regular file, within a limit for its kind; written only
over a regular file (exports refuse a device, a pipe, a socket or a folder)."""

from __future__ import annotations

import os
import stat
import time

import pytest

from helpers import run_cli

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs and device files")


def _one_line(err: str) -> bool:
    return err.count("\n") == 1 and "Traceback" not in err


# --- reading: read_user_file -------------------------------------------------------------------

def test_a_regular_file_within_its_limit_is_read(tmp_path):
    from wtdc_desktop.userfiles import read_user_file, read_user_text

    path = tmp_path / "brief.md"
    path.write_text("Support the ATU text. é", "utf-8")
    assert read_user_file(path, "brief") == "Support the ATU text. é".encode("utf-8")
    assert read_user_text(path, "brief") == "Support the ATU text. é"
    assert read_user_file(path, "key", limit=len(path.read_bytes())) == path.read_bytes()  # exactly the limit


@pytest.mark.parametrize("what,limit", [("key", 16 * 1024), ("brief", 4 * 1024 * 1024),
                                        ("vcard", 64 * 1024 * 1024), ("timetable", 32 * 1024 * 1024)])
def test_the_limits(what, limit):
    from wtdc_desktop.userfiles import LIMITS

    assert LIMITS[what] == limit


def test_a_file_over_its_limit_is_refused(tmp_path):
    from wtdc_desktop.errors import FileTooLargeError, WtdcError
    from wtdc_desktop.userfiles import read_user_file

    path = tmp_path / "big.pub"
    with open(path, "wb") as fp:
        fp.truncate(16 * 1024 + 1)  # sparse: nothing much is written
    with pytest.raises(FileTooLargeError) as caught:
        read_user_file(path, "key")
    assert isinstance(caught.value, WtdcError) and isinstance(caught.value, OSError)
    message = str(caught.value)
    assert str(path) in message and "16 KiB" in message and "\n" not in message
    with pytest.raises(FileTooLargeError):
        read_user_file(tmp_path / "big.pub", "key", limit=10)


@posix_only
@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
def test_what_is_not_a_regular_file_is_refused_at_once(tmp_path, kind):
    from wtdc_desktop.errors import NotARegularFileError
    from wtdc_desktop.userfiles import read_user_file

    if kind == "fifo":
        path = tmp_path / "pipe"
        os.mkfifo(path)  # opening it to read would wait for a writer forever
    elif kind == "folder":
        path = tmp_path
    else:
        path = "/dev/zero"
    started = time.monotonic()
    with pytest.raises(NotARegularFileError) as caught:
        read_user_file(path, "vcard")
    assert time.monotonic() - started < 5
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_a_missing_file_is_an_os_error_for_the_caller_to_word(tmp_path):
    from wtdc_desktop.userfiles import read_user_file

    with pytest.raises(FileNotFoundError):
        read_user_file(tmp_path / "nope", "brief")


# --- reading: the command line ----------------------------------------------------------------

def _commands_reading(tmp_path, path):
    """Each command that reads a file the user names, reading ``path``."""
    folder = tmp_path / "src"
    folder.mkdir(exist_ok=True)
    return {
        "trust add": ("trust", "add", "itu-bdt", path),
        "position set --brief-file": ("position", "set", "resolution", "WTDC/37", "--stance", "support",
                                      "--brief-file", path),
        "import-vcf": ("import-vcf", path),
        "import-schedule": ("import-schedule", path, "--meeting", "WTDC-25"),
        "bundle verify --trust": ("bundle", "verify", folder, "--trust", path),
        "bundle build --sign-key": ("bundle", "build", folder, "--out", tmp_path / "x.wtdc.zip", "--sign-key", path),
        "export-delegation --sign-key": ("export-delegation", "--out", tmp_path / "d.wtdc.zip", "--delegation",
                                         "KEN", "--sign-key", path),
    }


READERS = ["trust add", "position set --brief-file", "import-vcf", "import-schedule", "bundle verify --trust",
           "bundle build --sign-key", "export-delegation --sign-key"]


@posix_only
@pytest.mark.parametrize("command", READERS)
def test_dev_zero_is_refused_quickly_in_one_sentence(store, data_dir, tmp_path, command):
    argv = _commands_reading(tmp_path, "/dev/zero")[command]
    started = time.monotonic()
    code, out, err = run_cli(*argv, "--data-dir", data_dir)
    assert time.monotonic() - started < 10
    assert code != 0 and _one_line(err), err
    assert "/dev/zero" in err and "not a regular file" in err, err


@posix_only
@pytest.mark.parametrize("command", ["trust add", "position set --brief-file", "import-vcf",
                                     "bundle build --sign-key"])
def test_a_fifo_is_refused_without_waiting(store, data_dir, tmp_path, command):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    code, out, err = run_cli(*_commands_reading(tmp_path, pipe)[command], "--data-dir", data_dir)
    assert code != 0 and _one_line(err) and str(pipe) in err, err
    assert stat.S_ISFIFO(pipe.stat().st_mode)


@pytest.mark.parametrize("command,size,shown", [
    ("trust add", 16 * 1024 + 1, "16 KiB"),
    ("position set --brief-file", 4 * 1024 * 1024 + 1, "4 MiB"),
    ("import-vcf", 64 * 1024 * 1024 + 1, "64 MiB"),
    ("import-schedule", 32 * 1024 * 1024 + 1, "32 MiB"),
    ("bundle build --sign-key", 16 * 1024 + 1, "16 KiB"),
])
def test_an_oversized_file_is_refused_in_one_sentence(store, data_dir, tmp_path, command, size, shown):
    big = tmp_path / "big.txt"
    with open(big, "wb") as fp:
        fp.truncate(size)  # sparse
    code, out, err = run_cli(*_commands_reading(tmp_path, big)[command], "--data-dir", data_dir)
    assert code != 0 and _one_line(err), err
    assert str(big) in err and shown in err, err


def test_a_brief_file_within_the_limit_is_still_read(demo_store, tmp_path):
    brief = tmp_path / "brief.md"
    brief.write_text("x" * (4 * 1024 * 1024), "utf-8")
    code, out, err = run_cli("position", "set", "resolution", "WTDC/1", "--stance", "support", "--brief-file",
                             brief, "--json", "--data-dir", demo_store.data_dir)
    assert code == 0, err


# --- writing: the exports -------------------------------------------------------------------------

def _commands_writing(tmp_path, out):
    """Each command that writes a file the user names, writing ``out``."""
    src = tmp_path / "bundle-src"
    if not src.exists():
        import shutil

        from helpers import EXAMPLE_BUNDLE

        shutil.copytree(EXAMPLE_BUNDLE, src)
    return {
        "export-brief": ("export-brief", "--session", "WTDC-21/S02", "--format", "docx", "--out", out),
        "export-coverage": ("export-coverage", "--format", "csv", "--out", out),
        "export-ics": ("export-ics", "--all", "--out", out),
        "export-vcf": ("export-vcf", "--out", out),
        "list --out": ("list", "document", "--format", "csv", "--out", out),
        "export-delegation": ("export-delegation", "--delegation", "KEN", "--out", out),
        "bundle build": ("bundle", "build", src, "--out", out),
    }


WRITERS = ["export-brief", "export-coverage", "export-ics", "export-vcf", "list --out", "export-delegation",
           "bundle build"]
PRIVATE_WRITERS = {"export-brief", "export-delegation", "bundle build"}


@posix_only
@pytest.mark.parametrize("kind", ["fifo", "folder"])
@pytest.mark.parametrize("command", WRITERS)
def test_an_export_over_what_is_not_a_regular_file_is_refused(demo_store, tmp_path, command, kind):
    target = tmp_path / "target"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    code, out, err = run_cli(*_commands_writing(tmp_path, target)[command], "--data-dir", demo_store.data_dir)
    assert code != 0 and _one_line(err), err
    assert str(target) in err and "not a regular file" in err, err
    assert (stat.S_ISFIFO if kind == "fifo" else stat.S_ISDIR)(target.lstat().st_mode)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


@posix_only
@pytest.mark.parametrize("command", WRITERS)
def test_an_export_keeps_the_permissions_of_the_file_it_replaces(demo_store, tmp_path, command):
    target = tmp_path / "target"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    code, out, err = run_cli(*_commands_writing(tmp_path, target)[command], "--data-dir", demo_store.data_dir)
    assert code == 0, err
    # A brief or a bundle holds the delegation's own work: it stays owner-only, whatever was there.
    expected = 0o600 if command in PRIVATE_WRITERS else 0o640
    assert target.read_bytes() != b"old" and stat.S_IMODE(target.stat().st_mode) == expected


@pytest.fixture
def dev_full():
    """/dev/full as a character device, put back if a faulty export replaced it (the suite may run as root)."""
    path = "/dev/full"
    try:
        before = os.stat(path)
    except OSError:
        pytest.skip("no /dev/full")
    if not stat.S_ISCHR(before.st_mode):
        pytest.skip("/dev/full is not a character device here")
    yield path
    after = os.lstat(path)
    if not stat.S_ISCHR(after.st_mode):
        os.unlink(path)
        os.mknod(path, stat.S_IFCHR | stat.S_IMODE(before.st_mode), before.st_rdev)


@posix_only
def test_export_brief_to_dev_full_leaves_the_device_alone(demo_store, tmp_path, dev_full):
    code, out, err = run_cli(*_commands_writing(tmp_path, dev_full)["export-brief"],
                             "--data-dir", demo_store.data_dir)
    assert stat.S_ISCHR(os.lstat(dev_full).st_mode)
    assert code != 0 and _one_line(err) and out == "", (out, err)
    assert "/dev/full" in err and "not a regular file" in err
    assert not [p for p in os.listdir("/dev") if p.startswith(".full.")]
