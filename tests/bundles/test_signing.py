"""Signatures and trust (spec §6): keygen, signed builds, verify, pinned keys, trust on first use."""

from __future__ import annotations

import base64
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

from helpers import run_cli, table_fingerprint
from small_bundles import build, proposals, read_members, relist, write_zip
from wtdc_desktop.bundles import signing
from wtdc_desktop.bundles.apply import apply_bundle
from wtdc_desktop.bundles.errors import BundleError, BundleRefused
from wtdc_desktop.store import Store, trust


@pytest.fixture
def keys(tmp_path):
    """Two key pairs made with the command line: the publisher's and an impostor's."""
    out = {}
    for name in ("publisher", "impostor"):
        path = tmp_path / "keys" / f"{name}.key"
        path.parent.mkdir(exist_ok=True)
        code, text, err = run_cli("bundle", "keygen", "--out", path)
        assert code == 0, err
        out[name] = path
    return out


def fp(pub: Path) -> str:
    return signing.fingerprint(signing.load_public_key(pub))


def pub(key: Path) -> Path:
    return key.with_name(key.name + ".pub")


def signed(tmp_path: Path, key: Path, name: str = "signed", **kwargs) -> Path:
    return build(tmp_path / f"src-{name}", tmp_path / f"{name}.wtdc.zip",
                 sign_key=signing.load_private_key(key), **kwargs)


def fingerprint_of(data_dir: Path) -> dict:
    with Store(data_dir) as s:
        return table_fingerprint(s)


def test_keygen_writes_a_private_key_only_its_owner_reads(keys, tmp_path):
    key = keys["publisher"]
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    raw = base64.b64decode(pub(key).read_text().strip())
    assert len(raw) == 32
    code, out, _ = run_cli("bundle", "keygen", "--out", tmp_path / "k2")
    fingerprint = signing.fingerprint(signing.load_public_key(tmp_path / "k2.pub"))
    assert fingerprint in out
    # a key is never overwritten
    code, out, err = run_cli("bundle", "keygen", "--out", key)
    assert code != 0 and "already exists" in err
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_build_sign_verify_apply_round_trip(keys, tmp_path, data_dir):
    out = tmp_path / "b.wtdc.zip"
    make = build(tmp_path / "src", tmp_path / "unsigned.wtdc.zip")  # a source folder to build from
    del make
    code, text, err = run_cli("bundle", "build", tmp_path / "src", "--out", out, "--sign-key", keys["publisher"])
    assert code == 0, err
    with zipfile.ZipFile(out) as z:
        manifest = z.read("manifest.json")
        sig = z.read("manifest.json.sig")
    assert signing.signature_valid(manifest, sig, signing.load_public_key(pub(keys["publisher"])))

    code, text, err = run_cli("bundle", "verify", out, "--data-dir", data_dir)
    assert code == 0, err
    assert "pub-test" in text and "CH" in text and fp(pub(keys["publisher"])) in text
    assert "not trusted yet" in text
    code, text, err = run_cli("bundle", "verify", out, "--json", "--data-dir", data_dir)
    summary = json.loads(text)
    assert summary["counts"] == {"document": 2, "meeting": 1, "proposal": 5, "region": 2}
    assert (summary["publisher"], summary["channel"], summary["sequence"], summary["kind"]) == (
        "pub-test", "CH", 1, "full")
    assert summary["signed_by"] == fp(pub(keys["publisher"])) and summary["key_pinned"] is False
    assert not (data_dir / "store.sqlite3").exists()  # verify never creates a store

    code, text, err = run_cli("sync", out, "--trust", pub(keys["publisher"]), "--data-dir", data_dir)
    assert code == 0, err
    assert "Signed by the trusted key" in text
    code, text, _ = run_cli("trust", "list", "--json", "--data-dir", data_dir)
    pinned = json.loads(text)
    assert [(k["publisher"], k["fingerprint"], k["origin"]) for k in pinned] == [
        ("pub-test", fp(pub(keys["publisher"])), "cli")]
    code, text, err = run_cli("bundle", "verify", out, "--data-dir", data_dir)
    assert "(trusted)" in text
    code, text, _ = run_cli("list", "proposal", "--json", "--data-dir", data_dir)
    assert len(json.loads(text)) == 5


