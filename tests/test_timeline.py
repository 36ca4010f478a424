from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from layers.data.catalog import load_dataset
from layers.data.synthetic import write_synthetic_dataset
from layers.engine.timeline import Timeline


@pytest.fixture
def timeline(tiny_dir):
    return Timeline(load_dataset(tiny_dir))


@pytest.mark.parametrize("day, controller, since", [
    (date(1989, 9, 15), None, None),
    (date(1989, 10, 23), "khmer_rouge", "23 October 1989"),
    (date(1994, 3, 18), "khmer_rouge", "23 October 1989"),
    (date(1994, 3, 19), "government", "19 March 1994"),
    (date(1994, 3, 25), "government", "19 March 1994"),
    (date(1994, 4, 19), "khmer_rouge", "19 April 1994"),
    (date(1996, 7, 31), "khmer_rouge", "19 April 1994"),
])
def test_town_controller_on_known_dates(timeline, day, controller, since):
    town = timeline.state_on(day).place("town")
    assert town.controller == controller
    assert (town.since.label() if town.since else None) == since


def test_month_precision_end_counts_from_its_first_day(timeline):
    # The KR period ends "1996-08": on 1 August the explicit history no longer says KR;
    # the town then takes the zone's controller (zone ends 9 Aug), marked as derived.
    town = timeline.state_on(date(1996, 8, 3)).place("town")
    assert town.derived_from_zone == "kr_west" and town.controller == "khmer_rouge"
    assert timeline.state_on(date(1996, 8, 10)).place("town").controller is None


def test_place_without_history_takes_its_zone(timeline):
    village = timeline.state_on(date(1994, 1, 1)).place("village")
    assert village.controller == "government" and village.derived_from_zone == "gov_east"
    assert village.certainty == "approximate"


def test_zones_areas_and_fronts(timeline):
    before = timeline.state_on(date(1989, 9, 15))
    assert list(before.zones.index) == ["gov_east"]
    during = timeline.state_on(date(1994, 5, 10))
    assert set(during.zones.index) == {"kr_west", "gov_east"}
    assert during.area_by_faction["khmer_rouge"] == pytest.approx(during.zones.loc["kr_west", "area_km2"])
    assert list(during.frontlines.index) == ["front_1994"]
    derived = during.derived_frontlines
    assert len(derived) == 1 and derived[0]["sides"] == ["government", "khmer_rouge"]
    assert derived[0]["length_km"] == pytest.approx(0.8 * 111, rel=0.1)
    assert timeline.state_on(date(1994, 6, 1)).frontlines.empty  # "1994-06" ends the described line


def test_events_window(timeline):
    ids = lambda day, w=15: list(timeline.state_on(day, window_days=w).events.index)
    assert ids(date(1989, 11, 7)) == ["ev_fall"]
    assert ids(date(1989, 11, 8)) == []
    assert ids(date(1993, 6, 15)) == ["ev_may93"]   # a month event overlaps the window
    assert ids(date(1993, 6, 16)) == []
    assert ids(date(1994, 3, 19), w=0) == ["ev_taken"]


def test_change_dates_and_neighbours(timeline):
    changes = timeline.change_dates()
    assert date(1994, 3, 19) in changes and date(1994, 4, 19) in changes and date(1996, 8, 1) in changes
    assert changes == sorted(changes)
    assert timeline.next_change(date(1994, 3, 19)) == date(1994, 4, 19)
    assert timeline.previous_change(date(1994, 3, 19)) == date(1989, 10, 23)
    assert timeline.previous_change(date(1989, 9, 1)) is None


def test_to_dict_shape(timeline):
    out = timeline.state_on(date(1994, 3, 25)).to_dict()
    assert out["date"] == "1994-03-25"
    town = next(p for p in out["places"] if p["id"] == "town")
    assert town == town | {"controller": "government", "since": "1994-03-19", "certainty": "assessed",
                           "sources": ["doc", "news"]}
    assert {z["id"] for z in out["zones"]} == {"kr_west", "gov_east"}
    assert out["events"][0]["id"] == "ev_taken" and out["events"][0]["precision"] == "day"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=10, deadline=None)
