"""A store whose URL timetables were kept under the URL as channel name (before spec §2 allowed only
plain ASCII names) is migrated: the next import of the same URL continues the same channel."""

from __future__ import annotations

import functools
import json
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from helpers import ROOT
from wtdc_desktop.exchange.timetable_import import channel_for, import_schedule
from wtdc_desktop.store import Store
from wtdc_desktop.store.schema import LATEST_VERSION


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no request lines in the test output
        pass


@pytest.fixture
def served(tmp_path):
    """(folder, url): a loopback web server serving ``folder``."""
    folder = tmp_path / "site"
    folder.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}/schedule.json"
    server.shutdown()
    server.server_close()


_CHANNEL_TABLES = ("schedule_source", "schedule_event")
_STATE_TABLES = ("channel_state", "applied_bundle", "sync_log")
_KEYED_TABLES = ("record_channel", "record_version", "channel_records", "meeting", "session")


def _as_before(store, url: str) -> None:
    """Rename the URL's channel back to the URL itself, as the previous version stored it."""
    new = channel_for(url)
    with store.transaction() as conn:
        for table in _CHANNEL_TABLES:
            conn.execute(f"UPDATE {table} SET channel = ? WHERE channel = ?", (url, new))
        for table in _STATE_TABLES:
            conn.execute(f"UPDATE {table} SET channel = ? WHERE channel = ? AND publisher = 'schedule-import'",
                         (url, new))
        for table in _KEYED_TABLES:
            conn.execute(f"UPDATE {table} SET channel = ? WHERE channel = ?",
                         (f"schedule-import/{url}", f"schedule-import/{new}"))
        conn.execute("PRAGMA user_version = 9")


def _channels(store) -> set[str]:
    found = set()
    for table in (*_CHANNEL_TABLES, *_STATE_TABLES, *_KEYED_TABLES):
        found |= {row[0] for row in store.execute(f"SELECT DISTINCT channel FROM {table}") if row[0]}
    return found


def test_a_url_timetable_of_an_older_store_keeps_its_channel_and_withdraws_what_it_dropped(data_dir, served):
    folder, url = served
    schedule = json.loads((ROOT / "tests" / "data" / "schedule-v2-38c3.json").read_text(encoding="utf-8"))
    (folder / "schedule.json").write_text(json.dumps(schedule), encoding="utf-8")
    with Store(data_dir) as store:
        first = import_schedule(store, url)
        assert first.events == 4
        _as_before(store, url)
        assert url in _channels(store)

    with Store(data_dir) as store:  # opening migrates
        assert store.schema_version() == LATEST_VERSION
        channels = _channels(store)
        assert url not in channels and f"schedule-import/{url}" not in channels
        assert channel_for(url) in channels and f"schedule-import/{channel_for(url)}" in channels
        dropped = schedule["schedule"]["events"].pop()
        changed = folder / "schedule.json"
        changed.write_text(json.dumps(schedule), encoding="utf-8")
        later = changed.stat().st_mtime + 10  # a new Last-Modified, not the second of the first write
        os.utime(changed, (later, later))
        again = import_schedule(store, url)
        assert again.meeting == first.meeting
        live = {row[0] for row in store.execute("SELECT id FROM session WHERE withdrawn = 0")}
        gone = {row[0] for row in store.execute("SELECT id FROM session WHERE withdrawn = 1")}
        assert len(live) == 3 and len(gone) == 1
        assert any(dropped["guid"] in session for session in gone)
