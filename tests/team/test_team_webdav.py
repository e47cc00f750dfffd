"""Team sync against a real WebDAV server (WsgiDAV) started on 127.0.0.1, with the faults servers show."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

from helpers import run_cli, table_fingerprint
from team_helpers import form_team, member_stores, proposals
from wtdc_desktop.store import positions
from wtdc_desktop.team import sync
from wtdc_desktop.team.storage import DavStorage

PASSWORDS = {"amina": "pw-amina", "baraka": "pw-baraka"}


class Faults:
    """A WSGI middleware in front of WsgiDAV: the next requests of a method get a fault instead of an answer."""

    def __init__(self, app) -> None:
        self.app = app
        self.plan: list[tuple[str, str]] = []  # (method, fault): 423, 507, 503, "drop", "slow"
        self.seen: list[tuple[str, str]] = []

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        for i, (m, fault) in enumerate(self.plan):
            if m == method:
                del self.plan[i]
                self.seen.append((method, fault))
                if fault == "drop":  # announce a body, send half of it, close
                    start_response("200 OK", [("Content-Length", "100000"), ("Content-Type", "application/zip")])
                    return [b"PK" + b"\0" * 100]
                if fault == "slow":
                    time.sleep(1.5)
                    break
                status = {"423": "423 Locked", "507": "507 Insufficient Storage",
                          "503": "503 Service Unavailable"}[fault]
                start_response(status, [("Content-Length", "0")])
                return [b""]
        return self.app(environ, start_response)


def _skip(reason: str) -> None:
    """Skip, saying why; fail instead where WTDC_REQUIRE_SERVERS is set (CI must not skip)."""
    if os.environ.get("WTDC_REQUIRE_SERVERS"):
        pytest.fail(reason + ", and WTDC_REQUIRE_SERVERS is set")
    pytest.skip(reason)


@pytest.fixture
def dav_server(tmp_path):
    try:
        from cheroot import wsgi
        from wsgidav.wsgidav_app import WsgiDAVApp
    except ImportError as exc:  # CI installs them with the test extra
        _skip(f"WsgiDAV or cheroot is not installed ({exc}); pip install -e '.[test]'")
    root = tmp_path / "dav-root"
    (root / "team").mkdir(parents=True)
    config = {
        "provider_mapping": {"/": str(root)},
        "http_authenticator": {"domain_controller": None, "accept_basic": True, "accept_digest": False,
                               "default_to_digest": False, "trusted_auth_header": None},
        "simple_dc": {"user_mapping": {"*": {name: {"password": pw} for name, pw in PASSWORDS.items()}}},
        "dir_browser": {"enable": False},
        "lock_storage": True,
        "verbose": 0,
        "logging": {"enable": False},
    }
    try:
        faults = Faults(WsgiDAVApp(config))
        server = wsgi.Server(("127.0.0.1", 0), faults, numthreads=4)
        server.prepare()
    except Exception as exc:  # noqa: BLE001 - any reason the server cannot start is a skip, with the reason
        _skip(f"the WebDAV server cannot start on 127.0.0.1: {exc}")
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    port = server.bind_addr[1]
    yield {"url": f"http://127.0.0.1:{port}/team/", "root": root / "team", "faults": faults}
    server.stop()
    thread.join(5)


def _storage(url: str, name: str) -> DavStorage:
    storage = DavStorage(url, (name, PASSWORDS[name]), timeout=1.0, sleep=lambda s: None)
    return storage


@pytest.fixture
def dav_team(dav_server, _demo_store_template, tmp_path):
    stores = member_stores(_demo_store_template, tmp_path, list(PASSWORDS))
    form_team(stores, dav_server["url"], storage_for=lambda name: _storage(dav_server["url"], name))
    yield stores, dav_server
    for s in stores.values():
        s.close()


def _sync(store, url, name):
    return sync(store, storage=_storage(url, name))


def test_join_and_sync_over_webdav_from_the_command_line(dav_server, _demo_store_template, tmp_path, monkeypatch):
    """No keyring on this machine: the user is told, and a script gives the password in WTDC_TEAM_PASSWORD."""
    import keyring
    from keyring.backends import null

    monkeypatch.setattr(keyring.core, "_keyring_backend", null.Keyring())
    stores = member_stores(_demo_store_template, tmp_path, list(PASSWORDS))
    dirs = {n: s.data_dir for n, s in stores.items()}
    pid = proposals(stores["amina"])[0]
    positions.save_position(stores["amina"], "proposal", pid, stance="support", brief="Par WebDAV")
    for s in stores.values():
        s.close()
    url = dav_server["url"]
    # plain http elsewhere than on a loopback address is refused
    code, out, err = run_cli("team", "join", "http://example.org/dav/", "--member", "amina", "--user", "amina",
                             "--delegation", "KEN", "--data-dir", dirs["amina"])
    assert code != 0 and "loopback" in err
    for name in PASSWORDS:
        monkeypatch.setenv("WTDC_TEAM_PASSWORD", PASSWORDS[name])
        code, out, err = run_cli("team", "join", url, "--member", name, "--user", name, "--delegation", "KEN",
                                 "--yes", "--data-dir", dirs[name])
        assert code == 0, err
        assert "no keyring" in err
        assert (dav_server["root"] / name / "key.pub").is_file()
    monkeypatch.setenv("WTDC_TEAM_PASSWORD", PASSWORDS["amina"])
    code, out, err = run_cli("team", "trust", "baraka", "--fingerprint",
                             json.loads(run_cli("team", "members", "--json", "--data-dir", dirs["amina"])[1])[1][
                                 "fingerprint"], "--data-dir", dirs["amina"])
    assert code == 0, err
    code, out, err = run_cli("team", "sync", "--json", "--data-dir", dirs["amina"])
    assert code == 0, err
    assert json.loads(out)["published"]["kind"] == "full"
    assert [p.name for p in (dav_server["root"] / "amina").glob("*.wtdc.zip")] == ["00000001-full.wtdc.zip"]
    assert not list(dav_server["root"].rglob("*.part"))
    monkeypatch.setenv("WTDC_TEAM_PASSWORD", PASSWORDS["baraka"])
    code, out, err = run_cli("team", "sync", "--json", "--data-dir", dirs["baraka"])
    assert code == 0, err
    assert {m["member"]: m["sequences"] for m in json.loads(out)["members"]} == {"amina": [1]}
    # the password is nowhere in the data folder
    for path in dirs["baraka"].rglob("*"):
        if path.is_file():
            assert PASSWORDS["baraka"].encode() not in path.read_bytes(), path
    # a wrong password: one sentence, nothing merged
    monkeypatch.setenv("WTDC_TEAM_PASSWORD", "wrong")
    code, out, err = run_cli("team", "sync", "--data-dir", dirs["baraka"])
    assert code != 0 and "password" in err and "Traceback" not in err


def test_the_password_goes_to_the_keyring(dav_server, _demo_store_template, tmp_path, monkeypatch):
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 1
        secrets: dict = {}

        def get_password(self, service, username):
            return self.secrets.get((service, username))

        def set_password(self, service, username, password):
            self.secrets[(service, username)] = password

        def delete_password(self, service, username):
            self.secrets.pop((service, username), None)

    monkeypatch.setattr(keyring.core, "_keyring_backend", Memory())
    monkeypatch.delenv("WTDC_TEAM_PASSWORD", raising=False)
    [store] = member_stores(_demo_store_template, tmp_path, ["amina"]).values()
    data_dir = store.data_dir
    store.close()
    monkeypatch.setattr("sys.stdin", None)
    monkeypatch.setenv("WTDC_TEAM_PASSWORD", PASSWORDS["amina"])  # given once, at join
    code, out, err = run_cli("team", "join", dav_server["url"], "--member", "amina", "--user", "amina",
                             "--delegation", "KEN", "--data-dir", data_dir)
    assert code == 0, err and "no keyring" not in err
    assert list(Memory.secrets.values()) == [PASSWORDS["amina"]]
    monkeypatch.delenv("WTDC_TEAM_PASSWORD")
    code, out, err = run_cli("team", "sync", "--json", "--data-dir", data_dir)
    assert code == 0, err  # the password came from the keyring
    code, out, err = run_cli("team", "leave", "--data-dir", data_dir)
    assert code == 0 and Memory.secrets == {}


def test_concurrent_edits_over_webdav_are_conflicts_on_both_sides(dav_team):
    stores, dav = dav_team
    a, b = stores["amina"], stores["baraka"]
    url = dav["url"]
    pid = proposals(a)[0]
    positions.save_position(a, "proposal", pid, stance="support", brief="Base")
    _sync(a, url, "amina")
    _sync(b, url, "baraka")
    positions.save_position(a, "proposal", pid, brief="A")
    positions.save_position(b, "proposal", pid, brief="B", priority="high")
    _sync(b, url, "baraka")
    assert _sync(a, url, "amina").conflicts == 1
    assert _sync(b, url, "baraka").conflicts == 1
    for s, mine in ((a, "A"), (b, "B")):
        pos = positions.position_for(s, "proposal", pid)
        assert (pos["brief"], pos["priority"]) == (mine, "high")


@pytest.mark.parametrize("fault", ["423", "507", "503", "slow"])
def test_a_busy_server_is_retried_with_back_off(dav_team, fault):
    stores, dav = dav_team
    a, b = stores["amina"], stores["baraka"]
    url = dav["url"]
    pid = proposals(a)[0]
    positions.save_position(a, "proposal", pid, brief="Malgré tout")
    dav["faults"].plan = [("PUT", fault)]
    result = _sync(a, url, "amina")
    assert result.ok and result.published["sequence"] == 1 and result.retries
    dav["faults"].plan = [("GET", "drop" if fault == "503" else fault)]
    result = _sync(b, url, "baraka")
    assert result.ok and result.retries
    assert positions.position_for(b, "proposal", pid)["brief"] == "Malgré tout"
    assert [f for _m, f in dav["faults"].seen] == [fault, "drop" if fault == "503" else fault]


def test_a_full_server_stops_nothing_else_and_nothing_is_half_written(dav_team):
    stores, dav = dav_team
    a, b = stores["amina"], stores["baraka"]
    url = dav["url"]
    pid = proposals(a)[0]
    positions.save_position(a, "proposal", pid, brief="Premier")
    _sync(a, url, "amina")
    positions.save_position(b, "proposal", proposals(b)[1], stance="neutral")
    dav["faults"].plan = [("PUT", "507")] * 4  # every attempt of b's publication
    result = _sync(b, url, "baraka")
    assert not result.ok and "507" in " ".join(result.problems)
    assert {m.name: m.sequences for m in result.members} == {"amina": [1]}  # a's bundle was still read
    assert not list((dav["root"] / "baraka").glob("*.wtdc.zip")) and not list(dav["root"].rglob("*.part"))
    before = table_fingerprint(a, ["my_position"])
    result = _sync(b, url, "baraka")  # the server has room again: published now
    assert result.ok and result.published["sequence"] == 1
    _sync(a, url, "amina")
    assert table_fingerprint(a, ["my_position"]) != before
    assert positions.position_for(a, "proposal", proposals(a)[1])["stance"] == "neutral"
