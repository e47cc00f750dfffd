"""Helpers for the sync tests: generated bundles of any size, a loopback feed server."""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from wtdc_desktop.bundles.writer import build_bundle

PUBLISHER = "test-pub"
CHANNEL = "SYNC"


def make_source(dest: Path, *, sequence: int, n: int = 20, variant: str = "a", kind: str = "full",
                base: int | None = None, start: int = 0, publisher: str = PUBLISHER, channel: str = CHANNEL) -> Path:
    """A bundle source folder with ``n`` proposals (and one document per ten), ids from ``start``."""
    (dest / "records").mkdir(parents=True, exist_ok=True)
    proposals, documents = [], []
    for i in range(start, start + n):
        doc = f"WTDC-25/{i // 10 + 1}"
        if i % 10 == 0 or i == start:
            documents.append({"id": doc, "meeting": "WTDC-25", "title": f"Contribution {i // 10 + 1} ({variant})",
                              "text": f"Full text of contribution {i // 10 + 1}, version {variant}."})
        proposals.append({
            "id": f"T/{i}", "document": doc, "sources": ["ATU"], "action": "MOD",
            "target": {"type": "resolution", "id": "WTDC/37"},
            "title": f"Proposal {i} version {variant}",
            "text": f"Proposed text number {i}, version {variant}: digital inclusion, connectivity. " * 3,
        })
    for type_name, records in (("proposal", proposals), ("document", documents)):
        with open(dest / "records" / f"{type_name}.jsonl", "w", encoding="utf-8") as fp:
            for r in records:
                fp.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
    header = {"publisher": {"id": publisher, "name": "Test publisher"}, "channel": channel, "sequence": sequence,
              "kind": kind, "base_sequence": base, "created_at": "2025-01-01T00:00:00Z"}
    (dest / "manifest.json").write_text(json.dumps(header), "utf-8")
    return dest


def make_bundle(tmp: Path, out: Path, **kwargs) -> Path:
    """Build a generated bundle file at ``out``."""
    src = make_source(tmp / f"src-{out.name}", **kwargs)
    build_bundle(src, out)
    return out


# One stream of publications: full 1, delta 2 on 1, delta 3 on 2, full 4, delta 5 on 4.
_STREAM = {
    1: {"n": 30},
    2: {"kind": "delta", "base": 1, "n": 5, "variant": "b"},
    3: {"kind": "delta", "base": 2, "n": 5, "variant": "c"},
    4: {"n": 30, "variant": "d"},
    5: {"kind": "delta", "base": 4, "n": 5, "variant": "e"},
}


def make_stream(tmp: Path, count: int = 5) -> dict[int, Path]:
    """The first ``count`` bundles of one stream (see ``_STREAM``), by sequence, in ``tmp/out``."""
    work, out = tmp / "work", tmp / "out"
    out.mkdir(parents=True, exist_ok=True)
    return {seq: make_bundle(work, out / f"b{seq}.wtdc.zip", sequence=seq, **_STREAM[seq])
            for seq in range(1, count + 1)}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class FeedServer:
    """A loopback HTTP server in a thread; ``routes`` maps a path to a handler function.

    A handler gets the request handler object and writes the response itself.
    Every request is recorded in ``requests`` as (path, headers).
    """

    def __init__(self) -> None:
        self.routes: dict[str, callable] = {}
        self.requests: list[tuple[str, dict]] = []
        self.sent: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                try:
                    route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> "FeedServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def send_bytes(data: bytes, *, status: int = 200, headers: dict | None = None, length: int | None = None):
    """A route that sends ``data`` (announcing ``length`` bytes, by default its true length)."""

    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(data) if length is None else length))
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(data)
        h.wfile.flush()
        h.close_connection = True

    return route


def feed_document(entries: list[dict], publisher: str = PUBLISHER, channel: str = CHANNEL) -> bytes:
    return json.dumps({"format": "wtdc-feed", "publisher": publisher, "channel": channel,
                       "bundles": entries}).encode()


def feed_entry(path: Path, url: str, *, sequence: int, kind: str = "full", base: int | None = None,
               size: int | None = None, digest: str | None = None) -> dict:
    entry = {"sequence": sequence, "kind": kind, "url": url, "size": path.stat().st_size if size is None else size,
             "sha256": digest or sha256(path)}
    if kind == "delta":
        entry["base_sequence"] = base
    return entry
