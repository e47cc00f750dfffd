"""Scanning a folder of bundles, passing over what is still being copied.

A folder may hold files still being copied: temporary names, archives that
cannot be opened yet, files whose size changes between two looks and bundle
folders whose members do not have their listed sizes yet are passed over
with a note, never treated as failures.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from wtdc_desktop.bundles.errors import BundleError
from wtdc_desktop.bundles.reader import MANIFEST, Bundle
from wtdc_desktop.bundles.sources.model import BUNDLE_SUFFIX, Candidate, SourceUnreachable, SyncOptions
from wtdc_desktop.i18n import _

#: Names of files still being written by a browser, a copy tool or our own writer.
TEMPORARY_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", ".!qb", "~")


def _look(path: Path) -> tuple[int, int] | None:
    """What a file (or a bundle folder's manifest) looks like now: size and modification time."""
    try:
        target = path / MANIFEST if path.is_dir() else path
        st = target.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _folder_members_complete(bundle: Bundle) -> str | None:
    """For a bundle folder: the first member whose size is not yet the listed one."""
    root = bundle.path
    for member in bundle.manifest.members.values():
        try:
            if (root / member.path).stat().st_size != member.size:
                return member.path
        except OSError:
            return member.path
    return None


def _bundle_paths(folder: Path, notes: list[str]) -> list[Path]:
    """The bundle files and bundle folders in ``folder``, by name; notes on temporary names."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        raise SourceUnreachable(_("The folder {path} cannot be read ({reason}).").format(
            path=folder, reason=exc.strerror or exc)) from None
    paths: list[Path] = []
    for entry in entries:
        name = entry.name
        lower = name.lower()
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            is_file = entry.is_file(follow_symlinks=False)
        except OSError:
            continue
        if is_file and BUNDLE_SUFFIX in lower and lower.endswith(TEMPORARY_SUFFIXES):
            notes.append(_("{path} was skipped: its name says it is still being copied or downloaded.").format(
                path=entry.path))
            continue
        if name.startswith("."):
            continue
        if is_file and lower.endswith(BUNDLE_SUFFIX):
            paths.append(Path(entry.path))
        elif is_dir and os.path.isfile(os.path.join(entry.path, MANIFEST)):
            paths.append(Path(entry.path))
    return paths


def scan_folder(folder: Path, opts: SyncOptions) -> tuple[list[Candidate], list[str]]:
    """The bundles a folder offers, and notes on what was passed over."""
    notes: list[str] = []
    paths = _bundle_paths(folder, notes)
    first = {p: _look(p) for p in paths}
    candidates: list[Candidate] = []
    for path in paths:
        try:
            with Bundle(path, limits=opts.limits) as bundle:
                m = bundle.manifest
                if path.is_dir():
                    missing = _folder_members_complete(bundle)
                    if missing:
                        notes.append(_("{path} was skipped: the member “{member}” does not have its listed size yet (still being copied?).").format(
                            path=path, member=missing))
                        continue
                records = sum(r.count or 0 for r in m.records)
        except BundleError as exc:
            notes.append(_("{path} was skipped: it cannot be read (still being copied, or damaged): {reason}").format(
                path=path, reason=exc.message))
            continue
        candidates.append(Candidate(location=str(path), publisher=m.publisher_id, channel=m.channel,
                                    sequence=m.sequence, kind=m.kind, base_sequence=m.base_sequence,
                                    size=first[path][0] if first[path] else None, records=records))
    # A file being written changes between two looks; look again after a pause if anything is recent.
    now_ns = time.time_ns()
    recent = any(look and now_ns - look[1] < opts.settle * 1e9 for look in first.values())
    if recent and candidates:
        opts.wait(opts.settle)
    stable = []
    for cand in candidates:
        path = Path(cand.location)
        if _look(path) != first[path]:
            notes.append(_("{path} was skipped: it changed while being looked at (still being copied).").format(
                path=path))
            continue
        stable.append(cand)
    return stable, notes
