"""Streamlit AppTest: the map page as a user drives it (the map component, deep links, the panel).

AppTest cannot look inside the map (the browser tests do); it sees what the page sends the map
(`map_data`) and can send what the map sends back (`map_sends`): that its map has painted, the day the
user paused on, the view; the same widget message the browser sends. `open_app` opens the app as a
browser does: the page, then the map's report that it has painted.
"""

import re

import pytest
from apptest_map import map_data, map_page, map_sends, open_like_a_browser, opening_day
from conftest import ROOT
from streamlit.testing.v1 import AppTest

APP = str(ROOT / "app.py")


def open_app(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    return open_like_a_browser(at)


def markdown_table(at: AppTest, first_header: str) -> list[dict[str, str]]:
    """The rows of the Markdown table whose first column is `first_header`, unescaped."""
    text = next(m.value for m in at.markdown if m.value.startswith(f"| {first_header} |"))
    lines = text.splitlines()
    cells = [[re.sub(r"\\(.)", r"\1", c).strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
    return [dict(zip(cells[0], row)) for row in cells[2:]]


KEY_PLACE = re.compile(r"- \*\*(?P<place>.+?)\*\*: (?P<holder>.+?)(?:, since (?P<since>.+))? \((?P<certainty>[^()]+)\)")


def key_places_listed(at: AppTest) -> list[dict[str, str]]:
    """The situation panel's key places: name, holder, since and certainty, unescaped."""
    text = next(m.value for m in at.markdown if m.value.startswith("- **"))
    rows = [KEY_PLACE.fullmatch(line) for line in text.splitlines() if "changing hands" not in line]
    assert all(rows), text
    return [{k: re.sub(r"\\(.)", r"\1", v or "") for k, v in row.groupdict().items()} for row in rows]


def panel(at: AppTest) -> dict[str, tuple[str, str]]:
    return {r["place"]: (r["holder"], r["since"]) for r in key_places_listed(at)}


def test_opens_on_the_map_at_the_default_date():
    at = open_app()
    assert not at.exception
    data = map_data(at)
    assert data["day"] == "1994-04-19"
    assert opening_day(map_page(at)) == "1994-04-19"
    assert at.subheader[0].value == "Situation on 19 April 1994"


def test_a_new_visitor_gets_the_map_first_and_the_rest_once_it_has_painted():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["date"] = "1994-04-19"
    at.run()
    assert not at.exception
    assert map_data(at)["report_paint"] is True
    page = map_page(at)
    # Nothing else competes with the map for the browser: no panel, downloads or sidebar widgets yet.
    assert not at.subheader and not at.get("download_button") and not at.button_group
    map_sends(at, {"painted": True})
    assert at.subheader[0].value == "Situation on 19 April 1994"
    assert at.get("download_button") and at.button_group(key="atlas_layers")
    assert map_page(at) == page  # the run that brings the rest leaves the loaded map alone
    assert map_data(at)["report_paint"] is False
    at.switch_page("pages/timeline.py").run()
    at.switch_page("pages/map.py").run()
    assert at.subheader and map_data(at)["report_paint"] is False  # once per visitor, not per arrival


@pytest.mark.parametrize("day, holder, since", [
    ("1994-03-25", "Royal Cambodian Armed Forces (RCAF)", "19 March 1994"),
    ("1994-05-01", "Khmer Rouge (NADK)", "19 April 1994"),
    ("1990-06-01", "Khmer Rouge (NADK)", "24 October 1989"),
])
def test_panel_on_known_dates(day, holder, since):
    at = open_app(date=day)
    assert not at.exception
    assert map_data(at)["day"] == day
    assert panel(at)["Pailin"] == (holder, since)


def test_a_day_the_map_reports_moves_the_panel_and_the_url():
    at = open_app()
    push = map_data(at)["push"]
    map_sends(at, {"day": "1994-03-25", "view": None})
    assert not at.exception
    assert at.subheader[0].value == "Situation on 25 March 1994"
    assert panel(at)["Pailin"][0] == "Royal Cambodian Armed Forces (RCAF)"
    assert at.query_params["date"] in (["1994-03-25"], "1994-03-25")
    assert map_data(at)["push"] == push  # the map already shows it: nothing is pushed back


def test_the_map_page_is_not_reloaded_while_the_visitor_stays():
    # The date moves inside the loaded map: a rerun that sent another page would reload the <iframe>,
    # flash the map and put it back on the opening day.
    at = open_app(date="1994-03-01")
    page = map_page(at)
    map_sends(at, {"day": "1994-03-25", "view": {"lat": 13.1, "lon": 102.9, "zoom": 9,
                                                 "bbox": [102.5, 12.8, 103.3, 13.4]}})
    at.button(key="goto_ev_1994_03_19_pailin_taken").click().run()
    assert at.subheader[0].value == "Situation on 19 March 1994"
    assert map_page(at) == page


def test_arriving_again_opens_the_map_where_the_visitor_left_it():
    at = open_app(date="1994-03-01")
    map_sends(at, {"day": "1994-03-25", "view": {"lat": 13.1, "lon": 102.9, "zoom": 9,
                                                 "bbox": [102.5, 12.8, 103.3, 13.4]}})
    at.switch_page("pages/timeline.py").run()
    at.switch_page("pages/map.py").run()
    assert not at.exception
    page = map_page(at)
    assert opening_day(page) == "1994-03-25"
    assert "center: [13.1, 102.9]" in page and '"zoom": 9,' in page


def test_changing_the_basemap_sends_a_page_that_opens_on_the_current_day():
    at = open_app(date="1994-03-01")
    map_sends(at, {"day": "1994-03-25", "view": None})
    at.button_group(key="atlas_basemap").set_value("OpenStreetMap").run()
    assert opening_day(map_page(at)) == "1994-03-25"


def test_a_view_the_map_reports_is_kept_clamped_and_in_the_url():
    at = open_app()
    map_sends(at, {"day": "1994-04-19", "view": {"lat": 13.1, "lon": 102.9, "zoom": 99,
                                                 "bbox": [102.5, 12.8, 103.3, 13.4]}})
    assert not at.exception
    assert at.query_params["zoom"] in (["22"], "22")
    assert map_data(at)["view"]["bbox"] == [102.5, 12.8, 103.3, 13.4]


def test_garbage_from_the_browser_changes_nothing():
    at = open_app(date="1994-03-25")
    map_sends(at, {"day": "<script>", "view": {"lat": "nan", "lon": None}})
    assert not at.exception
    assert at.subheader[0].value == "Situation on 25 March 1994"


def test_choosing_an_event_pushes_its_date_to_the_map():
    at = open_app(date="1994-03-25")
    push = map_data(at)["push"]
    at.button(key="goto_ev_1994_03_19_pailin_taken").click().run()
    data = map_data(at)
    assert data["day"] == "1994-03-19" and data["push"] == push + 1


def test_hidden_layers_reach_the_map():
    at = open_app()
    at.button_group(key="atlas_layers").set_value(["zones", "places"]).run()
    assert set(map_data(at)["hidden"]) == {"frontlines", "routes", "events", "provinces"}


@pytest.mark.parametrize("bad", ["1994-13-45", "tomorrow", "2020-01-01"])
def test_bad_deep_link_warns_and_falls_back(bad):
    at = open_app(date=bad)
    assert not at.exception
    assert at.warning and "Ignored the link's date" in re.sub(r"\\(.)", r"\1", at.warning[0].value)
    assert map_data(at)["day"] == "1994-04-19"


def test_bad_view_in_deep_link_warns():
    at = open_app(date="1994-04-19", lat="north", lon="103")
    assert not at.exception and "lat and lon" in re.sub(r"\\(.)", r"\1", at.warning[0].value)


def test_the_areas_table_is_rounded():
    at = open_app(date="1994-04-19")
    areas = {row["Faction"]: row["km²"] for row in markdown_table(at, "Faction")}
    assert set(areas) == {"Royal Cambodian Armed Forces (RCAF)", "Khmer Rouge (NADK)"}
    for value in areas.values():
        digits = value.replace(",", "")
        assert digits.isdigit() and len(digits.rstrip("0")) <= 2  # two significant figures
