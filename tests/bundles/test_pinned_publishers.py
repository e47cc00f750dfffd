"""Trust by look-alike (spec §2 publisher ids and channels, §4 "Except across trust").

The probe: the signed, pinned ``itu-bdt`` publishes a proposal; unsigned bundles from ``itu-bdt ``
(trailing space), ``ITU-BDT``, ``itu-bdt`` + a zero-width space, and the plain ``other-pub`` each try
to replace it. Each is refused, the record is unchanged, and the refusal says why: the look-alike ids
are not publisher ids at all (the id shown escaped, so that the invisible character shows), and
another publisher may not change what a pinned one published (the record and both publishers named).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import run_cli, table_fingerprint
from small_bundles import build, proposals, read_members, write_zip
from wtdc_desktop.bundles import signing
from wtdc_desktop.bundles.apply import apply_bundle
from wtdc_desktop.bundles.errors import BundleError, BundleRefused
from wtdc_desktop.bundles.manifest import parse_manifest
from wtdc_desktop.store import Store


def _key(tmp_path: Path, name: str) -> Path:
    path = tmp_path / "keys" / f"{name}.key"
    path.parent.mkdir(exist_ok=True)
    code, _out, err = run_cli("bundle", "keygen", "--out", path)
    assert code == 0, err
    return path


def _pub(key: Path) -> Path:
    return key.with_name(key.name + ".pub")


def _changed_proposals(title: str) -> list[dict]:
    rows = proposals()
    rows[0]["title"] = title
    return rows


def _bundle(tmp_path: Path, name: str, *, publisher: str, key: Path | None = None, channel: str = "WTDC-25",
            title: str = "Proposal 1", **kwargs) -> Path:
    """A bundle of ``publisher`` whose first proposal has ``title``; an invalid id is written by hand."""
    valid = publisher if publisher.isascii() and publisher == publisher.strip().lower() else "placeholder"
    records = {"proposal": _changed_proposals(title), **kwargs.pop("records", {})}
    out = build(tmp_path / f"src-{name}", tmp_path / f"{name}.wtdc.zip", publisher=valid, channel=channel,
                records=records, sign_key=signing.load_private_key(key) if key else None, **kwargs)
    if valid == publisher:
        return out
    members = read_members(out)
    manifest = json.loads(members["manifest.json"])
    manifest["publisher"]["id"] = publisher
    members["manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    return write_zip(out, list(members.items()))


@pytest.fixture
def probe(tmp_path, data_dir):
    """A data folder where the pinned, signed itu-bdt published AFCP/2/1, and the key of another pinned publisher."""
    itu = _key(tmp_path, "itu-bdt")
    code, _out, err = run_cli("trust", "add", "itu-bdt", _pub(itu), "--data-dir", data_dir)
    assert code == 0, err
    first = _bundle(tmp_path, "itu", publisher="itu-bdt", key=itu, title="Proposal 1 as the secretariat published it")
    code, _out, err = run_cli("sync", first, "--data-dir", data_dir)
    assert code == 0, err
    return {"itu": itu, "data_dir": data_dir}


def _title(data_dir: Path) -> str:
    code, out, err = run_cli("list", "proposal", "--json", "--data-dir", data_dir)
    assert code == 0, err
    return {r["id"]: r for r in json.loads(out)}["AFCP/2/1"]["title"]


def _fingerprint(data_dir: Path) -> dict:
    with Store(data_dir) as store:
        return table_fingerprint(store)


@pytest.mark.parametrize(("publisher", "shown"), [
    ("itu-bdt ", "'itu-bdt '"),
    ("ITU-BDT", "'ITU-BDT'"),
    ("itu-bdt\u200b", "'itu-bdt\\u200b'"),
    ("\u0456tu-bdt", "'\\u0456tu-bdt'"),  # a Cyrillic і
    ("itu-bdt\n", "'itu-bdt\\n'"),
])
def test_a_look_alike_publisher_id_is_refused_and_shown_escaped(probe, tmp_path, publisher, shown):
    data_dir = probe["data_dir"]
    before = _fingerprint(data_dir)
    bundle = _bundle(tmp_path, "look-alike", publisher=publisher, title="Replaced by a look-alike")
    code, out, err = run_cli("sync", bundle, "--data-dir", data_dir)
    assert code != 0
    assert err.count("\n") == 1 and f"the publisher id {shown} is not allowed" in err, err
    assert _title(data_dir) == "Proposal 1 as the secretariat published it"
    assert _fingerprint(data_dir) == before
    # bundle verify says the same, without a store
    code, out, err = run_cli("bundle", "verify", bundle, "--data-dir", tmp_path / "nowhere")
    assert code == BundleError.exit_code and f"the publisher id {shown} is not allowed" in err
    assert "valid bundle" not in out


@pytest.mark.parametrize("publisher", ["other-pub", "1tu-bdt", "itu-bdt.org"])
def test_an_unsigned_bundle_of_another_publisher_may_not_change_a_pinned_record(probe, tmp_path, publisher):
    data_dir = probe["data_dir"]
    before = _fingerprint(data_dir)
    bundle = _bundle(tmp_path, "other", publisher=publisher, title="Replaced by another publisher")
    code, out, err = run_cli("sync", bundle, "--data-dir", data_dir)
    assert code == BundleRefused.exit_code, err
    assert (f"proposal AFCP/2/1 was published by itu-bdt, whose key is pinned; {publisher} (unsigned) may not "
            "change it, so the bundle is refused.") in err
    assert _title(data_dir) == "Proposal 1 as the secretariat published it"
    assert _fingerprint(data_dir) == before


def test_a_key_that_is_not_pinned_is_no_better_than_none(probe, tmp_path):
    data_dir = probe["data_dir"]
    stranger = _key(tmp_path, "stranger")
    bundle = _bundle(tmp_path, "stranger", publisher="other-pub", key=stranger, title="Signed, but not trusted")
    code, out, err = run_cli("sync", bundle, "--data-dir", data_dir)
    assert code == BundleRefused.exit_code
    assert "other-pub (signed with a key that is not pinned) may not change it" in err
    assert _title(data_dir) == "Proposal 1 as the secretariat published it"


def test_withdrawing_a_pinned_record_is_refused_too(probe, tmp_path):
    """By name in "deletions", and by a full bundle that no longer carries it."""
    data_dir = probe["data_dir"]
    # other-pub carries the secretariat's very same proposals (unchanged: allowed) ...
    code, out, err = run_cli("sync", _bundle(tmp_path, "copy", publisher="other-pub",
                                             title="Proposal 1 as the secretariat published it"),
                             "--data-dir", data_dir)
    assert code == 0, err
    # ... the secretariat stops carrying AFCP/2/1 (still carried by other-pub, so not withdrawn) ...
    rows = _changed_proposals("Proposal 1 as the secretariat published it")[1:]
    code, out, err = run_cli("sync", _bundle(tmp_path, "itu-2", publisher="itu-bdt", key=probe["itu"], sequence=2,
                                             records={"proposal": rows}), "--data-dir", data_dir)
    assert code == 0, err
    before = _fingerprint(data_dir)
    # ... and other-pub may not withdraw it: neither by leaving it out of a full bundle ...
    code, out, err = run_cli("sync", _bundle(tmp_path, "drop", publisher="other-pub", sequence=2,
                                             records={"region": [{"id": "AFR", "name": "Afrique"}]}),
                             "--data-dir", data_dir)
    assert code == BundleRefused.exit_code
    assert "proposal AFCP/2/1 was published by itu-bdt, whose key is pinned; other-pub (unsigned)" in err
    # ... nor by naming it in a delta's deletions
    code, out, err = run_cli("sync", _bundle(tmp_path, "delete", publisher="other-pub", sequence=2, kind="delta",
                                             base_sequence=1, records={"region": [{"id": "AFR", "name": "Afrique"}]},
                                             deletions=[{"type": "proposal", "id": "AFCP/2/1"}]),
                             "--data-dir", data_dir)
    assert code == BundleRefused.exit_code
    assert "proposal AFCP/2/1 was published by itu-bdt" in err
    assert _fingerprint(data_dir) == before


def test_a_bundle_signed_by_another_pinned_key_may_change_it(probe, tmp_path):
    data_dir = probe["data_dir"]
    atu = _key(tmp_path, "atu")
    code, out, err = run_cli("trust", "add", "atu", _pub(atu), "--data-dir", data_dir)
    assert code == 0, err
    code, out, err = run_cli("sync", _bundle(tmp_path, "atu", publisher="atu", key=atu, title="Amended by the ATU"),
                             "--data-dir", data_dir)
    assert code == 0, err
    assert _title(data_dir) == "Amended by the ATU"
    # and the secretariat's next signed bundle changes it back
    code, out, err = run_cli("sync", _bundle(tmp_path, "itu-2", publisher="itu-bdt", key=probe["itu"], sequence=2,
                                             title="Proposal 1, revised"), "--data-dir", data_dir)
    assert code == 0, err
    assert _title(data_dir) == "Proposal 1, revised"


def test_records_a_pinned_publisher_never_published_stay_open_to_others(probe, tmp_path, data_dir):
    extra = {"region": [{"id": "AFR", "name": "Afrique"}]}
    code, out, err = run_cli("sync", _bundle(tmp_path, "o1", publisher="other-pub", channel="O", records=extra,
                                             title="Proposal 1 as the secretariat published it"),
                             "--data-dir", data_dir)
    assert code == 0, err
    extra = {"region": [{"id": "AFR", "name": "Africa"}]}
    code, out, err = run_cli("sync", _bundle(tmp_path, "o2", publisher="other-pub", channel="O", sequence=2,
                                             records=extra, title="Proposal 1 as the secretariat published it"),
                             "--data-dir", data_dir)
    assert code == 0, err


def test_the_refusal_counts_the_other_records(probe, tmp_path):
    rows = [dict(r, title=f"{r['title']} (changed)") for r in proposals()]
    bundle = build(tmp_path / "src-all", tmp_path / "all.wtdc.zip", publisher="other-pub", channel="WTDC-25",
                   records={"proposal": rows})
    with Store(probe["data_dir"]) as store, pytest.raises(BundleRefused) as refused:
        apply_bundle(store, bundle)
    assert "4 other records of pinned publishers are in the same case." in refused.value.message


# -- spec §2: ids and channels ---------------------------------------------------------------------------------

def _manifest(publisher: str = "itu-bdt", channel: str = "WTDC-25", types=("proposal",)) -> bytes:
    return json.dumps({
        "format": "wtdc-bundle", "format_version": 1, "publisher": {"id": publisher}, "channel": channel,
        "sequence": 1, "kind": "full", "created_at": "2030-05-01T08:00:00Z",
        "records": [{"path": f"records/{t}.jsonl", "type": t, "size": 0, "sha256": "0" * 64} for t in types],
    }).encode()


@pytest.mark.parametrize("publisher", ["itu-bdt", "a", "0", "itu.bdt-2", "a" * 64, "wtdc-desktop-demo"])
def test_plain_publisher_ids_are_read(publisher):
    assert parse_manifest(_manifest(publisher), "b").publisher_id == publisher


@pytest.mark.parametrize("publisher", ["-itu", "itu-", "itu.", "a" * 65, "itu_bdt", "itu/bdt", "itu bdt", "Itu",
                                       "itu-bdt\u00a0", "\ufeffitu", "delegation-KEN"])
def test_other_publisher_ids_make_the_bundle_invalid(publisher):
    with pytest.raises(BundleError) as refused:
        parse_manifest(_manifest(publisher), "b")
    assert f"the publisher id {ascii(publisher)} is not allowed" in refused.value.message


@pytest.mark.parametrize(("channel", "ok"), [
    ("WTDC-25", True), ("delegation", True), ("A", True), ("url-0123abcd", True), ("x" * 64, True),
    ("_x", False), ("x" * 65, False), ("WTDC 25", False), ("https://example.org/feed", False), ("WTDC-25\n", False),
    ("WTDC\u200b", False),
])
def test_channel_names(channel, ok):
    if ok:
        assert parse_manifest(_manifest(channel=channel), "b").channel == channel
        return
    with pytest.raises(BundleError) as refused:
        parse_manifest(_manifest(channel=channel), "b")
    assert f"the channel name {ascii(channel)} is not allowed" in refused.value.message


def test_delegation_bundles_written_with_an_upper_case_id_are_still_read():
    """Delegation bundles were written as delegation-KEN: read as they are (delegation bundles only)."""
    types = ("position", "note", "assignment")
    assert parse_manifest(_manifest("delegation-KEN", "delegation", types), "b").publisher_id == "delegation-KEN"
    for bad in ("delegation-Ken", "delegation-KEN ", "delegation-", "DELEGATION-KEN"):
        with pytest.raises(BundleError):
            parse_manifest(_manifest(bad, "delegation", types), "b")


# -- fuzzing: any text as a publisher id or a channel name ----------------------------------------------------

_ID = re.compile(r"[a-z0-9](?:[a-z0-9.-]{0,62}[a-z0-9])?")
_CHANNEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: Text near a valid id: ASCII letters of both cases, separators, spaces, invisible and look-alike characters.
near_ids = st.lists(st.one_of(st.sampled_from("itubdITUBD0129.-_ /:\n\t\u200b\u00a0\ufeff\u0456\u2010\uff49"),
                              st.characters(exclude_categories=("Cs",))), max_size=70).map("".join)


@settings(max_examples=int(os.environ.get("WTDC_FUZZ_EXAMPLES", "300")), deadline=None)
@given(near_ids, near_ids)
@example("itu-bdt", "WTDC-25")
@example("itu-bdt\u200b", "WTDC-25")
def test_only_plain_ids_and_channels_are_read(publisher, channel):
    try:
        manifest = parse_manifest(_manifest(publisher, channel), "fuzz.wtdc.zip")
    except BundleError as exc:
        assert not (_ID.fullmatch(publisher) and _CHANNEL.fullmatch(channel)), exc.message
        assert "\n" not in exc.message and exc.message.isprintable(), exc.message
    else:
        assert _ID.fullmatch(manifest.publisher_id) and _CHANNEL.fullmatch(manifest.channel)


# -- trusting a key: the command line ---------------------------------------------------------------------------

def test_trust_add_shows_the_publisher_and_fingerprint_and_replaces_only_when_asked(tmp_path, data_dir):
    first, second = _key(tmp_path, "first"), _key(tmp_path, "second")
    old, new = (signing.fingerprint(signing.load_public_key(_pub(k))) for k in (first, second))
    code, out, err = run_cli("trust", "add", "itu-bdt", _pub(first), "--data-dir", data_dir)
    assert code == 0, err
    assert "itu-bdt" in out and old in out and "Pinned the key" in out
    code, out, err = run_cli("trust", "add", "itu-bdt", _pub(first), "--data-dir", data_dir)
    assert code == 0 and "already pinned" in out
    # a second key: refused without --replace, saying so and naming both keys
    code, out, err = run_cli("trust", "add", "itu-bdt", _pub(second), "--data-dir", data_dir)
    assert code != 0 and new in out
    assert f"The key {old} is already pinned for itu-bdt. Replacing it with {new} is refused unless you give " \
           "--replace" in err
    code, out, err = run_cli("trust", "list", "--json", "--data-dir", data_dir)
    assert [k["fingerprint"] for k in json.loads(out)] == [old]
    code, out, err = run_cli("trust", "add", "itu-bdt", _pub(second), "--replace", "--data-dir", data_dir)
    assert code == 0, err
    assert f"The key {old} pinned for itu-bdt is replaced by {new}." in out
    code, out, err = run_cli("trust", "list", "--json", "--data-dir", data_dir)
    assert [k["fingerprint"] for k in json.loads(out)] == [new]


@pytest.mark.parametrize(("publisher", "shown"), [("ITU-BDT", "'ITU-BDT'"), ("itu-bdt ", "'itu-bdt '"),
                                                  ("itu-bdt\u200b", "'itu-bdt\\u200b'")])
def test_trust_add_refuses_a_look_alike_id(tmp_path, data_dir, publisher, shown):
    code, out, err = run_cli("trust", "add", publisher, _pub(_key(tmp_path, "k")), "--data-dir", data_dir)
    assert code != 0 and f"The publisher id {shown} is not allowed" in err
    assert not (data_dir / "store.sqlite3").exists()


def test_trust_add_keeps_the_ids_of_existing_delegation_bundles(tmp_path, data_dir):
    code, out, err = run_cli("trust", "add", "delegation-KEN", _pub(_key(tmp_path, "k")), "--data-dir", data_dir)
    assert code == 0, err


def test_sync_trust_never_replaces_a_pinned_key(probe, tmp_path):
    data_dir = probe["data_dir"]
    other = _key(tmp_path, "other")
    bundle = _bundle(tmp_path, "itu-2", publisher="itu-bdt", key=other, sequence=2, title="Signed by another key")
    code, out, err = run_cli("sync", bundle, "--trust", _pub(other), "--data-dir", data_dir)
    assert code == BundleRefused.exit_code
    assert "trust add itu-bdt PUBKEYFILE --replace" in err
    assert _title(data_dir) == "Proposal 1 as the secretariat published it"
    code, out, err = run_cli("trust", "list", "--json", "--data-dir", data_dir)
    assert [k["fingerprint"] for k in json.loads(out)] == [signing.fingerprint(signing.load_public_key(
        _pub(probe["itu"])))]
