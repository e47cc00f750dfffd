"""Schema migrations, applied in order; ``PRAGMA user_version`` is the index reached.

Each migration is frozen once released: change the schema by appending one.
Published records (one table per record type of the bundle format) and the
delegation's own records (tables prefixed ``my_``) are kept strictly apart:
no bundle apply ever writes a ``my_`` table.
"""

from __future__ import annotations

# Columns every published table carries besides the record's own fields.
_META = """
    raw TEXT NOT NULL,                 -- the record as published (canonical JSON)
    content_hash TEXT NOT NULL,        -- sha256 of raw
    bundle_seq INTEGER NOT NULL,       -- sequence of the bundle that last changed it
    changed_sync INTEGER NOT NULL,     -- sync that last changed it (sync_log.sync_id)
    first_sync INTEGER NOT NULL,       -- sync that first brought it
    channel TEXT NOT NULL,             -- publisher/channel of the current version
    withdrawn INTEGER NOT NULL DEFAULT 0,
    withdrawn_sync INTEGER
"""

# (table, code) for the full-text index: index rowid = table rowid * 16 + code.
FTS_CODES = {"document": 1, "resolution": 2, "question": 3, "proposal": 4, "note": 5, "position": 6}


def _fts_triggers(table: str, kind: str, title: str, summary: str, body: str, key: str) -> str:
    code = FTS_CODES[kind]

    def row(prefix: str) -> str:
        return (
            f"({prefix}.rid * 16 + {code}, '{kind}', {key.format(p=prefix)}, {title.format(p=prefix)}, "
            f"{summary.format(p=prefix)}, {body.format(p=prefix)})"
        )

    cols = "(rowid, kind, key, title, summary, body)"
    changed = " OR ".join(
        f"({expr.format(p='old')}) IS NOT ({expr.format(p='new')})" for expr in (title, summary, body, key)
    )
    return f"""
    CREATE TRIGGER {table}_fts_ai AFTER INSERT ON {table} BEGIN
        INSERT INTO search_index {cols} VALUES {row('new')};
    END;
    CREATE TRIGGER {table}_fts_ad AFTER DELETE ON {table} BEGIN
        DELETE FROM search_index WHERE rowid = old.rid * 16 + {code};
    END;
    CREATE TRIGGER {table}_fts_au AFTER UPDATE ON {table}
    WHEN {changed} BEGIN
        DELETE FROM search_index WHERE rowid = old.rid * 16 + {code};
        INSERT INTO search_index {cols} VALUES {row('new')};
    END;
    """


