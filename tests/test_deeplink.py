from datetime import date

import pytest
from hypothesis import given, strategies as st

from layers.deeplink import parse_deep_link, query_for

START, END, DEFAULT = date(1989, 9, 1), date(1998, 12, 31), date(1994, 4, 19)
REGION = (101.9, 11.3, 106.0, 14.8)


def parse(**params):
    return parse_deep_link(params, START, END, DEFAULT, REGION)


def test_good_link():
    link = parse(date="1994-03-25", lat="13.1", lon="103.2", zoom="9")
    assert (link.day, link.lat, link.lon, link.zoom, link.warnings) == (date(1994, 3, 25), 13.1, 103.2, 9, ())


@pytest.mark.parametrize("params, needle", [
    ({"date": "1994-13-01"}, "not a real day"), ({"date": "yesterday"}, "YYYY-MM-DD"),
    ({"date": "2005-01-01"}, "outside"), ({"lat": "abc", "lon": "103"}, "numbers"),
    ({"lat": "48.8", "lon": "2.3"}, "outside the map's region"), ({"zoom": "far"}, "zoom"),
])
def test_bad_links_fall_back_with_a_warning(params, needle):
    link = parse(**params)
    assert link.warnings and needle in " ".join(link.warnings)
    assert START <= link.day <= END


def test_round_trip():
    query = query_for(date(1996, 8, 9), 13.3, 103.4, 8)
    assert parse(**query).day == date(1996, 8, 9) and parse(**query).zoom == 8


@given(st.dictionaries(st.sampled_from(["date", "lat", "lon", "zoom", "other"]),
                       st.one_of(st.text(max_size=20), st.lists(st.text(max_size=12), max_size=2))))
def test_any_query_string_gives_a_day_in_range(params):
    link = parse_deep_link(params, START, END, DEFAULT, REGION)
    assert START <= link.day <= END
    assert link.zoom is None or 3 <= link.zoom <= 18
    assert (link.lat is None) == (link.lon is None)
