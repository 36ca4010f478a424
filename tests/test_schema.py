"""The engine's structure and its configuration: types in model.py, settings from dataset.json."""

import json
import subprocess
import sys
from datetime import date

import pytest

from conftest import ROOT, write_layers
from layers.data.catalog import load_dataset, validate_path


def _imported_by(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(m for m in sys.modules if m.startswith('layers')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return set(out.stdout.split())


def test_model_and_story_do_not_import_the_loader():
    assert not {"layers.data.loader", "layers.data.catalog"} & _imported_by("layers.data.model")
    assert not {"layers.data.loader", "layers.data.catalog"} & _imported_by("layers.data.story")


def test_dataset_type_lives_in_the_model_and_catalog_names_still_work():
    from layers.data import catalog, model

    assert catalog.Dataset is model.Dataset
    assert catalog.OPEN_END == model.OPEN_END == date.max.toordinal()
    assert catalog.LAYERS == ("places", "routes", "zones", "frontlines", "events")
    assert (catalog.BUILTIN_DIR / "dataset.json").is_file()


def _minimal(region, **meta):
    return {
        "dataset.json": {"title": "Elsewhere: a test, 2001", "start": "2001-01-01", "end": "2001-12-31",
                         "region": region, **meta},
        "factions.json": {"factions": [{"id": "a", "name": "A", "color": "#0072B2"},
                                       {"id": "b", "name": "B", "color": "#D55E00"}]},
        "sources.json": {"sources": [{"id": "s", "title": "S", "title_from": "checked", "kind": "dataset"}]},
    }


def _square_zone(x, y):
    return {"type": "Feature", "id": "z", "geometry": {"type": "Polygon", "coordinates": [
        [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]]},
        "properties": {"id": "z", "name": "Z", "controller": "a", "start": "2001-01-01", "certainty": "assessed",
                       "sources": ["s"]}}


def test_areas_use_a_projection_for_the_dataset_region(tmp_path):
    # A 1x1 degree square near Lima: UTM 18S (EPSG:32718), not the built-in UTM 48N.
    layers = _minimal([-78.0, -13.0, -76.0, -11.0]) | {"zones.geojson": [_square_zone(-77.5, -12.5)]}
    ds = load_dataset(write_layers(tmp_path / "peru", layers))
    assert ds.meta.metric_crs == "EPSG:32718"
    assert ds.zones.loc["z", "area_km2"] == pytest.approx(111.3 * 108.7, rel=0.01)


def test_metric_crs_from_dataset_json_wins_and_is_checked(tmp_path):
    ds = load_dataset(write_layers(tmp_path / "given", _minimal([102, 12, 104, 14], metric_crs="EPSG:32647")))
    assert ds.meta.metric_crs == "EPSG:32647"
    errors = validate_path(write_layers(tmp_path / "deg", _minimal([102, 12, 104, 14], metric_crs="EPSG:4326"))).errors
    assert [(e.file, e.field) for e in errors] == [("dataset.json", "metric_crs")] and "projected" in errors[0].message


def test_default_date_and_slug_come_from_dataset_json_or_are_derived(tmp_path):
    derived = load_dataset(write_layers(tmp_path / "d", _minimal([102, 12, 104, 14]))).meta
    assert (derived.default_date, derived.opening_day, derived.slug) == (None, date(2001, 1, 1), "elsewhere-a-test-2001")
    given = load_dataset(write_layers(tmp_path / "g", _minimal([102, 12, 104, 14], default_date="2001-06-02",
                                                               slug="my-atlas"))).meta
    assert (given.opening_day, given.slug) == (date(2001, 6, 2), "my-atlas")
    errors = validate_path(write_layers(tmp_path / "b", _minimal([102, 12, 104, 14], default_date="2003-01-01"))).errors
    assert [(e.field, "outside" in e.message) for e in errors] == [("default_date", True)]


def test_no_faction_is_required_by_the_engine_but_a_dataset_may_require_some(tmp_path):
    report = validate_path(write_layers(tmp_path / "free", _minimal([102, 12, 104, 14])))
    assert report.ok and not report.problems  # no 'government' or 'khmer_rouge' needed
    errors = validate_path(write_layers(tmp_path / "req", _minimal([102, 12, 104, 14],
                                                                   required_factions=["a", "c"]))).errors
    assert [(e.file, e.field, "'c'" in e.message) for e in errors] == [("factions.json", "factions", True)]


def test_home_countries_are_derived_from_the_places(tiny_dir):
    assert load_dataset(tiny_dir).meta.countries == ("KH",)


def test_builtin_dataset_json_carries_its_configuration():
    doc = json.loads((ROOT / "geodata" / "dataset.json").read_text(encoding="utf-8"))
    assert (doc["metric_crs"], doc["default_date"], doc["slug"]) == ("EPSG:32648", "1994-04-19", "pailin-atlas")
