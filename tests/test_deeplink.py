import html
import math
import re
from datetime import date

import pytest
from hypothesis import given, strategies as st
from markdown_it import MarkdownIt

from layers.render.deeplink import MIN_SPAN_DEG, View, clamp_bbox, clamp_reported, clamp_view, parse_deep_link, query_for, view_limits

START, END, DEFAULT = date(1989, 9, 1), date(1998, 12, 31), date(1994, 4, 19)
REGION = (101.9, 11.3, 106.0, 14.8)


def parse(**params):
    return parse_deep_link(params, START, END, DEFAULT, REGION)


def rendered(markdown: str) -> str:
    """The HTML a CommonMark renderer (like Streamlit's) makes of a warning."""
    return MarkdownIt("commonmark").enable("table").enable("strikethrough").render(markdown)


def shown(markdown: str) -> str:
    """The text a reader sees."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rendered(markdown))).split())


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
    assert link.warnings and needle in " ".join(shown(w) for w in link.warnings)
    assert START <= link.day <= END


ATTACK = "**Session expired** [re-open](https://attacker.example) ![](https://attacker.example/t.png)"


@pytest.mark.parametrize("params", [{"date": ATTACK}, {"zoom": ATTACK}, {"date": "1994-04-19", "zoom": "<b>x</b> _y_"}])
def test_warnings_show_the_link_as_text_not_markup(params):
    warning = " ".join(parse(**params).warnings)
    page = rendered(warning)
    assert not re.search(r"<(a|img|strong|em|b)\b", page), page
    assert "://" not in warning and "www." not in warning  # nothing for an autolink to pick up either
    echoed = params["zoom"] if "zoom" in params else params["date"]
    assert echoed in shown(warning)  # the reader still sees what the link said


def test_a_long_link_is_echoed_shortened():
    warning = parse(date="x" * 5000).warnings[0]
    assert len(warning) < 400 and "…" in warning


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


# --- the view a browser reports ---------------------------------------------------------------------------

REPORTED = {"center": {"lat": 13.0, "lng": 103.0}, "zoom": 9,
            "bounds": {"_southWest": {"lat": 12.6, "lng": 102.4}, "_northEast": {"lat": 13.4, "lng": 103.6}}}


def test_a_good_report_is_kept():
    view = clamp_reported(REPORTED, REGION)
    assert view == View(lat=13.0, lon=103.0, zoom=9, bbox=(102.4, 12.6, 103.6, 13.4))


def test_a_crafted_tiny_bbox_is_widened_and_text_numbers_are_read():
    view = clamp_view({"lat": "13.0", "lng": "103.0"}, "9.6",
                      {"_southWest": {"lat": 13.0, "lng": 103.0}, "_northEast": {"lat": 13.0000001, "lng": 103.0000001}},
                      REGION)
    w, s, e, n = view.bbox
    assert math.isclose(e - w, MIN_SPAN_DEG) and math.isclose(n - s, MIN_SPAN_DEG) and view.zoom == 10
    assert abs(view.lat - 13.00000005) < 1e-9


def test_a_view_of_the_world_is_cut_to_the_region_widened():
    view = clamp_view(None, 1, [-180, -85, 180, 85], REGION)
    assert view.bbox == view_limits(REGION) and view.zoom == 1


@pytest.mark.parametrize("center, zoom, bounds", [
    (None, None, None), ({"lat": "nan", "lng": 1}, 5, None), ({"lat": 1}, 5, {"_southWest": {"lat": 1}}),
    ("13,103", "far", "everything"), (True, True, [True, 1, 2, 3]),
])
def test_nothing_usable_gives_none(center, zoom, bounds):
    assert clamp_view(center, zoom, bounds, REGION) is None


def test_bbox_for_exports_is_clamped_too():
    assert clamp_bbox((103.0, 13.0, 103.0, 13.0), REGION) == pytest.approx((102.995, 12.995, 103.005, 13.005))
    assert clamp_bbox("W,S,E,N", REGION) is None


ANY = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
    | st.sampled_from(["13", "1e999", "-inf", "nan", "103.5", " 12 "]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["lat", "lng", "lon", "_southWest", "_northEast", "x"]), inner, max_size=4),
    max_leaves=12)
NUMBER = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10**400, 10**400)
LATLNG = st.fixed_dictionaries({"lat": NUMBER, "lng": NUMBER})


@given(center=ANY | LATLNG, zoom=ANY | NUMBER,
       bounds=ANY | st.fixed_dictionaries({"_southWest": LATLNG, "_northEast": LATLNG}) | st.lists(NUMBER, min_size=4, max_size=4),
       region=st.sampled_from([REGION, None, (0, 0, 0, 0), "bad", (170.0, 80.0, 180.0, 85.0)]))
def test_any_report_gives_none_or_a_finite_clamped_view(center, zoom, bounds, region):
    view = clamp_view(center, zoom, bounds, region)
    if view is None:
        return
    w, s, e, n = view.bbox
    lw, ls, le, ln = view_limits(region)
    assert all(math.isfinite(v) for v in (view.lat, view.lon, w, s, e, n))
    assert isinstance(view.zoom, int) and 0 <= view.zoom <= 22
    assert -90 <= view.lat <= 90 and -180 <= view.lon <= 180
    assert lw <= w < e <= le and ls <= s < n <= ln
    assert e - w >= MIN_SPAN_DEG * 0.999 and n - s >= MIN_SPAN_DEG * 0.999
    assert w <= view.lon <= e and s <= view.lat <= n
