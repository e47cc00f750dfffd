"""``python -m bench [--size 1k|10k|100k] [--only NAME] [--json FILE]``: see bench/__init__.py."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench import benchmarks  # noqa: E402
from bench.generate import SIZES  # noqa: E402


def _fmt(value, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "MB":
        return f"{value:.1f} MB"
    return f"{value:.3g} {unit}".strip()


def print_table(results: list[dict]) -> None:
    rows = [["benchmark", "ours", "baseline", "ratio", "goal", "pass"]]
    for r in results:
        rows.append([
            r["name"], _fmt(r["ours"], r.get("unit", "s")), _fmt(r["baseline"], r.get("unit", "s")),
            "-" if r["ratio"] is None else f"{r['ratio']:.3f}",
            "-" if r["goal"] is None else f"<= {r['goal']}",
            {True: "pass", False: "FAIL", None: "-"}[r["pass"]],
        ])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    for r in results:
        if r.get("note"):
            print(f"  {r['name']}: {r['note']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=benchmarks.__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="1k", help="documents in the synthetic bundle")
    parser.add_argument("--only", "--group", action="append", metavar="NAME", dest="only",
                        help="run only this benchmark group (repeatable): " + ", ".join(benchmarks.GROUPS)
                        + "; " + ", ".join(benchmarks.OPT_IN) + " runs only when named")
    parser.add_argument("--scale-records", type=int, default=benchmarks.SCALE_RECORDS, metavar="N",
                        help="small records in the scale group's largest bundle (default %(default)s)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--work", type=Path, help="keep generated bundles and stores here (default: a temporary folder)")
    parser.add_argument("--no-frozen", action="store_true", help="skip the PyInstaller builds (the slowest group)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.only or () if name not in benchmarks.GROUPS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(benchmarks.GROUPS)}")
    groups = [g for g in benchmarks.GROUPS if (g in args.only if args.only else g not in benchmarks.OPT_IN)]
    if args.no_frozen and "frozen" in groups:
        groups.remove("frozen")

    started = time.perf_counter()
    print(f"WTDC Desktop benchmarks, {args.size} documents, {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, "
          f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="wtdc-bench-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        ctx = benchmarks.Context(work=work, size=args.size, scale_records=args.scale_records)
        results: list[dict] = []
        for group in groups:
            t0 = time.perf_counter()
            print(f"-- {group}", flush=True)
            try:
                produced = benchmarks.GROUPS[group](ctx)
            except benchmarks.Skipped as exc:
                produced = [{"name": group, "ours": None, "baseline": None, "ratio": None, "goal": None,
                             "pass": None, "note": f"skipped: {exc}"}]
            except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
                import traceback

                traceback.print_exc()
                produced = [{"name": group, "ours": None, "baseline": None, "ratio": None, "goal": None,
                             "pass": False, "note": f"error: {type(exc).__name__}: {str(exc)[:300]}"}]
            for r in produced:
                r.setdefault("unit", "s")
                print(f"   {r['name']}: ours {_fmt(r['ours'], r['unit'])}, baseline {_fmt(r['baseline'], r['unit'])}"
                      + ("" if r["ratio"] is None else f", ratio {r['ratio']:.3f}"), flush=True)
            results.extend(produced)
            print(f"   ({time.perf_counter() - t0:.0f} s)", flush=True)
    print()
    print_table(results)
    print(f"\n{len(results)} figures in {time.perf_counter() - started:.0f} s; "
          f"{sum(1 for r in results if r['pass'] is False)} goals missed.")
    if args.json:
        keys = ("name", "ours", "baseline", "ratio", "goal", "pass", "unit", "note")
        args.json.write_text(json.dumps([{k: r.get(k) for k in keys} for r in results], indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
