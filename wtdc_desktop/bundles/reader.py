"""Reading a bundle, as a ZIP file or a folder: members, verification, records.

Nothing is parsed before the container and the manifest have been checked,
and every member is hashed while it is read, so a member swapped between the
check and the read is still caught. Member data is streamed: a bundle is
never held in memory whole.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from wtdc_desktop.bundles.errors import BundleError
from wtdc_desktop.bundles.limits import DEFAULT_LIMITS, Limits
from wtdc_desktop.bundles.jsoncheck import control_in_id, lone_surrogate, too_deep
from wtdc_desktop.bundles.manifest import (
    Manifest, Member, known_type, parse_manifest, path_problem, surrogate_error, too_deep_error,
)
from wtdc_desktop.domain.records import ALL_TYPES, RecordError
from wtdc_desktop.i18n import _, isolate, ngettext

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
_CHUNK = 1 << 20
SIGNATURE_LIMIT = 4096
#: What a damaged or hostile archive makes zipfile and zlib raise while reading.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, RuntimeError,
               NotImplementedError, struct.error, zlib.error, UnicodeDecodeError)
#: Windows' "reparse point" attribute: a link made on Windows.
_DOS_REPARSE_POINT = 0x400


@dataclass(frozen=True)
class RecordLine:
    type: str
    path: str
    line: int
    record: dict


class _Container:
    """What a bundle is stored in: lists members and opens them."""

    def names(self) -> list[str]:
        raise NotImplementedError

    def open(self, name: str) -> BinaryIO:
        raise NotImplementedError

    def declared_size(self, name: str) -> int | None:
        """The size the container itself claims for a member (not trusted, only compared)."""
        return None

    def close(self) -> None:
        pass


class _ZipContainer(_Container):
    """A ZIP archive. Names are checked as stored (``orig_filename``), before zipfile rewrites them."""

    def __init__(self, path: Path, where: str, limits: Limits) -> None:
        self.where = where
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise BundleError(_("{where} cannot be read: {reason}.").format(where=where, reason=exc.strerror)) from None
        if size > limits.compressed_size:
            raise BundleError(
                _("{where} is {size} bytes, over the limit of {limit} bytes for a compressed bundle.").format(
                    where=where, size=size, limit=limits.compressed_size
                )
            )
        try:
            self.zip = zipfile.ZipFile(path)
        except _ZIP_ERRORS as exc:
            raise BundleError(
                _("{where} is not a readable ZIP archive, or is truncated or damaged ({reason}).").format(
                    where=isolate(where, ltr=True), reason=exc
                )
            ) from None
        try:
            self._check_entries(limits)
        except BaseException:
            self.zip.close()
            raise

    def _refuse(self, name: str, rule: str) -> BundleError:
        return BundleError(
            _("{where}: the member “{name}” is refused: {rule}.").format(
                where=self.where, name=_printable(name), rule=rule
            ),
            where=f"{self.where}: {_printable(name)}",
        )

    def _check_entries(self, limits: Limits) -> None:
        where = self.where
        infos = self.zip.infolist()
        if len(infos) > limits.members:
            raise BundleError(
                ngettext("{where} has {count} member, over the limit of {limit}.",
                         "{where} has {count} members, over the limit of {limit}.", len(infos)).format(
                    where=where, count=len(infos), limit=limits.members
                )
            )
        self.infos: dict[str, zipfile.ZipInfo] = {}
        folded: dict[str, str] = {}
        total = 0
        for info in infos:
            raw_name = info.orig_filename  # zipfile rewrites some names; check what is really there
            is_dir = raw_name.endswith("/") and info.file_size == 0
            name = raw_name[:-1] if is_dir else raw_name
            problem = path_problem(name)
            if problem is None and raw_name != info.filename:
                problem = _("a name that ZIP readers would rewrite")
            if problem:
                raise self._refuse(raw_name, _("its path is not allowed ({problem})").format(problem=problem))
            mode = info.external_attr >> 16
            file_type = stat.S_IFMT(mode)
            allowed = (stat.S_IFDIR, 0) if is_dir else (stat.S_IFREG, 0)
            if file_type not in allowed or (info.create_system == 0 and info.external_attr & _DOS_REPARSE_POINT):
                raise self._refuse(raw_name, _("it is a symbolic link or a special file, which a bundle may not hold"))
            key = name.casefold()
            if key in folded:
                rule = (_("the same name appears twice") if folded[key] == name
                        else _("its name differs from “{other}” only by case").format(other=_printable(folded[key])))
                raise self._refuse(raw_name, rule)
            folded[key] = name
            if is_dir:
                continue
            if info.flag_bits & 0x1:
                raise self._refuse(raw_name, _("it is encrypted"))
            if info.file_size and (
                info.compress_size == 0 or info.file_size / info.compress_size > limits.compression_ratio
            ):
                ratio = info.file_size / info.compress_size if info.compress_size else float("inf")
                raise self._refuse(
                    raw_name,
                    _("it expands {ratio:.0f} times, over the limit of {limit:.0f} to 1").format(
                        ratio=ratio, limit=limits.compression_ratio
                    ),
                )
            total += info.file_size
            self.infos[raw_name] = info
        self._check_overlaps(infos)
        if total > limits.uncompressed_size:
            raise BundleError(
                _("{where} would expand to {size} bytes, over the limit of {limit} bytes.").format(
                    where=where, size=total, limit=limits.uncompressed_size
                )
            )

    def _check_overlaps(self, infos: list[zipfile.ZipInfo]) -> None:
        """Refuse members whose stored data overlap another member's (or the central directory).

        A "quoted-overlap" bomb lets many members share one compressed kernel, each quoting the
        next member's header: every member's own ratio looks modest, the archive expands many
        times over. A member's data end at least at its header's offset + 30 + name + compressed
        size (the local extra field can only add to it), and must not run past the next header.
        """
        spans = sorted((info.header_offset, info.header_offset + 30 + len(_stored_name(info)) + info.compress_size,
                        info.orig_filename) for info in infos)
        for (_start, end, name), (next_start, _end, other) in zip(spans, spans[1:], strict=False):
            if next_start < end:
                raise self._refuse(other, _("its data overlaps the data of “{other}” (an overlapping-member ZIP bomb)").format(
                    other=_printable(name)))
        if spans and spans[-1][1] > self.zip.start_dir:
            raise self._refuse(spans[-1][2], _("its data overlaps the archive's central directory"))

    def names(self) -> list[str]:
        return list(self.infos)

    def declared_size(self, name: str) -> int | None:
        return self.infos[name].file_size

    def open(self, name: str) -> BinaryIO:
        info = self.infos[name]
        try:
            if info.compress_type == zipfile.ZIP_STORED:
                return self._open_stored(info)
            return self.zip.open(info)
        except _ZIP_ERRORS as exc:
            raise BundleError(
                _("{where}: the member “{name}” cannot be read ({reason}).").format(
                    where=self.where, name=name, reason=exc
                ),
                where=f"{self.where}: {name}",
            ) from None

    def _open_stored(self, info: zipfile.ZipInfo) -> BinaryIO:
        """The raw bytes of an uncompressed member, read without zipfile's CRC-32.

        Every member is hashed with SHA-256 against the manifest as it is read (``_CheckedStream``),
        a stronger check than the CRC; skipping the CRC makes verifying a large uncompressed member
        (a PDF, a recording) cost one hash, not a hash and a CRC. The local header is checked as
        zipfile checks it: its signature and its name must match the central directory's.
        """
        fp = open(self.zip.filename, "rb")
        try:
            fp.seek(info.header_offset)
            header = fp.read(30)
            if len(header) != 30 or header[:4] != b"PK\x03\x04":
                raise zipfile.BadZipFile("Bad magic number for file header")  # zipfile's words
            name_len, extra_len = struct.unpack("<HH", header[26:30])
            local_name = fp.read(name_len)
            if local_name != _stored_name(info):
                raise zipfile.BadZipFile(f"File name in directory {info.orig_filename!r} and header {local_name!r} differ.")
            fp.seek(extra_len, os.SEEK_CUR)
            return _Span(fp, info.compress_size)
        except BaseException:
            fp.close()
            raise

    def close(self) -> None:
        self.zip.close()


def _printable(name: str) -> str:
    """A member name fit for a one-line message (NUL and control characters made visible)."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in name)


