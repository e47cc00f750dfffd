"""Text extracted from documents' attached files, and how each file's extraction went."""

from __future__ import annotations

import sqlite3

from wtdc_desktop.store.db import Store


def save_extracted_text(conn: sqlite3.Connection, document_id: str, text: str | None) -> None:
    """Store the searchable text of a document's files (the search index follows by trigger)."""
    conn.execute("UPDATE document SET extracted_text = ? WHERE id = ? AND extracted_text IS NOT ?",
                 (text, document_id, text))


def set_extract_status(conn: sqlite3.Connection, document_id: str, language: str, status: str,
                       error: str | None) -> None:
    """``status``: ok, failed (``error`` says why), unsupported or missing."""
    conn.execute("UPDATE document_file SET extract_status = ?, extract_error = ? WHERE document = ? AND language = ?",
                 (status, error, document_id, language))


def extraction_problems(store: Store) -> list[dict]:
    """Files whose text could not be read, with the reason."""
    rows = store.execute(
        "SELECT document, language, path, extract_status, extract_error FROM document_file "
        "WHERE extract_status = 'failed' ORDER BY document, language").fetchall()
    return [dict(r) for r in rows]


def file_extract_status(store: Store, document_id: str) -> dict[str, tuple[str | None, str | None]]:
    """language -> (status, error) of a document's files."""
    rows = store.execute("SELECT language, extract_status, extract_error FROM document_file WHERE document = ?",
                         (document_id,))
    return {r[0]: (r[1], r[2]) for r in rows}
