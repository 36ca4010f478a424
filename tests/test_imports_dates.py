"""Dates as other files write them: kept in their precision, never given an invented day."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest

from layers.data.dates import parse_date
from layers.imports.when import When, WhenError, acled_when, parse_when, ucdp_when


@pytest.mark.parametrize("text, expected", [
    ("1994-04-19", When("1994-04-19")),
    ("1993-05", When("1993-05")),
    ("1994-01~", When("1994-01~")),
    ("May 1993", When("1993-05")),
    ("Sept. 1993", When("1993-09")),
    ("around January 1994", When("1994-01~")),
    ("c. 1990", When("1990~")),
    ("late April 1994", When("1994-04", "late")),
    ("mid-August 1997", When("1997-08", "mid")),
    ("middle of 1995", When("1995", "mid")),
    ("early 1996", When("1996", "early")),
    ("19 April 1994", When("1994-04-19")),
    ("April 19, 1994", When("1994-04-19")),
    ("19/04/1994", When("1994-04-19")),  # 19 cannot be a month
    ("19.04.1994", When("1994-04-19")),
    ("1994/04/19", When("1994-04-19")),
    ("May 1993?", When("1993-05?")),
    ("1994-04-19T14:30:00+07:00", When("1994-04-19", time="1994-04-19T14:30:00+07:00")),
    ("1994-04-19 00:00:00.000", When("1994-04-19")),  # UCDP's midnight is not a time of day
    ("[1994-05-09..1994-12-16]", When("[1994-05-09..1994-12-16]")),
])
def test_text_dates_keep_their_precision(text, expected):
    assert parse_when(text) == expected
    parse_date(expected.edtf, expected.part)  # and the atlas can read what came out


def test_datetimes_keep_the_time_of_day_beside_the_day():
    moment = datetime(1994, 4, 19, 6, 30, tzinfo=timezone.utc)
    assert parse_when(moment) == When("1994-04-19", time="1994-04-19T06:30:00+00:00")
    assert parse_when(pd.Timestamp("1994-04-19")) == When("1994-04-19")


@pytest.mark.parametrize("value, expected", [
    (766800000000, When("1994-04-20")),  # epoch milliseconds, as TimestampedGeoJson writes them
    (766813500000, When("1994-04-20", time="1994-04-20T03:45:00+00:00")),
    (1994, When("1994")),
    (1994.0, When("1994")),
])
def test_numbers_are_years_or_epoch_milliseconds(value, expected):
    assert parse_when(value) == expected


@pytest.mark.parametrize("value", [None, "", "   ", float("nan"), pd.NaT])
def test_empty_values_mean_timeless(value):
    assert parse_when(value) is None


@pytest.mark.parametrize("text, needle", [
    ("02/03/1994", "day_first"),
    ("late 19 April 1994", "not a day"),
    ("31-13-1994", "not a date"),
    ("the spring offensive", "not a date"),
    ("1990s", "not a date"),
])
def test_unreadable_dates_say_how_to_write_them(text, needle):
    with pytest.raises(WhenError, match=needle):
        parse_when(text)


def test_day_first_decides_ambiguous_numeric_dates():
    assert parse_when("02/03/1994", day_first=True) == When("1994-03-02")
    assert parse_when("02/03/1994", day_first=False) == When("1994-02-03")


@pytest.mark.parametrize("event_date, precision, expected", [
    ("19 April 1994", 1, "1994-04-19"),
    ("1994-04-19", "1", "1994-04-19"),
    ("02-05-1994", 2, "1994-05-02~"),  # a day in the week the source names: around that day
    ("15-06-1994", 3, "1994-06"),  # only the month is known: ACLED's day is a placeholder
])
def test_acled_time_precision(event_date, precision, expected):
    assert acled_when(event_date, precision).edtf == expected


@pytest.mark.parametrize("start, end, prec, expected", [
    ("1994-04-19 00:00:00.000", "1994-04-19 00:00:00.000", 1, "1994-04-19"),
    ("1994-05-01", "1994-05-31", 4, "1994-05"),
    ("1994-01-01", "1994-12-31", 5, "1994"),
    ("1994-06-03", "1994-06-06", 2, "[1994-06-03..1994-06-06]"),  # one day in the range
    ("1994-06-03", "1994-06-06", 1, "1994-06-03/1994-06-06"),  # exact: it lasted
])
def test_ucdp_date_precision(start, end, prec, expected):
    when, note = ucdp_when(start, end, prec)
    assert when.edtf == expected
    assert (note is not None) == expected.startswith("[")
