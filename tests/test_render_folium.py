from datetime import date

import pytest

from layers.catalog import load_dataset
from layers.render_folium import Toggles, base_map, full_map, legend_html, stamp_html, state_layers
from layers.timeline import Timeline

EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def timeline():
    return Timeline(load_dataset())


def _html(state, toggles=Toggles()) -> str:
    return full_map(state, toggles, "None (works offline)").get_root().render()


def _place_marker_color(state, place_id):
    group = next(g for g in state_layers(state) if g.layer_name == "places")
    markers = next(c for c in group._children.values() if getattr(c, "layer_name", "") == "place markers")
    feature = next(f for f in markers.data["features"] if f["properties"]["id"] == place_id)
    return feature["properties"]["style"]["fillColor"]


@pytest.mark.parametrize("day, controller", [(date(1994, 3, 25), "government"), (date(1994, 5, 1), "khmer_rouge"),
                                             (date(1996, 10, 1), "dnum")])
def test_pailin_marker_takes_its_controllers_colour(timeline, day, controller):
    state = timeline.state_on(day)
    assert _place_marker_color(state, "pailin") == timeline.dataset.factions[controller].color


def test_map_holds_the_zones_in_force(timeline):
    html = _html(timeline.state_on(date(1994, 4, 28)))
    assert timeline.dataset.factions["khmer_rouge"].color in html
    assert "Khmer Rouge western zone and the Route 10 wedge" in html
    assert "Khmer Rouge closest approach to Battambang" in html
    assert "Khmer Rouge western zone (Pailin lost)" not in html


def test_date_stamp_and_legend_follow_the_date(timeline):
    early, late = timeline.state_on(date(1990, 1, 1)), timeline.state_on(date(1995, 1, 1))
    assert stamp_html(early) == "as of 1 January 1990"
    assert "State of Cambodia army (SOC)" in legend_html(early)
    assert "Royal Cambodian Armed Forces (RCAF)" in legend_html(late)
    assert "as of 1 January 1995" in _html(late)


def test_base_map_does_not_depend_on_the_date(timeline):
    a = base_map(timeline.dataset, "None (works offline)").get_root().render()
    b = base_map(timeline.dataset, "None (works offline)").get_root().render()
    strip = lambda s: __import__("re").sub(r"_[0-9a-f]{32}", "", s)
    assert strip(a) == strip(b)


def test_layer_toggles(timeline):
    state = timeline.state_on(date(1994, 4, 28))
    names = [g.layer_name for g in state_layers(state, Toggles(zones=False, events=False))]
    assert "zones" not in names and "events" not in names and "places" in names


def test_strings_from_data_are_escaped(make_dataset):
    def edit(layers):
        layers["places.geojson"][0]["properties"]["name"] = EVIL
        layers["places.geojson"][0]["properties"]["alt_names"] = [EVIL]
        layers["events.geojson"][2]["properties"]["title"] = EVIL + "`${alert(2)}`"
        layers["zones.geojson"][0]["properties"]["name"] = EVIL
        layers["sources.json"]["sources"][0]["title"] = EVIL
        layers["factions.json"]["factions"][1]["name"] = EVIL
    state = Timeline(load_dataset(make_dataset(edit))).state_on(date(1994, 3, 20))
    html = _html(state, Toggles(provinces=True))
    assert EVIL not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "`${alert(2)}`" not in html and "${alert(2)}" not in html