class _FolderContainer(_Container):
    def __init__(self, path: Path, where: str, limits: Limits) -> None:
        self.root = path
        self.where = where
        self.files: dict[str, Path] = {}
        folded: set[str] = set()
        total = 0
        stack = [(path, "")]
        while stack:
            folder, prefix = stack.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError as exc:
                raise BundleError(
                    _("{where}: the folder “{name}” cannot be read: {reason}.").format(
                        where=where, name=prefix or ".", reason=exc.strerror
                    )
                ) from None
            for entry in entries:
                name = prefix + entry.name
                if entry.is_symlink():
                    raise BundleError(
                        _("{where}: the member “{name}” is a link, which a bundle may not hold.").format(
                            where=where, name=name
                        )
                    )
                if entry.is_dir(follow_symlinks=False):
                    stack.append((Path(entry.path), name + "/"))
                    continue
                if not entry.is_file(follow_symlinks=False):
                    raise BundleError(
                        _("{where}: the member “{name}” is a special file, which a bundle may not hold.").format(
                            where=where, name=name
                        )
                    )
                problem = path_problem(name)
                if problem:
                    raise BundleError(
                        _("{where}: the member “{name}” is not allowed ({problem}).").format(
                            where=where, name=name, problem=problem
                        )
                    )
                if name.casefold() in folded:
                    raise BundleError(
                        _("{where}: the member “{name}” differs from another only by case.").format(
                            where=where, name=name
                        )
                    )
                folded.add(name.casefold())
                self.files[name] = Path(entry.path)
                total += entry.stat(follow_symlinks=False).st_size
                if len(self.files) > limits.members:
                    raise BundleError(
                        _("{where} has more than {limit} members.").format(where=where, limit=limits.members)
                    )
        if total > limits.uncompressed_size:
            raise BundleError(
                _("{where} holds {size} bytes, over the limit of {limit} bytes.").format(
                    where=where, size=total, limit=limits.uncompressed_size
                )
            )

    def names(self) -> list[str]:
        return list(self.files)

    def open(self, name: str) -> BinaryIO:
        try:  # never follow a link put in place after the folder was listed
            fd = os.open(self.files[name], os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
        except OSError as exc:
            raise BundleError(
                _("{where}: the member “{name}” cannot be read: {reason}.").format(
                    where=self.where, name=name, reason=exc.strerror
                ),
                where=f"{self.where}: {name}",
            ) from None
        return os.fdopen(fd, "rb")


def _stored_name(info: zipfile.ZipInfo) -> bytes:
    """A member's name as the archive stores it (UTF-8 when flagged so, else code page 437)."""
    return info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437", "replace")


class _Span(io.RawIOBase):
    """At most ``size`` bytes of an open file from its current position (an uncompressed ZIP member)."""

    def __init__(self, fp: BinaryIO, size: int) -> None:
        self.fp = fp
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.left <= 0:
            return 0
        view = memoryview(buffer)[: min(len(buffer), self.left)]
        n = self.fp.readinto(view)
        self.left -= n or 0
        return n or 0

    def close(self) -> None:
        try:
            self.fp.close()
        finally:
            super().close()


class _CheckedStream(io.RawIOBase):
    """Reads a member, never past its listed size, and checks size and hash at the end."""

    def __init__(self, raw: BinaryIO, member: Member, where: str) -> None:
        self.raw = raw
        self.member = member
        self.where = where
        self.hash = hashlib.sha256()
        self.read_bytes = 0
        self.done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        remaining = self.member.size - self.read_bytes
        # One byte more than is left reveals a member longer than listed. The data go straight
        # into the caller's buffer and are hashed there: no copy of a large member is made.
        view = memoryview(buffer).cast("B")[: min(len(buffer), remaining + 1)]
        try:
            n = (self.raw.readinto(view) or 0) if len(view) else 0
        except _ZIP_ERRORS as exc:
            raise BundleError(
                _("{where}: the member “{name}” cannot be read ({reason}).").format(
                    where=self.where, name=self.member.path, reason=exc
                )
            ) from None
        if n > remaining:
            raise self._mismatch()
        if not n:
            self._finish()
            return 0
        self.read_bytes += n
        self.hash.update(view[:n])
        return n

    def _mismatch(self) -> BundleError:
        return BundleError(
            _("{where}: the member “{name}” is larger than the {size} bytes the manifest lists.").format(
                where=self.where, name=self.member.path, size=self.member.size
            )
        )

    def _finish(self) -> None:
        if self.done:
            return
        self.done = True
        if self.read_bytes != self.member.size:
            raise BundleError(
                _("{where}: the member “{name}” has {got} bytes, but the manifest lists {size}.").format(
                    where=self.where, name=self.member.path, got=self.read_bytes, size=self.member.size
                )
            )
        if self.hash.hexdigest() != self.member.sha256:
            raise BundleError(
                _("{where}: the member “{name}” does not match its SHA-256 in the manifest.").format(
                    where=self.where, name=self.member.path
                )
            )

    def close(self) -> None:
        try:
            self.raw.close()
        finally:
            super().close()


class Bundle:
    """An opened bundle. Use as a context manager; :meth:`verify` before reading records."""

    def __init__(self, path: Path | str, *, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path = Path(path)
        self.where = str(self.path)
        self.limits = limits
        if self.path.is_dir():
            self.container: _Container = _FolderContainer(self.path, self.where, limits)
        elif self.path.is_file():
            self.container = _ZipContainer(self.path, self.where, limits)
        else:
            raise BundleError(_("{where} does not exist or is not a file or folder.").format(
                where=isolate(self.where, ltr=True)))  # a path, kept whole in an Arabic sentence
        try:
            self._load_manifest()
        except BaseException:
            self.container.close()
            raise

    def _read_small(self, name: str, limit: int) -> bytes:
        """Read a small unlisted member (the manifest, the signature), never more than ``limit`` bytes."""
        declared = self.container.declared_size(name)
        data = b""
        if declared is None or declared <= limit:
            with self.container.open(name) as fp:
                try:
                    data = fp.read(limit + 1)
                except _ZIP_ERRORS as exc:
                    raise BundleError(
                        _("{where}: the member “{name}” cannot be read ({reason}).").format(
                            where=self.where, name=name, reason=exc
                        ),
                        where=f"{self.where}: {name}",
                    ) from None
        if (declared is not None and declared > limit) or len(data) > limit:
            raise BundleError(
                _("{where}: “{name}” is over the limit of {limit} bytes.").format(
                    where=self.where, name=name, limit=limit
                ),
                where=f"{self.where}: {name}",
            )
        return data

    def _load_manifest(self) -> None:
        names = set(self.container.names())
        if MANIFEST not in names:
            raise BundleError(_("{where} is not a WTDC bundle (no manifest.json inside).").format(
                where=isolate(self.where, ltr=True)))
        # The size limit is checked before a single byte is parsed as JSON.
        self.manifest_bytes = self._read_small(MANIFEST, self.limits.manifest_size)
        self.manifest: Manifest = parse_manifest(self.manifest_bytes, self.where, max_depth=self.limits.json_depth)
        self.signature = self._read_small(SIGNATURE, SIGNATURE_LIMIT) if SIGNATURE in names else None
        listed = self.manifest.members
        for name in sorted(names - {MANIFEST, SIGNATURE}):
            if name not in listed:
                raise BundleError(
                    _("{where}: the member “{name}” is not listed in the manifest.").format(where=self.where, name=name),
                    where=f"{self.where}: {name}",
                )
        for name, member in listed.items():
            if name not in names:
                raise BundleError(
                    _("{where}: the member “{name}” listed in the manifest is missing.").format(
                        where=self.where, name=name
                    ),
                    where=f"{self.where}: {name}",
                )
            declared = self.container.declared_size(name)
            if declared is not None and declared != member.size:
                raise BundleError(
                    _("{where}: the archive gives the member “{name}” {declared} bytes, but the manifest lists {size}.").format(
                        where=self.where, name=name, declared=declared, size=member.size
                    ),
                    where=f"{self.where}: {name}",
                )
        total = sum(m.size for m in listed.values())
        if total > self.limits.uncompressed_size:
            raise BundleError(
                _("{where}: the manifest lists {size} bytes in all, over the limit of {limit} bytes.").format(
                    where=self.where, size=total, limit=self.limits.uncompressed_size
                )
            )

    # -- members ---------------------------------------------------------------

    def open_member(self, name: str) -> io.BufferedReader:
        """A stream over a listed member that checks its size and hash when read to the end."""
        member = self.manifest.members[name]
        return io.BufferedReader(_CheckedStream(self.container.open(name), member, self.where), _CHUNK)

    def verify(self, progress=None) -> None:
        """Check every member's size and SHA-256 against the manifest."""
        members = list(self.manifest.members)
        buffer = bytearray(_CHUNK)
        for i, name in enumerate(members):
            with self.open_member(name) as fp:
                while fp.readinto(buffer):
                    pass
            if progress:
                progress(i + 1, len(members))

    def copy_member(self, name: str, dest: BinaryIO) -> None:
        with self.open_member(name) as fp:
            while chunk := fp.read(_CHUNK):
                dest.write(chunk)

    # -- records ---------------------------------------------------------------

    def record_members(self) -> list[Member]:
        """Records files of known types, in manifest order; unknown types are skipped with a warning."""
        out = []
        for member in self.manifest.records:
            if not known_type(member.type):
                log.warning("%s: skipping records of unknown type %r (%s)", self.where, member.type, member.path)
                continue
            out.append(member)
        return out

    def iter_records(self, member: Member, *, unique_ids: bool = True) -> Iterator[RecordLine]:
        """Parse and validate one records file, line by line, streaming.

        ``unique_ids=False`` leaves refusing an id seen twice in the file to the caller (a store
        that refuses a second row with the same id), so that no set of ids grows with the file.
        """
        rtype = ALL_TYPES[member.type]
        seen: set[str] = set()
        limit = self.limits.record_line
        with self.open_member(member.path) as fp:
            lineno = 0
            while True:
                raw = fp.readline(limit + 1)
                if not raw:
                    break
                lineno += 1
                here = f"{self.where}: {member.path}, line {lineno}"
                if len(raw) > limit and not raw.endswith(b"\n"):
                    raise BundleError(
                        _("{where}: the line is over the limit of {limit} bytes.").format(where=here, limit=limit),
                        where=here,
                    )
                if not raw.strip():
                    continue
                record = parse_record_line(raw, here, self.limits)
                try:
                    rtype.validate(record)
                    if len(raw) > self.limits.text_field:  # a shorter line holds no text as long
                        _check_text_sizes(record, self.limits.text_field)
                except RecordError as exc:
                    raise BundleError(f"{here}, {exc.message}.", where=here) from None
                rid = record["id"]
                control = control_in_id(rid)
                if control:
                    raise BundleError(
                        _("{where}, field “id”: the id holds a control character ({char}), which an id may not hold.").format(
                            where=here, char=control),
                        where=here,
                    )
                if unique_ids:
                    if rid in seen:
                        raise duplicate_id_error(here, rid)
                    seen.add(rid)
                yield RecordLine(member.type, member.path, lineno, record)
            fp.read(1)  # reach the end: size and hash are checked there

    def close(self) -> None:
        self.container.close()

    def __enter__(self) -> "Bundle":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def duplicate_id_error(where: str, rid: str) -> BundleError:
    return BundleError(_("{where}: the id “{id}” appears twice in this file.").format(where=where, id=rid), where=where)


def parse_record_line(raw: bytes, where: str, limits: Limits = DEFAULT_LIMITS):
    """One line of a records file as JSON, checked for the rules of spec §7 (UTF-8, nesting, Unicode).

    ``where`` names the bundle, the member and the line in the :class:`BundleError` raised.
    The nesting is checked before parsing (the parser recurses); lone surrogates after.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BundleError(_("{where}: the line is not valid UTF-8.").format(where=where), where=where) from None
    if too_deep(text, limits.json_depth):
        raise too_deep_error(where, limits.json_depth)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BundleError(
            _("{where}: the line is not valid JSON ({reason}).").format(where=where, reason=exc.msg),
            where=where,
        ) from None
    found = lone_surrogate(value, text)
    if found:
        raise surrogate_error(where, found)
    return value


def _check_text_sizes(value, limit: int, name: str = "") -> None:
    if isinstance(value, str):
        if len(value) > limit // 4 and len(value.encode("utf-8")) > limit:
            raise RecordError(
                _("field “{field}”: the text is over the limit of {limit} bytes").format(field=name, limit=limit), name
            )
    elif isinstance(value, dict):
        for key, sub in value.items():
            _check_text_sizes(sub, limit, f"{name}.{key}" if name else key)
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            _check_text_sizes(sub, limit, f"{name}[{i}]")