MIGRATION_1 = f"""
CREATE TABLE region (
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    name TEXT, {_META});

CREATE TABLE organization (
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    name TEXT, kind TEXT, region TEXT, country TEXT, {_META});

CREATE TABLE meeting (
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    kind TEXT, title TEXT, region TEXT, city TEXT, country TEXT,
    starts_on TEXT, ends_on TEXT, timezone TEXT, url TEXT, {_META});

CREATE TABLE committee (
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    meeting TEXT, name TEXT, kind TEXT, chair TEXT, mandate TEXT, {_META});
CREATE INDEX committee_meeting ON committee(meeting);

CREATE TABLE document (
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    meeting TEXT, title TEXT, source TEXT, date TEXT, kind TEXT, status TEXT,
    summary TEXT, text TEXT, languages TEXT, related TEXT,
    sort_key TEXT NOT NULL,            -- meeting, number, revision, addendum, corrigendum
    sym_number INTEGER, sym_revision INTEGER, sym_addendum INTEGER, sym_corrigendum INTEGER,
    {_META});
CREATE INDEX document_sort ON document(sort_key);
CREATE INDEX document_meeting ON document(meeting, sort_key);

CREATE TABLE resolution (
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    body TEXT, number TEXT, title TEXT, revision TEXT, status TEXT, text TEXT, links TEXT,
    sort_key TEXT NOT NULL, {_META});
CREATE INDEX resolution_sort ON resolution(sort_key);

CREATE TABLE question (
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    number TEXT, study_group INTEGER, period TEXT, title TEXT, status TEXT, text TEXT, links TEXT,
    sort_key TEXT NOT NULL, {_META});
CREATE INDEX question_sort ON question(sort_key);

CREATE TABLE proposal (
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    document TEXT, sources TEXT, action TEXT, target_type TEXT, target_id TEXT,
    title TEXT, text TEXT, reasons TEXT, status TEXT, committee TEXT,
    cost_amount REAL, cost_currency TEXT, {_META});
CREATE INDEX proposal_document ON proposal(document);
CREATE INDEX proposal_target ON proposal(target_type, target_id);

CREATE TABLE session (
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    meeting TEXT, committee TEXT, title TEXT,
    starts_at TEXT, ends_at TEXT,      -- UTC instants, ISO 8601 with Z
    room TEXT, status TEXT, agenda TEXT, {_META});
CREATE INDEX session_start ON session(meeting, starts_at);

CREATE TABLE contact (
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    name TEXT, role TEXT, organization TEXT, region TEXT, email TEXT, phone TEXT,
    languages TEXT, coordinates TEXT, {_META});

CREATE TABLE priority (
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    region TEXT, title TEXT, description TEXT,
    estimated_amount REAL, estimated_currency TEXT, pledges TEXT, {_META});

CREATE TABLE deadline (
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    meeting TEXT, title TEXT, due TEXT, due_utc TEXT, description TEXT, {_META});
CREATE INDEX deadline_due ON deadline(due_utc);

-- Earlier versions of published records (spec §4).
CREATE TABLE record_version (
    vid INTEGER PRIMARY KEY,
    type TEXT NOT NULL, id TEXT NOT NULL,
    raw TEXT NOT NULL, content_hash TEXT NOT NULL,
    bundle_seq INTEGER, channel TEXT,
    applied_sync INTEGER,              -- the sync that brought this version
    superseded_sync INTEGER NOT NULL   -- the sync that replaced or withdrew it
);
CREATE INDEX record_version_record ON record_version(type, id);

-- Which channels currently carry a record: withdrawn when none does.
CREATE TABLE record_channel (
    type TEXT NOT NULL, id TEXT NOT NULL, channel TEXT NOT NULL, content_hash TEXT NOT NULL,
    PRIMARY KEY (type, id, channel)
) WITHOUT ROWID;
CREATE INDEX record_channel_channel ON record_channel(channel);

-- Files of documents, content-addressed in the data folder (files/ab/abcd…).
CREATE TABLE document_file (
    document TEXT NOT NULL, language TEXT NOT NULL, title TEXT,
    path TEXT NOT NULL, sha256 TEXT, size INTEGER, media_type TEXT,
    PRIMARY KEY (document, language)
) WITHOUT ROWID;

-- Bookkeeping of syncs.
CREATE TABLE sync_log (
    sync_id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL, finished_at TEXT,
    source TEXT, publisher TEXT, channel TEXT, sequence INTEGER, kind TEXT,
    manifest_sha256 TEXT,
    outcome TEXT NOT NULL,             -- applied, already_applied, refused, failed, cancelled
    counts TEXT, message TEXT
);
CREATE TABLE channel_state (
    publisher TEXT NOT NULL, channel TEXT NOT NULL, publisher_name TEXT,
    last_sequence INTEGER NOT NULL, last_manifest_sha256 TEXT NOT NULL,
    last_sync INTEGER NOT NULL, created_at TEXT, expires_at TEXT,
    PRIMARY KEY (publisher, channel)
) WITHOUT ROWID;
CREATE TABLE applied_bundle (
    publisher TEXT NOT NULL, channel TEXT NOT NULL, sequence INTEGER NOT NULL,
    manifest_sha256 TEXT NOT NULL, kind TEXT NOT NULL, sync_id INTEGER NOT NULL,
    PRIMARY KEY (publisher, channel, sequence)
) WITHOUT ROWID;
CREATE TABLE source (
    source_id INTEGER PRIMARY KEY, location TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
    added_at TEXT NOT NULL, last_checked TEXT, last_outcome TEXT, last_message TEXT,
    etag TEXT, last_modified TEXT
);
CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;

-- The delegation's own layer: never touched by a published bundle.
CREATE TABLE my_star (
    type TEXT NOT NULL, id TEXT NOT NULL, starred_at TEXT NOT NULL,
    PRIMARY KEY (type, id)) WITHOUT ROWID;
CREATE TABLE my_read (
    type TEXT NOT NULL, id TEXT NOT NULL, read_at TEXT NOT NULL,
    read_hash TEXT,                    -- content hash of the version that was read
    PRIMARY KEY (type, id)) WITHOUT ROWID;
CREATE TABLE my_note (
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    subject_type TEXT NOT NULL, subject_id TEXT NOT NULL,
    body TEXT NOT NULL, author TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    origin TEXT                        -- delegation channel it came from, NULL if written here
);
CREATE INDEX my_note_subject ON my_note(subject_type, subject_id);
CREATE TABLE my_position (
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    subject_type TEXT NOT NULL, subject_id TEXT NOT NULL,
    stance TEXT NOT NULL, priority TEXT, brief TEXT, red_lines TEXT, fallback TEXT,
    owner TEXT, status TEXT NOT NULL DEFAULT 'draft', updated_at TEXT NOT NULL, updated_by TEXT,
    origin TEXT,
    UNIQUE (subject_type, subject_id)
);
CREATE TABLE my_position_history (
    hid INTEGER PRIMARY KEY, position_id TEXT NOT NULL,
    changed_at TEXT NOT NULL, changed_by TEXT, data TEXT NOT NULL
);
CREATE INDEX my_position_history_position ON my_position_history(position_id);
CREATE TABLE my_member (
    name TEXT PRIMARY KEY, role TEXT, languages TEXT, days_present TEXT
) WITHOUT ROWID;
CREATE TABLE my_assignment (
    id TEXT PRIMARY KEY, session TEXT NOT NULL, member TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'lead', updated_at TEXT NOT NULL, origin TEXT,
    UNIQUE (session, member)
) WITHOUT ROWID;
CREATE TABLE my_session_priority (
    session TEXT PRIMARY KEY, priority TEXT NOT NULL
) WITHOUT ROWID;

-- One full-text index over published texts and the delegation's notes and briefs.
CREATE VIRTUAL TABLE search_index USING fts5(
    kind UNINDEXED, key, title, summary, body,
    tokenize = 'unicode61 remove_diacritics 2'
);
{_fts_triggers("document", "document", "{p}.title", "{p}.summary", "{p}.text", "{p}.id")}
{_fts_triggers("resolution", "resolution", "{p}.title", "{p}.revision", "{p}.text", "{p}.id")}
{_fts_triggers("question", "question", "{p}.title", "{p}.number", "{p}.text", "{p}.id")}
{_fts_triggers("proposal", "proposal", "{p}.title", "{p}.reasons", "{p}.text", "{p}.id")}
{_fts_triggers("my_note", "note", "{p}.subject_type || ' ' || {p}.subject_id", "''", "{p}.body", "{p}.id")}
{_fts_triggers("my_position", "position", "{p}.subject_type || ' ' || {p}.subject_id", "coalesce({p}.red_lines, '') || ' ' || coalesce({p}.fallback, '')", "{p}.brief", "{p}.id")}
"""