def test_signed_bundle_from_an_unpinned_publisher_applies_and_offers_its_key(keys, tmp_path, store):
    bundle = signed(tmp_path, keys["publisher"])
    result = apply_bundle(store, bundle)
    assert result.outcome == "applied"
    assert result.signed and not result.signer_key_pinned
    assert result.signer_fingerprint == fp(pub(keys["publisher"]))
    assert base64.b64decode(result.signer_public_key) == signing.load_public_key(pub(keys["publisher"]))
    assert trust.get_key(store, "pub-test") is None  # trusting is the user's decision
    # the user trusts it (the window's "trust this key"): from now on it is required
    raw = base64.b64decode(result.signer_public_key)
    trust.pin_key(store, "pub-test", raw, result.signer_fingerprint, origin="user")
    again = apply_bundle(store, signed(tmp_path, keys["publisher"], "next", sequence=2))
    assert again.signer_key_pinned


def _pin(data_dir: Path, key: Path) -> None:
    code, text, err = run_cli("trust", "add", "pub-test", pub(key), "--data-dir", data_dir)
    assert code == 0, err
    assert fp(pub(key)) in text


@pytest.fixture
def pinned_store(keys, tmp_path, data_dir):
    """A store with the publisher's key pinned and its first signed bundle applied."""
    _pin(data_dir, keys["publisher"])
    code, _, err = run_cli("sync", signed(tmp_path, keys["publisher"], "first"), "--data-dir", data_dir)
    assert code == 0, err
    return data_dir


def assert_refused_cli(data_dir: Path, bundle: Path, *fragments: str, args=()) -> str:
    before = fingerprint_of(data_dir)
    code, out, err = run_cli("sync", bundle, "--data-dir", data_dir, *args)
    assert code == BundleRefused.exit_code or code == BundleError.exit_code, (code, err)
    assert code != 0
    assert len(err.strip().splitlines()) == 1, err
    assert str(bundle) in err
    for fragment in fragments:
        assert fragment in err, err
    assert fingerprint_of(data_dir) == before
    return err


def test_unsigned_bundle_against_a_pinned_key(pinned_store, keys, tmp_path):
    unsigned = build(tmp_path / "src-u", tmp_path / "unsigned.wtdc.zip", sequence=2)
    err = assert_refused_cli(pinned_store, unsigned, "manifest.json.sig is missing",
                             fp(pub(keys["publisher"])), "pub-test")
    code, *_ = run_cli("sync", unsigned, "--data-dir", pinned_store)
    assert code == BundleRefused.exit_code
    del err


def test_bundle_signed_by_another_key_against_a_pinned_key(pinned_store, keys, tmp_path):
    forged = signed(tmp_path, keys["impostor"], "forged", sequence=2)
    assert_refused_cli(pinned_store, forged, fp(pub(keys["impostor"])), fp(pub(keys["publisher"])),
                       "not with the key")


def test_signature_stripped_by_a_forger(pinned_store, keys, tmp_path):
    good = signed(tmp_path, keys["publisher"], "good", sequence=2)
    members = read_members(good)
    del members["manifest.json.sig"]
    stripped = write_zip(tmp_path / "stripped.wtdc.zip", list(members.items()))
    assert_refused_cli(pinned_store, stripped, "is missing")


def test_member_swapped_after_signing(pinned_store, keys, tmp_path):
    good = signed(tmp_path, keys["publisher"], "good", sequence=2)

    def swap(relist_manifest: bool) -> Path:
        members = read_members(good)  # same size, other content
        members["records/proposal.jsonl"] = members["records/proposal.jsonl"].replace(b"digital", b"DIGITAL", 1)
        if relist_manifest:
            relist(members)
        return write_zip(tmp_path / f"swapped-{relist_manifest}.wtdc.zip", list(members.items()))

    # the manifest kept: the member's hash no longer matches
    assert_refused_cli(pinned_store, swap(False), "“records/proposal.jsonl” does not match its SHA-256")
    # the manifest relisted too: the signature no longer matches the manifest
    assert_refused_cli(pinned_store, swap(True), "signature does not match", fp(pub(keys["publisher"])))


