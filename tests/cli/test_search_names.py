"""Search hits name things: a position or a note by the record it is about; snippets in plain text."""

from __future__ import annotations

import json

from helpers import run_cli

BRIEF = "# Ligne\n\n**Soutenir** la _proposition_ ; voir [la note](https://example.org/n) — `priorité` haute."


def _with_position_and_note(store) -> str:
    from wtdc_desktop.store import positions, record_marks

    pid = positions.save_position(store, "proposal", "WD2/2.1", stance="support", brief=BRIEF)
    record_marks.save_note(store, "proposal", "WD2/2.1", "À **relire** avant la *séance* plénière.")
    return pid


def test_cli_search_names_a_position_and_a_note_by_their_record(demo_store):
    pid = _with_position_and_note(demo_store)
    code, out, err = run_cli("search", "Soutenir", "--data-dir", demo_store.data_dir)
    assert code == 0, err
    line = next(ln for ln in out.splitlines() if ln.startswith("position"))
    assert pid not in out and "WD2/2.1" in line and "Proposition 2.1" in line
    assert "Soutenir" in line and "**" not in line and "#" not in line
    code, out, err = run_cli("search", "relire", "--type", "note", "--data-dir", demo_store.data_dir)
    line = next(ln for ln in out.splitlines() if ln.startswith("note"))
    assert "WD2/2.1" in line and "Proposition 2.1" in line and "relire" in line
    assert "**" not in line and "*séance*" not in line and "séance" in line
    code, out, err = run_cli("search", "Soutenir", "--json", "--data-dir", demo_store.data_dir)
    (hit,) = [h for h in json.loads(out) if h["type"] == "position"]
    assert hit["subject"] == {"type": "proposal", "id": "WD2/2.1"} and hit["title"].startswith("Proposition 2.1")
    assert "[Soutenir]" in hit["snippet"] and "https://" not in hit["snippet"] and "`" not in hit["snippet"]


def test_markdown_to_text_keeps_words_symbols_and_match_marks():
    from wtdc_desktop.domain.render import markdown_to_text

    assert markdown_to_text(BRIEF) == "Ligne Soutenir la proposition ; voir la note — priorité haute."
    assert markdown_to_text("…la \x02région\x03** ATU et _surtout_") == "…la \x02région\x03 ATU et surtout"
    kept = "2022-2025:1/1, WTDC-21/25(Add.1), snake_case, 3 * 4 = 12, a < b"
    assert markdown_to_text(kept) == kept
    assert markdown_to_text("> cité\n\n- [x] fait\n* deux\n\n---\n## Titre ##") == "cité fait deux Titre"
    assert markdown_to_text("<script>x</script> ![logo](https://e.org/l.png)") == "x logo"
    assert markdown_to_text(None) == ""
