"""Writing a file whole or not at all: the content lands on success, nothing changes on failure."""

from __future__ import annotations

import os
import stat
import tempfile
import zipfile

import pytest

from wtdc_desktop.atomic import atomic_path, atomic_write, atomic_write_bytes, atomic_write_text


class Boom(Exception):
    pass


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_bytes_land_on_success(tmp_path):
    out = tmp_path / "out.bin"
    with atomic_write(out) as fp:
        fp.write(b"one ")
        fp.write(b"two")
        assert not out.exists()  # nothing at the destination until the block is done
    assert out.read_bytes() == b"one two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def test_replaces_an_existing_file(tmp_path):
    out = tmp_path / "out.bin"
    out.write_bytes(b"old")
    atomic_write_bytes(out, b"new")
    assert out.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def test_an_exception_keeps_an_existing_file_and_leaves_no_temporary(tmp_path):
    out = tmp_path / "out.bin"
    out.write_bytes(b"old content")
    err = Boom("stop")
    with pytest.raises(Boom) as caught:
        with atomic_write(out) as fp:
            fp.write(b"half of the new")
            raise err
    assert caught.value is err  # the same exception, unchanged
    assert out.read_bytes() == b"old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def test_an_exception_leaves_a_missing_file_missing(tmp_path):
    out = tmp_path / "out.txt"
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(out, "w", encoding="utf-8") as fp:
            fp.write("half")
            raise KeyboardInterrupt
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_failing_write_removes_the_temporary(tmp_path, monkeypatch):
    out = tmp_path / "out.bin"
    out.write_bytes(b"old")

    def no_space(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError) as caught:
        atomic_write_bytes(out, b"new")
    assert caught.value.errno == 28
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def test_fsync_false_does_not_sync(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(os, "fsync", calls.append)
    atomic_write_bytes(tmp_path / "a", b"x", fsync=False)
    assert calls == []
    atomic_write_bytes(tmp_path / "b", b"x")
    assert len(calls) == 1


def test_text_mode_with_encoding_and_newline(tmp_path):
    out = tmp_path / "out.txt"
    atomic_write_text(out, "é\r\nligne\n", "latin-1", newline="")
    assert out.read_bytes() == "é\r\nligne\n".encode("latin-1")
    with atomic_write(out, "w", encoding="utf-8", newline="\r\n") as fp:
        fp.write("a\nb\n")
    assert out.read_bytes() == b"a\r\nb\r\n"
    atomic_write_text(out, "ü")
    assert out.read_bytes() == "ü".encode("utf-8")


def test_binary_mode_takes_no_encoding(tmp_path):
    with pytest.raises(ValueError):
        with atomic_write(tmp_path / "out", "wb", encoding="utf-8"):
            pass
    with pytest.raises(ValueError):
        with atomic_write(tmp_path / "out", "ab"):
            pass
    assert list(tmp_path.iterdir()) == []


def test_the_temporary_file_lives_beside_the_destination(tmp_path, monkeypatch):
    elsewhere = tmp_path / "system-temp"
    elsewhere.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(elsewhere))  # never the system's temporary folder
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "report.pdf"
    with atomic_write(out) as fp:
        names = [p.name for p in folder.iterdir()]
        assert len(names) == 1, names
        assert names[0].startswith(".report.pdf.") and names[0].endswith(".part"), names
        # the open file is that one, in the destination's folder
        assert os.fstat(fp.fileno()).st_ino == (folder / names[0]).stat().st_ino
        fp.write(b"%PDF")
    assert list(elsewhere.iterdir()) == []
    with atomic_path(out) as tmp:
        assert tmp.parent == folder
        assert tmp.name.startswith(".report.pdf.") and tmp.name.endswith(".part")
        tmp.write_bytes(b"%PDF-2")
    assert out.read_bytes() == b"%PDF-2"
    assert [p.name for p in folder.iterdir()] == ["report.pdf"]