def test_tampered_manifest_of_an_unpinned_publisher_is_refused(keys, tmp_path, data_dir):
    """Without a pin, a bundle whose signature fails for the key it names is still refused."""
    good = signed(tmp_path, keys["publisher"], "good")
    members = read_members(good)
    members["records/proposal.jsonl"] = b"".join(
        json.dumps(p).encode() + b"\n" for p in proposals()[:2])
    relist(members)
    bad = write_zip(tmp_path / "tampered.wtdc.zip", list(members.items()))
    code, out, err = run_cli("sync", bad, "--data-dir", data_dir)
    assert code == BundleError.exit_code and "signature does not match" in err and str(bad) in err
    code, out, err = run_cli("bundle", "verify", bad, "--data-dir", data_dir)
    assert code != 0 and "signature does not match" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("sig", [b"", b"not base64 !!\n", base64.b64encode(b"\x00" * 64) + b"\n",
                                 base64.b64encode(b"short") + b"\n"])
def test_malformed_signature_against_a_pinned_key(pinned_store, keys, tmp_path, sig):
    good = signed(tmp_path, keys["publisher"], "good", sequence=2)
    members = read_members(good)
    members["manifest.json.sig"] = sig
    bad = write_zip(tmp_path / "badsig.wtdc.zip", list(members.items()))
    assert_refused_cli(pinned_store, bad, "manifest.json.sig", "signature does not match")


def test_sync_trust_with_the_wrong_key_pins_nothing(keys, tmp_path, data_dir):
    bundle = signed(tmp_path, keys["publisher"])
    run_cli("stats", "--data-dir", data_dir)
    before = fingerprint_of(data_dir)
    code, out, err = run_cli("sync", bundle, "--trust", pub(keys["impostor"]), "--data-dir", data_dir)
    assert code == BundleRefused.exit_code and fp(pub(keys["impostor"])) in err
    assert fingerprint_of(data_dir) == before
    code, out, err = run_cli("trust", "list", "--json", "--data-dir", data_dir)
    assert json.loads(out) == []


def test_verify_with_trust(keys, tmp_path, data_dir):
    bundle = signed(tmp_path, keys["publisher"])
    code, out, err = run_cli("bundle", "verify", bundle, "--trust", pub(keys["publisher"]), "--data-dir", data_dir)
    assert code == 0 and fp(pub(keys["publisher"])) in out
    code, out, err = run_cli("bundle", "verify", bundle, "--trust", pub(keys["impostor"]), "--data-dir", data_dir)
    assert code != 0 and "not with the key" in err
    unsigned = build(tmp_path / "src-u", tmp_path / "unsigned.wtdc.zip")
    code, out, err = run_cli("bundle", "verify", unsigned, "--data-dir", data_dir)
    assert code == 0 and "unsigned" in out
    code, out, err = run_cli("bundle", "verify", unsigned, "--trust", pub(keys["publisher"]), "--data-dir", data_dir)
    assert code != 0 and "is missing" in err


def test_verify_reports_the_exact_reason(tmp_path):
    good = build(tmp_path / "src", tmp_path / "good.wtdc.zip")
    members = read_members(good)
    members["records/region.jsonl"] = members["records/region.jsonl"].replace(b"Afrique", b"Afriqua")
    bad = write_zip(tmp_path / "bad.wtdc.zip", list(members.items()))
    code, out, err = run_cli("bundle", "verify", bad, "--data-dir", tmp_path / "d")
    assert code == BundleError.exit_code
    assert err.strip() == (f"error: {bad}: the member “records/region.jsonl” does not match its SHA-256 "
                           "in the manifest.")


