"""A start-up measurement for the benchmarks, switched on by an environment variable.

``WTDC_STARTUP_PROBE=paint wtdc-desktop ...`` prints ``wtdc-probe first_paint=SECONDS
peak_rss_kb=KB`` when the main window is first painted, then quits; ``WTDC_STARTUP_PROBE=views``
first opens every view of the window, then prints the same line. SECONDS counts from the start
of the process (from /proc on Linux, else from the start of the interpreter's main module).
Used by ``python -m bench`` on the source tree and on the frozen build; without the variable
nothing here runs.
"""

from __future__ import annotations

import os
import sys
import time

ENV = "WTDC_STARTUP_PROBE"
_T0 = time.perf_counter()


def since_process_start() -> float:
    try:
        with open(f"/proc/{os.getpid()}/stat") as fp:
            start_ticks = int(fp.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as fp:
            uptime = float(fp.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - _T0


def _proc_status_kb(field: str) -> int | None:
    """A "VmRSS"-like field of /proc/self/status in kB (Linux; None elsewhere)."""
    try:
        with open("/proc/self/status") as fp:
            for line in fp:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def current_rss_kb() -> int | None:
    return _proc_status_kb("VmRSS")


def peak_rss_kb() -> int | None:
    # Linux: the high-water mark of this process image (ru_maxrss also counts the parent before exec)
    peak = _proc_status_kb("VmHWM")
    if peak is not None:
        return peak
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def install() -> None:
    """Create the application object early and watch for the main window's first paint."""
    mode = os.environ.get(ENV, "")
    if not mode:
        return
    verbose = bool(os.environ.get(ENV + "_VERBOSE"))
    entered, t_entered = since_process_start(), time.perf_counter()

    def mark(label: str) -> None:  # phases, with WTDC_STARTUP_PROBE_VERBOSE=1 (for profiling)
        if verbose:
            print(f"wtdc-probe at={label} seconds={entered + time.perf_counter() - t_entered:.3f}", flush=True)

    mark("main")
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    mark("pyside-imported")
    from wtdc_desktop.ui.app import make_app

    app = make_app()
    mark("application-made")

    class _Probe(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.done = False

        def eventFilter(self, obj, event):  # noqa: N802 - Qt's name
            if verbose and event.type() == QEvent.Show:
                mark("window-shown")
            if not self.done and event.type() == QEvent.Paint:
                mark("first-paint")
                self.done = True
                first_paint = since_process_start()
                QTimer.singleShot(0, lambda: self.finish(obj, first_paint))
            return False

        def finish(self, window, first_paint: float) -> None:
            if mode == "views":
                for key in window.views.declared():  # every view, each built as it is first shown
                    t0 = time.perf_counter()
                    window.show_view(key)
                    for _i in range(3):
                        QApplication.processEvents()
                    if verbose:
                        print(f"wtdc-probe view={key} seconds={time.perf_counter() - t0:.3f} rss_kb={current_rss_kb()} peak_rss_kb={peak_rss_kb()}",
                              flush=True)
            print(f"wtdc-probe first_paint={first_paint:.4f} peak_rss_kb={peak_rss_kb()}", flush=True)
            app.quit()

    _probe.append(_Probe())  # kept alive with the module; watch() gives it the main window


#: The probe's event filter, once install() has run.
_probe: list = []


def watch(window) -> None:
    """Called with the main window before it is shown; nothing happens unless the probe is on.

    The filter sits on the window alone, as in the baseline script: an application-wide filter
    would call into Python for every event of every widget (and make PySide wrap each widget's
    class), which the measured start-up would then include.
    """
    if _probe:
        window.installEventFilter(_probe[0])
