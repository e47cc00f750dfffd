"""A fork server for the kill tests: imports the application once, then forks one child per operation.

Started as a subprocess by tests/reliability/test_kills.py. Each request is one
JSON line on stdin; each answer one JSON line on stdout:

- ``{"op": "run", "argv": [...], "wait": true}``: fork a child that runs the
  command line with ``argv`` (or ``{"op": "backup", "data_dir": ...}``: a backup
  of that store); with ``wait`` the answer comes when the child has finished:
  ``{"pid": N, "status": S, "seconds": T}``.
- with ``wait`` false the answer is ``{"pid": N}`` at once; the test kills the
  child (SIGKILL, by its pid) and then sends ``{"op": "reap"}``, answered by
  ``{"status": S, "seconds": T}``. The child is reaped only then, so its pid
  cannot be reused before the kill.

Forking from a process that has already imported everything makes each kill
cost milliseconds instead of a Python start-up, so 200 kills fit in a minute
or two.
"""

from __future__ import annotations

import json
import os
import sys
import time


FROZEN_NOW = "2026-11-20T09:00:00Z"


def _freeze_clock() -> None:
    """Every instant the store writes is the same in every run, so that two runs of an operation
    give identical tables (the kill tests compare table contents, not clocks)."""
    from wtdc_desktop.store import db

    real = db.utcnow
    for module in list(sys.modules.values()):  # db itself too, for modules imported later
        if getattr(module, "utcnow", None) is real:
            module.utcnow = lambda: FROZEN_NOW


def _child(request: dict) -> int:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    _freeze_clock()
    if request.get("what") == "backup":
        from wtdc_desktop.store import Store, backup

        with Store(request["data_dir"]) as store:
            backup.make_backup(store)
        return 0
    from wtdc_desktop.cli import main

    return int(main(request["argv"]) or 0)


def serve() -> None:
    # Everything the children need, imported once here.
    import wtdc_desktop.bundles.apply  # noqa: F401
    import wtdc_desktop.bundles.delegation  # noqa: F401
    import wtdc_desktop.bundles.sources  # noqa: F401
    import wtdc_desktop.cli  # noqa: F401
    import wtdc_desktop.store.record_marks  # noqa: F401
    import wtdc_desktop.store.delegation_merge  # noqa: F401
    import wtdc_desktop.store.syncs  # noqa: F401
    from wtdc_desktop.store import backup  # noqa: F401

    out = sys.stdout
    pending: tuple[int, float] | None = None
    print(json.dumps({"ready": True}), file=out, flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "reap":
            pid, started = pending
            _, status = os.waitpid(pid, 0)
            pending = None
            print(json.dumps({"status": status, "seconds": time.monotonic() - started}), file=out, flush=True)
            continue
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            code = 99
            try:
                code = _child(request)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:  # noqa: BLE001 - the parent sees the exit code
                code = 98
            finally:
                os._exit(code)
        if request.get("wait"):
            _, status = os.waitpid(pid, 0)
            print(json.dumps({"pid": pid, "status": status, "seconds": time.monotonic() - started}), file=out,
                  flush=True)
        else:
            pending = (pid, started)
            print(json.dumps({"pid": pid}), file=out, flush=True)


if __name__ == "__main__":
    serve()
