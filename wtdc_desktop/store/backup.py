"""Backups of the store, taken before each apply; listing and restoring them.

A backup is a copy made with SQLite's online backup API (consistent even
while the store is open), written to a temporary name in ``backups/`` and
renamed only when complete: ``store-YYYYMMDDTHHMMSSZ-sNNN.sqlite3``, where
NNN is the sync it preceded. The last :data:`KEEP` are kept.

Restoring refuses while anything else uses the store. Two checks make sure:
the sync lock (no sync or restore in any process), then a connection in
``locking_mode = EXCLUSIVE`` that must obtain ``BEGIN EXCLUSIVE`` at once. In
WAL mode every open connection, even an idle one, holds a shared lock on the
store's ``-shm`` index for as long as it is open, so the exclusive lock is
granted only when no other connection (the window, a command) has the store
open; once granted, nobody can open it until the restore is done. The
restore then copies the backup into the store through that same connection
with the backup API, so the WAL and its index stay consistent, after a
backup of the current state has been taken.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from wtdc_desktop.atomic import atomic_path
from wtdc_desktop.i18n import _
from wtdc_desktop.instants import iso_utc
from wtdc_desktop.store import schema
from wtdc_desktop.store.db import (DAMAGED, LOCKED, STORE_FILENAME, Store, StoreDamaged, StoreError, StoreLocked,
                                  StoreTooNew, check_store_file, sqlite_error_kind, translate_sqlite_error)
from wtdc_desktop.store.lock import SyncLock

BACKUP_DIRNAME = "backups"
KEEP = 5
_NAME_RE = re.compile(r"^store-(\d{8}T\d{6}Z)-s(\d+)(?:-(\d+))?\.sqlite3$")
_PAGES_PER_STEP = 1024


class BackupError(StoreError):
    """A backup cannot be made, found or restored; nothing was changed."""


class StoreInUse(StoreLocked):
    """Another connection has the store open, so it may not be replaced."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: str  # ISO 8601 UTC
    before_sync: int
    size: int

    @property
    def name(self) -> str:
        return self.path.name

    def as_dict(self) -> dict:
        return {"name": self.name, "created_at": self.created_at, "before_sync": self.before_sync,
                "size": self.size, "path": str(self.path)}


def backups_dir(data_dir: Path | str) -> Path:
    return Path(data_dir) / BACKUP_DIRNAME


def next_sync_id(conn: sqlite3.Connection) -> int:
    """The number the next sync will get (the sync a backup taken now precedes)."""
    return (conn.execute("SELECT coalesce(max(sync_id), 0) FROM sync_log").fetchone()[0] or 0) + 1


def _parse(path: Path) -> BackupInfo | None:
    match = _NAME_RE.match(path.name)
    if not match:
        return None
    when = dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
    try:
        size = path.stat().st_size
    except OSError:
        return None
    return BackupInfo(path=path, created_at=iso_utc(when),
                      before_sync=int(match.group(2)), size=size)


def list_backups(data_dir: Path | str) -> list[BackupInfo]:
    """The backups in the data folder, newest first."""
    folder = backups_dir(data_dir)
    if not folder.is_dir():
        return []
    found = [info for p in folder.iterdir() if p.is_file() and (info := _parse(p)) is not None]
    return sorted(found, key=lambda b: (b.created_at, b.before_sync, b.name), reverse=True)


def _copy(source: sqlite3.Connection, dest_path: Path) -> None:
    """Copy the database of ``source`` into a new single file at ``dest_path``."""
    dest = sqlite3.connect(dest_path, isolation_level=None)
    try:
        source.backup(dest, pages=_PAGES_PER_STEP)
        dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        dest.close()
    with open(dest_path, "rb+") as fp:
        os.fsync(fp.fileno())


def _backup_conn(conn: sqlite3.Connection, data_dir: Path, before_sync: int,
                 now: dt.datetime | None = None) -> BackupInfo:
    folder = backups_dir(data_dir)
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    name = f"store-{stamp}-s{before_sync:03d}.sqlite3"
    n = 1
    while (folder / name).exists():  # two backups within one second before the same sync
        n += 1
        name = f"store-{stamp}-s{before_sync:03d}-{n}.sqlite3"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_path(folder / name, fsync=False) as tmp:  # _copy syncs the copy itself
            _copy(conn, tmp)
    except (OSError, sqlite3.Error) as exc:
        known = translate_sqlite_error(exc, folder / name) if isinstance(exc, sqlite3.Error) else None
        raise known or BackupError(
            _("The backup {path} could not be written ({reason}); nothing was applied.").format(
                path=folder / name, reason=getattr(exc, "strerror", None) or exc
            )
        ) from exc
    info = _parse(folder / name)
    assert info is not None
    return info