@given(st.integers(0, 1000), st.lists(st.integers(0, 3409), min_size=5, max_size=30))
def test_cached_state_equals_brute_force(tmp_path, seed, offsets):
    """Property: the interval-indexed answer equals a plain scan over every period and zone."""
    ds = load_dataset(write_synthetic_dataset(tmp_path / f"s{seed}", 200, seed))
    timeline = Timeline(ds)
    periods = timeline.periods
    for offset in offsets:
        day = date(1989, 9, 1) + timedelta(days=offset)
        t = day.toordinal()
        state = timeline.state_on(day)
        active_zones = ds.zones[(ds.zones.start_day <= t) & (ds.zones.end_day > t)]
        assert set(state.zones.index) == set(active_zones.index)
        for status in state.places:
            rows = periods[(periods.place_id == status.place_id) & (periods.start_day <= t) & (periods.end_day > t)]
            if rows.empty:
                assert status.controller is None
                continue
            best = rows.sort_values(["rank", "start_day"], ascending=[True, False]).iloc[0]
            assert status.controller == best["controller"]
        near = ds.events[(ds.events.last_day >= t - 15) & (ds.events.first_day <= t + 15)]
        assert set(state.events.index) == set(near.index)


def test_state_is_constant_between_change_dates(tmp_path):
    ds = load_dataset(write_synthetic_dataset(tmp_path / "s", 300, 7))
    timeline = Timeline(ds)
    days = timeline.change_days
    for a, b in zip(days[:20], days[1:21]):
        first = timeline.state_on(date.fromordinal(int(a)))
        last = timeline.state_on(date.fromordinal(int(b) - 1))
        assert first.segment == last.segment
        assert list(first.zones.index) == list(last.zones.index)
        assert first.places == last.places


def test_since_is_the_day_it_last_changed_hands_not_the_zone_slice(make_dataset):
    """A place inside two consecutive government zone slices has been held since the first slice began."""
    def edit(layers):
        east = layers["zones.geojson"][1]
        later = {**east, "id": "gov_east_2", "properties": {**east["properties"], "id": "gov_east_2",
                                                            "start": "1994-04-19", "end": None}}
        east["properties"]["start"], east["properties"]["end"] = "1990-01-01", "1994-04-19"
        layers["zones.geojson"].append(later)
    timeline = Timeline(load_dataset(make_dataset(edit)))
    village = timeline.state_on(date(1994, 4, 22)).place("village")
    assert village.derived_from_zone == "gov_east_2"
    assert village.since.label() == "1 January 1990"


def test_month_precision_change_is_a_transition_not_a_flip_on_the_first(make_dataset):
    """Held by the KR until "1994-06", then by the government: during June 1994 the place is changing hands."""
    def edit(layers):
        control = layers["places.geojson"][0]["properties"]["control"]
        control[:] = [{"controller": "khmer_rouge", "start": "1989-10-23", "end": "1994-06", "certainty": "assessed",
                       "sources": ["doc"]},
                      {"controller": "government", "start": "1994-06", "end": None, "certainty": "approximate",
                       "sources": ["doc"], "enclave": True}]
    timeline = Timeline(load_dataset(make_dataset(edit)))
    at = lambda d: timeline.state_on(d).place("town")
    assert at(date(1994, 5, 31)).controller == "khmer_rouge" and not at(date(1994, 5, 31)).transition
    for day in (date(1994, 6, 1), date(1994, 6, 30)):
        changing = at(day)
        assert changing.transition and changing.controller == "government" and changing.previous == "khmer_rouge"
        assert changing.since.label() == "June 1994"
    settled = at(date(1994, 7, 1))
    assert not settled.transition and settled.since.label() == "June 1994"
    assert date(1994, 7, 1) in timeline.change_dates()


def test_day_precision_change_flips_on_its_day(timeline):
    assert not timeline.state_on(date(1994, 3, 19)).place("town").transition


def test_zone_edges_last_while_both_zones_are_in_force(timeline):
    edges = timeline.edges
    assert len(edges) == 1
    edge = edges.iloc[0]
    assert (date.fromordinal(int(edge["start_day"])), date.fromordinal(int(edge["end_day"]))) == \
        (date(1989, 10, 23), date(1996, 8, 9))
    assert timeline.state_on(date(1996, 8, 9)).zone_edges.empty


def test_a_new_slice_of_the_same_holder_with_a_month_start_is_not_a_change_of_hands(make_dataset):
    def edit(layers):
        east = layers["zones.geojson"][1]
        later = {**east, "id": "gov_east_2", "properties": {**east["properties"], "id": "gov_east_2",
                                                            "start": "1994-04", "end": None}}
        east["properties"]["end"] = "1994-04"
        layers["zones.geojson"].append(later)
    timeline = Timeline(load_dataset(make_dataset(edit)))
    village = timeline.state_on(date(1994, 4, 15)).place("village")
    assert village.controller == "government" and not village.transition and village.since is None


def test_key_places_are_the_key_places_statuses():
    timeline = Timeline(load_dataset())
    state = timeline.state_on(date(1994, 4, 22))
    keys = set(timeline.dataset.places.index[timeline.dataset.places["key"].astype(bool)])
    assert state.key_places() == [p for p in state.places if p.place_id in keys]
