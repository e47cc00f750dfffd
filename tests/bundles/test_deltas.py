"""Sequences, deltas and expiry (spec §2, §4): rollback, re-apply, delta chains, stale channels."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from helpers import run_cli, table_fingerprint
from small_bundles import documents, make_source, meetings, proposals, regions
from wtdc_desktop.bundles import signing
from wtdc_desktop.bundles.apply import apply_bundle
from wtdc_desktop.bundles.errors import BundleRefused
from wtdc_desktop.bundles.writer import build_bundle
from wtdc_desktop.domain.records import PUBLISHED_TYPES
from wtdc_desktop.store import Store, syncs


def state(n: int) -> dict:
    """The published state of the channel at sequence n (records and files)."""
    props = proposals()
    docs = documents()
    regs = regions()
    agenda = b"Agenda of the test conference.\n"
    if n >= 2:  # one changed, one gone, one new; the agenda file's content changes
        props[0]["text"] = "Revised text of proposal 1."
        props = [p for p in props if p["id"] != "AFCP/2/5"]
        props.append({**proposals()[1], "id": "AFCP/2/6", "title": "Proposal 6"})
        agenda = b"Agenda of the test conference, revised.\n"
    if n >= 3:  # a region renamed, a document withdrawn, the new proposal changed again
        regs[1]["name"] = "Europe (CEPT)"
        docs = [d for d in docs if d["id"] != "M-1/2"]
        props[-1]["status"] = "agreed"
        props = [p for p in props if p["id"] != "AFCP/2/2"]
    return {"records": {"region": regs, "meeting": meetings(), "document": docs, "proposal": props},
            "files": {"files/M-1/1-E.txt": agenda}}


def source(tmp_path: Path, n: int, **header) -> Path:
    return make_source(tmp_path / f"src{n}", sequence=n, **state(n), **header)


def full(tmp_path: Path, n: int, **header) -> Path:
    out = tmp_path / f"full{n}.wtdc.zip"
    build_bundle(source(tmp_path, n, **header), out)
    return out


def delta(tmp_path: Path, n: int, base: Path, *extra: str) -> Path:
    out = tmp_path / f"delta{n}.wtdc.zip"
    code, text, err = run_cli("bundle", "build", source(tmp_path, n), "--out", out, "--delta-from", base, *extra)
    assert code == 0, err
    return out


def current_content(store) -> dict:
    """What a user sees: every current (not withdrawn) record and the files documents carry."""
    out = {}
    for t in PUBLISHED_TYPES:
        out[t] = store.execute(f"SELECT id, raw FROM {t} WHERE withdrawn = 0 ORDER BY id").fetchall()
    out["document_file"] = store.execute(
        "SELECT f.document, f.language, f.path, f.sha256, f.size FROM document_file f "
        "JOIN document d ON d.id = f.document WHERE d.withdrawn = 0 ORDER BY 1, 2").fetchall()
    return {k: [tuple(r) for r in v] for k, v in out.items()}


def full_content(store) -> dict:
    """Everything but sync numbers: current, withdrawn, earlier versions, channel presence."""
    out = {}
    for t in PUBLISHED_TYPES:
        out[t] = store.execute(
            f"SELECT id, raw, content_hash, bundle_seq, channel, withdrawn FROM {t} ORDER BY id").fetchall()
    out["record_version"] = store.execute(
        "SELECT type, id, raw, bundle_seq FROM record_version ORDER BY type, id, bundle_seq").fetchall()
    out["record_channel"] = store.execute("SELECT * FROM record_channel ORDER BY 1, 2, 3").fetchall()
    out["document_file"] = store.execute(
        "SELECT document, language, path, sha256, size FROM document_file ORDER BY 1, 2").fetchall()
    return {k: [tuple(r) for r in v] for k, v in out.items()}


def test_delta_carries_only_what_changed(tmp_path):
    full1 = full(tmp_path, 1)
    d2 = delta(tmp_path, 2, full1)
    with zipfile.ZipFile(d2) as z:
        manifest = json.loads(z.read("manifest.json"))
        lines = {name: [json.loads(x) for x in z.read(name).splitlines()]
                 for name in z.namelist() if name.startswith("records/")}
        names = set(z.namelist())
    assert (manifest["kind"], manifest["base_sequence"], manifest["sequence"]) == ("delta", 1, 2)
    assert sorted(p["id"] for p in lines["records/proposal.jsonl"]) == ["AFCP/2/1", "AFCP/2/6"]
    assert [d["id"] for d in lines["records/document.jsonl"]] == ["M-1/1"]  # its file changed
    assert lines["records/region.jsonl"] == [] and lines["records/meeting.jsonl"] == []
    assert manifest["deletions"] == [{"type": "proposal", "id": "AFCP/2/5"}]
    assert "files/M-1/1-E.txt" in names


def test_delta_chain_equals_the_final_full_bundle(tmp_path):
    full1, full2, full3 = full(tmp_path, 1), full(tmp_path, 2), full(tmp_path, 3)
    d2 = delta(tmp_path, 2, full1)
    d3 = delta(tmp_path, 3, full2)
    with Store(tmp_path / "chain") as chain, Store(tmp_path / "direct") as direct, \
            Store(tmp_path / "fulls") as fulls:
        results = [apply_bundle(chain, b) for b in (full1, d2, d3)]
        assert [r.outcome for r in results] == ["applied"] * 3
        assert results[1].counts["proposal"] == {"new": 1, "changed": 1, "unchanged": 0, "withdrawn": 1,
                                                 "restored": 0}
        apply_bundle(direct, full3)
        for b in (full1, full2, full3):
            apply_bundle(fulls, b)
        assert current_content(chain) == current_content(direct)
        assert full_content(chain) == full_content(fulls)
        assert syncs.channel_state(chain.conn, "pub-test", "CH").last_sequence == 3
        withdrawn = chain.execute("SELECT withdrawn FROM document WHERE id = 'M-1/2'").fetchone()[0]
        assert withdrawn == 1  # kept, marked


def test_delta_whose_base_is_not_the_last_applied_is_refused(tmp_path, data_dir):
    full1, full2 = full(tmp_path, 1), full(tmp_path, 2)
    d2 = delta(tmp_path, 2, full1)
    d3 = delta(tmp_path, 3, full2)
    # nothing applied yet: a delta cannot start a channel
    run_cli("stats", "--data-dir", data_dir)
    with Store(data_dir) as s:
        empty = table_fingerprint(s)
    code, out, err = run_cli("sync", d2, "--data-dir", data_dir)
    assert code == BundleRefused.exit_code and "sync a full bundle instead" in err and str(d2) in err
    assert "applies to sequence 1, but the last applied is none" in err
    with Store(data_dir) as s:
        assert table_fingerprint(s) == empty
    # full 1 applied, delta 3 (on 2) skips a link of the chain
    assert run_cli("sync", full1, "--data-dir", data_dir)[0] == 0
    with Store(data_dir) as s:
        before = table_fingerprint(s)
    code, out, err = run_cli("sync", d3, "--data-dir", data_dir)
    assert code == BundleRefused.exit_code
    assert len(err.strip().splitlines()) == 1 and str(d3) in err
    assert "applies to sequence 2, but the last applied is 1; sync a full bundle instead" in err
    with Store(data_dir) as s:
        assert table_fingerprint(s) == before
    # the missing link, then the rest of the chain
    assert run_cli("sync", d2, "--data-dir", data_dir)[0] == 0
    assert run_cli("sync", d3, "--data-dir", data_dir)[0] == 0


def test_delta_from_a_delta_or_another_channel_is_not_built(tmp_path):
    full1 = full(tmp_path, 1)
    d2 = delta(tmp_path, 2, full1)
    code, out, err = run_cli("bundle", "build", source(tmp_path, 3), "--out", tmp_path / "x.zip",
                             "--delta-from", d2)
    assert code != 0 and "can only be built against a full bundle" in err
    code, out, err = run_cli("bundle", "build", source(tmp_path, 3), "--out", tmp_path / "x.zip",
                             "--delta-from", full1, "--channel", "OTHER")
    assert code != 0 and "same publisher and channel" in err
    code, out, err = run_cli("bundle", "build", source(tmp_path, 3), "--out", tmp_path / "x.zip",
                             "--delta-from", full1, "--sequence", "1")
    assert code != 0 and "must be higher" in err
    assert not (tmp_path / "x.zip").exists()


def test_delta_sequence_can_be_given_and_signed(tmp_path, store):
    key = tmp_path / "k"
    signing.generate_key(key)
    full1 = full(tmp_path, 1)
    d = delta(tmp_path, 2, full1, "--sequence", "7", "--sign-key", key)
    apply_bundle(store, full1)
    result = apply_bundle(store, d)
    assert (result.kind, result.sequence) == ("delta", 7)
    assert result.signer_fingerprint == signing.fingerprint(signing.load_public_key(key.with_name("k.pub")))


def test_rollback_same_sequence_and_conflicting_manifest_on_the_command_line(tmp_path, data_dir):
    full1, full2 = full(tmp_path, 1), full(tmp_path, 2)
    assert run_cli("sync", full2, "--data-dir", data_dir)[0] == 0
    with Store(data_dir) as s:
        before = table_fingerprint(s)
    # the same sequence again: nothing to do, success
    code, out, err = run_cli("sync", full2, "--data-dir", data_dir)
    assert code == 0 and "already applied" in out
    # an older sequence: a rollback, refused unless forced
    code, out, err = run_cli("sync", full1, "--data-dir", data_dir)
    assert code == BundleRefused.exit_code and "rollback" in err and "--force" in err and str(full1) in err
    # another manifest under sequence 2: refused
    other = tmp_path / "other2.wtdc.zip"
    build_bundle(source(tmp_path, 2, created_at="2030-05-02T08:00:00Z"), other)
    code, out, err = run_cli("sync", other, "--data-dir", data_dir)
    assert code == BundleRefused.exit_code and "different manifest" in err
    with Store(data_dir) as s:
        assert table_fingerprint(s) == before
    code, out, err = run_cli("sync", full1, "--force", "--data-dir", data_dir)
    assert code == 0, err
    code, out, _ = run_cli("list", "proposal", "--json", "--data-dir", data_dir)
    assert "AFCP/2/5" in {p["id"] for p in json.loads(out)}


def test_expired_material_warns_but_stays(tmp_path, data_dir):
    old = full(tmp_path, 1, expires_at="2001-01-01T00:00:00Z")
    code, out, err = run_cli("sync", old, "--data-dir", data_dir)
    assert code == 0
    assert "warning:" in err and "pub-test/CH" in err and "may be stale" in err and "2001" in err
    code, out, err = run_cli("stats", "--data-dir", data_dir)
    assert code == 0 and "may be stale" in err and "proposal" in out
    code, out, err = run_cli("stats", "--json", "--data-dir", data_dir)
    assert json.loads(out)["channels"][0]["stale"] is True
    code, out, err = run_cli("sync", old, "--data-dir", data_dir)
    assert code == 0 and "already applied" in out and "may be stale" in err
    with Store(data_dir) as s:
        assert [c.channel for c in syncs.stale_channels(s)] == ["CH"]
        assert syncs.stale_channels(s, "2000-12-31T23:00:00Z") == []
        assert syncs.stale_channels(s, "2001-01-01T00:00:01+00:00")[0].publisher == "pub-test"
    # something newer arrives: no longer stale
    code, out, err = run_cli("sync", full(tmp_path, 2, expires_at="2999-01-01T00:00:00Z"), "--data-dir", data_dir)
    assert code == 0 and "stale" not in err
    code, out, err = run_cli("stats", "--data-dir", data_dir)
    assert "stale" not in err
    with Store(data_dir) as s:
        assert syncs.stale_channels(s) == []


@pytest.mark.parametrize("n", [2, 3])
def test_reapplying_a_delta_is_already_applied(tmp_path, store, n):
    full1, full2 = full(tmp_path, 1), full(tmp_path, 2)
    chain = [full1, delta(tmp_path, 2, full1)]
    if n == 3:
        chain.append(delta(tmp_path, 3, full2))
    for b in chain:
        apply_bundle(store, b)
    before = table_fingerprint(store)
    assert apply_bundle(store, chain[-1]).outcome == "already_applied"
    assert table_fingerprint(store) == before


def test_delta_of_a_source_with_contacts(tmp_path):
    """A contact's `languages` is a list of codes, not a document's map of files."""
    import json as _json
    import shutil

    from helpers import DEMO_SOURCE
    from wtdc_desktop.bundles.writer import build_bundle, build_delta

    src = tmp_path / "src"
    shutil.copytree(DEMO_SOURCE, src)
    old = tmp_path / "old.wtdc.zip"
    build_bundle(src, old)
    path = src / "records" / "contact.jsonl"
    contacts = [_json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    contacts[0]["languages"] = ["fr", "en", "ar"]
    path.write_text("".join(_json.dumps(c, ensure_ascii=False) + "\n" for c in contacts), "utf-8")
    manifest = build_delta(src, tmp_path / "delta.wtdc.zip", old)
    assert [r["type"] for r in manifest["records"] if r["count"]] == ["contact"]


# --- an unchanged re-publication is not read record by record ---------------------------------------


def _full(tmp_path, name: str, *, channel: str = "CH", sequence: int, records=None, files=None, **kw) -> Path:
    src = make_source(tmp_path / f"src-{name}", channel=channel, sequence=sequence, records=records, files=files,
                      **kw)
    out = tmp_path / f"{name}.wtdc.zip"
    build_bundle(src, out)
    return out


def _reading(monkeypatch) -> list[str]:
    from wtdc_desktop.bundles.reader import Bundle

    read: list[str] = []
    original = Bundle.iter_records

    def counting(self, member):
        read.append(member.type)
        return original(self, member)

    monkeypatch.setattr(Bundle, "iter_records", counting)
    return read


def test_an_unchanged_republication_skips_its_records_and_changes_nothing(store, tmp_path, monkeypatch):
    apply_bundle(store, _full(tmp_path, "s1", sequence=1))
    before = table_fingerprint(store, list(PUBLISHED_TYPES))
    read = _reading(monkeypatch)
    result = apply_bundle(store, _full(tmp_path, "s2", sequence=2))
    assert read == [] and not result.changed
    assert result.counts["proposal"] == {"new": 0, "changed": 0, "unchanged": 5, "withdrawn": 0, "restored": 0}
    assert table_fingerprint(store, list(PUBLISHED_TYPES)) == before
    # One proposal edited in the next publication: only the proposals are read again.
    props = proposals()
    props[0]["title"] = "Proposal 1, revised"
    records = {"region": regions(), "meeting": meetings(), "document": documents(), "proposal": props}
    result = apply_bundle(store, _full(tmp_path, "s3", sequence=3, records=records))
    assert read == ["proposal"] and result.counts["proposal"]["changed"] == 1


def test_a_document_file_changed_under_the_same_records_is_read(store, tmp_path, monkeypatch):
    apply_bundle(store, _full(tmp_path, "s1", sequence=1))
    read = _reading(monkeypatch)
    apply_bundle(store, _full(tmp_path, "s2", sequence=2, files={"files/M-1/1-E.txt": b"A new agenda.\n"}))
    assert read == ["document"]
    row = store.execute("SELECT sha256 FROM document_file WHERE document = 'M-1/1'").fetchone()
    assert row[0] == hashlib.sha256(b"A new agenda.\n").hexdigest()


def test_after_a_delta_or_another_channels_write_the_full_bundle_is_read_again(store, tmp_path, monkeypatch):
    first = _full(tmp_path, "a1", sequence=1)
    apply_bundle(store, first)
    # Another channel publishes a different version of a proposal: it wins until A publishes again.
    props = proposals()
    props[0]["title"] = "Channel B's title"
    apply_bundle(store, _full(tmp_path, "b1", channel="B", sequence=1,
                              records={"proposal": [props[0]]}, files={}))
    title = "SELECT title FROM proposal WHERE id = 'AFCP/2/1'"
    assert store.execute(title).fetchone()[0] == "Channel B's title"
    read = _reading(monkeypatch)
    result = apply_bundle(store, _full(tmp_path, "a2", sequence=2))
    assert "proposal" in read and result.counts["proposal"]["changed"] == 1
    assert store.execute(title).fetchone()[0] == "Proposal 1"
    # A delta of A changes a record; the next full bundle, identical to the first, puts it back.
    delta_src = make_source(tmp_path / "src-d3", sequence=3, kind="delta", base_sequence=2,
                            records={"proposal": [props[0]]}, files={})
    delta = tmp_path / "d3.wtdc.zip"
    build_bundle(delta_src, delta)
    apply_bundle(store, delta)
    assert store.execute(title).fetchone()[0] == "Channel B's title"
    read.clear()
    result = apply_bundle(store, _full(tmp_path, "a4", sequence=4))
    assert read == ["proposal"] and result.counts["proposal"]["changed"] == 1
    assert store.execute(title).fetchone()[0] == "Proposal 1"