def make_backup(store: Store, *, keep: int | None = KEEP, now: dt.datetime | None = None) -> BackupInfo:
    """Back the store up before an apply; keep the last ``keep`` backups (None: leave the others alone)."""
    info = _backup_conn(store.conn, store.data_dir, next_sync_id(store.conn), now)
    if keep is not None:
        rotate(store.data_dir, keep)
    return info


def discard(info: BackupInfo) -> None:
    """Remove a backup that turned out useless (the apply it preceded changed nothing)."""
    try:
        info.path.unlink()
    except OSError:
        pass


def rotate(data_dir: Path | str, keep: int = KEEP, protect: Path | None = None) -> list[Path]:
    """Delete all but the newest ``keep`` backups (and unfinished ones); return what was deleted."""
    deleted = []
    folder = backups_dir(data_dir)
    for info in list_backups(data_dir)[keep:]:
        if protect is not None and info.path == protect:
            continue
        try:
            info.path.unlink()
            deleted.append(info.path)
        except OSError:
            pass
    parts = [*Path(data_dir).glob(".restore-*.sqlite3.part*")]  # a restore over a damaged store, interrupted
    if folder.is_dir():  # a backup interrupted by a crash (and its journal); callers hold the sync lock
        parts += folder.glob(".store-*.part*")
    for part in parts:
        try:
            part.unlink()
        except OSError:
            pass
    return deleted


def find_backup(data_dir: Path | str, name: str) -> BackupInfo:
    """A backup by its listed name, or by a path to a backup file."""
    folder = backups_dir(data_dir)
    listed = folder / Path(name).name
    if Path(name).name == name and listed.is_file():
        path = listed
    elif Path(name).is_file():
        path = Path(name)
    else:
        raise BackupError(
            _("There is no backup “{name}” in {folder}; run backups to list them.").format(name=name, folder=folder)
        )
    info = _parse(path)
    if info is None:  # a store file kept elsewhere under another name
        stat = path.stat()
        mtime = dt.datetime.fromtimestamp(stat.st_mtime, dt.timezone.utc).replace(microsecond=0)
        info = BackupInfo(path=path, created_at=mtime.isoformat().replace("+00:00", "Z"), before_sync=0,
                          size=stat.st_size)
    return info


def _check_backup(path: Path) -> None:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            has_log = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sync_log'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(
            _("{path} is not a readable WTDC Desktop store ({reason}); nothing was restored.").format(
                path=path, reason=exc)
        ) from exc
    if ok != "ok" or not has_log:
        raise BackupError(
            _("{path} is damaged or is not a WTDC Desktop store; nothing was restored.").format(path=path)
        )
    if version > schema.LATEST_VERSION:
        raise StoreTooNew(
            _("{path} was written by a newer version of WTDC Desktop (schema {found}); nothing was restored.").format(
                path=path, found=version)
        )


@dataclass(frozen=True)
class RestoreResult:
    restored: BackupInfo
    safety: BackupInfo | None  # the state just before the restore (None when the store was damaged)
    damaged_copy: Path | None = None  # where a damaged store was moved, untouched


DAMAGED_PREFIX = "damaged-"


def store_is_damaged(data_dir: Path | str) -> bool:
    """Whether the store in ``data_dir`` is damaged (see :class:`StoreDamaged`); opens it read-only."""
    path = Path(data_dir) / STORE_FILENAME
    if not path.exists():
        return False
    try:
        if path.stat().st_size == 0:
            return bool(list_backups(data_dir))
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except (OSError, sqlite3.Error):
        return False
    try:
        check_store_file(conn, path)
    except StoreDamaged:
        return True
    except sqlite3.Error as exc:
        return sqlite_error_kind(exc) == DAMAGED
    finally:
        conn.close()
    return False


