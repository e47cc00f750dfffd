"""Sync sources (spec §5): folders of bundles, feeds over loopback HTTP (and HTTPS), remembered sources."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from helpers import local_tls_contexts, run_cli, table_fingerprint
from sync_helpers import CHANNEL, PUBLISHER, FeedServer, feed_document, feed_entry, make_bundle, send_bytes
from wtdc_desktop.bundles.apply import apply_bundle
from wtdc_desktop.bundles.sources import Candidate, SyncOptions, choose_chain, scan_folder, sync_source
from wtdc_desktop.store import Store, sources, syncs


def last_sequence(store) -> int | None:
    state = syncs.channel_state(store.conn, PUBLISHER, CHANNEL)
    return state.last_sequence if state else None


def one_line_error(err: str, *words: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for word in words:
        assert word in lines[0], (word, err)


# --- choosing the chain -------------------------------------------------------------------------------

def cand(seq, kind="full", base=None, size=1):
    return Candidate(location=f"{kind}-{seq}", publisher="p", channel="c", sequence=seq, kind=kind,
                     base_sequence=base, size=size)


@pytest.mark.parametrize("last, offered, expected", [
    (None, [cand(1), cand(2, "delta", 1), cand(3, "delta", 2)], ["full-1", "delta-2", "delta-3"]),
    (None, [cand(1), cand(2, "delta", 1), cand(3, "delta", 2), cand(3)], ["full-3"]),  # fewer applies
    (1, [cand(1), cand(2, "delta", 1), cand(3, "delta", 2)], ["delta-2", "delta-3"]),
    (1, [cand(2, "delta", 1), cand(3, "delta", 2), cand(4, "delta", 3), cand(3)], ["full-3", "delta-4"]),
    (2, [cand(3, "delta", 1), cand(1)], []),  # a delta on another base, and an older full: nothing
    (2, [cand(1), cand(2)], []),  # nothing newer
    (None, [cand(2, "delta", 1)], []),  # a delta needs its base
])
def test_the_shortest_chain_from_the_last_applied_sequence_is_chosen(last, offered, expected):
    assert [c.location for c in choose_chain(offered, last)] == expected


# --- folders -------------------------------------------------------------------------------------------------

@pytest.fixture
def chain_folder(tmp_path) -> Path:
    """A folder holding full 1, deltas 2 and 3, a half-copied bundle and one with a temporary name."""
    folder = tmp_path / "usb"
    folder.mkdir()
    work = tmp_path / "work"
    make_bundle(work, folder / "s1.wtdc.zip", sequence=1, n=30, variant="a")
    make_bundle(work, folder / "s2-delta.wtdc.zip", sequence=2, kind="delta", base=1, n=5, variant="b")
    make_bundle(work, folder / "s3-delta.wtdc.zip", sequence=3, kind="delta", base=2, n=5, start=5, variant="c")
    full4 = make_bundle(work, work / "s4.wtdc.zip", sequence=4, n=30, variant="d")
    data = full4.read_bytes()
    (folder / "s4.wtdc.zip").write_bytes(data[: len(data) // 2])  # still being copied
    (folder / "s5.wtdc.zip.part").write_bytes(data)
    return folder


def test_a_folder_applies_the_delta_chain_in_order_and_passes_over_half_copied_files(store, chain_folder, tmp_path):
    apply_bundle(store, chain_folder / "s1.wtdc.zip")
    result = sync_source(store, str(chain_folder), SyncOptions(settle=0))
    assert result.error is None, result.message
    assert [(r.sequence, r.kind) for r in result.applied] == [(2, "delta"), (3, "delta")]
    assert last_sequence(store) == 3
    notes = "\n".join(result.notes)
    assert "s4.wtdc.zip" in notes and "s5.wtdc.zip.part" in notes
    # the delta of sequence 3 changed T/5..T/9 (version c) on top of 2's T/0..T/4 (version b)
    titles = dict(store.execute("SELECT id, title FROM proposal WHERE id IN ('T/0', 'T/7', 'T/20')").fetchall())
    assert titles == {"T/0": "Proposal 0 version b", "T/7": "Proposal 7 version c", "T/20": "Proposal 20 version a"}
    # nothing new the second time
    again = sync_source(store, str(chain_folder), SyncOptions(settle=0))
    assert again.outcome == "up_to_date" and not again.applied


def test_a_folder_from_an_empty_store_starts_with_the_full_bundle(store, chain_folder):
    result = sync_source(store, str(chain_folder), SyncOptions(settle=0))
    assert [r.sequence for r in result.applied] == [1, 2, 3]


def test_a_file_whose_size_changes_between_two_looks_is_passed_over(store, tmp_path):
    folder = tmp_path / "share"
    folder.mkdir()
    make_bundle(tmp_path / "w", folder / "s1.wtdc.zip", sequence=1, n=10)
    growing = make_bundle(tmp_path / "w", folder / "s2.wtdc.zip", sequence=2, n=10, variant="b")
    waited = []

    def copying_goes_on(seconds):  # between the two looks, the copy writes more bytes
        waited.append(seconds)
        with open(growing, "ab") as fp:
            fp.write(b"\0" * 100)

    found, notes = scan_folder(folder, SyncOptions(settle=0.5, wait=copying_goes_on))
    assert waited == [0.5]
    assert [c.sequence for c in found] == [1]
    assert any("s2.wtdc.zip" in n and "changed" in n for n in notes)


def test_a_delta_that_cannot_be_reached_is_noted_and_nothing_changes(store, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    apply_bundle(store, make_bundle(tmp_path / "w", tmp_path / "s1.wtdc.zip", sequence=1, n=10))
    make_bundle(tmp_path / "w", folder / "s3.wtdc.zip", sequence=3, kind="delta", base=2, n=3)
    before = table_fingerprint(store)
    result = sync_source(store, str(folder), SyncOptions(settle=0))
    assert result.outcome == "up_to_date" and result.error is None
    assert any("sequence 3" in n and "full bundle" in n for n in result.notes)
    assert table_fingerprint(store) == before


def test_sync_cli_accepts_a_folder(data_dir, chain_folder):
    code, out, err = run_cli("sync", chain_folder, "--data-dir", data_dir, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert [b["sequence"] for b in report["bundles"]] == [1, 2, 3]
    assert any("s4.wtdc.zip" in n for n in report["notes"])


# --- remembered sources ------------------------------------------------------------------------------------

def test_sources_are_remembered_with_their_last_result(data_dir, chain_folder, tmp_path):
    code, out, err = run_cli("sources", "add", chain_folder, "--data-dir", data_dir)
    assert code == 0 and "folder" in out, err
    code, _, err = run_cli("sources", "add", tmp_path / "nowhere", "--data-dir", data_dir)
    assert code == 2
    one_line_error(err, "nowhere")
    code, out, err = run_cli("sync", "--data-dir", data_dir)  # every remembered source
    assert code == 0, err
    assert "Applied test-pub/SYNC sequence 3 (delta)" in out
    code, out, _ = run_cli("sources", "list", "--json", "--data-dir", data_dir)
    (row,) = json.loads(out)
    assert row["location"] == str(chain_folder) and row["kind"] == "folder"
    assert row["last_outcome"] == "applied" and row["last_checked"]
    code, out, err = run_cli("sources", "remove", chain_folder, "--data-dir", data_dir)
    assert code == 0, err
    code, out, _ = run_cli("sources", "list", "--json", "--data-dir", data_dir)
    assert json.loads(out) == []
    code, _, err = run_cli("sync", "--data-dir", data_dir)
    assert code == 2
    one_line_error(err, "sources add")


def test_an_unplugged_folder_is_unreachable_not_fatal(data_dir, tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    assert run_cli("sources", "add", stick, "--data-dir", data_dir)[0] == 0
    stick.rmdir()
    code, _, err = run_cli("sync", "--data-dir", data_dir)
    assert code == 7
    assert str(stick) in err
    with Store(data_dir) as store:
        (row,) = sources.list_sources(store)
    assert row.last_outcome == "unreachable"


# --- feeds ----------------------------------------------------------------------------------------------

@pytest.fixture
def bundles(tmp_path):
    work = tmp_path / "w"
    return {
        1: make_bundle(work, tmp_path / "b1.wtdc.zip", sequence=1, n=40),
        2: make_bundle(work, tmp_path / "b2.wtdc.zip", sequence=2, kind="delta", base=1, n=5, variant="b"),
    }


def test_a_feed_is_applied_then_checked_with_a_conditional_request(data_dir, bundles):
    with FeedServer() as server:
        feed = feed_document([feed_entry(bundles[1], "files/b1.wtdc.zip", sequence=1),
                              feed_entry(bundles[2], "files/b2.wtdc.zip", sequence=2, kind="delta", base=1)])

        def feed_route(h):
            if h.headers.get("If-None-Match") == '"v1"':
                h.send_response(304)
                h.send_header("ETag", '"v1"')
                h.send_header("Content-Length", "0")
                h.end_headers()
                return
            send_bytes(feed, headers={"ETag": '"v1"', "Last-Modified": "Mon, 06 Jan 2025 08:00:00 GMT"})(h)

        server.routes["/feed/feed.json"] = feed_route
        server.routes["/feed/files/b1.wtdc.zip"] = send_bytes(bundles[1].read_bytes())  # relative URLs
        server.routes["/feed/files/b2.wtdc.zip"] = send_bytes(bundles[2].read_bytes())
        url = server.url("/feed/feed.json")
        assert run_cli("sources", "add", url, "--data-dir", data_dir)[0] == 0
        code, out, err = run_cli("sync", "--data-dir", data_dir)
        assert code == 0, err
        assert "sequence 1 (full)" in out and "sequence 2 (delta)" in out
        code, out, err = run_cli("sync", "--data-dir", data_dir)
        assert code == 0, err
        assert "has not changed" in out
    feed_requests = [headers for path, headers in server.requests if path == "/feed/feed.json"]
    assert "If-None-Match" not in feed_requests[0]
    assert feed_requests[1]["If-None-Match"] == '"v1"'
    assert feed_requests[1]["If-Modified-Since"] == "Mon, 06 Jan 2025 08:00:00 GMT"
    assert [p for p, _ in server.requests].count("/feed/files/b1.wtdc.zip") == 1
    with Store(data_dir) as store:
        assert last_sequence(store) == 2
        (row,) = sources.list_sources(store)
        assert (row.last_outcome, row.etag) == ("up_to_date", '"v1"')
    assert not list((data_dir / "tmp" / "downloads").glob("*"))  # downloads are not kept


def _refused_feed(data_dir, bundles, route, *, entry=None):
    """Serve a feed listing bundle 1 through ``route``; sync it; return (code, stderr, requests)."""
    with Store(data_dir) as store:
        before = table_fingerprint(store)
    with FeedServer() as server:
        server.routes["/feed.json"] = send_bytes(feed_document([entry or feed_entry(bundles[1], "b1.wtdc.zip", sequence=1)]),
                                                 headers={"ETag": '"x"'})
        server.routes["/b1.wtdc.zip"] = route
        url = server.url("/feed.json")
        run_cli("sources", "add", url, "--data-dir", data_dir)
        code, out, err = run_cli("sync", url, "--data-dir", data_dir)
        # a refused download leaves no validators: the next check fetches the feed whole
        run_cli("sync", url, "--data-dir", data_dir)
    with Store(data_dir) as store:
        assert table_fingerprint(store) == before
        assert last_sequence(store) is None
        (row,) = sources.list_sources(store)
        assert row.last_outcome == "refused" and row.etag is None
    assert not list((data_dir / "tmp" / "downloads").glob("*"))
    assert all("If-None-Match" not in h for p, h in server.requests if p == "/feed.json")
    return code, err, server, url


def test_a_truncated_download_is_refused(data_dir, bundles):
    data = bundles[1].read_bytes()
    code, err, server, url = _refused_feed(data_dir, bundles, send_bytes(data[:1000], length=len(data)))
    assert code == 3
    one_line_error(err, server.url("/b1.wtdc.zip"), "truncated")


def test_a_download_with_the_wrong_hash_is_refused(data_dir, bundles):
    data = bytearray(bundles[1].read_bytes())
    data[100] ^= 0xFF
    code, err, server, url = _refused_feed(data_dir, bundles, send_bytes(bytes(data)))
    assert code == 3
    one_line_error(err, server.url("/b1.wtdc.zip"), "SHA-256")


def test_a_download_larger_than_listed_is_refused_before_reading(data_dir, bundles):
    data = bundles[1].read_bytes()
    code, err, server, url = _refused_feed(data_dir, bundles, send_bytes(data + b"more"))
    assert code == 3
    one_line_error(err, "announces", str(len(data)))


def test_an_endless_body_is_read_only_up_to_the_listed_size(data_dir, bundles):
    data = bundles[1].read_bytes()
    cap = 512 * 1024 * 1024
    sent = {}

    def endless(h):  # the bundle, then zeros for ever, with no length announced
        h.send_response(200)
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(data)
        total = len(data)
        block = b"\0" * 65536
        try:
            while total < cap:
                h.wfile.write(block)
                total += len(block)
        finally:
            sent["bytes"] = total
            h.close_connection = True

    with FeedServer() as server:
        server.routes["/feed.json"] = send_bytes(feed_document([feed_entry(bundles[1], "b1.wtdc.zip", sequence=1)]))
        server.routes["/b1.wtdc.zip"] = endless
        code, out, err = run_cli("sync", server.url("/feed.json"), "--data-dir", data_dir)
    assert code == 0, err
    with Store(data_dir) as store:
        assert last_sequence(store) == 1
    assert sent["bytes"] < cap  # the client hung up: it stopped at the listed size


def test_a_redirect_to_plain_http_is_refused(data_dir, bundles):
    def redirect(h):
        h.send_response(302)
        h.send_header("Location", "http://feeds.example.org/feed.json")
        h.send_header("Content-Length", "0")
        h.end_headers()

    with FeedServer() as server:
        server.routes["/feed.json"] = redirect
        with Store(data_dir) as store:
            before = table_fingerprint(store)
        code, _, err = run_cli("sync", server.url("/feed.json"), "--data-dir", data_dir)
    assert code == 3
    one_line_error(err, server.url("/feed.json"), "http://feeds.example.org/feed.json", "not https")
    with Store(data_dir) as store:
        assert table_fingerprint(store) == before


def test_plain_http_is_refused_except_on_loopback(data_dir):
    for command in (("sync", "http://feeds.example.org/feed.json"), ("sources", "add", "http://10.0.0.5/feed")):
        code, _, err = run_cli(*command, "--data-dir", data_dir)
        assert code == 3
        one_line_error(err, command[-1], "loopback")


def test_a_redirect_from_loopback_to_https_is_followed(store, bundles, tmp_path):
    server_ctx, client_ctx = local_tls_contexts(tmp_path)
    payload = {"/feed.json": feed_document([feed_entry(bundles[1], "b1.wtdc.zip", sequence=1)]),
               "/b1.wtdc.zip": bundles[1].read_bytes()}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = payload.get(self.path)
            if body is None:
                self.send_error(404)
                return
            send_bytes(body)(self)

        def log_message(self, *args):
            pass

    tls = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tls.socket = server_ctx.wrap_socket(tls.socket, server_side=True)
    thread = threading.Thread(target=tls.serve_forever, daemon=True)
    thread.start()
    https_feed = f"https://127.0.0.1:{tls.server_address[1]}/feed.json"
    try:
        with FeedServer() as server:
            def redirect(h):
                h.send_response(301)
                h.send_header("Location", https_feed)
                h.send_header("Content-Length", "0")
                h.end_headers()

            server.routes["/feed.json"] = redirect
            result = sync_source(store, server.url("/feed.json"), SyncOptions(ssl_context=client_ctx))
    finally:
        tls.shutdown()
        tls.server_close()
    assert result.error is None, result.message
    assert [r.sequence for r in result.applied] == [1]
    assert last_sequence(store) == 1


def test_a_feed_listing_a_bundle_that_is_not_what_it_says_is_refused(data_dir, bundles):
    with FeedServer() as server:
        # the feed says sequence 5, the bundle is sequence 1
        server.routes["/feed.json"] = send_bytes(feed_document([feed_entry(bundles[1], "b1.wtdc.zip", sequence=5)]))
        server.routes["/b1.wtdc.zip"] = send_bytes(bundles[1].read_bytes())
        code, _, err = run_cli("sync", server.url("/feed.json"), "--data-dir", data_dir)
    assert code == 3
    one_line_error(err, "sequence 1", "not what its source lists")


def test_a_malformed_feed_is_refused_naming_the_field(data_dir):
    with FeedServer() as server:
        doc = json.loads(feed_document([{"sequence": 1, "kind": "full", "url": "x.wtdc.zip", "size": 10}]))
        server.routes["/feed.json"] = send_bytes(json.dumps(doc).encode())
        code, _, err = run_cli("sync", server.url("/feed.json"), "--data-dir", data_dir)
    assert code == 3
    one_line_error(err, server.url("/feed.json"), "bundle 1", "sha256")


def test_an_unreachable_feed_says_so(data_dir):
    with FeedServer() as server:
        url = server.url("/missing.json")
        code, _, err = run_cli("sync", url, "--data-dir", data_dir)
    assert code == 7
    one_line_error(err, url, "404")


def test_a_redirect_between_loopback_addresses_is_followed(store, bundles):
    with FeedServer() as first, FeedServer() as second:
        second.routes["/feed.json"] = send_bytes(feed_document([feed_entry(bundles[1], "b1.wtdc.zip", sequence=1)]))
        second.routes["/b1.wtdc.zip"] = send_bytes(bundles[1].read_bytes())

        def redirect(h):
            h.send_response(302)
            h.send_header("Location", second.url("/feed.json"))
            h.send_header("Content-Length", "0")
            h.end_headers()

        first.routes["/feed.json"] = redirect
        result = sync_source(store, first.url("/feed.json"))
    assert result.error is None, result.message
    assert last_sequence(store) == 1
    assert [p for p, _ in second.requests] == ["/feed.json", "/b1.wtdc.zip"]  # relative to where it was found


def test_a_server_that_trickles_bytes_is_given_up(store, bundles, monkeypatch):
    import time

    from wtdc_desktop import network

    monkeypatch.setattr(network, "MIN_DOWNLOAD_RATE", 10 ** 9)
    data = bundles[1].read_bytes()
    stop = threading.Event()

    def trickle(h):
        h.send_response(200)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        for i in range(len(data)):
            if stop.is_set():
                return
            h.wfile.write(data[i:i + 1])
            h.wfile.flush()
            time.sleep(0.01)  # the trickle is what is tested

    with FeedServer() as server:
        server.routes["/feed.json"] = send_bytes(feed_document([feed_entry(bundles[1], "b1.wtdc.zip", sequence=1)]))
        server.routes["/b1.wtdc.zip"] = trickle
        try:
            result = sync_source(store, server.url("/feed.json"), SyncOptions(timeout=0.5))
        finally:
            stop.set()
    assert result.outcome == "unreachable"
    assert "too slowly" in result.message and server.url("/b1.wtdc.zip") in result.message
    assert last_sequence(store) is None


def test_syncing_every_source_reports_each_and_fails_if_one_was_refused(data_dir, chain_folder, bundles):
    with FeedServer() as server:
        wrong = feed_entry(bundles[1], "b1.wtdc.zip", sequence=7, digest="0" * 64)
        server.routes["/feed.json"] = send_bytes(feed_document([wrong], channel="OTHER"))
        server.routes["/b1.wtdc.zip"] = send_bytes(bundles[1].read_bytes())
        assert run_cli("sources", "add", chain_folder, "--data-dir", data_dir)[0] == 0
        assert run_cli("sources", "add", server.url("/feed.json"), "--data-dir", data_dir)[0] == 0
        code, out, err = run_cli("sources", "add", chain_folder, "--data-dir", data_dir)
        assert code == 0 and "already remembered" in out
        code, out, err = run_cli("sync", "--json", "--data-dir", data_dir)
    assert code == 3
    report = {r["location"]: r for r in json.loads(out)}
    assert report[str(chain_folder)]["outcome"] == "applied"
    assert report[server.url("/feed.json")]["outcome"] == "refused"
    one_line_error(err, server.url("/b1.wtdc.zip"), "SHA-256")
    with Store(data_dir) as store:
        assert last_sequence(store) == 3


def test_a_refused_bundle_in_a_folder_does_not_stop_another_channels_chain(store, tmp_path):
    import zipfile

    folder = tmp_path / "usb"
    folder.mkdir()
    make_bundle(tmp_path / "w", folder / "a1.wtdc.zip", sequence=1, n=5, channel="A")
    make_bundle(tmp_path / "w", folder / "z1.wtdc.zip", sequence=1, n=5, channel="Z")
    make_bundle(tmp_path / "w", folder / "z2.wtdc.zip", sequence=2, kind="delta", base=1, n=2, channel="Z")
    # channel A's sequence 2, as a bundle folder whose records were altered after it was built
    a2 = make_bundle(tmp_path / "w", tmp_path / "a2.wtdc.zip", sequence=2, n=5, channel="A", variant="b")
    with zipfile.ZipFile(a2) as zf:
        zf.extractall(folder / "a2")
    records = folder / "a2" / "records" / "proposal.jsonl"
    records.write_text(records.read_text("utf-8").replace("version b", "version X"), "utf-8")  # same size
    result = sync_source(store, str(folder), SyncOptions(settle=0))
    # A's chain is its newest full bundle alone, which is refused; Z's chain is applied all the same
    assert [(r.channel, r.sequence) for r in result.applied] == [("Z", 1), ("Z", 2)]
    assert result.outcome == "refused"
    assert str(folder / "a2") in result.message and "SHA-256" in result.message
    assert syncs.channel_state(store.conn, PUBLISHER, "A") is None
    assert syncs.channel_state(store.conn, PUBLISHER, "Z").last_sequence == 2
