"""``wtdc-desktop --self-test``: check that this installation works, end to end, offscreen.

Runs in a checkout, an installed wheel and the frozen build alike: finds the bundled
resources, opens a temporary store, loads the demo bundle, renders the main window offscreen,
runs a search, exports the agenda as iCalendar, formats dates in every interface language and
reads a meeting's time zone. Prints one line per check; the exit code is 0 only if every
check passed. Nothing outside a temporary folder is touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from wtdc_desktop import APP_NAME, __version__
from wtdc_desktop.i18n import _


class _Context:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.store = None
        self.app = None


def _check_resources(ctx: _Context) -> str:
    from wtdc_desktop.resources import resource_path

    demo = resource_path("demo.wtdc.zip")
    icon = resource_path("icons", "wtdc-desktop.svg")
    missing = [str(p) for p in (demo, icon) if not p.is_file()]
    if missing:
        raise RuntimeError(_("missing: {paths}").format(paths=", ".join(missing)))
    return _("demo bundle and icon found in {folder}").format(folder=demo.parent)


def _check_store(ctx: _Context) -> str:
    from wtdc_desktop.store import Store

    ctx.store = Store(ctx.folder / "data")
    version = ctx.store.execute("PRAGMA user_version").fetchone()[0]
    fts = ctx.store.execute("SELECT sqlite_compileoption_used('ENABLE_FTS5')").fetchone()[0]
    if not fts:
        raise RuntimeError(_("this SQLite has no full-text search (FTS5)"))
    return _("temporary store opened (schema {version}, FTS5 available)").format(version=version)


def _check_demo(ctx: _Context) -> str:
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.resources import resource_path
    from wtdc_desktop.store import published

    result = apply_bundle(ctx.store, resource_path("demo.wtdc.zip"), source="self-test")
    counts = published.counts(ctx.store)
    if result.outcome != "applied" or not counts.get("document") or not counts.get("session"):
        raise RuntimeError(_("the demo bundle applied nothing ({counts})").format(counts=counts))
    return _("demo bundle applied: {documents} documents, {proposals} proposals, {sessions} sessions").format(
        documents=counts["document"], proposals=counts["proposal"], sessions=counts["session"])


def _check_window(ctx: _Context) -> str:
    from PySide6.QtWidgets import QApplication

    from wtdc_desktop.ui.app import make_app
    from wtdc_desktop.ui.main_window import MainWindow

    ctx.app = make_app()
    from wtdc_desktop.workspace import Workspace

    window = MainWindow(Workspace(ctx.store))
    window.show()
    for _i in range(5):
        QApplication.processEvents()
    image = window.grab().toImage()
    if image.isNull() or image.width() < 200 or image.height() < 200:
        raise RuntimeError(_("the window rendered as an empty image"))
    # A rendered window has many colours; a blank or failed paint has one or two.
    colours = {image.pixel(x, y) for x in range(0, image.width(), 17) for y in range(0, image.height(), 17)}
    if len(colours) < 4:
        raise RuntimeError(_("the window rendered blank"))
    path = ctx.folder / "main-window.png"
    image.save(str(path))
    window.close()
    window.deleteLater()
    QApplication.processEvents()
    return _("main window rendered offscreen ({width}×{height}, {platform} platform)").format(
        width=image.width(), height=image.height(), platform=QApplication.platformName())


def _check_search(ctx: _Context) -> str:
    from wtdc_desktop.store import fulltext

    hits = fulltext.search(ctx.store, "CMDT")
    if not hits:
        raise RuntimeError(_("searching the demo content for “CMDT” found nothing"))
    return _("search for “CMDT”: {count} hits, first {type} {id}").format(
        count=len(hits), type=hits[0].type, id=hits[0].id)


def _check_ics(ctx: _Context) -> str:
    """Export every session of the demo as iCalendar, as a user would, and read it back."""
    from wtdc_desktop.cli import main as cli_main

    out = ctx.folder / "agenda.ics"
    how = "export-ics"
    with open(os.devnull, "w") as sink:
        saved, sys.stdout = sys.stdout, sink
        try:
            code = cli_main(["export-ics", "--all", "--data-dir", str(ctx.folder / "data"), "--out", str(out)])
        except SystemExit as exc:  # argparse refusing the arguments
            code = exc.code
        finally:
            sys.stdout = saved
    if code != 0:
        raise RuntimeError(_("export-ics ended with code {code}").format(code=code))
    if not out.is_file():
        raise RuntimeError(_("{path} was not written").format(path=out))
    from wtdc_desktop.exchange import ics

    timetable = ics.parse(out.read_bytes(), str(out))
    if not timetable.events:
        raise RuntimeError(_("{path} holds no events").format(path=out))
    return _("agenda exported as iCalendar ({how}) and read back: {events} events").format(
        how=how, events=len(timetable.events))


def _check_languages(ctx: _Context) -> str:
    import datetime as dt

    from wtdc_desktop.i18n import LANGUAGES, set_language
    from wtdc_desktop.instants import UTC, format_datetime

    moment = dt.datetime(2025, 11, 17, 9, 30, tzinfo=dt.timezone.utc)
    shown = []
    try:
        for lang in LANGUAGES:
            set_language(lang)
            shown.append(format_datetime(moment, UTC, "medium"))
            # Every catalog loads (the frozen build carries compiled .mo files only).
            _("Documents")
    finally:
        set_language("en")
    return _("dates formatted in {count} languages, e.g. {example}").format(count=len(shown), example=shown[-1])


def _check_timezone(ctx: _Context) -> str:
    import datetime as dt
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Africa/Addis_Ababa")
    offset = dt.datetime(2021, 11, 8, 9, 30, tzinfo=zone).utcoffset()
    if offset != dt.timedelta(hours=3):
        raise RuntimeError(_("Africa/Addis_Ababa has the offset {offset}").format(offset=offset))
    return _("time-zone data available (Africa/Addis_Ababa is UTC+3)")


CHECKS: list[tuple[str, Callable[[_Context], str]]] = [
    ("resources", _check_resources),
    ("store", _check_store),
    ("demo", _check_demo),
    ("window", _check_window),
    ("search", _check_search),
    ("ics", _check_ics),
    ("languages", _check_languages),
    ("timezone", _check_timezone),
]


def run_self_test(out=None) -> int:
    """Run every check; print one line each; return 0 when all passed, else 1."""
    out = out or sys.stdout
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    frozen = _("frozen build") if getattr(sys, "frozen", False) else _("Python {version}").format(
        version=sys.version.split()[0])
    print(_("{app} {version} self-test ({where})").format(app=APP_NAME, version=__version__, where=frozen),
          file=out, flush=True)
    failed = 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="wtdc-self-test-") as tmp:
        ctx = _Context(Path(tmp))
        for name, check in CHECKS:
            try:
                detail = check(ctx)
            except Exception as exc:  # noqa: BLE001 - every failure is reported, then the next check runs
                failed += 1
                message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
                print(_("FAIL {check}: {message}").format(check=name, message=message), file=out, flush=True)
                if os.environ.get("WTDC_SELF_TEST_TRACEBACK"):
                    traceback.print_exc()
            else:
                print(_("ok   {check}: {detail}").format(check=name, detail=detail), file=out, flush=True)
        if ctx.store is not None:
            ctx.store.close()
    elapsed = time.perf_counter() - started
    if failed:
        print(_("{failed} of {total} checks failed ({seconds:.1f} s).").format(
            failed=failed, total=len(CHECKS), seconds=elapsed), file=out, flush=True)
        return 1
    print(_("All {total} checks passed ({seconds:.1f} s).").format(total=len(CHECKS), seconds=elapsed),
          file=out, flush=True)
    return 0
