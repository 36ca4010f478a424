from datetime import date

import pytest

from layers.engine import analysis
from layers.data.catalog import load_dataset
from layers.engine.timeline import Timeline


@pytest.fixture
def timeline(tiny_dir):
    return Timeline(load_dataset(tiny_dir))


def test_control_periods_for_a_gantt(timeline):
    table = analysis.control_periods(timeline.dataset, ["town"])
    assert list(table["controller"]) == ["khmer_rouge", "government", "khmer_rouge"]
    assert table.iloc[1]["period"] == "19 March 1994 to 19 April 1994"
    assert table.iloc[2]["period"] == "19 April 1994 to August 1996"


def test_area_over_time_follows_the_zones(timeline):
    series = analysis.area_over_time(timeline)
    kr = series[series["faction"] == "khmer_rouge"]
    assert kr["date"].min() == date(1989, 10, 23)
    assert date(1996, 8, 9) not in set(kr["date"])  # the KR zone ends that day


def test_compare_two_dates(timeline):
    result = analysis.compare(timeline, date(1994, 3, 25), date(1994, 5, 1))
    town = result.changed_places.set_index("place_id").loc["town"]
    assert (town["before"], town["after"]) == ("government", "khmer_rouge")
    assert list(result.events.index) == []  # nothing dated between 25 March and 1 May in the tiny data
    result = analysis.compare(timeline, date(1996, 10, 1), date(1989, 9, 15))  # order does not matter
    assert list(result.areas["faction"]) == ["government"]  # no KR zone on either date
    assert result.areas.iloc[0]["net_km2"] == 0
    result = analysis.compare(timeline, date(1989, 9, 15), date(1990, 1, 1))
    kr = result.areas.set_index("faction").loc["khmer_rouge"]
    assert kr["gained_km2"] == pytest.approx(timeline.dataset.zones.loc["kr_west", "area_km2"], rel=0.01)
    assert kr["lost_km2"] == 0
    assert "ev_fall" in result.events.index


def test_gazetteer_search_ignores_case_and_accents(timeline):
    table = analysis.gazetteer(timeline.dataset)
    assert list(analysis.search_places(table, "TOWN")["id"]) == ["town"]
    assert list(analysis.search_places(table, "víllage")["id"]) == ["village"]
    assert len(analysis.search_places(table, "")) == 2
    assert analysis.search_places(table, "atlantis").empty


def test_disagreements_list_disputes_and_conflicting_figures(timeline):
    table = analysis.disagreements(timeline.dataset)
    assert set(table["id"]) == {"ev_fall", "ev_taken"}
    troops = table[table["about"] == "troops"].iloc[0]
    assert "7,000 (doc)" in troops["claims"] and "5,000 (news)" in troops["claims"]
