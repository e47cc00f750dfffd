"""The baseline window: a PySide6 script that shows an empty QMainWindow.

Started by the start-up and memory benchmarks (and frozen by the same PyInstaller for the
frozen-build benchmark). With ``--report`` it prints, on the first paint of the window, the same line as the
application's start-up probe (``wtdc-probe first_paint=SECONDS peak_rss_kb=KB``, seconds since the
process started) and exits. Deliberately standalone: it imports nothing from the project.
"""

import sys
import time

_T0 = time.perf_counter()

from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: E402


def _since_process_start() -> float:
    try:
        import os

        with open(f"/proc/{os.getpid()}/stat") as fp:
            start_ticks = int(fp.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as fp:
            uptime = float(fp.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _T0


def _peak_rss_kb():
    try:  # Linux: the high-water mark of this process image (ru_maxrss also counts the parent before exec)
        with open("/proc/self/status") as fp:
            for line in fp:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


class _FirstPaint(QObject):
    def eventFilter(self, obj, event):  # noqa: N802 - Qt's name
        if event.type() == QEvent.Paint:
            print(f"wtdc-probe first_paint={_since_process_start():.4f} peak_rss_kb={_peak_rss_kb()}", flush=True)
            QTimer.singleShot(0, QApplication.instance().quit)
            obj.removeEventFilter(self)
        return False


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("Hello")
    window.resize(1200, 760)
    if "--report" in sys.argv:
        spy = _FirstPaint(window)
        window.installEventFilter(spy)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
