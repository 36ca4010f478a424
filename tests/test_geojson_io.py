import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from layers.data.geojson_io import read_feature_collection, write_feature_collection


def _read(tmp_path: Path, content) -> list[str]:
    path = tmp_path / "layer.geojson"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return read_feature_collection(path, "layer.geojson")


def _fc(geometry, **props):
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "id": "f1", "geometry": geometry, "properties": {"id": "f1", **props}}]}


BAD_GEOJSON = [
    ("{not json", "not valid JSON"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", '
     '"coordinates": [NaN, 1]}, "properties": {}}]}', "NaN"),
    ({"type": "featurecollection", "features": []}, "not 'FeatureCollection'"),
    ({"type": "FeatureCollection"}, "'features' is missing"),
    (_fc({"type": "Point", "coordinates": [13.2, 200.0]}), "outside longitude"),
    (_fc({"type": "Point", "coordinates": ["102.5", 12.5]}), "not a number"),
    (_fc({"type": "Point", "coordinates": [102.5, 12.5, 1, 2]}), "at most 3"),
    (_fc({"type": "LineString", "coordinates": [[102.5, 12.5]]}), "fewer than 2"),
    (_fc({"type": "Polygon", "coordinates": [[[102, 12], [103, 12], [103, 13], [102, 12.5]]]}), "not closed"),
    (_fc({"type": "Polygon", "coordinates": [[[102, 12], [103, 12], [102, 12]]]}), "at least 4"),
    (_fc({"type": "Polygon", "coordinates": [[[102, 12], [103, 13], [103, 12], [102, 13], [102, 12]]]}),
     "Self-intersection"),
    (_fc({"type": "Circle", "coordinates": [102, 12]}), "not one of"),
    (_fc({"type": "Polygon", "coordinates": [102, 12]}), "nested"),
]


@pytest.mark.parametrize("content, needle", BAD_GEOJSON)
def test_bad_input_gets_a_message_naming_file_feature_and_field(tmp_path, content, needle):
    result = _read(tmp_path, content)
    errors = [p for p in result.problems if p.severity == "error"]
    assert errors, "expected an error"
    assert any(needle in p.message for p in errors), [str(p) for p in errors]
    assert all(p.file == "layer.geojson" and p.fix for p in errors)


def test_lat_lon_swap_is_suggested(tmp_path):
    result = _read(tmp_path, _fc({"type": "Point", "coordinates": [12.8, 102.6]}))
    assert any("[lat, lon]" in p.message and p.feature == "f1" and p.field == "geometry" for p in result.problems)


def test_clockwise_polygon_is_a_warning_not_an_error(tmp_path):
    result = _read(tmp_path, _fc({"type": "Polygon", "coordinates": [[[102, 12], [102, 13], [103, 13], [103, 12], [102, 12]]]}))
    assert [p.severity for p in result.problems] == ["warning"]
    assert len(result.features) == 1


def test_legacy_crs_is_an_error_unless_wgs84(tmp_path):
    doc = _fc({"type": "Point", "coordinates": [102.5, 12.5]})
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32648"}}
    assert any(p.severity == "error" and p.field == "crs" for p in _read(tmp_path, doc).problems)
    doc["crs"]["properties"]["name"] = "urn:ogc:def:crs:OGC:1.3:CRS84"
    assert all(p.severity == "warning" for p in _read(tmp_path, doc).problems)


def test_single_feature_is_read_with_a_warning(tmp_path):
    result = _read(tmp_path, {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}, "properties": {}})
    assert len(result.features) == 1 and result.problems[0].severity == "warning"


def test_null_geometry_is_kept(tmp_path):
    result = _read(tmp_path, _fc(None))
    assert len(result.features) == 1 and result.features[0].geometry is None


def test_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.geojson"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_fc({"type": "Point", "coordinates": [1, 2]})).encode())
    assert not read_feature_collection(path, "bom.geojson").problems


coordinate = st.floats(min_value=-179, max_value=179, allow_nan=False)
json_values = st.recursive(st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=5),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
                           max_leaves=12)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=150)
@given(json_values)
def test_any_json_document_is_read_or_explained(tmp_path, value):
    result = _read(tmp_path, value)
    for problem in result.problems:
        assert problem.file == "layer.geojson" and problem.message and problem.fix


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=50)
@given(st.lists(st.tuples(coordinate, st.floats(min_value=-89, max_value=89, allow_nan=False)), min_size=1, max_size=20))
def test_points_round_trip(tmp_path, points):
    features = [{"type": "Feature", "id": f"p{i}", "geometry": {"type": "Point", "coordinates": [x, y]},
                 "properties": {"id": f"p{i}"}} for i, (x, y) in enumerate(points)]
    path = tmp_path / "pts.geojson"
    write_feature_collection(path, features)
    result = read_feature_collection(path, "pts.geojson")
    assert not result.problems
    assert [(f.geometry.x, f.geometry.y) for f in result.features] == points
