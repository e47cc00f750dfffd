"""``publish BUNDLE... --to FOLDER`` as a publisher types it, and a delegate syncing the folder's feed.

The folder is served here by a plain static file server on the loopback address (the standard
library's); test_publish_nginx.py serves it with nginx.
"""

from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from helpers import run_cli
from sync_helpers import CHANNEL, PUBLISHER, make_stream
from wtdc_desktop.store import Store, syncs


class StaticServer:
    """The folder served over http://127.0.0.1; ``log`` holds (path, status) of each request."""

    def __init__(self, folder: Path) -> None:
        log = self.log = []

        class Handler(SimpleHTTPRequestHandler):
            def log_request(self, code="-", size="-") -> None:
                log.append((self.path, int(getattr(code, "value", code))))

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def __enter__(self) -> StaticServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def bundles(tmp_path) -> dict[int, Path]:
    return make_stream(tmp_path, 3)


def last_sequence(data_dir: Path) -> int | None:
    with Store(data_dir) as store:
        state = syncs.channel_state(store.conn, PUBLISHER, CHANNEL)
    return state.last_sequence if state else None


def sync_json(data_dir: Path) -> dict:
    code, out, err = run_cli("sync", "--json", "--data-dir", data_dir)
    assert code == 0, err
    (result,) = json.loads(out)
    return result


def test_published_bundles_reach_a_delegate_who_added_the_feed(tmp_path, bundles, data_dir):
    site = tmp_path / "site"
    code, out, err = run_cli("publish", bundles[1], bundles[2], "--to", site)
    assert code == 0, err
    assert f"Published 2 bundles of {PUBLISHER}/{CHANNEL}" in out
    assert "SYNC-0001.wtdc.zip" in out and "SYNC-0002-delta.wtdc.zip" in out
    with StaticServer(site) as server:
        url = server.url("/feed.json")
        assert run_cli("sources", "add", url, "--data-dir", data_dir)[0] == 0
        first = sync_json(data_dir)
        assert first["outcome"] == "applied"
        assert [(b["sequence"], b["kind"]) for b in first["bundles"]] == [(1, "full"), (2, "delta")]
        assert last_sequence(data_dir) == 2

        # a delta published later is picked up by the next sync, alone
        code, _out, err = run_cli("publish", bundles[3], "--to", site)
        assert code == 0, err
        server.log.clear()
        second = sync_json(data_dir)
        assert [(b["sequence"], b["kind"], b["outcome"]) for b in second["bundles"]] == [(3, "delta", "applied")]
        assert [path for path, _status in server.log] == ["/feed.json", "/SYNC-0003-delta.wtdc.zip"]
    assert last_sequence(data_dir) == 3


def test_publish_json_says_what_the_feed_lists(tmp_path, bundles):
    site = tmp_path / "site"
    code, out, err = run_cli("publish", bundles[1], "--to", site, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert (doc["publisher"], doc["channel"]) == (PUBLISHER, CHANNEL)
    assert [p["url"] for p in doc["published"]] == ["SYNC-0001.wtdc.zip"]
    assert doc["listed"] == json.loads((site / "feed.json").read_text("utf-8"))["bundles"]


def test_a_sequence_already_published_is_refused_in_one_sentence_and_nothing_changes(tmp_path, bundles):
    site = tmp_path / "site"
    assert run_cli("publish", bundles[1], bundles[2], "--to", site)[0] == 0
    before = {p.name: p.read_bytes() for p in site.iterdir()}
    code, out, err = run_cli("publish", bundles[3], bundles[2], "--to", site, "--json")
    assert code == 3
    assert out == ""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "sequence 2, not newer than sequence 2 already listed" in lines[0], err
    assert {p.name: p.read_bytes() for p in site.iterdir()} == before


def test_publish_help_names_the_folder_and_the_refusal():
    code, out, _err = run_cli("publish", "--help")
    assert code == 0
    assert "--to FOLDER" in out and "not newer" in out


def test_publish_refuses_in_one_sentence_while_another_publication_to_the_folder_goes_on(tmp_path, bundles,
                                                                                       monkeypatch):
    from wtdc_desktop.bundles import publish as publishing

    site = tmp_path / "site"
    assert run_cli("publish", bundles[1], "--to", site)[0] == 0
    before = (site / "feed.json").read_bytes()
    monkeypatch.setattr(publishing, "LOCK_WAIT_SECONDS", 0.3)
    with publishing._publish_lock(site):  # another publication, holding the folder
        code, out, err = run_cli("publish", bundles[2], "--to", site)
    assert code != 0 and out == ""
    assert err.strip() == (f"error: Another publication to {site} is still running; nothing was changed: try "
                           "again when it has finished.")
    assert (site / "feed.json").read_bytes() == before
    assert not (site / "SYNC-0002-delta.wtdc.zip").exists()
    assert run_cli("publish", bundles[2], "--to", site)[0] == 0  # once it has finished
