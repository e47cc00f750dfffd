"""Document symbols: the real ITU forms, their identity and their order."""

from __future__ import annotations

import pytest

from wtdc_desktop.domain.symbols import Symbol, SymbolError, parse_symbol


@pytest.mark.parametrize(
    "text, expected",
    [
        ("WTDC-21/25", Symbol("WTDC-21", 25)),
        ("WTDC-17/23(Add.10)", Symbol("WTDC-17", 23, addendum=10)),
        ("PP14/34(Rev.1)(Add.1)", Symbol("PP14", 34, revision=1, addendum=1)),
        ("TDAG-20/13(Rev.1)", Symbol("TDAG-20", 13, revision=1)),
        ("TDAG17-22/13", Symbol("TDAG17-22", 13)),
        ("RPM-AMS17/41", Symbol("RPM-AMS17", 41)),
        ("518(Corr.1)", Symbol(None, 518, corrigendum=1)),
        ("WTDC-21/25(Add.1)(Rev.1)", Symbol("WTDC-21", 25, revision=1, addendum=1)),
    ],
)
def test_parses_real_forms(text, expected):
    assert parse_symbol(text) == expected


@pytest.mark.parametrize("letter, lang", [("E", "en"), ("F", "fr"), ("S", "es"), ("A", "ar"), ("C", "zh"), ("R", "ru")])
def test_language_letter_is_not_part_of_identity(letter, lang):
    symbol = parse_symbol(f"WTDC-21/25(Add.1)-{letter}")
    assert symbol.language == lang
    assert symbol.identity == parse_symbol("WTDC-21/25(Add.1)").identity == "WTDC-21/25(Add.1)"


def test_identity_is_canonical_whatever_the_suffix_order():
    assert parse_symbol("PP14/34(Rev.1)(Add.1)").identity == parse_symbol("PP14/34(Add.1)(Rev.1)").identity


def test_sorting_is_numeric_and_by_suffix():
    symbols = ["WTDC-17/23(Add.10)", "WTDC-17/5", "WTDC-17/23(Add.9)", "WTDC-17/23", "WTDC-17/23(Rev.1)",
               "WTDC-21/1", "TDAG-20/13(Rev.1)", "TDAG-20/13", "WTDC-17/23(Corr.1)"]
    ordered = sorted(symbols, key=lambda s: parse_symbol(s).sort_key())
    assert ordered == ["TDAG-20/13", "TDAG-20/13(Rev.1)", "WTDC-17/5", "WTDC-17/23", "WTDC-17/23(Corr.1)",
                       "WTDC-17/23(Add.9)", "WTDC-17/23(Add.10)", "WTDC-17/23(Rev.1)", "WTDC-21/1"]
    # the SQL sort text orders the same way
    assert sorted(symbols, key=lambda s: parse_symbol(s).sort_text()) == ordered


@pytest.mark.parametrize(
    "bad",
    ["", "WTDC-21/", "WTDC-21/abc", "/25", "WTDC-21/25(Add.)", "WTDC-21/25(Add.1", "WTDC-21/25(Foo.1)",
     "WTDC-21/25-X", "WTDC-21/25(Add.1)(Add.2)", "WTDC 21/25", "../25", "WTDC-21//25"],
)
def test_malformed_symbols_name_themselves(bad):
    with pytest.raises(SymbolError) as err:
        parse_symbol(bad)
    assert f"“{bad}”" in str(err.value)
