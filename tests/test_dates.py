from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from layers.data.dates import parse_date, parse_date_field, parse_day
from layers.data.errors import DateError


@pytest.mark.parametrize("text, precision, label, earliest, latest", [
    ("1994-04-19", "day", "19 April 1994", date(1994, 4, 19), date(1994, 4, 19)),
    ("1993-05", "month", "May 1993", date(1993, 5, 1), date(1993, 5, 31)),
    ("1990", "year", "1990", date(1990, 1, 1), date(1990, 12, 31)),
    ("1994-01~", "month", "around January 1994", date(1994, 1, 1), date(1994, 1, 31)),
    ("1994-04-25~", "day", "around 25 April 1994", date(1994, 4, 25), date(1994, 4, 25)),
    ("1989-10?", "month", "October 1989 (uncertain)", date(1989, 10, 1), date(1989, 10, 31)),
    ("1997-07-05/1997-07-06", "day", "5–6 July 1997", date(1997, 7, 5), date(1997, 7, 6)),
    ("1993-05/1993-07", "month", "May 1993 – July 1993", date(1993, 5, 1), date(1993, 7, 31)),
    ("1996-02", "month", "February 1996", date(1996, 2, 1), date(1996, 2, 29)),
])
def test_parse_date_keeps_precision(text, precision, label, earliest, latest):
    d = parse_date(text)
    assert (d.precision, d.label(), d.earliest, d.latest) == (precision, label, earliest, latest)


@pytest.mark.parametrize("bad", ["", "abc", "1994-13", "1994-02-30", "94-04-19", "1994/1993", "-0500",
                                 "1994-04-19T10:00", "0000", None, 1994])
def test_parse_date_rejects_with_a_clear_message(bad):
    with pytest.raises(DateError) as info:
        parse_date(bad)
    assert str(bad) in str(info.value) or "EDTF" in str(info.value)


def test_a_month_never_becomes_a_day():
    assert "1" not in parse_date("1993-05").label().split()[0]


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(2999, 12, 31)))
def test_any_day_round_trips(day):
    d = parse_date(day.isoformat())
    assert d.earliest == d.latest == day
    assert d.label().endswith(str(day.year))
    assert parse_day(day.isoformat()) == day


@given(st.dates(min_value=date(1000, 1, 1), max_value=date(2999, 12, 31)), st.sampled_from(["", "~", "?"]))
def test_month_bounds_cover_the_month(day, qualifier):
    d = parse_date(day.isoformat()[:7] + qualifier)
    assert d.precision == "month"
    assert d.earliest == day.replace(day=1)
    assert d.latest.month == day.month and (d.latest + timedelta(days=1)).month != day.month
    assert d.approximate == (qualifier == "~") and d.uncertain == (qualifier == "?")


@given(st.text(max_size=30))
def test_arbitrary_text_parses_or_raises_date_error(text):
    try:
        d = parse_date(text)
    except DateError:
        return
    assert d.earliest <= d.latest


@pytest.mark.parametrize("text", ["1994-4-19", "19/04/1994", "1994-04-31", "tomorrow", ""])
def test_parse_day_rejects_malformed(text):
    with pytest.raises(DateError):
        parse_day(text)


def test_parse_day_range():
    lo, hi = date(1989, 9, 1), date(1998, 12, 31)
    assert parse_day("1994-04-19", earliest=lo, latest=hi) == date(1994, 4, 19)
    with pytest.raises(DateError, match="outside the dataset's time range"):
        parse_day("1999-01-01", earliest=lo, latest=hi)


edtf_texts = st.builds(
    lambda day, cut, q: day.isoformat()[:cut] + q,
    st.dates(min_value=date(1000, 1, 1), max_value=date(2999, 12, 31)),
    st.sampled_from([4, 7, 10]), st.sampled_from(["", "~", "?", "%"]))


