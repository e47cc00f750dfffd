"""A published folder served by nginx, as the README shows: ETag and Last-Modified, conditional requests.

nginx (Debian's package; .ci/run installs it) is started by the test on 127.0.0.1 with a
configuration written into a temporary folder. Without nginx on this machine the test skips,
saying so, unless WTDC_REQUIRE_SERVERS is set (CI sets it), where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from helpers import run_cli
from sync_helpers import CHANNEL, PUBLISHER, make_stream
from wtdc_desktop.store import Store, syncs

START_SECONDS = 20  # how long nginx may take to listen before the test gives up

CONFIG = """\
daemon off;
master_process on;
worker_processes 1;
{user}
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
    types {{ application/json json; application/zip zip; }}
    default_type application/octet-stream;
    log_format requests '$request_method $uri $status $body_bytes_sent';
    access_log {tmp}/access.log requests;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        etag on;
    }}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)
    if found is None:
        reason = "nginx is not installed (Debian: apt-get install nginx)"
        if os.environ.get("WTDC_REQUIRE_SERVERS"):
            pytest.fail(reason + ", and WTDC_REQUIRE_SERVERS is set")
        pytest.skip(reason)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Nginx:
    def __init__(self, tmp: Path, root: Path) -> None:
        self.tmp, self.port = tmp, free_port()
        # As root, the worker would switch to an unprivileged user that cannot enter the test's
        # private temporary folders; it stays root here. Otherwise the directive does not apply.
        user = "user root;" if os.geteuid() == 0 else ""
        (tmp / "nginx.conf").write_text(CONFIG.format(user=user, tmp=tmp, port=self.port, root=root), "utf-8")
        self.process = subprocess.Popen(
            [nginx_binary(), "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + START_SECONDS
        while not listening(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                errors = (tmp / "error.log").read_text("utf-8", "replace") if (tmp / "error.log").exists() else ""
                pytest.fail(f"nginx did not start: {self.process.stderr.read().decode(errors='replace')} {errors}")
            time.sleep(0.05)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def requests(self) -> list[tuple[str, str, int]]:
        """(method, path, status) of every request so far, from the access log."""
        lines = (self.tmp / "access.log").read_text("utf-8").splitlines()
        return [(m, p, int(s)) for m, p, s, _size in (line.split() for line in lines)]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: nginx's fast shutdown, workers included
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stderr.close()


@pytest.fixture
def site(tmp_path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    return folder


@pytest.fixture
def nginx(tmp_path, site, request) -> Nginx:
    conf = tmp_path / "nginx"
    conf.mkdir()
    server = Nginx(conf, site)
    request.addfinalizer(server.stop)
    return server


def sync_json(data_dir: Path) -> dict:
    code, out, err = run_cli("sync", "--json", "--data-dir", data_dir)
    assert code == 0, err
    (result,) = json.loads(out)
    return result


def test_a_feed_served_by_nginx_is_downloaded_once_then_answered_304_then_a_new_bundle_is_picked_up(
        tmp_path, site, nginx, data_dir):
    b1, b2, b3 = make_stream(tmp_path, 3).values()
    assert run_cli("publish", b1, b2, "--to", site)[0] == 0
    url = nginx.url("/feed.json")
    assert run_cli("sources", "add", url, "--data-dir", data_dir)[0] == 0

    first = sync_json(data_dir)
    assert first["outcome"] == "applied"
    assert [(b["sequence"], b["outcome"]) for b in first["bundles"]] == [(1, "applied"), (2, "applied")]
    assert nginx.requests() == [("GET", "/feed.json", 200), ("GET", "/SYNC-0001.wtdc.zip", 200),
                                ("GET", "/SYNC-0002-delta.wtdc.zip", 200)]

    second = sync_json(data_dir)
    assert second["outcome"] == "up_to_date" and second["bundles"] == []
    assert "has not changed" in second["message"]
    assert nginx.requests()[3:] == [("GET", "/feed.json", 304)]  # nothing downloaded again

    assert run_cli("publish", b3, "--to", site)[0] == 0
    third = sync_json(data_dir)
    assert [(b["sequence"], b["kind"], b["outcome"]) for b in third["bundles"]] == [(3, "delta", "applied")]
    assert nginx.requests()[4:] == [("GET", "/feed.json", 200), ("GET", "/SYNC-0003-delta.wtdc.zip", 200)]
    with Store(data_dir) as store:
        assert syncs.channel_state(store.conn, PUBLISHER, CHANNEL).last_sequence == 3
