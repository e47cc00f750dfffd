"""Remembered sync sources (spec §5) and the result of their last sync."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from wtdc_desktop.store.db import Store, utcnow


@dataclass(frozen=True)
class SourceRow:
    source_id: int
    location: str
    kind: str  # file | folder | feed
    added_at: str
    last_checked: str | None
    last_outcome: str | None
    last_message: str | None
    etag: str | None
    last_modified: str | None

    def as_dict(self) -> dict:
        return asdict(self)


_COLUMNS = "source_id, location, kind, added_at, last_checked, last_outcome, last_message, etag, last_modified"


def add_source(store: Store, location: str, kind: str) -> bool:
    """Remember a source; False when it was already remembered."""
    with store.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO source (location, kind, added_at) VALUES (?, ?, ?) ON CONFLICT (location) DO NOTHING",
            (location, kind, utcnow()),
        )
        return cur.rowcount > 0


def remove_source(store: Store, location: str) -> bool:
    with store.transaction() as conn:
        return conn.execute("DELETE FROM source WHERE location = ?", (location,)).rowcount > 0


def list_sources(store: Store) -> list[SourceRow]:
    rows = store.execute(f"SELECT {_COLUMNS} FROM source ORDER BY source_id").fetchall()
    return [SourceRow(*row) for row in rows]


def get_source(store: Store, location: str) -> SourceRow | None:
    row = store.execute(f"SELECT {_COLUMNS} FROM source WHERE location = ?", (location,)).fetchone()
    return SourceRow(*row) if row else None


def record_result(store: Store, location: str, *, outcome: str, message: str | None,
                  etag: str | None = None, last_modified: str | None = None, keep_validators: bool = True) -> None:
    """Note the last sync of a remembered source (nothing happens for one that is not remembered).

    The feed's validators (ETag, Last-Modified) are replaced when given; with
    ``keep_validators`` False they are cleared, so the next check fetches the feed whole.
    """
    with store.transaction() as conn:
        if etag is not None or last_modified is not None or not keep_validators:
            conn.execute(
                "UPDATE source SET last_checked = ?, last_outcome = ?, last_message = ?, etag = ?, last_modified = ? "
                "WHERE location = ?",
                (utcnow(), outcome, message, etag, last_modified, location),
            )
        else:
            conn.execute(
                "UPDATE source SET last_checked = ?, last_outcome = ?, last_message = ? WHERE location = ?",
                (utcnow(), outcome, message, location),
            )
