"""wtdc_desktop.instants: reading, storing and showing instants (the one time module)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from wtdc_desktop import instants
from wtdc_desktop.instants import (UTC, format_date, format_datetime, format_instant, format_instant_or_text, format_time,
                                   format_time_range, iso_utc, now_iso, parse_instant, parse_iso, to_zone, zone)

KIGALI = "Africa/Kigali"
KIGALI_9AM = "2026-11-28T07:00:00Z"


@pytest.mark.parametrize("text", ["2026-11-28T07:00:00Z", "2026-11-28T07:00:00z", "2026-11-28T09:00:00+02:00",
                                  "2026-11-28T02:00:00-05:00", " 2026-11-28T07:00:00+00:00 "])
def test_parse_with_z_or_an_offset_gives_utc(text):
    parsed = parse_instant(text)
    assert parsed == dt.datetime(2026, 11, 28, 7, tzinfo=UTC)
    assert parsed.utcoffset() == dt.timedelta(0)


def test_parse_keeps_the_offset_when_asked():
    parsed = parse_instant("2026-11-28T09:00:00+02:00", keep_offset=True)
    assert parsed.utcoffset() == dt.timedelta(hours=2) and parsed.hour == 9


@pytest.mark.parametrize("naive", ["2026-11-28T07:00:00", dt.datetime(2026, 11, 28, 7)])
def test_a_naive_time_is_refused(naive):
    with pytest.raises(ValueError):
        parse_instant(naive)
    with pytest.raises(ValueError):
        iso_utc(naive)


def test_text_that_is_no_time_is_refused():
    with pytest.raises(ValueError):
        parse_instant("next Tuesday")


def test_an_outside_format_may_give_wall_clock_time():
    assert parse_iso("2026-11-28T09:00:00").tzinfo is None
    assert parse_iso("2026-11-28T07:00:00Z").tzinfo is not None


def test_the_store_form_is_utc_with_z():
    assert iso_utc("2026-11-28T09:00:00.123+02:00") == "2026-11-28T07:00:00Z"
    assert iso_utc(dt.datetime(2026, 11, 28, 9, tzinfo=to_zone(KIGALI))) == "2026-11-28T07:00:00Z"
    assert now_iso().endswith("Z") and parse_instant(now_iso()) <= dt.datetime.now(UTC)


def test_zones_by_name_with_a_fallback():
    assert to_zone(KIGALI).key == KIGALI
    assert to_zone("Mars/Olympus") is None and to_zone("") is None and to_zone(None) is None
    assert zone("Mars/Olympus", "Europe/Zurich").key == "Europe/Zurich"
    assert zone("Mars/Olympus", "Venus/Maxwell").key == "UTC"
    assert zone(None).key == "UTC"
    assert isinstance(instants.laptop_zone(), dt.tzinfo)


def test_a_meeting_zone_and_the_laptop_zone(monkeypatch):
    assert format_time(KIGALI_9AM, KIGALI, lang="en") == "09:00"
    assert format_time(KIGALI_9AM, KIGALI, lang="fr") == "09:00"
    text = format_instant(KIGALI_9AM, KIGALI, laptop="America/New_York", lang="en")
    # 09:00 in Kigali is 02:00 in New York the same day: the day once, both zones named.
    assert text.startswith("28 November 2026, 09:00 Kigali (UTC+2) · 02:00 New York (UTC-5)"), text
    assert text.count("2026") == 1
    # Across midnight the laptop's day is repeated.
    late = format_instant("2026-11-28T21:30:00Z", KIGALI, laptop="America/Los_Angeles", lang="en")
    assert late.count("November") == 1 and "28 November" in late, late
    late_there = format_instant("2026-11-28T23:30:00Z", KIGALI, laptop="America/Los_Angeles", lang="en")
    assert "29 November 2026" in late_there and "28 November 2026" in late_there, late_there


@pytest.mark.parametrize("lang, expected", [("en", "28 November 2026, 09:00"), ("fr", "28 nov. 2026, 09:00:00"),
                                            ("ru", "28 нояб. 2026\u202fг., 09:00:00"),
                                            ("zh", "2026年11月28日 09:00:00")])
def test_formatting_in_two_locales_and_more(lang, expected):
    assert format_datetime(KIGALI_9AM, KIGALI, "medium", lang=lang) == expected


def test_the_command_line_form_is_the_laptop_zone_short(monkeypatch):
    monkeypatch.setattr(instants, "laptop_zone", lambda: to_zone("Europe/Zurich"))
    assert format_datetime(KIGALI_9AM, fmt="short", lang="en") == "28 Nov 2026, 08:00"
    assert format_datetime(KIGALI_9AM, fmt="short", lang="fr") == "28/11/2026 08:00"


@pytest.mark.parametrize("fmt, expected", [
    ("short", "3 Dec 2026, 14:30"), ("medium", "3 December 2026, 14:30"), ("long", "3 December 2026, 14:30 UTC"),
    ("full", "Thursday 3 December 2026, 14:30 Coordinated Universal Time")])
def test_english_dates_read_as_a_conference_reads_them(fmt, expected):
    """Day, month name and year, 24-hour clock (ITU's style): never "12/3/26, 2:30 PM", which half
    a conference reads as the 12th of March."""
    moment = "2026-12-03T14:30:00Z"
    shown = format_datetime(moment, "UTC", fmt, lang="en")
    assert shown == expected
    assert not re.search(r"\d+/\d+/\d+|AM|PM", shown)
    assert format_date("2026-12-03", fmt, lang="en") == expected.split(",")[0]
    assert format_time("2026-12-03T20:05:00Z", "UTC", lang="en") == "20:05"
    assert format_time_range("2026-12-03T13:00:00Z", "2026-12-03T14:30:00Z", "UTC", lang="en") == "13:00–14:30"
    assert format_instant(moment, "UTC", laptop="UTC", lang="en") == "3 December 2026, 14:30 UTC"


def test_english_dates_on_the_command_line(data_dir):
    """The CLI shows English dates the same way (a list with dates: the sync log)."""
    from helpers import run_cli

    assert run_cli("demo", "--data-dir", data_dir)[0] == 0
    code, out, _err = run_cli("sync-log", "--data-dir", data_dir)
    assert code == 0, out
    assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\d\s?[AP]M\b", out), out
    assert re.search(r"\b\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}\b", out), out


def test_a_time_range_in_the_meeting_zone():
    assert format_time_range("2026-11-28T07:00:00Z", "2026-11-28T08:30:00Z", KIGALI, lang="fr") == "09:00\u2009–\u200910:30"


def test_a_record_value_that_is_no_instant_is_shown_as_given():
    assert format_instant_or_text(None) == "" and format_instant_or_text("") == ""
    assert format_instant_or_text("2026-11-28T09:00") == "2026-11-28T09:00"
    assert "Kigali" in format_instant_or_text(KIGALI_9AM, KIGALI)


def test_the_modules_that_format_import_no_qt():
    """The command line formats dates and numbers without loading Qt."""
    import subprocess
    import sys

    code = ("import sys; import wtdc_desktop.instants, wtdc_desktop.formatting; "
            "wtdc_desktop.instants.format_instant('2026-11-28T07:00:00Z', 'Africa/Kigali'); "
            "wtdc_desktop.instants.laptop_zone(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
