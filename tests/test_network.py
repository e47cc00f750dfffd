"""The one network module: its rules hold for every request, feeds (tests/test_sync_sources.py) and timetables alike."""

from __future__ import annotations

import ast
import ssl
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from helpers import ROOT, local_tls_contexts, table_fingerprint
from sync_helpers import FeedServer, send_bytes
from wtdc_desktop import network
from wtdc_desktop.exchange.timetable_import import import_schedule
from wtdc_desktop.exchange.timetable import TimetableError


def published(store) -> dict:
    """The store's tables but the note of each timetable's last import (a refusal is noted there)."""
    return {k: v for k, v in table_fingerprint(store).items() if k != "schedule_source"}


def redirect_to(location: str):
    def route(h):
        h.send_response(302)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return route


@pytest.mark.parametrize("url, allowed", [
    ("https://example.org/feed.json", True),
    ("http://127.0.0.1:8000/feed.json", True),
    ("http://localhost/feed.json", True),
    ("http://[::1]:8000/feed.json", True),
    ("http://example.org/feed.json", False),
    ("http://10.0.0.5/feed.json", False),
    ("file:///etc/passwd", False),
    ("ftp://example.org/feed.json", False),
])
def test_only_https_or_loopback_http_is_accepted(url, allowed):
    if allowed:
        network.check_url(url)
    else:
        with pytest.raises(network.Refused, match="https"):
            network.check_url(url)


def test_proxies_come_from_the_environment_except_for_loopback(monkeypatch):
    monkeypatch.setenv("https_proxy", "http://proxy.example:3128")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")  # nothing listens there

    def proxies(url):
        handlers = [h for h in network._opener(url, None).handlers if isinstance(h, urllib.request.ProxyHandler)]
        return handlers[0].proxies if handlers else {}

    assert proxies("https://feeds.example.org/feed.json")["https"] == "http://proxy.example:3128"
    assert proxies("http://127.0.0.1:8000/feed.json") == {}
    with FeedServer() as server:  # loopback traffic does not go to the (dead) proxy
        server.routes["/x"] = send_bytes(b"hello")
        assert network.fetch(server.url("/x"), limit=100).body == b"hello"


def test_a_fetch_is_conditional_and_limited():
    with FeedServer() as server:
        def route(h):
            if h.headers.get("If-None-Match") == '"v1"':
                h.send_response(304)
                h.send_header("Content-Length", "0")
                h.end_headers()
                return
            send_bytes(b"x" * 50, headers={"ETag": '"v1"', "Last-Modified": "Mon, 06 Jan 2025 08:00:00 GMT"})(h)

        server.routes["/t"] = route
        first = network.fetch(server.url("/t"), limit=100)
        assert (first.body, first.etag, first.last_modified) == (b"x" * 50, '"v1"', "Mon, 06 Jan 2025 08:00:00 GMT")
        again = network.fetch(server.url("/t"), limit=100, etag=first.etag, last_modified=first.last_modified)
        assert again.not_modified and again.etag == '"v1"'
        with pytest.raises(network.TooLarge, match="over the limit of 10 bytes"):
            network.fetch(server.url("/t"), limit=10)
        with pytest.raises(network.Unreachable, match="404"):
            network.fetch(server.url("/missing"), limit=10)


def test_no_other_module_talks_to_the_network():
    """urllib.request, http.client and socket are the network module's alone."""
    offenders = {}
    for path in (ROOT / "wtdc_desktop").rglob("*.py"):
        if path.name == "network.py" and path.parent.name == "wtdc_desktop":
            continue
        names = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.update([node.module] + [f"{node.module}.{a.name}" for a in node.names])
        used = sorted(n for n in names if n in ("urllib.request", "http.client", "socket"))
        if used:
            offenders[str(path.relative_to(ROOT))] = used
    assert offenders == {}


# --- timetables go through the same rules ------------------------------------------------------------

@pytest.mark.parametrize("target", ["http://192.0.2.1/schedule.json", "file:///etc/passwd"])
def test_a_timetable_redirected_to_plain_http_or_a_file_is_refused(store, target):
    before = published(store)
    with FeedServer() as server:
        server.routes["/schedule.json"] = redirect_to(target)
        url = server.url("/schedule.json")
        with pytest.raises(TimetableError) as refused:
            import_schedule(store, url, "WTDC-21")
    message = refused.value.message
    assert url in message and target in message and "not https" in message and "\n" not in message
    assert published(store) == before


def test_a_timetable_redirected_from_https_to_http_is_refused(store, tmp_path, monkeypatch):
    server_ctx, client_ctx = local_tls_contexts(tmp_path)
    # the timetable fetch uses the default context: make it trust the test certificate
    monkeypatch.setattr(ssl, "_create_default_https_context", lambda *a, **k: client_ctx)
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            requests.append(self.path)
            if self.path == "/ok.json":
                send_bytes(b"not a timetable")(self)
                return
            redirect_to("http://192.0.2.1/schedule.json")(self)

        def log_message(self, *args):
            pass

    tls = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tls.socket = server_ctx.wrap_socket(tls.socket, server_side=True)
    thread = threading.Thread(target=tls.serve_forever, daemon=True)
    thread.start()
    base = f"https://127.0.0.1:{tls.server_address[1]}"
    before = published(store)
    try:
        with pytest.raises(TimetableError) as refused:
            import_schedule(store, f"{base}/schedule.json", "WTDC-21")
        # the https server itself is reached (what it sends is then read as a timetable)
        with pytest.raises(TimetableError, match="neither frab XML"):
            import_schedule(store, f"{base}/ok.json", "WTDC-21")
    finally:
        tls.shutdown()
        tls.server_close()
    assert "http://192.0.2.1/schedule.json" in refused.value.message and "not https" in refused.value.message
    assert requests == ["/schedule.json", "/ok.json"]
    assert published(store) == before
