"""Pure pieces of the window: linkifying mentions, wtdc: addresses, word diffs, detail rendering, queries."""

from __future__ import annotations

import pytest

from wtdc_desktop.domain.diff import word_diff, word_diff_html
from wtdc_desktop.domain.links import find_mentions, linkify_html, make_link, parse_link
from wtdc_desktop.domain.render import record_detail_html


@pytest.mark.parametrize("text, expected", [
    ("voir WTDC/37 et PP/71", [("resolution", "WTDC/37"), ("resolution", "PP/71")]),
    ("la Résolution 24 (Rév. Dubaï, 2014) de la CMDT", [("resolution", "WTDC/24")]),
    ("Resolution 71 (Rev. Dubai, 2018) of the Plenipotentiary Conference", [("resolution", "PP/71")]),
    ("Resolución 37", [("resolution", "WTDC/37")]),
    ("document WTDC-21/25(Add.1)(Rev.1)-F", [("document", "WTDC-21/25(Add.1)(Rev.1)")]),
    ("la Question 1/1 et la Question 7/2", [("question", "1/1"), ("question", "7/2")]),
    ("rien à lier ici, 2020/2021", []),
])
def test_mentions_are_found_in_running_text(text, expected):
    assert [(t, i) for _s, _e, t, i in find_mentions(text)] == expected


def test_linkify_leaves_links_and_code_alone_and_skips_the_record_itself():
    html = "<p>WTDC/1 <a href='https://x'>WTDC/24</a> <code>PP/71</code> TDAG-WD2-20/1</p>"
    out = linkify_html(html, skip={("document", "TDAG-WD2-20/1")})
    assert out == ('<p><a href="wtdc:resolution/WTDC%2F1">WTDC/1</a> <a href=\'https://x\'>WTDC/24</a> '
                   "<code>PP/71</code> TDAG-WD2-20/1</p>")


@pytest.mark.parametrize("rid", ["TDAG-WD2-20/1", "2022-2025:1/1", "WTDC-21/25(Add.1)", "Résolution é/ü #?"])
def test_wtdc_addresses_round_trip(rid):
    assert parse_link(make_link("document", rid)) == ("document", rid)
    assert parse_link("https://www.itu.int/") is None


def test_word_diff_keeps_both_texts_and_marks_words():
    a, b = "Les États Membres sont invités à contribuer", "Les États Membres et les Membres de Secteur sont invités"
    ops = word_diff(a, b)
    assert "".join(t for op, t in ops if op != "insert") == a
    assert "".join(t for op, t in ops if op != "delete") == b
    assert ("delete", " à contribuer") in ops or any(op == "delete" and "contribuer" in t for op, t in ops)
    html = word_diff_html("<b>x</b> y", "<b>x</b> z")
    assert "<del>y</del>" in html and "<ins>z</ins>" in html and "&lt;b&gt;" in html


def test_word_diff_of_a_long_text_marks_only_the_amended_paragraph():
    paragraphs = [f"Paragraph {n}: the Conference resolves to instruct the Director to report on item {n}.\n"
                  for n in range(400)]
    amended = list(paragraphs)
    amended[250] = "Paragraph 250: the Conference resolves to invite Member States to report on item 250.\n"
    ops = word_diff("".join(paragraphs), "".join(amended))
    assert "".join(t for op, t in ops if op != "insert") == "".join(paragraphs)
    assert "".join(t for op, t in ops if op != "delete") == "".join(amended)
    deleted = " ".join(t for op, t in ops if op == "delete").split()
    inserted = " ".join(t for op, t in ops if op == "insert").split()
    assert sorted(deleted) == ["Director", "instruct", "the"]
    assert sorted(inserted) == ["Member", "States", "invite"]


def test_word_diff_of_unrelated_long_blocks_replaces_them_whole():
    a = " ".join(f"alpha{n % 7}" for n in range(2000)) + "\n"
    b = " ".join(f"beta{n % 5}" for n in range(2000)) + "\n"
    assert word_diff(a, b) == [("delete", a), ("insert", b)]


def test_detail_html_links_references_and_is_sanitised():
    record = {"id": "WD2/9.9", "document": "TDAG-WD2-20/1", "target": {"type": "resolution", "id": "WTDC/24"},
              "title": "<script>x</script>T", "text": "See Question 2/1 and [x](javascript:alert(1))",
              "sources": ["ATU"]}
    html = record_detail_html("proposal", record, markdown_fields=("text",),
                              related=[("Related", [("AFR", [("proposal", "WD2/1.1", "ADD t")])])])
    assert 'href="wtdc:document/TDAG-WD2-20%2F1"' in html
    assert 'href="wtdc:resolution/WTDC%2F24"' in html
    assert 'href="wtdc:question/2%2F1"' in html
    assert 'href="wtdc:organization/ATU"' in html
    assert "<script" not in html and "javascript:" not in html
    assert "<h4>AFR</h4>" in html


def test_resolving_references_by_number_and_positions_in_a_view(demo_store):
    from wtdc_desktop.store import list_rows, related

    assert related.resolve_reference(demo_store, "resolution", "24") == ("resolution", "WTDC/24")
    assert related.resolve_reference(demo_store, "document", "WTDC/24") == ("resolution", "WTDC/24")
    assert related.resolve_reference(demo_store, "document", "NOWHERE/1") is None
    ids = list_rows.view_ids(demo_store, "proposal", sort_column="title", descending=True, limit=100)
    pos = list_rows.view_position(demo_store, "proposal", ids[5], sort_column="title", descending=True)
    assert pos == 5
    assert list_rows.view_position(demo_store, "proposal", ids[5], "nothingmatcheshere") is None