def test_a_relative_destination(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    atomic_write_bytes("plain.bin", b"here")
    assert (tmp_path / "plain.bin").read_bytes() == b"here"
    assert [p.name for p in tmp_path.iterdir()] == ["plain.bin"]


def test_atomic_path_for_writers_that_want_a_name(tmp_path):
    out = tmp_path / "b.zip"
    with atomic_path(out) as tmp:
        with zipfile.ZipFile(tmp, "w") as zf:
            zf.writestr("a.txt", "a")
    with zipfile.ZipFile(out) as zf:
        assert zf.read("a.txt") == b"a"
    out.write_bytes(b"old")
    with pytest.raises(Boom):
        with atomic_path(out) as tmp:
            tmp.write_bytes(b"new")
            raise Boom
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["b.zip"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_permissions(tmp_path):
    atomic_write_bytes(tmp_path / "shared", b"x")
    assert stat.S_IMODE((tmp_path / "shared").stat().st_mode) == 0o666 & ~_umask()
    atomic_write_bytes(tmp_path / "private", b"x", private=True)
    assert stat.S_IMODE((tmp_path / "private").stat().st_mode) == 0o600
    with atomic_path(tmp_path / "private-by-name", private=True) as tmp:
        tmp.write_bytes(b"x")
    assert stat.S_IMODE((tmp_path / "private-by-name").stat().st_mode) == 0o600


# --- a destination that is not a regular file -------------------------------------------------

def _fifo(tmp_path):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def _socket(tmp_path):
    import socket

    path = tmp_path / "sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.close()  # the socket file stays
    return path


def _folder(tmp_path):
    path = tmp_path / "folder"
    path.mkdir()
    (path / "inside.txt").write_text("kept", "utf-8")
    return path


def _write_with_atomic_write(path):
    with atomic_write(path) as fp:
        fp.write(b"new")


def _write_with_atomic_path(path):
    with atomic_path(path) as tmp:
        tmp.write_bytes(b"new")


def _write_text(path):
    atomic_write_text(path, "new")


def _write_bytes(path):
    atomic_write_bytes(path, b"new", private=True)


@pytest.mark.skipif(os.name != "posix", reason="FIFOs and Unix sockets")
@pytest.mark.parametrize("make", [_fifo, _socket, _folder], ids=["fifo", "socket", "folder"])
@pytest.mark.parametrize("write", [_write_with_atomic_write, _write_with_atomic_path, _write_text, _write_bytes],
                         ids=["atomic_write", "atomic_path", "text", "bytes"])
def test_a_destination_that_is_not_a_regular_file_is_refused_and_kept(tmp_path, make, write):
    from wtdc_desktop.errors import NotARegularFileError, WtdcError

    target = make(tmp_path)
    kind = stat.S_IFMT(target.lstat().st_mode)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(NotARegularFileError) as caught:
        write(target)
    assert isinstance(caught.value, WtdcError) and isinstance(caught.value, OSError)
    message = str(caught.value)
    assert str(target) in message and "\n" not in message and message.endswith(".")
    assert caught.value.strerror and "\n" not in caught.value.strerror  # for "Cannot write {path}: {reason}."
    assert stat.S_IFMT(target.lstat().st_mode) == kind  # still the pipe, socket or folder
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no temporary left behind
    if kind == stat.S_IFDIR:
        assert [p.name for p in target.iterdir()] == ["inside.txt"]


@pytest.mark.skipif(os.name != "posix", reason="FIFOs")
def test_a_fifo_is_refused_before_the_block_runs(tmp_path):
    """The check comes first: an export does not build its content only to fail at the rename."""
    from wtdc_desktop.errors import NotARegularFileError

    target = _fifo(tmp_path)
    ran = []
    with pytest.raises(NotARegularFileError):
        with atomic_write(target) as fp:
            ran.append(fp)
    assert ran == []


@pytest.mark.skipif(os.name != "posix", reason="FIFOs")
def test_a_link_to_a_fifo_is_refused(tmp_path):
    from wtdc_desktop.errors import NotARegularFileError

    target = _fifo(tmp_path)
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(NotARegularFileError):
        atomic_write_bytes(link, b"x")
    assert link.is_symlink() and stat.S_ISFIFO(target.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_replaced_regular_file_keeps_its_permissions(tmp_path):
    out = tmp_path / "report.csv"
    out.write_bytes(b"old")
    os.chmod(out, 0o640)
    atomic_write_bytes(out, b"new")
    assert out.read_bytes() == b"new" and stat.S_IMODE(out.stat().st_mode) == 0o640
    os.chmod(out, 0o604)
    with atomic_path(out) as tmp:
        tmp.write_bytes(b"newer")
    assert out.read_bytes() == b"newer" and stat.S_IMODE(out.stat().st_mode) == 0o604
    os.chmod(out, 0o644)
    atomic_write_text(out, "text")
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    # A private write keeps its own rule: owner only, whatever the file had.
    atomic_write_bytes(out, b"secret", private=True)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    # A new file still gets those of a newly created one.
    atomic_write_bytes(tmp_path / "new.csv", b"x")
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o666 & ~_umask()
