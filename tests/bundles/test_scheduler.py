"""Periodic sync: back-off of unreachable sources, and the Qt adapter's signals, progress and cancel."""

from __future__ import annotations

import json

import pytest

from helpers import table_fingerprint
from sync_helpers import CHANNEL, PUBLISHER, make_bundle
from wtdc_desktop.bundles.sources import SourceResult
from wtdc_desktop.store import Store, sources, syncs
from wtdc_desktop.store.lock import SyncLock
from wtdc_desktop.sync import make_scheduler, sync_all


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_unreachable_source_is_retried_with_exponential_back_off(data_dir):
    with Store(data_dir) as store:
        sources.add_source(store, "https://feeds.example.org/a.json", "feed")
        sources.add_source(store, "https://feeds.example.org/b.json", "feed")
    reachable = {"https://feeds.example.org/a.json": True, "https://feeds.example.org/b.json": False}
    synced: list[tuple[float, str]] = []
    clock = FakeClock()

    def fake_sync(data, progress, cancelled, *, only, on_source, options):
        results = []
        for location in only:
            synced.append((clock.now, location))
            result = SourceResult(location=location, kind="feed",
                                  outcome="up_to_date" if reachable[location] else "unreachable")
            on_source(result)
            results.append(result)
        return results

    scheduler = make_scheduler(data_dir, interval_minutes=10, clock=clock, sync=fake_sync)
    minute = 60.0
    for t in range(0, 200):  # one check a minute for 200 minutes
        clock.now = t * minute
        scheduler.run_once()
        if t == 120:
            reachable["https://feeds.example.org/b.json"] = True  # the Wi-Fi is back
    a_times = [t / minute for t, loc in synced if loc.endswith("a.json")]
    b_times = [t / minute for t, loc in synced if loc.endswith("b.json")]
    assert a_times == list(range(0, 200, 10))
    # after each failure: 2, 4, then 8 intervals (the most); after a success, the plain interval again
    assert b_times[:4] == [0, 20, 60, 140]  # failures at 0, 20 and 60; the one at 140 succeeds
    assert b_times[4:] == [150, 160, 170, 180, 190]


def test_back_off_is_capped_at_eight_intervals(data_dir):
    clock = FakeClock()
    scheduler = make_scheduler(data_dir, interval_minutes=15, clock=clock)
    failing = SourceResult(location="https://x.example/feed.json", kind="feed", outcome="unreachable")
    waits = []
    for _ in range(6):
        scheduler.record(failing)
        waits.append(scheduler.next_wakeup() / 60)
        clock.now += waits[-1] * 60
    assert waits == [30, 60, 120, 120, 120, 120]
    scheduler.record(failing)
    assert scheduler.next_wakeup() / 60 == 120
    scheduler.set_interval(5)  # a shorter interval applies at once
    assert scheduler.next_wakeup() / 60 == 40


