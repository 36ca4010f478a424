from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from layers.catalog import load_dataset, validate_path
from layers.errors import DataError
from layers.synthetic import write_synthetic_dataset


def _errors(directory: Path):
    return validate_path(directory).errors


def test_tiny_dataset_loads(tiny_dir):
    ds = load_dataset(tiny_dir)
    assert list(ds.places.index) == ["town", "village"]
    assert len(ds.control) == 3
    assert ds.zones.loc["kr_west", "area_km2"] == pytest.approx(0.8 * 111.3 * 0.8 * 108.6, rel=0.05)
    assert ds.events.index[0] == "ev_fall"  # sorted by date
    assert ds.factions["government"].name_on(__import__("datetime").date(1994, 1, 1)) == "RCAF"


def _set(layer, index, **props):
    def edit(layers):
        feature = layers[layer][index]
        for key, value in props.items():
            if value is None:
                feature["properties"].pop(key, None)
            else:
                feature["properties"][key] = value
    return edit


@pytest.mark.parametrize("edit, file, feature, field, needle", [
    (_set("places.geojson", 0, sources=None), "places.geojson", "town", "sources", "missing"),
    (_set("places.geojson", 0, sources=["nowhere"]), "places.geojson", "town", "sources", "unknown source"),
    (_set("places.geojson", 1, certainty="sure"), "places.geojson", "village", "certainty", "must be one of"),
    (_set("zones.geojson", 0, controller="martians"), "zones.geojson", "kr_west", "controller", "unknown faction"),
    (_set("zones.geojson", 0, start="1994-13"), "zones.geojson", "kr_west", "start", "not a valid date"),
    (_set("zones.geojson", 0, end="1980"), "zones.geojson", "kr_west", "end", "before it starts"),
    (_set("events.geojson", 0, place_ids=["atlantis"]), "events.geojson", "ev_fall", "place_ids", "unknown place"),
    (_set("events.geojson", 0, date="May 1993"), "events.geojson", "ev_fall", "date", "not a date"),
    (_set("frontlines.geojson", 0, sides=["government"]), "frontlines.geojson", "front_1994", "sides", "two"),
])
def test_bad_data_is_named_precisely(make_dataset, edit, file, feature, field, needle):
    errors = _errors(make_dataset(edit))
    assert any(e.file == file and e.feature == feature and e.field == field and needle in e.message and e.fix
               for e in errors), [str(e) for e in errors]


def test_place_outside_region_suggests_lat_lon_swap(make_dataset):
    def edit(layers):
        layers["places.geojson"][1]["geometry"]["coordinates"] = [12.5, 13.5]
    errors = _errors(make_dataset(edit))
    assert any(e.feature == "village" and "outside the dataset's region" in e.message and "swapped" in e.fix
               for e in errors)


def test_place_held_by_two_factions_at_once(make_dataset):
    def edit(layers):
        layers["places.geojson"][0]["properties"]["control"][1]["start"] = "1994-03-01"
    errors = _errors(make_dataset(edit))
    assert any(e.feature == "town" and e.field == "control" and "at the same time" in e.message for e in errors)


def test_overlap_allowed_when_contested(make_dataset):
    def edit(layers):
        periods = layers["places.geojson"][0]["properties"]["control"]
        periods[1]["start"] = "1994-03-01"
        periods[1]["certainty"] = "contested"
    assert not _errors(make_dataset(edit))


def test_overlapping_hostile_zones_are_an_error_allied_are_not(make_dataset):
    def grow(controller):
        def edit(layers):
            zone = layers["zones.geojson"][1]
            zone["geometry"]["coordinates"] = [[[102.5, 12.1], [103.7, 12.1], [103.7, 12.9], [102.5, 12.9], [102.5, 12.1]]]
            zone["properties"]["controller"] = controller
        return edit
    errors = _errors(make_dataset(grow("government")))
    assert any(e.feature == "gov_east" and "overlaps zone 'kr_west'" in e.message for e in errors)
    assert not any("overlaps" in e.message for e in _errors(make_dataset(grow("khmer_rouge"))))


def test_duplicate_ids_across_files(make_dataset):
    def edit(layers):
        layers["events.geojson"][0]["id"] = layers["events.geojson"][0]["properties"]["id"] = "town"
    errors = _errors(make_dataset(edit))
    assert any(e.feature == "town" and "also used in places.geojson" in e.message for e in errors)


def test_missing_required_file(tiny_dir):
    (tiny_dir / "sources.json").unlink()
    errors = _errors(tiny_dir)
    assert any(e.file == "sources.json" and "missing" in e.message for e in errors)


def test_load_dataset_raises_one_error_type(make_dataset):
    with pytest.raises(DataError) as info:
        load_dataset(make_dataset(_set("places.geojson", 0, name=None)))
    assert info.value.problems[0].feature == "town"


def test_single_layer_file_is_validated_against_its_schema(tiny_dir):
    report = validate_path(tiny_dir / "places.geojson")
    assert report.ok
    (tiny_dir / "zones.geojson").write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                                          '"geometry": null, "properties": {"id": "z"}}]}')
    errors = validate_path(tiny_dir / "zones.geojson").errors
    assert {e.field for e in errors} >= {"name", "controller", "start", "geometry"}


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=15, deadline=None)
@given(st.integers(min_value=10, max_value=300), st.integers(min_value=0, max_value=10**6))
def test_generated_datasets_always_load(tmp_path, size, seed):
    directory = write_synthetic_dataset(tmp_path / f"syn_{size}_{seed}", size, seed)
    ds = load_dataset(directory)
    assert len(ds.zones) + len(ds.places) + len(ds.events) == pytest.approx(size, abs=4)
