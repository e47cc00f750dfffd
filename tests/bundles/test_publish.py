"""Publishing bundles to a folder with its feed (spec §5): what the feed lists, and what is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from small_bundles import read_members, write_zip
from sync_helpers import CHANNEL, PUBLISHER, make_bundle, make_source, make_stream, sha256
from wtdc_desktop.bundles.errors import BundleError
from wtdc_desktop.bundles.publish import FEED_NAME, LOCK_NAME, PublishRefused, publish
from wtdc_desktop.bundles.signing import generate_key, load_private_key, load_public_key
from wtdc_desktop.bundles.sources import parse_feed
from wtdc_desktop.bundles.writer import build_bundle


@pytest.fixture
def bundles(tmp_path) -> dict[int, Path]:
    """Full 1, delta 2 on 1, delta 3 on 2, full 4, delta 5 on 4."""
    return make_stream(tmp_path)


def feed_of(folder: Path) -> dict:
    return json.loads((folder / FEED_NAME).read_text("utf-8"))


def folder_state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def test_the_feed_lists_the_bundles_beside_it_with_their_sizes_and_hashes(tmp_path, bundles):
    site = tmp_path / "site"
    result = publish([bundles[2], bundles[1]], site)  # any order given; listed by sequence
    doc = feed_of(site)
    assert (doc["format"], doc["publisher"], doc["channel"]) == ("wtdc-feed", PUBLISHER, CHANNEL)
    assert doc["bundles"] == [
        {"sequence": 1, "kind": "full", "url": "SYNC-0001.wtdc.zip", "size": bundles[1].stat().st_size,
         "sha256": sha256(bundles[1])},
        {"sequence": 2, "kind": "delta", "base_sequence": 1, "url": "SYNC-0002-delta.wtdc.zip",
         "size": bundles[2].stat().st_size, "sha256": sha256(bundles[2])},
    ]
    assert (site / "SYNC-0001.wtdc.zip").read_bytes() == bundles[1].read_bytes()
    assert (site / "SYNC-0002-delta.wtdc.zip").read_bytes() == bundles[2].read_bytes()
    assert sorted(p.name for p in site.iterdir()) == [LOCK_NAME, "SYNC-0001.wtdc.zip", "SYNC-0002-delta.wtdc.zip",
                                                      FEED_NAME]
    assert (site / LOCK_NAME).read_bytes() == b""  # served with the folder: it holds nothing
    assert [p.sequence for p in result.published] == [1, 2]
    # a reader accepts it as it is
    feed = parse_feed((site / FEED_NAME).read_bytes(), "https://example.org/wtdc/feed.json")
    assert [c.location for c in feed.bundles] == ["https://example.org/wtdc/SYNC-0001.wtdc.zip",
                                                 "https://example.org/wtdc/SYNC-0002-delta.wtdc.zip"]


def test_the_feed_keeps_the_newest_full_bundle_and_the_deltas_after_it(tmp_path, bundles):
    site = tmp_path / "site"
    publish([bundles[1]], site)
    publish([bundles[2]], site)
    publish([bundles[3]], site)
    assert [e["sequence"] for e in feed_of(site)["bundles"]] == [1, 2, 3]  # a reader at 1 or 2 catches up by deltas
    result = publish([bundles[4], bundles[5]], site)
    assert [(e["sequence"], e["kind"]) for e in feed_of(site)["bundles"]] == [(4, "full"), (5, "delta")]
    # the files the feed no longer lists stay for a reader still downloading them, and are reported
    assert result.unlisted == ["SYNC-0001.wtdc.zip", "SYNC-0002-delta.wtdc.zip", "SYNC-0003-delta.wtdc.zip"]
    assert (site / "SYNC-0001.wtdc.zip").exists()


def test_a_delta_whose_base_the_feed_does_not_list_is_published_with_a_note(tmp_path, bundles):
    result = publish([bundles[1], bundles[3]], tmp_path / "site")
    assert [e["sequence"] for e in feed_of(tmp_path / "site")["bundles"]] == [1, 3]
    assert result.notes == ["Sequence 3 is a delta on sequence 2, which the feed does not list: "
                            "only readers already at sequence 2 can apply it."]


def test_a_feed_rewritten_at_the_same_size_gets_a_new_modification_second(tmp_path, bundles):
    # nginx's ETag and Last-Modified come from the modification second (and size): equal ones would
    # tell readers holding the old feed that nothing changed.
    site = tmp_path / "site"
    publish([bundles[1]], site)
    old = (site / FEED_NAME).stat()
    publish([bundles[4]], site)
    new = (site / FEED_NAME).stat()
    assert [e["sequence"] for e in feed_of(site)["bundles"]] == [4]
    assert new.st_size == old.st_size
    assert int(new.st_mtime) != int(old.st_mtime)


def test_the_feed_is_written_the_same_way_for_the_same_bundles(tmp_path, bundles):
    publish([bundles[1], bundles[2], bundles[3]], tmp_path / "a")
    publish([bundles[3], bundles[1], bundles[2]], tmp_path / "b")
    assert (tmp_path / "a" / FEED_NAME).read_bytes() == (tmp_path / "b" / FEED_NAME).read_bytes()


@pytest.mark.parametrize("first, then", [([1, 2], [2]), ([1, 2], [1]), ([1, 3], [2])])
def test_a_sequence_not_newer_than_the_feed_lists_is_refused_and_nothing_changes(tmp_path, bundles, first, then):
    site = tmp_path / "site"
    publish([bundles[n] for n in first], site)
    before = folder_state(site)
    with pytest.raises(PublishRefused) as exc:
        publish([bundles[n] for n in then], site)
    assert f"not newer than sequence {first[-1]}" in exc.value.message
    assert folder_state(site) == before


def test_a_refused_bundle_among_several_leaves_the_folder_unchanged(tmp_path, bundles):
    site = tmp_path / "site"
    publish([bundles[1]], site)
    before = folder_state(site)
    damaged = tmp_path / "damaged.wtdc.zip"
    members = read_members(bundles[4])
    name = next(n for n in members if n.startswith("records/"))
    members[name] = members[name].replace(b"version d", b"version X")
    write_zip(damaged, list(members.items()))
    with pytest.raises(BundleError):
        publish([bundles[2], damaged], site)
    assert folder_state(site) == before  # not even the good delta, nor a temporary file


def test_nothing_is_created_when_the_first_publication_is_refused(tmp_path, bundles):
    site = tmp_path / "site"
    with pytest.raises(PublishRefused):
        publish([bundles[1], bundles[1]], site)
    assert not site.exists()


def test_another_publisher_or_channel_goes_to_another_folder(tmp_path, bundles):
    site = tmp_path / "site"
    publish([bundles[1]], site)
    before = folder_state(site)
    other = make_bundle(tmp_path / "w2", tmp_path / "other.wtdc.zip", sequence=9, channel="OTHER")
    with pytest.raises(PublishRefused) as exc:
        publish([other], site)
    assert "OTHER" in exc.value.message and f"{PUBLISHER}/{CHANNEL}" in exc.value.message
    assert folder_state(site) == before


def test_a_bundle_folder_is_refused(tmp_path):
    src = make_source(tmp_path / "src", sequence=1)
    with pytest.raises(PublishRefused, match="bundle folder"):
        publish([src], tmp_path / "site")


def test_a_signature_by_the_given_key_can_be_required(tmp_path):
    private, public, _fp = generate_key(tmp_path / "key")
    src = make_source(tmp_path / "src", sequence=1)
    signed = tmp_path / "signed.wtdc.zip"
    build_bundle(src, signed, sign_key=load_private_key(private))
    unsigned = make_bundle(tmp_path / "w", tmp_path / "unsigned.wtdc.zip", sequence=2)
    with pytest.raises(BundleError, match="unsigned"):
        publish([unsigned], tmp_path / "site", trust_key=load_public_key(public))
    result = publish([signed], tmp_path / "site", trust_key=load_public_key(public))
    assert result.published[0].signed_by == _fp


def test_an_unreadable_feed_already_there_is_not_overwritten(tmp_path, bundles):
    site = tmp_path / "site"
    site.mkdir()
    (site / FEED_NAME).write_text('{"format": "something else"}', "utf-8")
    with pytest.raises(BundleError, match="not a valid feed"):
        publish([bundles[1]], site)
    assert (site / FEED_NAME).read_text("utf-8") == '{"format": "something else"}'


def test_keys_a_publisher_added_to_the_feed_are_kept(tmp_path, bundles):
    site = tmp_path / "site"
    publish([bundles[1]], site)
    doc = feed_of(site)
    doc["title"] = "Test publications"
    (site / FEED_NAME).write_text(json.dumps(doc), "utf-8")
    publish([bundles[2]], site)
    assert feed_of(site)["title"] == "Test publications"


def test_a_full_disk_leaves_the_folder_as_it_was_in_one_sentence(tmp_path, bundles, monkeypatch):
    import errno
    import os

    from wtdc_desktop.bundles import publish as publishing
    from wtdc_desktop.errors import WtdcError

    site = tmp_path / "site"
    publish([bundles[1]], site)
    before = folder_state(site)
    copies, copy = [], shutil.copyfile

    def full_disk(src, dst):
        copies.append(dst)
        if len(copies) % 2 == 0:  # the second bundle of each publication
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return copy(src, dst)

    monkeypatch.setattr(publishing.shutil, "copyfile", full_disk)
    with pytest.raises(WtdcError) as exc:
        publish([bundles[2], bundles[3]], site)
    assert exc.value.message == f"Cannot publish to {site}: No space left on device."
    assert folder_state(site) == before  # neither the first copy nor any temporary file
    with pytest.raises(WtdcError):
        publish([bundles[2], bundles[3]], tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_two_publications_at_once_to_one_folder_are_both_listed(tmp_path, bundles, monkeypatch):
    """A second publication waits while the first copies its bundles: the feed it then writes lists
    both. Without waiting, each would list its own bundle after the feed both read, and the one
    written last would drop the other's."""
    import threading

    from wtdc_desktop.bundles import publish as publishing

    site = tmp_path / "site"
    publish([bundles[1]], site)
    first_copying, first_may_go = threading.Event(), threading.Event()
    write = publishing._write

    def slow_first(folder, placed, text):
        if threading.current_thread().name == "first":
            first_copying.set()
            first_may_go.wait(30)
        write(folder, placed, text)

    monkeypatch.setattr(publishing, "_write", slow_first)
    errors = []

    def run(bundle):
        try:
            publish([bundle], site)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    first = threading.Thread(target=run, args=(bundles[2],), name="first")
    second = threading.Thread(target=run, args=(bundles[3],), name="second")
    first.start()
    assert first_copying.wait(30)
    second.start()
    second.join(2)  # it waits for the first (without a lock it would be done by now)
    first_may_go.set()
    first.join(30)
    second.join(30)
    assert errors == []
    assert [e["sequence"] for e in feed_of(site)["bundles"]] == [1, 2, 3]