def test_sync_all_syncs_every_remembered_source_and_reports_progress(data_dir, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    make_bundle(tmp_path / "w", folder / "s1.wtdc.zip", sequence=1, n=1200)
    with Store(data_dir) as store:
        sources.add_source(store, str(folder), "folder")
    seen = []
    results = sync_all(data_dir, progress=lambda done, total: seen.append((done, total)))
    assert [r.outcome for r in results] == ["applied"]
    total = 1200 + 120  # proposals and documents
    assert seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and all(t == total for _, t in seen)


def write_timetable(path, start: str, room: str) -> None:
    """A frab JSON timetable of one session."""
    path.write_text(json.dumps({"schedule": {"conference": {
        "acronym": "side", "title": "Side events", "time_zone_name": "Africa/Addis_Ababa",
        "days": [{"index": 1, "date": "2021-11-08", "rooms": {room: [
            {"guid": "side-1", "date": f"2021-11-08T{start}:00+03:00", "start": start, "duration": "01:00",
             "room": room, "title": "Side event"}]}}]}}}), "utf-8")


@pytest.fixture
def remembered_timetable(data_dir, tmp_path):
    """A timetable imported once (so remembered), and no bundle source."""
    from wtdc_desktop.exchange.timetable_import import import_schedule_locked

    path = tmp_path / "side-events.json"
    write_timetable(path, "18:00", "Salle 9")
    import_schedule_locked(data_dir, str(path), "WTDC-21", confirmed=True)  # added to WTDC-21 on purpose
    return path


def room_of_the_side_event(data_dir) -> str:
    from wtdc_desktop.store import sessions as store_agenda

    with Store(data_dir) as store:
        return store_agenda.session(store, "WTDC-21/side-1").room


def test_remembered_timetables_are_refreshed_on_the_sources_schedule(data_dir, remembered_timetable):
    clock = FakeClock()
    results = []
    scheduler = make_scheduler(data_dir, interval_minutes=15, clock=clock, on_result=results.append)
    scheduler.run_once()
    assert [(r.kind, r.location, r.outcome) for r in results] == [
        ("timetable", str(remembered_timetable), "up_to_date")]
    write_timetable(remembered_timetable, "19:00", "Salle 10")
    clock.now = 14 * 60
    assert scheduler.run_once() == []  # not due yet
    clock.now = 15 * 60
    (result,) = scheduler.run_once()
    assert result.outcome == "applied"
    assert room_of_the_side_event(data_dir) == "Salle 10"


# --- the Qt adapter ------------------------------------------------------------------------------------

@pytest.fixture
def remembered_folder(data_dir, tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    make_bundle(tmp_path / "w", folder / "s1.wtdc.zip", sequence=1, n=1500)
    with Store(data_dir) as store:
        sources.add_source(store, str(folder), "folder")
    return folder


@pytest.mark.gui
def test_the_qt_adapter_syncs_with_progress_and_finishes(qtbot, data_dir, remembered_folder):
    from wtdc_desktop.ui.sync_timer import SyncScheduler

    scheduler = SyncScheduler(data_dir, lock_wait=0.5)
    progress = []
    scheduler.progress.connect(lambda done, total: progress.append((done, total)))
    per_source = []
    scheduler.source_finished.connect(per_source.append)
    with qtbot.waitSignal(scheduler.started, timeout=1000):
        with qtbot.waitSignal(scheduler.finished, timeout=60000) as finished:
            assert scheduler.sync_now()
            assert not scheduler.sync_now()  # one at a time
    (result,) = finished.args[0]
    assert result.outcome == "applied" and result.applied[0].sequence == 1
    assert [r.location for r in per_source] == [str(remembered_folder)]
    assert progress and progress[-1] == (1650, 1650)
    with Store(data_dir) as store:
        assert syncs.channel_state(store.conn, PUBLISHER, CHANNEL).last_sequence == 1
        assert store.execute("SELECT count(*) FROM proposal").fetchone()[0] == 1500
        (row,) = sources.list_sources(store)
        assert row.last_outcome == "applied"
    scheduler.stop()


@pytest.mark.gui
def test_cancelling_the_qt_sync_leaves_the_store_as_before(qtbot, data_dir, remembered_folder):
    from PySide6.QtCore import Qt

    from wtdc_desktop.ui.sync_timer import SyncScheduler

    with Store(data_dir) as store:
        before = table_fingerprint(store)
    scheduler = SyncScheduler(data_dir, lock_wait=0.5)
    # cancel at the first progress report (500 records in), from the worker thread itself
    scheduler.progress.connect(lambda done, total: scheduler.cancel(), Qt.DirectConnection)
    with qtbot.waitSignal(scheduler.finished, timeout=60000) as finished:
        scheduler.sync_now()
    (result,) = finished.args[0]
    assert result.outcome == "cancelled"
    with Store(data_dir) as store:
        assert table_fingerprint(store) == before
        assert syncs.channel_state(store.conn, PUBLISHER, CHANNEL) is None
    scheduler.stop()


@pytest.mark.gui
def test_the_qt_adapter_reports_another_sync_running(qtbot, data_dir, remembered_folder):
    from wtdc_desktop.ui.sync_timer import SyncScheduler

    scheduler = SyncScheduler(data_dir, lock_wait=0.2)
    with SyncLock(data_dir, wait=0):
        with qtbot.waitSignal(scheduler.failed, timeout=10000) as failed:
            scheduler.sync_now()
    assert "Another sync is running on" in failed.args[0]
    scheduler.stop()


@pytest.mark.gui
def test_the_qt_schedule_syncs_due_sources_on_start(qtbot, data_dir, remembered_folder):
    from wtdc_desktop.ui.sync_timer import SyncScheduler

    scheduler = SyncScheduler(data_dir, interval_minutes=15, lock_wait=0.5)
    with qtbot.waitSignal(scheduler.finished, timeout=60000) as finished:
        scheduler.start()
    assert [r.outcome for r in finished.args[0]] == ["applied"]
    # the next sync of that source is an interval away
    assert 14 * 60 < scheduler.scheduler.next_wakeup() <= 15 * 60
    scheduler.stop()


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGINT"), reason="POSIX signals")
def test_sync_watch_syncs_on_a_schedule_and_ctrl_c_stops_it_cleanly(data_dir, remembered_folder):
    import signal
    import subprocess
    import sys

    from helpers import ROOT

    proc = subprocess.Popen([sys.executable, "-m", "wtdc_desktop", "sync", "--watch", "--interval", "0.05",
                             "--data-dir", str(data_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT)
    lines = []
    try:
        for line in proc.stdout:  # wait for the first round to apply the folder's bundle
            lines.append(line)
            if "Applied test-pub/SYNC sequence 1" in line:
                break
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "every 0.05 minutes" in lines[0]
    assert proc.returncode == 0, err
    assert out.strip().endswith("Stopped.")
    with Store(data_dir) as store:
        assert store.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert syncs.channel_state(store.conn, PUBLISHER, CHANNEL).last_sequence == 1


@pytest.mark.gui
def test_the_window_s_periodic_sync_refreshes_a_remembered_timetable(qtbot, data_dir, remembered_timetable,
                                                                     monkeypatch):
    """No bundle source, no Agenda view: the periodic sync starts for the timetable alone and re-imports it."""
    from wtdc_desktop.ui.sync_view import SyncController

    write_timetable(remembered_timetable, "19:00", "Salle 10")
    monkeypatch.setattr(SyncController, "FIRST_SYNC_DELAY_MS", 10)
    controller = SyncController(data_dir)
    with qtbot.waitSignal(controller.finished, timeout=60000) as finished:
        controller.start_periodic(15)
    assert [(r.kind, r.outcome) for r in finished.args[0]] == [("timetable", "applied")]
    assert room_of_the_side_event(data_dir) == "Salle 10"
    assert 14 * 60 < controller.scheduler.scheduler.next_wakeup() <= 15 * 60
    controller.stop()
