"""The benchmark tooling: a deterministic, valid, realistically shaped generator, and the command's output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_generator_is_deterministic_valid_and_realistic(tmp_path, store):
    from bench.generate import generate
    from wtdc_desktop.bundles.apply import apply_bundle
    from wtdc_desktop.store import published

    first, records = generate(300, tmp_path / "a")
    second, _ = generate(300, tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()

    result = apply_bundle(store, first, source="test")  # the app's own reader accepts every record
    assert result.counts["document"]["new"] == 300
    assert published.counts(store)["document"] == 300

    ids = [d["id"] for d in records["document"]]
    assert any("(Add." in i for i in ids) and any("(Rev.1)" in i for i in ids)
    text = " ".join((d.get("summary") or "") + (d.get("text") or "") for d in records["document"])
    for script in (r"[\u0400-\u04ff]", r"[\u0600-\u06ff]", r"[\u4e00-\u9fff]", r"[éèà]", r"[ñó]"):
        assert re.search(script, text), script
    assert "## " in text and "\n- " in text  # Markdown headings and lists
    assert {p["id"].split("/")[0] for p in records["proposal"]} == {"AFR", "AMS", "ARB", "ASP", "CIS", "EUR"}
    starts = [s["starts_at"] for s in records["session"]]
    assert len(set(starts)) < len(starts)  # parallel sessions
    days = {s[:10] for s in starts}
    assert len(days) == 10  # two working weeks


def test_a_figure_is_a_ratio_against_its_goal():
    from bench.benchmarks import figure

    assert figure("x", 3.0, 2.0, 2.0) | {} == {"name": "x", "ours": 3.0, "baseline": 2.0, "ratio": 1.5, "goal": 2.0,
                                              "pass": True, "unit": "s", "note": None}
    assert figure("x", 5.0, 2.0, 2.0)["pass"] is False
    assert figure("x", 5.0, 2.0)["pass"] is None
    assert figure("x", None, 2.0, 2.0)["ratio"] is None


def test_fifty_realistic_search_queries_in_six_languages():
    from bench.benchmarks import search_queries

    qs = search_queries()
    assert len(qs) == 50 and len({q for q, _t in qs}) == 50
    assert sum(1 for _q, t in qs if t) >= 10
    joined = " ".join(q for q, _t in qs)
    for script in (r"[\u0400-\u04ff]", r"[\u0600-\u06ff]", r"[\u4e00-\u9fff]"):
        assert re.search(script, joined)


@pytest.mark.slow
def test_bench_command_prints_the_table_and_writes_json(tmp_path):
    out = tmp_path / "results.json"
    result = subprocess.run([sys.executable, "-m", "bench", "--size", "1k", "--only", "search", "--json", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert re.search(r"benchmark\s+ours\s+baseline\s+ratio\s+goal\s+pass", result.stdout)
    rows = json.loads(out.read_text("utf-8"))
    assert [r["name"] for r in rows] == ["search-p50", "search-p95", "search-no-temp-btree"]
    for r in rows:
        assert {"name", "ours", "baseline", "ratio", "goal", "pass"} <= set(r)


def test_scale_group_is_opt_in_and_measures_an_import_in_a_fresh_process(tmp_path):
    from bench.benchmarks import GROUPS, OPT_IN, _records_bytes, _store_bytes, import_in_child, small_records_bundle

    assert "scale" in GROUPS and "scale" in OPT_IN  # CI's plain run leaves it out
    bundle = small_records_bundle(300, tmp_path / "small")
    assert _records_bytes(bundle) > 300 * 50
    seconds, peak_mb = import_in_child(bundle, tmp_path / "data")
    assert seconds > 0 and peak_mb > 10
    assert _store_bytes(tmp_path / "data") > 0  # the store it made is left for the size figures


@pytest.mark.slow
def test_views_group_opens_every_view_and_the_search_in_a_fresh_process(demo_store):
    from bench.benchmarks import open_views_in_child

    data_dir = demo_store.data_dir
    demo_store.close()
    opened = open_views_in_child(data_dir)
    assert {"view-documents", "view-agenda", "view-changes", "search-dialog", "search-query"} <= set(opened)
    assert all(seconds >= 0 and stall >= -0.01 for seconds, stall in opened.values())
