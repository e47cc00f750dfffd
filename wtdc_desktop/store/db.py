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
    if not isinstance(exc, sqlite3.Error) or code is None:
        return None
    return _KIND_BY_CODE.get(code & 0xFF)


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
        return StoreError(
            _("The store {path} is damaged or is not a WTDC Desktop store; restore a backup or choose another data folder.").format(
                path=path
            )
        )
    return None


class Store:
    """A connection to the store. One per thread: SQLite connections are not shared."""

    def __init__(self, data_dir: Path | str | None = None, *, migrate: bool = True) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.path = self.data_dir / STORE_FILENAME
        self._ensure_writable_dir()
        try:
            self.conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=True
            )
        except sqlite3.Error as exc:
            raise translate_sqlite_error(exc, self.path) or StoreError(
                _("The store {path} cannot be opened: {reason}.").format(path=self.path, reason=exc)
            ) from exc
        self.conn.row_factory = sqlite3.Row
        try:
            self._configure()
            version = self.schema_version()
            if version > schema.LATEST_VERSION:
                raise StoreTooNew(
                    _(
                        "The store {path} was written by a newer version of WTDC Desktop (schema {found}; this version knows {known}): update the application. The store was left unchanged."
                    ).format(path=self.path, found=version, known=schema.LATEST_VERSION)
                )
            if migrate and version < schema.LATEST_VERSION:
                self._migrate(version)
        except sqlite3.Error as exc:
            self.conn.close()
            raise translate_sqlite_error(exc, self.path) or exc from exc
        except BaseException:
            self.conn.close()
            raise

    # -- set-up ---------------------------------------------------------------

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
                    raise StoreError(_("The store {path} is damaged: its schema version does not match its tables. Restore a backup with the “restore” command (“backups” lists them).").format(
                        path=self.path)) from None
                self.conn.execute(f"PRAGMA user_version = {version}")

    # -- use ------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing: BEGIN IMMEDIATE … COMMIT, ROLLBACK on any exception."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise translate_sqlite_error(exc, self.path) or exc from exc
        try:
            yield self.conn
        except BaseException as exc:
            try:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
            except sqlite3.Error:  # SQLite rolls back by itself when it cannot
                log.warning("rollback failed on %s", self.path, exc_info=True)
            if isinstance(exc, sqlite3.Error):
                known = translate_sqlite_error(exc, self.path)
                if known is not None:
                    raise known from exc
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise translate_sqlite_error(exc, self.path) or exc from exc

    @contextlib.contextmanager
    def busy_wait(self, milliseconds: int) -> Iterator[None]:
        """Wait at most this long for another writer (a sync) before StoreLocked; for the GUI thread."""
        self.conn.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def execute(self, sql: str, params=()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, params)
        except sqlite3.OperationalError as exc:
            known = translate_sqlite_error(exc, self.path)
            if known is not None:
                raise known from exc
            raise

    def close(self) -> None:
        self.conn.close()
        self.closed = True

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
