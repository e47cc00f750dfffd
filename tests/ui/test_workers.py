"""The one background-task helper: progress, result, errors and cancel, reported the same way for every view."""

from __future__ import annotations

import threading
import time

import pytest

from wtdc_desktop.errors import WtdcError
from wtdc_desktop.ui import workers

pytestmark = pytest.mark.gui


def test_a_worker_reports_progress_then_its_result(qtbot):
    def task(worker):
        for i in range(3):
            worker.report(i + 1, 3, f"step {i + 1}")
        return "done"

    worker = workers.Worker(task)
    progress = []
    worker.signals.progress.connect(lambda done, total, text: progress.append((done, total, text)))
    with qtbot.waitSignal(worker.signals.finished, timeout=10000) as finished:
        workers.start(worker)
    assert finished.args == ["done"]
    qtbot.waitUntil(lambda: len(progress) == 3, timeout=5000)
    assert progress == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3")]
    assert worker.wait(1) and worker.error is None


def test_a_user_error_is_its_own_sentence_and_a_bug_is_put_in_the_worker_s_sentence(qtbot):
    def refuse(_worker):
        raise WtdcError("The folder is gone.")

    refused = workers.Worker(refuse, failure="Could not sync: {reason}")
    with qtbot.waitSignal(refused.signals.failed, timeout=10000) as failed:
        workers.start(refused)
    assert failed.args == ["The folder is gone."] and isinstance(refused.error, WtdcError)

    buggy = workers.Worker(lambda _w: 1 / 0, failure="Could not sync: {reason}")
    with qtbot.waitSignal(buggy.signals.failed, timeout=10000) as failed:
        workers.start(buggy)
    assert failed.args == ["Could not sync: division by zero"] and isinstance(buggy.error, ZeroDivisionError)


def test_a_worker_can_be_cancelled(qtbot):
    started = threading.Event()

    def task(worker):
        started.set()
        while not worker.cancelled():
            time.sleep(0.01)
        raise WtdcError("Cancelled; nothing changed.")

    worker = workers.Worker(task)
    with qtbot.waitSignal(worker.signals.failed, timeout=10000) as failed:
        workers.start(worker)
        assert started.wait(5)
        worker.cancel()
    assert failed.args == ["Cancelled; nothing changed."]