def _restore_over_damaged(data_dir: Path, info: BackupInfo) -> RestoreResult:
    """Keep the damaged store aside, untouched (``backups/damaged-STAMP.sqlite3``, with its WAL), and
    put a copy of the backup in its place. The caller holds the sync lock."""
    store_path = data_dir / STORE_FILENAME
    try:  # refuse while another process has it open, as for a sound store
        conn = sqlite3.connect(store_path, isolation_level=None, timeout=0.5)
        try:
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("COMMIT")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if sqlite_error_kind(exc) == LOCKED:
            raise StoreInUse(
                _("The store {path} is open in another WTDC Desktop process (the window or a command); close it and run restore again.").format(
                    path=store_path)
            ) from exc
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    folder = backups_dir(data_dir)
    aside = folder / f"{DAMAGED_PREFIX}{stamp}.sqlite3"
    n = 1
    while aside.exists():
        n += 1
        aside = folder / f"{DAMAGED_PREFIX}{stamp}-{n}.sqlite3"
    tmp = data_dir / f".restore-{stamp}.sqlite3.part"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _copy_file(info.path, tmp)  # synced to disk
        # The damaged file is linked (or copied) aside, then the copy replaces it in one rename: killed
        # at any moment, the data folder holds the damaged store or the restored one, never none.
        try:
            os.link(store_path, aside)
        except OSError:
            shutil.copy2(store_path, aside)
        for suffix in ("-wal", "-journal"):  # never to be replayed onto the restored store
            if Path(f"{store_path}{suffix}").exists():
                os.replace(f"{store_path}{suffix}", f"{aside}{suffix}")
        Path(f"{store_path}-shm").unlink(missing_ok=True)
        os.replace(tmp, store_path)
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        known = translate_sqlite_error(exc, store_path) if isinstance(exc, sqlite3.Error) else None
        raise known or BackupError(
            _("The backup {name} could not be copied to {path} ({reason}); the damaged store is where it was or in {aside}.").format(
                name=info.name, path=store_path, reason=getattr(exc, "strerror", None) or exc, aside=aside)
        ) from exc
    return RestoreResult(restored=info, safety=None, damaged_copy=aside)


def _copy_file(source: Path, dest: Path) -> None:
    conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        _copy(conn, dest)
    finally:
        conn.close()


def restore_backup(data_dir: Path | str, name: str, *, keep: int = KEEP,
                   lock_wait: float | None = None) -> RestoreResult:
    """Replace the store's content by a backup's; refuse while anything else uses the store."""
    data_dir = Path(data_dir)
    info = find_backup(data_dir, name)
    _check_backup(info.path)
    store_path = data_dir / STORE_FILENAME
    with SyncLock(data_dir, wait=lock_wait):
        if store_is_damaged(data_dir):
            result = _restore_over_damaged(data_dir, info)
            rotate(data_dir, keep, protect=info.path)
            return result
        try:
            conn = sqlite3.connect(store_path, isolation_level=None, timeout=0.5)
        except sqlite3.Error as exc:
            raise translate_sqlite_error(exc, store_path) or exc from exc
        try:
            try:
                conn.execute("PRAGMA locking_mode = EXCLUSIVE")
                conn.execute("BEGIN EXCLUSIVE")
                conn.execute("COMMIT")  # in EXCLUSIVE locking mode the lock stays held until close
            except sqlite3.OperationalError as exc:
                if sqlite_error_kind(exc) == LOCKED:
                    raise StoreInUse(
                        _("The store {path} is open in another WTDC Desktop process (the window or a command); close it and run restore again.").format(
                            path=store_path)
                    ) from exc
                raise translate_sqlite_error(exc, store_path) or exc from exc
            try:
                safety = _backup_conn(conn, data_dir, next_sync_id(conn))
                source = sqlite3.connect(f"{info.path.resolve().as_uri()}?mode=ro", uri=True)
                try:
                    source.backup(conn, pages=_PAGES_PER_STEP)
                finally:
                    source.close()
                if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":  # pragma: no cover
                    raise BackupError(_("The restored store {path} failed its integrity check.").format(path=store_path))
            except sqlite3.Error as exc:
                raise translate_sqlite_error(exc, store_path) or exc from exc
        finally:
            conn.close()
        rotate(data_dir, keep, protect=info.path)
    return RestoreResult(restored=info, safety=safety)


def sync_summary(store: Store, sync_id: int) -> dict | None:
    """What a sync was, for listing the backup that preceded it."""
    row = store.execute(
        "SELECT sync_id, started_at, source, publisher, channel, sequence, kind, outcome FROM sync_log WHERE sync_id = ?",
        (sync_id,),
    ).fetchone()
    return dict(row) if row else None