def test_trust_add_list_remove(keys, data_dir, tmp_path):
    _pin(data_dir, keys["publisher"])
    code, out, err = run_cli("trust", "list", "--data-dir", data_dir)
    assert "pub-test" in out and fp(pub(keys["publisher"])) in out
    # replacing is asked for, and says so
    code, out, err = run_cli("trust", "add", "pub-test", pub(keys["impostor"]), "--replace", "--data-dir", data_dir)
    assert code == 0 and fp(pub(keys["publisher"])) in out and "replaced" in out
    code, out, err = run_cli("trust", "remove", "pub-test", "--data-dir", data_dir)
    assert code == 0
    code, out, err = run_cli("trust", "remove", "pub-test", "--data-dir", data_dir)
    assert code != 0 and "No key is pinned" in err
    # once unpinned, unsigned bundles apply again
    code, out, err = run_cli("sync", build(tmp_path / "s", tmp_path / "u.wtdc.zip"), "--data-dir", data_dir)
    assert code == 0, err


def test_bad_key_files(tmp_path, data_dir):
    junk = tmp_path / "junk.pub"
    junk.write_text("hello\n")
    code, out, err = run_cli("trust", "add", "p", junk, "--data-dir", data_dir)
    assert code != 0 and str(junk) in err and "not an Ed25519 public key" in err
    code, out, err = run_cli("bundle", "build", tmp_path, "--out", tmp_path / "x.zip", "--sign-key", junk)
    assert code != 0 and "not an unencrypted Ed25519 private key" in err
    code, out, err = run_cli("trust", "add", "p", tmp_path / "missing.pub", "--data-dir", data_dir)
    assert code != 0 and "cannot be read" in err


def test_openssh_public_key_is_accepted(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    line = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    path = tmp_path / "id.pub"
    path.write_bytes(line + b" someone@example\n")
    assert signing.load_public_key(path) == signing.raw_public_key(key)


def test_signature_covers_the_exact_manifest_bytes(keys, tmp_path):
    """Re-serialising the manifest (same JSON, other bytes) breaks the signature."""
    good = signed(tmp_path, keys["publisher"])
    members = read_members(good)
    members["manifest.json"] = json.dumps(json.loads(members["manifest.json"])).encode()
    bad = write_zip(tmp_path / "reformatted.wtdc.zip", list(members.items()))
    with Store(tmp_path / "d") as s:
        with pytest.raises(BundleError, match="signature does not match"):
            apply_bundle(s, bad)
    assert os.path.exists(good)


def test_key_pinned_by_configuration(keys, tmp_path, data_dir):
    """A public key file in the data folder's trusted-keys/ pins that publisher's key."""
    (data_dir / "trusted-keys").mkdir(parents=True)
    (data_dir / "trusted-keys" / "pub-test.pub").write_bytes(pub(keys["publisher"]).read_bytes())
    unsigned = build(tmp_path / "src-u", tmp_path / "unsigned.wtdc.zip")
    code, out, err = run_cli("bundle", "verify", unsigned, "--data-dir", data_dir)
    assert code == BundleRefused.exit_code and fp(pub(keys["publisher"])) in err
    code, out, err = run_cli("sync", unsigned, "--data-dir", data_dir)
    assert code == BundleRefused.exit_code and "is missing" in err
    code, out, err = run_cli("sync", signed(tmp_path, keys["publisher"]), "--data-dir", data_dir)
    assert code == 0 and "Signed by the trusted key" in out
    code, out, err = run_cli("trust", "list", "--json", "--data-dir", data_dir)
    assert [(k["publisher"], k["origin"]) for k in json.loads(out)] == [("pub-test", "config")]


def test_malformed_key_in_the_manifest(keys, tmp_path, store):
    """An unsigned bundle's key field is ignored; a signed bundle naming a malformed key is refused."""
    good = signed(tmp_path, keys["publisher"])
    members = read_members(good)
    manifest = json.loads(members["manifest.json"])
    manifest["publisher"]["public_key"] = "not a key"
    members["manifest.json"] = json.dumps(manifest).encode()
    key = signing.load_private_key(keys["publisher"])
    members["manifest.json.sig"] = signing.sign_manifest(members["manifest.json"], key)
    bad = write_zip(tmp_path / "badkey.wtdc.zip", list(members.items()))
    with pytest.raises(BundleError, match="“publisher.public_key” must be the base64"):
        apply_bundle(store, bad)
    del members["manifest.json.sig"]
    unsigned = write_zip(tmp_path / "unsigned.wtdc.zip", list(members.items()))
    result = apply_bundle(store, unsigned)
    assert result.outcome == "applied" and not result.signed