MIGRATION_2 = f"""
-- Publisher keys pinned by configuration or trusted by the user (spec §6).
CREATE TABLE trusted_key (
    publisher TEXT PRIMARY KEY, public_key TEXT NOT NULL, fingerprint TEXT NOT NULL,
    origin TEXT NOT NULL, added_at TEXT NOT NULL
) WITHOUT ROWID;

-- Delegation bundles (spec §8): what was last imported from each channel, and
-- conflicts between a colleague's version and a local edit, kept for the user.
CREATE TABLE my_import_state (
    channel TEXT NOT NULL, type TEXT NOT NULL, id TEXT NOT NULL,
    content_hash TEXT NOT NULL, local_hash TEXT, imported_at TEXT NOT NULL,
    PRIMARY KEY (channel, type, id)
) WITHOUT ROWID;
CREATE TABLE my_conflict (
    conflict_id INTEGER PRIMARY KEY, channel TEXT NOT NULL, type TEXT NOT NULL, id TEXT NOT NULL,
    local_data TEXT NOT NULL, remote_data TEXT NOT NULL, detected_at TEXT NOT NULL,
    resolved_at TEXT, resolution TEXT
);
CREATE INDEX my_conflict_open ON my_conflict(resolved_at);

-- Text extracted from a document's attached files, for search when it has no text.
ALTER TABLE document ADD COLUMN extracted_text TEXT;
ALTER TABLE document_file ADD COLUMN extract_status TEXT;  -- ok, failed, unsupported, missing
ALTER TABLE document_file ADD COLUMN extract_error TEXT;
DROP TRIGGER document_fts_ai;
DROP TRIGGER document_fts_ad;
DROP TRIGGER document_fts_au;
{_fts_triggers("document", "document", "{p}.title", "{p}.summary", "coalesce({p}.text, {p}.extracted_text)", "{p}.id")}
"""

