import json
from datetime import date

from layers.data.catalog import load_dataset
from layers.exports.export_geojson import state_feature_collection, state_geojson_bytes
from layers.data.geojson_io import read_feature_collection
from layers.engine.timeline import Timeline


def _state(tiny_dir, day):
    return Timeline(load_dataset(tiny_dir)).state_on(day)


def test_state_geojson_is_valid_rfc7946_and_carries_control(tmp_path, tiny_dir):
    state = _state(tiny_dir, date(1994, 3, 25))
    path = tmp_path / "snapshot.geojson"
    path.write_bytes(state_geojson_bytes(state))
    result = read_feature_collection(path, "snapshot.geojson")
    assert not [p for p in result.problems if p.severity == "error"], [str(p) for p in result.problems]
    doc = json.loads(path.read_text())
    by_id = {f["id"]: f["properties"] for f in doc["features"]}
    assert by_id["town"]["controller"] == "government" and by_id["town"]["controller_since"] == "1994-03-19"
    assert by_id["kr_west"]["layer"] == "zone" and by_id["kr_west"]["sources"] == ["doc"]
    assert by_id["ev_taken"]["date"] == "1994-03-19"
    assert doc["date"] == "1994-03-25" and "doc" in doc["sources"]
    assert all(f["properties"]["sources"] for f in doc["features"])


def test_bbox_clips_to_the_view(tiny_dir):
    state = _state(tiny_dir, date(1994, 3, 25))
    doc = state_feature_collection(state, bbox=(102.0, 12.0, 102.8, 13.0))
    ids = {f["id"] for f in doc["features"]}
    assert "town" in ids and "village" not in ids and "gov_east" not in ids
    assert doc["bbox_filter"] == [102.0, 12.0, 102.8, 13.0]


def test_two_dates_differ(tiny_dir):
    a = state_geojson_bytes(_state(tiny_dir, date(1994, 3, 25)))
    b = state_geojson_bytes(_state(tiny_dir, date(1994, 5, 1)))
    assert a != b and a == state_geojson_bytes(_state(tiny_dir, date(1994, 3, 25)))
