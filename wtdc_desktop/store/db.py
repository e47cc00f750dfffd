"""Opening the store: one SQLite file in the data folder, WAL, migrations.

Errors the user can do something about (a locked store, a store written by a
newer version, a folder that is not writable, a full disk) are raised as
:class:`StoreError` subclasses with one clear sentence; anything else is a bug.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path


from wtdc_desktop import APP_ID
from wtdc_desktop.errors import WtdcError
from wtdc_desktop.i18n import _
from wtdc_desktop.instants import now_iso
from wtdc_desktop.store import schema

log = logging.getLogger(__name__)

STORE_FILENAME = "store.sqlite3"
BUSY_TIMEOUT_MS = 5000


class StoreError(WtdcError):
    """The store cannot be used; the message says why and where."""


class StoreLocked(StoreError):
    exit_code = 3


class StoreTooNew(StoreError):
    exit_code = 4


class StoreNotWritable(StoreError):
    exit_code = 5


class DiskFull(StoreError):
    exit_code = 6


class DiskError(StoreError):
    exit_code = 6


class StoreDamaged(StoreError):
    """The store's file is damaged (SQLite reports it corrupt or not a database, its quick check
    fails, it was emptied while backups exist, or its schema version does not match its tables).
    Nothing is read from it or written to it; ``backups`` are the ones a restore can bring back,
    newest first."""

    exit_code = 8

    def __init__(self, path: Path, backups: list | None = None) -> None:
        self.path = Path(path)
        self.data_dir = self.path.parent
        if backups is None:
            from wtdc_desktop.store.backup import list_backups

            backups = list_backups(self.data_dir)
        self.backups = backups
        super().__init__(damaged_message(self.path, backups))


def damaged_message(path: Path, backups: list) -> str:
    """The command line's one sentence for a damaged store: what, where, and the command that restores
    the last backup (with the folder, so that it can be copied as it is)."""
    import shlex

    folder = shlex.quote(str(Path(path).parent))
    if backups:
        return _("The store {path} is damaged, so nothing was read from it or written to it: restore the last "
                 "backup with “wtdc-desktop restore {backup} --data-dir {folder}” (“wtdc-desktop backups --data-dir "
                 "{folder}” lists them all).").format(path=path, backup=backups[0].name, folder=folder)
    return _("The store {path} is damaged and has no backup, so nothing was read from it or written to it: move it "
             "aside (a new, empty store is then created) or restore a copy of it.").format(path=path)


def default_data_dir() -> Path:
    """The data folder: ``$WTDC_DATA_DIR`` if set, else the platform's user data folder."""
    env = os.environ.get("WTDC_DATA_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs  # only when no folder is given

    return Path(platformdirs.user_data_dir(APP_ID, appauthor=False))


def utcnow() -> str:
    """Now, as an ISO 8601 UTC instant (the only form of time the store writes)."""
    return now_iso()


#: What a SQLite error means for the user, by its primary result code (the low byte of
#: ``sqlite_errorcode``; extended codes such as SQLITE_IOERR_WRITE share their primary's).
#: The message text is not read: it is English, and it changes between SQLite versions.
LOCKED, FULL, IO, NOT_WRITABLE, DAMAGED = "locked", "full", "io", "not-writable", "damaged"
_KIND_BY_CODE = {
    sqlite3.SQLITE_BUSY: LOCKED,
    sqlite3.SQLITE_LOCKED: LOCKED,
    sqlite3.SQLITE_FULL: FULL,
    sqlite3.SQLITE_IOERR: IO,
    sqlite3.SQLITE_READONLY: NOT_WRITABLE,
    sqlite3.SQLITE_CANTOPEN: NOT_WRITABLE,
    sqlite3.SQLITE_PERM: NOT_WRITABLE,
    sqlite3.SQLITE_NOTADB: DAMAGED,
    sqlite3.SQLITE_CORRUPT: DAMAGED,
}


def sqlite_error_kind(exc: BaseException) -> str | None:
    """``LOCKED``, ``FULL``, ``IO``, ``NOT_WRITABLE``, ``DAMAGED`` or None (anything else: a bug),
    from the error's SQLite result code."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(exc, sqlite3.OperationalError) and code is None and _is_undecodable_text(exc):
        return DAMAGED
    if not isinstance(exc, sqlite3.Error) or code is None:
        return None
    return _KIND_BY_CODE.get(code & 0xFF)


def _is_undecodable_text(exc: sqlite3.OperationalError) -> bool:
    """Python's own error (no SQLite code) for a text value that is not UTF-8 when a row is read: the
    store only ever writes UTF-8, so such bytes are damage inside a record, which SQLite's checks do
    not see. Its wording is CPython's, fixed (``_pysqlite_fetch_one_row``), not SQLite's."""
    return bool(exc.args) and str(exc.args[0]).startswith("Could not decode to UTF-8")


def translate_sqlite_error(exc: sqlite3.Error, path: Path) -> StoreError | None:
    """Map SQLite's errors that are the user's situation, not our bug (by result code)."""
    return refusal_for(sqlite_error_kind(exc), path)


def refusal_for(kind: str | None, path: Path) -> StoreError | None:
    """The one-sentence refusal for a write to the store at ``path`` that failed for ``kind``
    (``LOCKED``, ``FULL``, ...; None: no refusal, a bug). Also used for the store's file cache."""
    if kind == LOCKED:
        return StoreLocked(
            _("The store {path} is in use by another WTDC Desktop process; try again when it has finished.").format(
                path=path
            )
        )
    if kind == FULL:
        return DiskFull(
            _("The disk holding {path} is full; free some space and try again (nothing was changed).").format(
                path=path
            )
        )
    if kind == IO:
        return DiskError(
            _("Writing the store {path} failed with a disk error; nothing was changed. Check the disk and try again.").format(
                path=path
            )
        )
    if kind == NOT_WRITABLE:
        return StoreNotWritable(
            _("The store {path} cannot be written: check the folder's permissions.").format(path=path)
        )
    if kind == DAMAGED:
        path = Path(path)
        if path.name == STORE_FILENAME:
            return StoreDamaged(path)
        return StoreError(
            _("The store {path} is damaged or is not a WTDC Desktop store; restore a backup or choose another data folder.").format(
                path=path
            )
        )
    return None


def _is_emptied(path: Path) -> bool:
    """A store file of zero bytes in a folder holding backups: emptied (a failed copy, a truncation),
    not a new store; SQLite would take it for an empty database and start afresh."""
    try:
        if path.stat().st_size != 0:
            return False
    except OSError:
        return False
    from wtdc_desktop.store.backup import list_backups  # only for an empty file: not on every opening

    try:
        return bool(list_backups(path.parent))
    except OSError:
        return False


def check_store_file(conn: sqlite3.Connection, path: Path) -> None:
    """Raise :class:`StoreDamaged` unless SQLite's quick check of the open store passes.

    The quick check reads every page (b-tree structure, record formats, NOT NULL), not the indexes'
    agreement with their tables: a few milliseconds on the demo store, about 0.1 to 0.25 s on a
    128 MB store whose pages are cached (2 s from a cold disk). Without it, a damaged page a query
    never reaches gives a wrong answer (an empty table, a missing count) instead of an error.
    """
    try:
        rows = conn.execute("PRAGMA quick_check(1)").fetchall()
    except sqlite3.DatabaseError as exc:
        if sqlite_error_kind(exc) != DAMAGED:
            raise
        log.warning("store %s failed to open: %s", path, exc)
        raise StoreDamaged(path) from None
    if [tuple(r) for r in rows] != [("ok",)]:
        log.warning("store %s failed its quick check: %s", path, [tuple(r) for r in rows])
        raise StoreDamaged(path)


# The store files this process has quick-checked, as (path, inode, size, mtime): a worker thread's
# connection to a file that has not changed since (a periodic sync with nothing new) is not checked
# again. A restored store (a new inode) or a file written meanwhile is.
_CHECKED: set[tuple[str, int, int, int]] = set()


def _file_key(path: Path) -> tuple[str, int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return str(path), st.st_ino, st.st_size, st.st_mtime_ns


#: Beside the store: the file's identity (inode, size, times) when it last passed the quick check
#: as a whole, at the window's clean close (:meth:`Store.close` with ``check=True``). An opening
#: that finds the file exactly so, with no write-ahead log holding pages, skips the check.
CHECKED_FILENAME = "store-checked.json"
#: The quick check runs at an opening anyway when the last one is older than this (seconds): the
#: file's times do not see a disk's own decay.
CHECK_MAX_AGE = 7 * 24 * 3600


def _stat_identity(path: Path) -> dict | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return {"dev": st.st_dev, "ino": st.st_ino, "size": st.st_size, "mtime_ns": st.st_mtime_ns,
            "ctime_ns": st.st_ctime_ns}


def _wal_is_empty(path: Path) -> bool:
    try:
        return Path(f"{path}-wal").stat().st_size == 0
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _unchanged_since_clean_check(path: Path) -> bool:
    """The store file is the very file that last passed the quick check at a clean close, unchanged
    since (same device, inode, size, modification and change times, no pages in a write-ahead log)
    and checked less than :data:`CHECK_MAX_AGE` ago. Any write, a copy or a restore over it, a
    crash that left a log, a marker that cannot be read: False, and the check runs."""
    import json
    import time

    try:
        marker = json.loads((path.parent / CHECKED_FILENAME).read_text(encoding="utf-8"))
        fresh = 0 <= time.time() - float(marker.pop("checked_at")) < CHECK_MAX_AGE
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return False
    return fresh and marker == _stat_identity(path) and _wal_is_empty(path)


def _forget_clean_check(data_dir: Path) -> None:
    try:
        (Path(data_dir) / CHECKED_FILENAME).unlink()
    except OSError:
        pass


class Store:
    """A connection to the store. One per thread: SQLite connections are not shared (the bulk path
    lends its connection to one helper thread, and waits for it before using it again)."""

    def __init__(self, data_dir: Path | str | None = None, *, migrate: bool = True,
                 cache_kib: int | None = None) -> None:
        """``cache_kib``: the connection's page cache, when not SQLite's 2 MiB (a worker's short read
        needs little: its pages are in the system's file cache, and each thread's cache adds to the
        window's memory)."""
        self._cache_kib = cache_kib
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.path = self.data_dir / STORE_FILENAME
        self._ensure_writable_dir()
        if _is_emptied(self.path):
            raise StoreDamaged(self.path)
        try:
            self.conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                # lent to a helper thread by the bulk path (published.BulkUpsert), never used by two at once
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise translate_sqlite_error(exc, self.path) or StoreError(
                _("The store {path} cannot be opened: {reason}.").format(path=self.path, reason=exc)
            ) from exc
        self.conn.row_factory = sqlite3.Row
        try:
            self._check_once()  # before anything is written to it
            self._configure()
            version = self.schema_version()
            if version > schema.LATEST_VERSION:
                raise StoreTooNew(
                    _(
                        "The store {path} was written by a newer version of WTDC Desktop (schema {found}; this version knows {known}), so it was left unchanged: update the application."
                    ).format(path=self.path, found=version, known=schema.LATEST_VERSION)
                )
            if migrate and version < schema.LATEST_VERSION:
                self._migrate(version)
                self._still_checked()  # the migrations' writes are this process's own
        except sqlite3.Error as exc:
            self.conn.close()
            raise translate_sqlite_error(exc, self.path) or exc from exc
        except BaseException:
            self.conn.close()
            raise

    # -- set-up ---------------------------------------------------------------

    def _check_once(self) -> None:
        key = _file_key(self.path)
        if key is not None and key in _CHECKED:
            return
        if not _unchanged_since_clean_check(self.path):
            check_store_file(self.conn, self.path)
        if key is not None:
            _CHECKED.add(key)

    def _ensure_writable_dir(self) -> None:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.data_dir, prefix=".write-test-"):
                pass
        except OSError as exc:
            raise StoreNotWritable(
                _("The data folder {path} is not writable ({reason}); choose another with --data-dir.").format(
                    path=self.data_dir, reason=exc.strerror or exc
                )
            ) from exc

    def _configure(self) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            log.warning("store %s is in journal mode %s, not WAL", self.path, mode)
        self.conn.execute("PRAGMA foreign_keys = ON")
        # FULL: a committed note survives a power cut, not only a crash.
        self.conn.execute("PRAGMA synchronous = FULL")
        if self._cache_kib:
            self.conn.execute(f"PRAGMA cache_size = -{int(self._cache_kib)}")

    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self, current: int) -> None:
        self.conn.create_function("sha256_hex", 1, schema.sha256_hex, deterministic=True)
        if current:  # one line for an existing store; a new one is only being made
            log.info("migrating store %s from schema %d to %d", self.path, current, schema.LATEST_VERSION)
        for version in range(current + 1, schema.LATEST_VERSION + 1):
            with self.transaction():
                # Re-read inside the write lock: another process may have migrated.
                if self.schema_version() >= version:
                    continue
                try:
                    for statement in _split_sql(schema.MIGRATIONS[version - 1]):
                        self.conn.execute(statement)
                except sqlite3.Error as exc:
                    if sqlite_error_kind(exc) is not None:
                        raise
                    # A released migration applies to the schema its predecessors made; when it
                    # does not (its table already exists), user_version was set back by hand.
                    log.warning("migration %d of %s failed: %s", version, self.path, exc)
                    raise StoreDamaged(self.path) from None
                self.conn.execute(f"PRAGMA user_version = {version}")

    # -- use ------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing: BEGIN IMMEDIATE … COMMIT, ROLLBACK on any exception. Refused at once on a
        store found damaged since it was opened (nothing is written to a damaged store)."""
        if self.damaged:
            raise StoreDamaged(self.path)
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise translate_sqlite_error(exc, self.path) or exc from exc
        # The file as this process checked it, changed only by this transaction (which holds the
        # write lock) stays checked: a worker's connection opened after a sync of the window does
        # not quick-check the whole store again (seconds on a large store).
        checked_before = _file_key(self.path) in _CHECKED
        try:
            yield self.conn
        except BaseException as exc:
            try:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
            except sqlite3.Error:  # SQLite rolls back by itself when it cannot
                log.warning("rollback failed on %s", self.path, exc_info=True)
            if isinstance(exc, sqlite3.Error):
                known = self._known(exc)
                if known is not None:
                    raise known from exc
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise translate_sqlite_error(exc, self.path) or exc from exc
        if checked_before:
            self._still_checked()

    @contextlib.contextmanager
    def writing_alone(self) -> Iterator[bool]:
        """For a large first import into a store no other connection has open: its transactions go
        through a rollback journal instead of the write-ahead log, and WAL is back afterwards.

        In WAL every page is written twice, to the log and then, as the log is folded into the file,
        to the file: 1.2 GB twice for 100,000 documents, a quarter of the import's time. A rollback
        journal keeps only the earlier content of the pages a transaction changes, which a store
        without records hardly has, so each page is written once; a crash or a failure still leaves
        the store as it was. Readers of another process would have to wait for the commit: when
        any other connection has the store open the mode cannot change, and nothing changes (yields
        False). One opened meanwhile waits, then is refused as "in use".
        """
        switched = False
        if not self.conn.in_transaction:
            try:
                with self.busy_wait(0):
                    switched = self.conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0].lower() == "delete"
            except sqlite3.OperationalError:  # another connection has the store open
                switched = False
        log.info("store %s: %s", self.path, "rollback journal for a first import" if switched
                 else "another connection is open: the import goes through the write-ahead log")
        try:
            yield switched
        finally:
            if switched and not self.closed:
                checked = _file_key(self.path) in _CHECKED
                try:
                    mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                    # Without this, SQLite (3.40) refuses the next unqualified wal_checkpoint of this
                    # connection once ("database table is locked") when it has temporary tables.
                    self.conn.execute("PRAGMA main.wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:  # the next opening sets WAL again
                    mode = str(exc)
                if mode.lower() != "wal":
                    log.warning("store %s stays in journal mode %s until it is opened again", self.path, mode)
                elif checked:  # only the mode changed, by this process
                    self._still_checked()

    def _still_checked(self) -> None:
        """The file, checked by this process, was changed by this process alone: still checked."""
        key = _file_key(self.path)
        if key is not None:
            _CHECKED.add(key)

    @contextlib.contextmanager
    def busy_wait(self, milliseconds: int) -> Iterator[None]:
        """Wait at most this long for another writer (a sync) before StoreLocked; for the GUI thread."""
        self.conn.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def execute(self, sql: str, params=(), *, tuples: bool = False) -> sqlite3.Cursor:
        """Run one statement; its rows are :class:`sqlite3.Row` or, with ``tuples``, plain tuples
        (cheaper to make, for a caller reading thousands of rows by position)."""
        try:
            if tuples:
                cur = self.conn.cursor()
                cur.row_factory = None
                return cur.execute(sql, params)
            return self.conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            known = self._known(exc)
            if known is not None:
                raise known from exc
            raise

    def _known(self, exc: sqlite3.Error) -> StoreError | None:
        """The refusal for a SQLite error (None: a bug); a damaged page read now marks the store
        damaged, so that no later transaction writes to it."""
        known = translate_sqlite_error(exc, self.path)
        if isinstance(known, StoreDamaged):
            self.damaged = True
        return known

    #: True once SQLite reported a damaged page of this store (:meth:`transaction` then refuses).
    _damaged = False

    @property
    def damaged(self) -> bool:
        return self._damaged

    @damaged.setter
    def damaged(self, value: bool) -> None:
        self._damaged = bool(value)
        if value:  # damage found without the file changing (a disk's decay): the next opening checks
            _forget_clean_check(self.data_dir)

    def close(self, *, check: bool = False) -> None:
        """Close the connection. With ``check`` (the window, as it quits): once the log is folded into
        the file and emptied (no other connection holding pages in it) and the quick check passes,
        note the file's identity beside it (:data:`CHECKED_FILENAME`): the next opening of that very
        file, unchanged, skips the check (RELIABILITY.md §10)."""
        if check and not self.closed and not self.damaged:
            self._close_checked()
        self.conn.close()
        self.closed = True

    def _close_checked(self) -> None:
        import time

        from wtdc_desktop.atomic import atomic_write_text

        _forget_clean_check(self.data_dir)
        try:
            busy = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            if busy:  # another connection is reading or writing: no identity to note
                return
            before = _stat_identity(self.path)
            check_store_file(self.conn, self.path)
            self.conn.close()
        except (sqlite3.Error, StoreError) as exc:
            log.warning("store %s not noted as checked at close: %s", self.path, exc)
            return
        after = _stat_identity(self.path)
        if before is None or before != after or not _wal_is_empty(self.path):
            return
        import json

        try:
            atomic_write_text(self.data_dir / CHECKED_FILENAME, json.dumps({**after, "checked_at": time.time()}))
        except OSError:
            log.info("cannot note the check of %s", self.path)

    #: True once :meth:`close` was called (a deferred refresh must not touch a closed store).
    closed = False

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements, keeping trigger bodies whole."""
    statements, buf = [], []
    for line in script.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        buf.append(line)
        joined = "\n".join(buf)
        if sqlite3.complete_statement(joined):
            statements.append(joined)
            buf = []
    if buf and "\n".join(buf).strip():
        statements.append("\n".join(buf))
    return statements