# Reserved for work in progress, filled by the area named (an empty migration
# only moves user_version on).
# Agenda: delegation members, coverage, reminders, schedule imports.
MIGRATION_3 = """
-- What the delegation notes about a session's languages (not published data).
CREATE TABLE my_session_language (
    session TEXT PRIMARY KEY,
    languages TEXT,                    -- JSON list of language codes the session is held in
    interpretation TEXT,               -- interpretation available (free text), NULL if none noted
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
ALTER TABLE my_member ADD COLUMN updated_at TEXT;
ALTER TABLE my_session_priority ADD COLUMN updated_at TEXT;

-- Published timetables (frab XML/JSON, iCalendar) imported as sources.
CREATE TABLE schedule_source (
    location TEXT PRIMARY KEY,         -- file, folder or https URL as given
    meeting TEXT NOT NULL,
    channel TEXT NOT NULL,             -- bundle channel of the publisher "schedule-import"
    format TEXT, last_checked TEXT, last_outcome TEXT, last_message TEXT,
    content_sha256 TEXT, etag TEXT, last_modified TEXT
) WITHOUT ROWID;
CREATE TABLE schedule_event (
    channel TEXT NOT NULL, guid TEXT NOT NULL, session TEXT NOT NULL,
    PRIMARY KEY (channel, guid)
) WITHOUT ROWID;

-- Reminders already shown (session id and start instant: a moved session is reminded again).
CREATE TABLE reminder_sent (
    key TEXT PRIMARY KEY, session TEXT NOT NULL, fired_at TEXT NOT NULL
) WITHOUT ROWID;
"""
# Positions and negotiation: matrix, overlaps, private contacts, budget.
MIGRATION_4 = """
-- Overlap suggestions the user confirmed or dismissed (pair stored in sorted order).
CREATE TABLE my_overlap (
    a_type TEXT NOT NULL, a_id TEXT NOT NULL, b_type TEXT NOT NULL, b_id TEXT NOT NULL,
    decision TEXT NOT NULL,            -- confirmed, dismissed
    score REAL, decided_at TEXT NOT NULL, decided_by TEXT,
    PRIMARY KEY (a_type, a_id, b_type, b_id)
) WITHOUT ROWID;

-- The delegation's private contacts, kept apart from published ones.
CREATE TABLE my_contact (
    rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL, role TEXT, organization TEXT, region TEXT, email TEXT, phone TEXT,
    languages TEXT, coordinates TEXT,  -- JSON lists, as in published contacts
    topics TEXT, notes TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);

-- Budget figures the user enters (the available budget).
CREATE TABLE my_budget (
    key TEXT PRIMARY KEY, amount REAL NOT NULL, currency TEXT NOT NULL, updated_at TEXT NOT NULL
) WITHOUT ROWID;

-- Who changed a position and where the change came from.
ALTER TABLE my_position_history ADD COLUMN origin TEXT;
ALTER TABLE my_position_history ADD COLUMN subject_type TEXT;
ALTER TABLE my_position_history ADD COLUMN subject_id TEXT;
CREATE INDEX my_position_subject_history ON my_position_history(subject_type, subject_id);
"""


def _trigram_triggers(table: str, kind: str, title: str, summary: str, body: str, key: str) -> str:
    """Keep ``search_trigram`` in step with a table (same rowids and columns as ``search_index``)."""
    code = FTS_CODES[kind]

    def row(prefix: str) -> str:
        return (
            f"({prefix}.rid * 16 + {code}, '{kind}', {key.format(p=prefix)}, {title.format(p=prefix)}, "
            f"{summary.format(p=prefix)}, {body.format(p=prefix)})"
        )

    cols = "(rowid, kind, key, title, summary, body)"
    changed = " OR ".join(
        f"({expr.format(p='old')}) IS NOT ({expr.format(p='new')})" for expr in (title, summary, body, key)
    )
    return f"""
    CREATE TRIGGER {table}_tri_ai AFTER INSERT ON {table} BEGIN
        INSERT INTO search_trigram {cols} VALUES {row('new')};
    END;
    CREATE TRIGGER {table}_tri_ad AFTER DELETE ON {table} BEGIN
        DELETE FROM search_trigram WHERE rowid = old.rid * 16 + {code};
    END;
    CREATE TRIGGER {table}_tri_au AFTER UPDATE ON {table}
    WHEN {changed} BEGIN
        DELETE FROM search_trigram WHERE rowid = old.rid * 16 + {code};
        INSERT INTO search_trigram {cols} VALUES {row('new')};
    END;
    """


