"""Fuzzing: any input gives success or the module's own error, never another exception.

The number of examples per target is set by WTDC_FUZZ_EXAMPLES (default 300),
so CI spends a fixed budget; a seed corpus of real forms is always tried first.
"""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from wtdc_desktop.bundles.errors import BundleError
from wtdc_desktop.bundles.manifest import parse_manifest
from wtdc_desktop.bundles.reader import parse_record_line
from wtdc_desktop.domain.records import ALL_TYPES, RecordError
from wtdc_desktop.domain.render import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES, markdown_to_html
from wtdc_desktop.domain.symbols import SymbolError, parse_symbol

EXAMPLES = int(os.environ.get("WTDC_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
VALID_MANIFEST = {
    "format": "wtdc-bundle", "format_version": 1, "publisher": {"id": "p"}, "channel": "c", "sequence": 1,
    "kind": "full", "created_at": "2021-01-01T00:00:00Z",
    "records": [{"path": "records/region.jsonl", "type": "region", "count": 1, "size": 1, "sha256": "0" * 64}],
}


@FUZZ
@given(st.binary(max_size=300))
@example(b"")
@example(b"{}")
@example(json.dumps(VALID_MANIFEST).encode())
@example(b"\xff\xfe{")
def test_manifest_parser_on_arbitrary_bytes(data):
    try:
        parse_manifest(data, "fuzz.wtdc.zip")
    except BundleError as exc:
        assert "fuzz.wtdc.zip" in str(exc)


manifest_fields = st.fixed_dictionaries(
    {}, optional={k: json_values for k in ("format", "format_version", "publisher", "channel", "sequence", "kind",
                                            "base_sequence", "created_at", "expires_at", "records", "files",
                                            "deletions")})


@FUZZ
@given(manifest_fields, st.sampled_from(list(VALID_MANIFEST)))
def test_manifest_parser_on_wrong_types_in_every_field(fields, key):
    manifest = dict(VALID_MANIFEST)
    manifest.update(fields)
    manifest.pop(key, None) if key not in fields else None
    try:
        parse_manifest(json.dumps(manifest).encode(), "fuzz.wtdc.zip")
    except BundleError:
        pass


# --- spec §7: nesting depth and valid Unicode, in the manifest and in record lines -------------------------

#: Text with any code point, lone surrogates (U+D800 to U+DFFF) included, and the characters JSON escapes.
unicode_text = st.lists(st.one_of(st.characters(), st.integers(0xD800, 0xDFFF).map(chr),
                                  st.sampled_from('"\\[]{}\n\x00')), max_size=12).map("".join)
#: Any JSON value whose strings and keys are such text.
unicode_values = st.recursive(
    st.none() | st.booleans() | st.integers() | unicode_text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(unicode_text, children, max_size=3),
    max_leaves=12,
)
#: A value nested ``depth`` levels deep (around the limit of 32, or far beyond it): each level an array or
#: an object after a repeating pattern, the innermost a string.
nestings = st.tuples(st.one_of(st.integers(0, 40), st.integers(41, 5000)),
                     st.lists(st.booleans(), min_size=1, max_size=6), unicode_text)


def _nested_text(depth: int, pattern: list[bool], leaf: str) -> str:
    kinds = (pattern * (depth // len(pattern) + 1))[:depth]
    opening = "".join('{"k": ' if is_object else "[" for is_object in kinds)
    closing = "".join("}" if is_object else "]" for is_object in reversed(kinds))
    return opening + json.dumps(leaf) + closing


def _has_surrogate(value) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str) and any(0xD800 <= ord(ch) <= 0xDFFF for ch in node):
            return True
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


@FUZZ
@given(nestings)
@example((100_000, [False], "deep"))
@example((31, [True], "[[[{{{"))
@example((32, [False, True], "]]]"))
def test_record_line_nesting_is_refused_over_the_limit_never_a_crash(nesting):
    levels, pattern, leaf = nesting
    text = '{"id": "x", "v": ' + _nested_text(levels, pattern, leaf) + "}"
    depth = levels + 1
    try:
        value = parse_record_line(text.encode(), "fuzz.wtdc.zip: records/region.jsonl, line 1")
    except BundleError as exc:
        assert "fuzz.wtdc.zip: records/region.jsonl, line 1" in exc.message and "\n" not in exc.message
        assert depth > 32 or "lone surrogate" in exc.message, exc.message
    else:
        assert depth <= 32 and value["id"] == "x"


@FUZZ
@given(nestings)
@example((100_000, [True, False], "deep"))
def test_manifest_nesting_is_refused_over_the_limit_never_a_crash(nesting):
    levels, pattern, leaf = nesting
    text = '{"extra": ' + _nested_text(levels, pattern, leaf) + ", " + json.dumps(VALID_MANIFEST)[1:]
    try:
        parse_manifest(text.encode("utf-8"), "fuzz.wtdc.zip")
    except BundleError as exc:
        assert "fuzz.wtdc.zip: manifest.json" in exc.message and "\n" not in exc.message
        assert levels + 1 > 32 or "lone surrogate" in exc.message, exc.message
    else:
        assert levels + 1 <= 32


@FUZZ
@given(unicode_values)
@example("\ud800")
@example({"\udc00": 1})
@example("\ud83c\udf0f")
@example(["a", {"b": "\udfff"}])
def test_lone_surrogates_are_refused_anywhere_in_a_record_line(value):
    text = json.dumps({"id": "x", "v": value})  # ASCII: every surrogate written as an escape
    try:
        parsed = parse_record_line(text.encode(), "fuzz.wtdc.zip: records/region.jsonl, line 1")
    except BundleError as exc:
        assert "lone surrogate" in exc.message or "nested deeper" in exc.message, exc.message
        assert "\n" not in exc.message
        assert _has_surrogate(json.loads(text)) or "nested deeper" in exc.message
        exc.message.encode("utf-8")  # the message itself is printable anywhere
    else:
        assert not _has_surrogate(parsed)
        json.dumps(parsed, ensure_ascii=False).encode("utf-8")  # what the content hash does


@FUZZ
@given(unicode_values)
@example({"\ud800": "x"})
def test_lone_surrogates_are_refused_anywhere_in_the_manifest(value):
    text = json.dumps({**VALID_MANIFEST, "publisher": {"id": "p", "name": "n", "extra": value}})
    try:
        parse_manifest(text.encode(), "fuzz.wtdc.zip")
    except BundleError as exc:
        assert ("lone surrogate" in exc.message) == _has_surrogate(json.loads(text)), exc.message
        exc.message.encode("utf-8")
    else:
        assert not _has_surrogate(json.loads(text))


@FUZZ
@given(st.sampled_from(sorted(ALL_TYPES)), st.dictionaries(
    st.sampled_from(["id", "title", "name", "meeting", "starts_at", "ends_at", "kind", "status", "action",
                     "target", "sources", "document", "number", "body", "due", "languages", "agenda", "pledges",
                     "subject", "stance", "updated_at", "region", "study_group", "period", "links", "timezone"]),
    json_values, max_size=12))
def test_record_validator_on_arbitrary_records(type_name, record):
    try:
        ALL_TYPES[type_name].validate(record)
    except RecordError as exc:
        assert exc.message


@FUZZ
@given(st.text(max_size=60))
@example("WTDC-21/25(Add.1)(Rev.1)-E")
@example("518(Corr.1)")
@example("PP14/34(Rev.1)(Add.1)")
@example("WTDC-21/25(Add.1)(Add.1)")
@example("\x00/1")
def test_symbol_parser_on_arbitrary_text(text):
    try:
        symbol = parse_symbol(text)
    except SymbolError as exc:
        assert text in str(exc)
    else:
        assert parse_symbol(symbol.identity).identity == symbol.identity


@FUZZ
@given(st.text(max_size=400))
@example("<script>alert(1)</script>")
@example("[x](javascript:alert(1)) ![i](https://example.org/i.png) <iframe src=//e.org>")
@example("<svg onload=alert(1)>")
@example("[a](file:///etc/passwd) [b](data:text/html,<script>alert(1)</script>) [c](qrc:/x)")
@example("[rel](foo/bar) [proto](//evil.example/x) [frag](#top)")
def test_markdown_renderer_never_lets_anything_active_through(text):
    _assert_inert(markdown_to_html(text))


class _Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, set()) and name != "rel":
                self.problems.append(f"attribute {name} on {tag}")
            if name == "href" and (":" not in value or value.split(":", 1)[0].lower() not in URL_SCHEMES):
                self.problems.append(f"link {value}")


def _assert_inert(html: str) -> None:
    inspector = _Inspector()
    inspector.feed(html)
    assert inspector.problems == [], html


@pytest.mark.parametrize("depth", [10, 200, 2000])
def test_deeply_nested_markup_renders(depth):
    html = markdown_to_html("> " * depth + "deep" + "\n\n" + "[" * depth + "x" + "]" * depth)
    assert "deep" in html


# --- timetable importers (frab XML and JSON, iCalendar) ---------------------------------------------------

SEEDS = Path(__file__).resolve().parent.parent / "data" / "fuzz-seeds"


def seeds(kind: str) -> list[bytes]:
    return [p.read_bytes() for p in sorted((SEEDS / kind).iterdir()) if p.is_file()]


def mutated(kind: str):
    """A seed of ``kind`` with a few random splices (bytes replaced, inserted or cut)."""
    splice = st.tuples(st.floats(0, 1), st.integers(0, 40), st.binary(max_size=24))
    return st.tuples(st.sampled_from(seeds(kind)), st.lists(splice, max_size=6)).map(_apply_splices)


def _apply_splices(args) -> bytes:
    data, splices = args
    out = bytearray(data)
    for where, cut, insert in splices:
        at = int(where * len(out))
        out[at: at + cut] = insert
    return bytes(out)


def _json_mutated(kind: str):
    """A JSON seed with one value, anywhere in the tree, replaced by an arbitrary JSON value."""
    return st.tuples(st.sampled_from(seeds(kind)), st.integers(0, 10_000), json_values).map(_replace_somewhere)


def _replace_somewhere(args) -> bytes:
    data, pick, value = args
    doc = json.loads(data)
    slots = []

    def walk(node):
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in items:
            slots.append((node, key))
            walk(child)
    walk(doc)
    if slots:
        node, key = slots[pick % len(slots)]
        node[key] = value
    return json.dumps(doc).encode()


def _importer_outcome(parse, data: bytes) -> None:
    from wtdc_desktop.exchange.timetable import TimetableError

    try:
        table = parse(data)
    except TimetableError as exc:
        assert "fuzz" in str(exc) and "\n" not in str(exc).strip(), str(exc)
    else:
        for event in table.events:  # what it accepts is usable: aware times, ends not before starts
            assert event.starts_at.tzinfo is not None and event.ends_at >= event.starts_at


@FUZZ
@given(st.one_of(mutated("frab-xml"), st.binary(max_size=300)))
def test_frab_xml_importer_on_damaged_input(data):
    from wtdc_desktop.exchange import frab

    _importer_outcome(lambda d: frab.parse_xml(d, "fuzz.xml"), data)


@FUZZ
@given(st.one_of(_json_mutated("frab-json"), mutated("frab-json"), st.binary(max_size=300)))
def test_frab_json_importer_on_damaged_input(data):
    from wtdc_desktop.exchange import frab

    _importer_outcome(lambda d: frab.parse_json(d, "fuzz.json"), data)


@FUZZ
@given(st.one_of(mutated("ics"), st.binary(max_size=300)), st.sampled_from([None, "Europe/Zurich", "Nowhere/Bad"]))
def test_ics_importer_on_damaged_input(data, zone):
    from wtdc_desktop.exchange import ics

    _importer_outcome(lambda d: ics.parse(d, "fuzz.ics", default_zone=zone), data)


# --- coverage-guided fuzzing with atheris, when it is installed ------------------------------------------

ATHERIS_TARGETS = ["manifest", "records", "symbol", "markdown", "frab-xml", "frab-json", "ics"]


@pytest.mark.slow
@pytest.mark.parametrize("target", ATHERIS_TARGETS)
def test_atheris_finds_nothing(target, tmp_path):
    """libFuzzer-guided runs from the seed corpus (tests/data/fuzz-seeds/); skipped without atheris."""
    pytest.importorskip("atheris")
    import subprocess
    import sys

    runs = {"markdown": EXAMPLES * 3, "ics": EXAMPLES * 10}.get(target, EXAMPLES * 30)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in (SEEDS / ("manifest" if target == "records" else target)).iterdir():
        (corpus / seed.name).write_bytes(seed.read_bytes())
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("atheris_harness.py")), target, f"-runs={runs}",
         "-max_total_time=120", f"-artifact_prefix={tmp_path}/", str(corpus)],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert f"Done {runs} runs" in proc.stderr or "max_total_time" in proc.stderr, proc.stderr[-2000:]
