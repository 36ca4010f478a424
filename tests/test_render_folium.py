import json
import re
from datetime import date

import pytest
import streamlit_folium

from layers.catalog import load_dataset
from layers.render_folium import (MapView, Toggles, base_map, date_view, escape, feature_store, full_map, legend_html,
                                  stamp_html, state_layers)
from layers.timeline import Timeline

EVIL = "<img src=x onerror=alert(1)>"
JINJA = "{{ 7*7 }} {% if %}"


@pytest.fixture(scope="module")
def timeline():
    return Timeline(load_dataset())


def _html(state, toggles=Toggles()) -> str:
    return full_map(state, toggles, "None (works offline)").get_root().render()


def _shown(state, kind, toggles=Toggles()):
    return {s["id"]: s for s in date_view(state, toggles)["shown"] if s["kind"] == kind}


def _sent_by_streamlit_folium(fmap, groups) -> tuple[str, str]:
    """The map script and the feature-group script exactly as st_folium builds them for the browser."""
    fmap.get_root().render()
    script = streamlit_folium._get_map_string(fmap)
    return script, "".join(streamlit_folium._get_feature_group_string(g, fmap, i) for i, g in enumerate(groups))


@pytest.mark.parametrize("day, controller", [(date(1994, 3, 25), "government"), (date(1994, 5, 1), "khmer_rouge"),
                                             (date(1996, 10, 1), "dnum")])
def test_pailin_marker_takes_its_controllers_colour_and_name(timeline, day, controller):
    state = timeline.state_on(day)
    view = date_view(state)
    pailin = _shown(state, "place")["pailin"]
    assert pailin["held"] == controller
    assert pailin["style"]["fillColor"] == timeline.dataset.factions[controller].color
    assert view["names"][controller] == escape(timeline.dataset.factions[controller].name_on(day))


def test_map_holds_the_zones_in_force(timeline):
    zones = timeline.dataset.zones
    shown = {zones.loc[z, "name"] for z in _shown(timeline.state_on(date(1994, 4, 28)), "zone")}
    assert "Khmer Rouge western zone and the Route 10 wedge" in shown
    assert "Khmer Rouge western zone (Pailin lost)" not in shown


def test_front_lines_and_events_on_a_date(timeline):
    state = timeline.state_on(date(1994, 4, 28))
    fronts = _shown(state, "front")
    described = [f for f in fronts if f in timeline.dataset.frontlines.index]
    assert "Khmer Rouge closest approach to Battambang" in set(timeline.dataset.frontlines.loc[described, "name"])
    derived = [f for f in fronts.values() if "geometry" in f]
    assert derived and all(f["style"]["dashArray"] for f in derived)
    events = _shown(state, "event")
    assert set(events) == {e for e, g in zip(state.events.index, state.events.geometry) if g is not None}
    past = sorted((state.events.loc[e, "last_day"], v["style"]["opacity"]) for e, v in events.items()
                  if v["style"]["fill"])
    assert len(past) >= 2 and [o for _, o in past] == sorted(o for _, o in past)  # older events fade


def test_every_shown_feature_is_in_the_store(timeline):
    store = json.loads(feature_store(timeline.dataset))
    for day in (date(1989, 10, 30), date(1994, 4, 19), date(1998, 6, 1)):
        for shown in date_view(timeline.state_on(day))["shown"]:
            assert "geometry" in shown or shown["id"] in store[shown["kind"]], shown
            for source in shown.get("sources", []):
                assert source in store["sources"]


def test_date_stamp_and_legend_follow_the_date(timeline):
    early, late = timeline.state_on(date(1990, 1, 1)), timeline.state_on(date(1995, 1, 1))
    assert stamp_html(early) == "as of 1 January 1990"
    assert "State of Cambodia army (SOC)" in legend_html(early)
    assert "Royal Cambodian Armed Forces (RCAF)" in legend_html(late)
    assert "as of 1 January 1995" in _html(late)


def test_base_map_does_not_depend_on_the_date(timeline):
    a = base_map(timeline.dataset, "None (works offline)").get_root().render()
    b = base_map(timeline.dataset, "None (works offline)").get_root().render()
    strip = lambda s: re.sub(r"_[0-9a-f]{32}", "", s)
    assert strip(a) == strip(b)


def test_a_date_step_sends_the_view_not_the_store(timeline):
    ds = timeline.dataset
    fmap = base_map(ds, "None (works offline)", store_url="/app/static/atlas-store-x.json")
    script, group = _sent_by_streamlit_folium(fmap, state_layers(timeline.state_on(date(1994, 4, 19))))
    store = feature_store(ds)
    assert '"/app/static/atlas-store-x.json"' in script
    assert store not in script and len(script) < 10_000
    assert len(group) < len(store) / 10
    assert "as of 19 April 1994" in group


def test_embedded_store_when_no_url(timeline):
    script, _ = _sent_by_streamlit_folium(base_map(timeline.dataset, "None (works offline)"), [])
    assert feature_store(timeline.dataset) in script


def test_layer_toggles(timeline):
    state = timeline.state_on(date(1994, 4, 28))
    kinds = {s["kind"] for s in date_view(state, Toggles(zones=False, events=False))["shown"]}
    assert kinds == {"route", "front", "place"}
    assert date_view(state, Toggles(places=False))["labels"] is False
    assert json.loads(feature_store(timeline.dataset))["provinces"] is None
    assert json.loads(feature_store(timeline.dataset, provinces=True))["provinces"]["features"]


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


def test_template_syntax_in_data_stays_text(make_dataset, timeline):
    # Folium's elements are Jinja templates: text from data must never be evaluated as one.
    def edit(layers):
        layers["places.geojson"][0]["properties"]["name"] = JINJA
        layers["zones.geojson"][0]["properties"]["name"] = JINJA
    state = Timeline(load_dataset(make_dataset(edit))).state_on(date(1994, 3, 20))
    html = _html(state)
    fmap = base_map(state.dataset, "None (works offline)")
    script, group = _sent_by_streamlit_folium(fmap, state_layers(state))
    for text in (html, script + group):
        assert "&#123;&#123; 7*7 &#125;&#125; &#123;% if %&#125;" in text
        assert JINJA not in text


def test_the_view_st_folium_reports():
    assert MapView.reported(None) == MapView()
    assert MapView.reported({"zoom": 8, "bounds": {"_southWest": {"lat": None, "lng": None},
                                                   "_northEast": {"lat": None, "lng": None}}}) == MapView(zoom=8)
    view = MapView.reported({"center": {"lat": 12.85, "lng": 102.6}, "zoom": 10,
                             "bounds": {"_southWest": {"lat": 12.5, "lng": 102.0},
                                        "_northEast": {"lat": 13.2, "lng": 103.2}}})
    assert (view.lat, view.lon, view.zoom) == (12.85, 102.6, 10)
    assert view.bbox == (102.0, 12.5, 103.2, 13.2)  # west, south, east, north