# Main window: a trigram index over the same texts as search_index, used when a
# query holds Chinese or Japanese characters (unicode61 keeps a run of CJK
# characters as one token, so words inside it could not be found).
MIGRATION_5 = f"""
-- The document list sorted by a column stays fast on a large store (pages are read in order).
CREATE INDEX document_title ON document(title, id);
CREATE INDEX document_date ON document(date, id);
CREATE INDEX document_source ON document(source, id);
CREATE VIRTUAL TABLE search_trigram USING fts5(
    kind UNINDEXED, key, title, summary, body,
    tokenize = 'trigram'
);
INSERT INTO search_trigram (rowid, kind, key, title, summary, body)
    SELECT rowid, kind, key, title, summary, body FROM search_index;
{_trigram_triggers("document", "document", "{p}.title", "{p}.summary", "coalesce({p}.text, {p}.extracted_text)", "{p}.id")}
{_trigram_triggers("resolution", "resolution", "{p}.title", "{p}.revision", "{p}.text", "{p}.id")}
{_trigram_triggers("question", "question", "{p}.title", "{p}.number", "{p}.text", "{p}.id")}
{_trigram_triggers("proposal", "proposal", "{p}.title", "{p}.reasons", "{p}.text", "{p}.id")}
{_trigram_triggers("my_note", "note", "{p}.subject_type || ' ' || {p}.subject_id", "''", "{p}.body", "{p}.id")}
{_trigram_triggers("my_position", "position", "{p}.subject_type || ' ' || {p}.subject_id", "coalesce({p}.red_lines, '') || ' ' || coalesce({p}.fallback, '')", "{p}.brief", "{p}.id")}
"""

# Lists show current (not withdrawn) records in their default order: these
# indexes let a list count and page its rows without reading the records.
MIGRATION_6 = """
CREATE INDEX document_current ON document(withdrawn, sort_key);
CREATE INDEX resolution_current ON resolution(withdrawn, sort_key);
CREATE INDEX question_current ON question(withdrawn, sort_key);
CREATE INDEX proposal_current ON proposal(withdrawn, id);
CREATE INDEX session_current ON session(withdrawn, starts_at);
CREATE INDEX contact_current ON contact(withdrawn, name);
"""

#: Characters of Chinese, Japanese and Korean text (as fulltext.has_cjk), as an SQLite GLOB class.
CJK_GLOB = "*[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]*"

_TRIGRAM_SOURCES = (
    ("document", "document", "{p}.title", "{p}.summary", "coalesce({p}.text, {p}.extracted_text)", "{p}.id"),
    ("resolution", "resolution", "{p}.title", "{p}.revision", "{p}.text", "{p}.id"),
    ("question", "question", "{p}.title", "{p}.number", "{p}.text", "{p}.id"),
    ("proposal", "proposal", "{p}.title", "{p}.reasons", "{p}.text", "{p}.id"),
    ("my_note", "note", "{p}.subject_type || ' ' || {p}.subject_id", "''", "{p}.body", "{p}.id"),
    ("my_position", "position", "{p}.subject_type || ' ' || {p}.subject_id",
     "coalesce({p}.red_lines, '') || ' ' || coalesce({p}.fallback, '')", "{p}.brief", "{p}.id"),
)