@given(edtf_texts, edtf_texts)
def test_bounds_agree_with_the_edtf_package(a, b):
    from edtf import parse_edtf

    for text in (a, f"{min(a, b)}/{max(a, b)}"):
        try:
            ours = parse_date(text)
        except DateError:
            continue  # an interval that ends before it starts
        theirs = parse_edtf(text)
        assert ours.earliest == date(*theirs.lower_strict()[:3])
        assert ours.latest == date(*theirs.upper_strict()[:3])


# --- contract: early/mid/late parts and one-of-set dates ------------------------------------------

@pytest.mark.parametrize("text, part, label, earliest, latest", [
    ("1994-04", "late", "late April 1994", date(1994, 4, 21), date(1994, 4, 30)),
    ("1994-04", "early", "early April 1994", date(1994, 4, 1), date(1994, 4, 10)),
    ("1997-08", "mid", "mid-August 1997", date(1997, 8, 11), date(1997, 8, 20)),
    ("1996-02", "late", "late February 1996", date(1996, 2, 21), date(1996, 2, 29)),
    ("1996", "early", "early 1996", date(1996, 1, 1), date(1996, 4, 30)),
    ("1996", "mid", "mid-1996", date(1996, 5, 1), date(1996, 8, 31)),
    ("1996", "late", "late 1996", date(1996, 9, 1), date(1996, 12, 31)),
    ("1994-04~", "late", "around late April 1994", date(1994, 4, 21), date(1994, 4, 30)),
])
def test_part_narrows_the_days_but_never_shows_one(text, part, label, earliest, latest):
    d = parse_date(text, part)
    assert (d.label(), d.earliest, d.latest, d.part) == (label, earliest, latest, part)
    assert d.precision == ("year" if len(text.rstrip("~")) == 4 else "month")
    assert not any(ch.isdigit() for ch in d.label().replace(str(earliest.year), ""))


@pytest.mark.parametrize("text, part", [("1994-04-19", "late"), ("1994-04/1994-05", "early"),
                                        ("[1994-04..1994-05]", "mid"), ("1994-04", "end"), ("1994-04", 3)])
def test_part_only_narrows_a_single_month_or_year(text, part):
    with pytest.raises(DateError):
        parse_date(text, part)


@pytest.mark.parametrize("text, label, earliest, latest, precision", [
    ("[1994-11-01..1994-12-16]", "between 1 November and 16 December 1994", date(1994, 11, 1),
     date(1994, 12, 16), "day"),
    ("[1994-12-01..1994-12-16]", "between 1 and 16 December 1994", date(1994, 12, 1), date(1994, 12, 16), "day"),
    ("[1994-12-20..1995-01-03]", "between 20 December 1994 and 3 January 1995", date(1994, 12, 20),
     date(1995, 1, 3), "day"),
    ("[1994-11..1994-12]", "between November and December 1994", date(1994, 11, 1), date(1994, 12, 31), "month"),
])
def test_one_of_set_is_one_day_between_two(text, label, earliest, latest, precision):
    d = parse_date(text)
    assert (d.label(), d.earliest, d.latest, d.precision, d.one_of, d.is_interval) == (
        label, earliest, latest, precision, True, False)
    assert d.first_day == earliest.toordinal()


@pytest.mark.parametrize("bad", ["[1994-12-16..1994-11-01]", "[1994-11-01..]", "[..1994-12-16]",
                                 "[1994-11-01,1994-12-16]", "[1994-11-01..1994-12-16", "0999", "3000-01-01",
                                 "1994-04-19/", "[[1994-11-01..1994-12-16]]"])
def test_malformed_sets_and_out_of_range_years_are_refused(bad):
    with pytest.raises(DateError):
        parse_date(bad)


def test_parse_date_field_applies_the_sibling_part():
    assert parse_date_field({"start": "1994-04", "start_part": "late"}, "start").earliest == date(1994, 4, 21)
    assert parse_date_field({"date": "1994-04"}, "date").earliest == date(1994, 4, 1)
    assert parse_date_field({"end": None}, "end") is None
