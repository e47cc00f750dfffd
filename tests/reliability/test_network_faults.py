"""Network faults against a loopback server (127.0.0.1 only): each ends with one clear sentence within the
sources module's timeout, nothing is applied, and the next scheduled sync works (its back-off reset).

Covered elsewhere and not repeated here: an endless bundle body read only up to the listed size, a
redirect to plain http, a download larger than listed, a wrong hash, a truncated download
(tests/bundles/test_sync_sources.py).
"""

from __future__ import annotations

import socket
import struct
import threading
import time

import pytest

from helpers import table_fingerprint
from sync_helpers import FeedServer, feed_document, feed_entry, make_bundle, send_bytes
from wtdc_desktop.bundles.sources import SyncOptions
from wtdc_desktop.store import Store, sources
from wtdc_desktop.sync import make_scheduler

TIMEOUT = 0.5  # seconds; the sources module's per-read timeout, shortened for the test


def drip(data: bytes, every: float, announce: int | None = None, limit: int = 12):
    """Headers at once, then one byte every ``every`` seconds (``limit`` bytes at most)."""
    def route(h):
        h.send_response(200)
        h.send_header("Content-Length", str(len(data) if announce is None else announce))
        h.end_headers()
        h.wfile.flush()
        for b in data[:limit]:
            time.sleep(every)
            h.wfile.write(bytes([b]))
            h.wfile.flush()
        h.close_connection = True
    return route


def endless_feed(h):
    h.send_response(200)
    h.send_header("Connection", "close")
    h.end_headers()
    h.wfile.write(b'{"format": "wtdc-feed", "publisher": "test-pub", "channel": "SYNC", "bundles": [')
    block = b'{"sequence": 1, "kind": "full", "url": "x", "size": 1, "sha256": "' + b"0" * 64 + b'"}, ' * 1
    for _ in range(200_000):  # about 20 MB, far past the feed limit, unless the client stops reading
        h.wfile.write(block * 100)
    h.close_connection = True


def reset_after(data: bytes, cut: int):
    """Send ``cut`` bytes of the body, then reset the connection (RST, not a clean close)."""
    def route(h):
        h.send_response(200)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data[:cut])
        h.wfile.flush()
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
        h.close_connection = True
    return route


def status(code: int):
    return send_bytes(b"server error\n", status=code)


def redirect(location: str):
    def route(h):
        h.send_response(302)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return route


def cases(bundle: bytes):
    """(name, route to break, how to break it, phrase of the message)."""
    n = len(bundle)
    return [
        ("slow drip of the feed", "/feed.json", lambda s: drip(s.feed, 2 * TIMEOUT), "timed out"),
        ("slow drip of the bundle", "/b1.wtdc.zip", lambda s: drip(bundle, 2 * TIMEOUT), "timed out"),
        ("endless feed body", "/feed.json", lambda s: endless_feed, "the feed is over the limit of"),
        ("connection reset mid-body", "/b1.wtdc.zip", lambda s: reset_after(bundle, n // 2), "cannot be reached now"),
        ("500 on the feed", "/feed.json", lambda s: status(500), "HTTP 500"),
        ("503 on the bundle", "/b1.wtdc.zip", lambda s: status(503), "HTTP 503"),
        ("Content-Length shorter than listed", "/b1.wtdc.zip",
         lambda s: send_bytes(bundle, length=n - 10), f"announces {n - 10} bytes, but the feed lists {n}"),
        ("Content-Length longer than listed", "/b1.wtdc.zip",
         lambda s: send_bytes(bundle, length=n + 10), f"announces {n + 10} bytes, but the feed lists {n}"),
        ("body shorter than its Content-Length", "/b1.wtdc.zip",
         lambda s: send_bytes(bundle[: n // 3], length=n), "truncated"),
        ("redirect loop", "/feed.json", lambda s: redirect("/feed.json"), "would lead to an infinite loop"),
        ("redirect to file:", "/feed.json", lambda s: redirect("file:///etc/passwd"),
         "redirects to file:///etc/passwd, which is not https; the redirect was refused"),
        ("redirect to http elsewhere", "/b1.wtdc.zip", lambda s: redirect("http://192.0.2.1/b1.wtdc.zip"),
         "not https"),
    ]


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def bundle_bytes(tmp_path_factory) -> bytes:
    tmp = tmp_path_factory.mktemp("net")
    return make_bundle(tmp / "w", tmp / "b1.wtdc.zip", sequence=1, n=40).read_bytes()


@pytest.mark.parametrize("case", range(12), ids=[c[0] for c in cases(b"x" * 100)])
def test_a_network_fault_ends_clearly_and_the_next_sync_works(case, bundle_bytes, data_dir, tmp_path):
    name, path, breaker, phrase = cases(bundle_bytes)[case]
    bundle_file = tmp_path / "b1.wtdc.zip"
    bundle_file.write_bytes(bundle_bytes)
    with FeedServer() as server:
        server.feed = feed_document([feed_entry(bundle_file, "b1.wtdc.zip", sequence=1)])
        good = {"/feed.json": send_bytes(server.feed), "/b1.wtdc.zip": send_bytes(bundle_bytes)}
        server.routes.update(good)
        server.routes[path] = breaker(server)
        url = server.url("/feed.json")
        with Store(data_dir) as store:
            sources.add_source(store, url, "feed")
            before = table_fingerprint(store)
        clock = FakeClock()
        results = []
        scheduler = make_scheduler(data_dir, interval_minutes=1, clock=clock, options=SyncOptions(timeout=TIMEOUT),
                              on_result=results.append)

        worker = threading.Thread(target=scheduler.run_once, daemon=True)
        started = time.monotonic()
        worker.start()
        worker.join(60)  # a hang check, not a timing threshold
        assert not worker.is_alive(), f"{name}: the sync did not end"
        elapsed = time.monotonic() - started
        (failed,) = results
        assert failed.error is not None, name
        message = failed.error.message
        assert "\n" not in message and phrase in message, (name, message)
        assert "http://127.0.0.1:" in message  # names the address
        with Store(data_dir) as store:
            assert table_fingerprint(store) == before
            row = sources.get_source(store, url)
            assert row.last_outcome in ("unreachable", "refused") and row.last_message == message
        assert not list((data_dir / "tmp").rglob("*.part"))  # no half download left behind
        print(f"\n{name}: ended in {elapsed:.1f} s: {message}")

        # the server is fixed; the next scheduled sync (after the back-off) applies, and the back-off resets
        server.routes.update(good)
        clock.now += scheduler.delay(scheduler.states[url].failures)
        scheduler.run_once()
        assert results[-1].outcome == "applied", results[-1].message
        assert scheduler.states[url].failures == 0