def _cjk_trigram_triggers(table: str, kind: str, title: str, summary: str, body: str, key: str) -> str:
    """Keep ``search_trigram`` in step with a table, for rows holding CJK text only.

    The trigram index serves queries holding CJK characters (fulltext.has_cjk): every
    word must match, so a hit always holds CJK text, and the other rows need not be
    indexed there. Tokenising every row into trigrams was most of a large import's time.
    """
    code = FTS_CODES[kind]
    exprs = (key, title, summary, body)

    def has_cjk(prefix: str) -> str:
        text = " || ' ' || ".join(f"coalesce({e.format(p=prefix)}, '')" for e in exprs)
        return f"({text}) GLOB '{CJK_GLOB}'"

    def select(prefix: str) -> str:
        return (f"SELECT {prefix}.rid * 16 + {code}, '{kind}', {key.format(p=prefix)}, {title.format(p=prefix)}, "
                f"{summary.format(p=prefix)}, {body.format(p=prefix)} WHERE {has_cjk(prefix)}")

    cols = "(rowid, kind, key, title, summary, body)"
    changed = " OR ".join(f"({e.format(p='old')}) IS NOT ({e.format(p='new')})" for e in exprs)
    return f"""
    DROP TRIGGER {table}_tri_ai;
    DROP TRIGGER {table}_tri_ad;
    DROP TRIGGER {table}_tri_au;
    CREATE TRIGGER {table}_tri_ai AFTER INSERT ON {table} WHEN {has_cjk('new')} BEGIN
        INSERT INTO search_trigram {cols} {select('new')};
    END;
    CREATE TRIGGER {table}_tri_ad AFTER DELETE ON {table} BEGIN
        DELETE FROM search_trigram WHERE rowid = old.rid * 16 + {code};
    END;
    CREATE TRIGGER {table}_tri_au AFTER UPDATE ON {table}
    WHEN {changed} BEGIN
        DELETE FROM search_trigram WHERE rowid = old.rid * 16 + {code};
        INSERT INTO search_trigram {cols} {select('new')};
    END;
    """


# The trigram index keeps only rows with CJK text (an import of 100k documents
# spent most of its time tokenising every text into trigrams).
MIGRATION_7 = "\n".join(_cjk_trigram_triggers(*src) for src in _TRIGRAM_SOURCES) + f"""
DELETE FROM search_trigram WHERE NOT ((coalesce(key, '') || ' ' || coalesce(title, '') || ' ' ||
    coalesce(summary, '') || ' ' || coalesce(body, '')) GLOB '{CJK_GLOB}');
"""

# What last defined each channel's records of a type: a digest of the records files (and, for
# documents, of the files they list) of the last full bundle that applied them. A full bundle
# bringing the same files again need not be read record by record. Any write of that type by
# another bundle forgets the digest (see PublishedWriter.remember_digests).
MIGRATION_8 = """
CREATE TABLE channel_records (
    channel TEXT NOT NULL, type TEXT NOT NULL, digest TEXT NOT NULL,
    PRIMARY KEY (channel, type)
) WITHOUT ROWID;
"""

#: The tables of published records (each with first_sync, changed_sync, withdrawn, withdrawn_sync).
PUBLISHED_TABLES = ("region", "organization", "meeting", "committee", "document", "resolution", "question",
                    "proposal", "session", "contact", "priority", "deadline")

# "What changed" counts and lists what a sync brought from these four columns. They come after
# each record's texts and raw JSON, so reading them scanned every record's overflow pages (100k
# documents: 650 ms to count the changes of a first import); a covering index holds them.
MIGRATION_9 = "".join(
    f"CREATE INDEX {table}_changes ON {table}(withdrawn, changed_sync, first_sync, withdrawn_sync);\n"
    for table in PUBLISHED_TABLES)

# A timetable imported from a URL had that URL as its channel name; spec §2 allows only plain
# ASCII names without "/" or ":", so such channels are now named "url-" and the first 16 hex digits
# of the URL's SHA-256 (exchange.timetable_import.channel_for). Renamed everywhere a channel is kept,
# so that the next import of the same URL continues its channel (and withdraws what it dropped).
_OLD_URL = "({col} LIKE 'http://%' OR {col} LIKE 'https://%')"
_NEW_URL = "'url-' || substr(sha256_hex({col}), 1, 16)"
_KEYED_OLD = "{col} LIKE 'schedule-import/http://%' OR {col} LIKE 'schedule-import/https://%'"
_KEYED_NEW = "'schedule-import/url-' || substr(sha256_hex(substr({col}, 17)), 1, 16)"
MIGRATION_10 = "".join(
    [f"UPDATE {table} SET channel = {_NEW_URL} WHERE {_OLD_URL};\n".format(col="channel")
     for table in ("schedule_source", "schedule_event")]
    + [f"UPDATE {table} SET channel = {_NEW_URL} WHERE publisher = 'schedule-import' AND {_OLD_URL};\n".format(
        col="channel") for table in ("channel_state", "applied_bundle", "sync_log")]
    + [f"UPDATE {table} SET channel = {_KEYED_NEW} WHERE {_KEYED_OLD};\n".format(col="channel")
       for table in ("record_channel", "record_version", "channel_records", *(
           "region", "organization", "meeting", "committee", "document", "resolution", "question",
           "proposal", "session", "contact", "priority", "deadline"))])


def sha256_hex(text: str | None) -> str | None:
    """SQL function ``sha256_hex(text)`` that migrations may call (registered before they run)."""
    import hashlib  # here: the window never calls it, and hashlib maps all of OpenSSL's libcrypto (3 MB)

    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()

# Delegation bundles, one stream per member (spec §8, §2): the versions of each delegation record
# this machine has held (the bases of three-way merges), the version each record was last
# exchanged at, and the members of a team sharing a folder or a WebDAV server. Publisher ids
# are lower case (§2): the merge state of a stream written before as `delegation-KEN` is
# re-keyed to `delegation-ken`, so that later bundles of the same delegation continue it.
MIGRATION_11 = """
CREATE TABLE IF NOT EXISTS my_record_version (
    type TEXT NOT NULL, id TEXT NOT NULL, hash TEXT NOT NULL, data TEXT NOT NULL,
    origin TEXT NOT NULL,              -- 'local' or the stream it came from (publisher/channel)
    seen_at TEXT NOT NULL,
    PRIMARY KEY (type, id, hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS my_record_base (
    type TEXT NOT NULL, id TEXT NOT NULL,
    hash TEXT NOT NULL,                -- the version last exchanged (published, taken or merged)
    parent TEXT,                       -- the version that one was made from
    PRIMARY KEY (type, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS team_member (
    name TEXT PRIMARY KEY, public_key TEXT, fingerprint TEXT, trusted_at TEXT,
    last_sequence INTEGER, last_seen TEXT, bundles_read TEXT
) WITHOUT ROWID;
UPDATE OR IGNORE my_import_state SET channel = lower(channel) WHERE channel LIKE 'delegation-%';
UPDATE my_conflict SET channel = lower(channel) WHERE channel LIKE 'delegation-%';
UPDATE OR IGNORE setting SET key = lower(key)
 WHERE key LIKE 'delegation\\_import:delegation-%' ESCAPE '\\' OR key LIKE 'delegation\\_export:delegation-%' ESCAPE '\\';
UPDATE setting SET value = lower(value) WHERE key = 'delegation_id';
"""

# "What changed" opens on what the last sync changed, and first counts it by type and change: after
# a first import of 100k documents, counting the 164,000 records it brought took 25-46 ms at every
# opening. Those counts cannot move until the next applied sync (only an apply writes published
# records), so the apply that marks a sync applied keeps them here, counted since the applied sync
# before it (JSON list of [type, change, count]); only the last applied sync's row is kept.
MIGRATION_12 = """
CREATE TABLE IF NOT EXISTS sync_change_counts (
    sync_id INTEGER PRIMARY KEY,       -- the applied sync (sync_log.sync_id)
    since_sync INTEGER NOT NULL,       -- the applied sync before it (0: none)
    counts TEXT NOT NULL
);
"""

MIGRATIONS: list[str] = [MIGRATION_1, MIGRATION_2, MIGRATION_3, MIGRATION_4, MIGRATION_5, MIGRATION_6, MIGRATION_7,
                         MIGRATION_8, MIGRATION_9, MIGRATION_10, MIGRATION_11, MIGRATION_12]
LATEST_VERSION = len(MIGRATIONS)

#: Tables that make up the delegation's own layer.
DELEGATION_TABLES = (
    "my_star", "my_read", "my_note", "my_position", "my_position_history",
    "my_member", "my_assignment", "my_session_priority", "my_session_language",
)
#: Bookkeeping tables that record attempts (a refused bundle is logged there).
LOG_TABLES = ("sync_log", "source", "setting")
