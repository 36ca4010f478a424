"""GIS files written by another tool (GDAL's ogr2ogr) from GeoJSON the tests write, imported back."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pyogrio
import pytest

from layers.data.catalog import load_dataset, validate_path
from layers.imports import Mapping, detect, import_files, write_dataset

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
OGR2OGR = shutil.which("ogr2ogr")


def ogr2ogr(*args: str | Path) -> None:
    assert OGR2OGR, "ogr2ogr is missing: run bash tests/setup.sh (gdal-bin)"
    subprocess.run([OGR2OGR, *map(str, args)], check=True, capture_output=True, timeout=120)


def _feature(geometry, **props):
    return {"type": "Feature", "geometry": geometry, "properties": props}


SQUARE = {"type": "Polygon", "coordinates": [[[102.5, 12.7], [102.8, 12.7], [102.8, 12.95], [102.5, 12.95],
                                              [102.5, 12.7]]]}


@pytest.fixture
def source(tmp_path) -> Path:
    """A layer as a QGIS user might draw it: a dated zone, dated and undated points, HTML in a description."""
    doc = {"type": "FeatureCollection", "features": [
        _feature(SQUARE, name="Fictional pocket", held_by="Side A", start="1994-03-19", end="1994-04"),
        _feature({"type": "Point", "coordinates": [102.6093, 12.849]}, name="Fictional clash",
                 timestamp="1993-05", description="<p>Fictional <script>alert(1)</script><b>clash</b></p>"),
        _feature({"type": "Point", "coordinates": [103.1982, 13.1027]}, name="Fictional depot"),
    ]}
    path = tmp_path / "drawn.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _valid(result, tmp_path):
    assert result.feature_count
    out = write_dataset(result, tmp_path / "out")
    report = validate_path(out)
    assert report.ok, [str(p) for p in report.errors]
    return out


def test_geopackage(source, tmp_path):
    path = tmp_path / "drawn.gpkg"
    ogr2ogr("-f", "GPKG", path, source, "-nln", "drawn")
    [layer] = detect([path])
    assert layer.key == "drawn.gpkg:drawn" and layer.suggested.date == "start" and layer.suggested.controller == "held_by"
    result = import_files([path])
    [zone] = result.features["zones"]
    assert (zone["properties"]["start"], zone["properties"]["end"]) == ("1994-03-19", "1994-04")
    assert zone["properties"]["controller"] == "side_a"
    # The point's own date field (not the one the zone uses) still makes it an event, in its precision.
    [event] = result.features["events"]
    assert (event["properties"]["title"], event["properties"]["date"]) == ("Fictional clash", "1993-05")
    assert [p["properties"]["name"] for p in result.features["places"]] == ["Fictional depot"]
    _valid(result, tmp_path)


def test_zipped_shapefile_is_reprojected(source, tmp_path):
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    ogr2ogr("-f", "ESRI Shapefile", shp_dir / "zones.shp", source, "-t_srs", "EPSG:32648",
            "-where", "name = 'Fictional pocket'")
    archive = tmp_path / "zones.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for member in shp_dir.iterdir():
            zf.write(member, member.name)
    [layer] = detect([archive])
    assert "32648" in (layer.crs or "")
    result = import_files([archive])
    [zone] = result.features["zones"]
    xs = [x for x, _ in zone["geometry"]["coordinates"][0]]
    ys = [y for _, y in zone["geometry"]["coordinates"][0]]
    assert abs(min(xs) - 102.5) < 1e-5 and abs(max(ys) - 12.95) < 1e-5  # back in lon/lat
    _valid(result, tmp_path)


def test_shapefile_without_crs_and_not_degrees_is_refused(source, tmp_path):
    ogr2ogr("-f", "ESRI Shapefile", tmp_path / "zones.shp", source, "-t_srs", "EPSG:32648",
            "-where", "name = 'Fictional pocket'")
    (tmp_path / "zones.prj").unlink()
    archive = tmp_path / "noprj.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for ext in ("shp", "shx", "dbf"):
            zf.write(tmp_path / f"zones.{ext}", f"zones.{ext}")
    result = import_files([archive])
    assert not result.feature_count
    problem = next(p for p in result.problems if p.field == "crs")
    assert problem.file == "noprj.zip" and "not degrees" in problem.message and "--crs" in problem.fix
    assert import_files([archive], Mapping(crs="EPSG:32648")).feature_count == 1


def test_kml_times_keep_the_precision_written(source, tmp_path):
    path = tmp_path / "drawn.kml"
    ogr2ogr("-f", "LIBKML", path, source)
    assert "<when>1993-05</when>" in path.read_text()
    # GDAL alone turns the month into its first day at midnight, an invented day:
    frame = pyogrio.read_dataframe(path)
    assert str(frame.loc[frame["Name"] == "Fictional clash", "timestamp"].iloc[0]).startswith("1993-05-01")
    result = import_files([path])
    [event] = result.features["events"]
    assert event["properties"]["date"] == "1993-05"
    assert "<script" not in json.dumps(event) and "<b>clash</b>" in event["properties"]["description_html"]
    _valid(result, tmp_path)


def test_kmz(source, tmp_path):
    path = tmp_path / "drawn.kmz"
    ogr2ogr("-f", "LIBKML", path, source)
    with zipfile.ZipFile(path) as zf:
        assert any(n.endswith(".kml") for n in zf.namelist())
    result = import_files([path])
    assert [e["properties"]["date"] for e in result.features["events"]] == ["1993-05"]


def test_gpx_track_with_negative_latitudes_and_longitudes(tmp_path):
    points = {"type": "FeatureCollection", "features": [
        _feature({"type": "Point", "coordinates": [-70.60, -33.45]}, track_fid=0, track_seg_id=0,
                 time="1994-04-19T06:00:00Z"),
        _feature({"type": "Point", "coordinates": [-70.62, -33.47]}, track_fid=0, track_seg_id=0,
                 time="1994-04-19T09:30:00Z"),
        _feature({"type": "Point", "coordinates": [-70.65, -33.50]}, track_fid=0, track_seg_id=0,
                 time="1994-04-20T07:00:00Z"),
        _feature({"type": "Point", "coordinates": [-70.70, -33.52]}, track_fid=0, track_seg_id=0,
                 time="1994-04-21T07:00:00Z")]}
    waypoints = {"type": "FeatureCollection", "features": [
        _feature({"type": "Point", "coordinates": [-70.61, -33.44]}, name="Camp", time="1994-04-19T05:00:00Z"),
        _feature({"type": "Point", "coordinates": [-70.66, -33.49]}, name="Spring")]}
    (tmp_path / "tp.geojson").write_text(json.dumps(points))
    (tmp_path / "wp.geojson").write_text(json.dumps(waypoints))
    ogr2ogr("-f", "GPKG", tmp_path / "s.gpkg", tmp_path / "tp.geojson", "-nln", "track_points")
    ogr2ogr("-f", "GPKG", "-update", tmp_path / "s.gpkg", tmp_path / "wp.geojson", "-nln", "waypoints")
    gpx = tmp_path / "trip.gpx"
    ogr2ogr("-f", "GPX", gpx, tmp_path / "s.gpkg", "waypoints", "track_points")
    result = import_files([gpx])
    steps = sorted(result.features["routes"], key=lambda f: f["properties"]["start"])
    # One feature per day: the track as far as it had come, in force until the next day's step.
    assert [(s["properties"]["start"], s["properties"].get("end")) for s in steps] == [
        ("1994-04-19", "1994-04-20"), ("1994-04-20", "1994-04-21"), ("1994-04-21", None)]
    assert [len(s["geometry"]["coordinates"]) for s in steps] == [2, 3, 4]
    assert steps[-1]["geometry"]["coordinates"][-1] == (-70.7, -33.52)
    assert steps[0]["properties"]["time_last"] == "1994-04-19T09:30:00+00:00"
    [camp] = result.features["events"]
    assert camp["geometry"]["coordinates"] == (-70.61, -33.44) and camp["properties"]["date"] == "1994-04-19"
    [spring] = result.features["places"]
    assert spring["properties"]["name"] == "Spring"
    out = _valid(result, tmp_path)
    w, s, e, n = json.loads((out / "dataset.json").read_text())["region"]
    assert w < -70.7 and e > -70.6 and s < -33.52 and n > -33.44


def test_bare_feature_and_bare_geometry(tmp_path):
    feature = tmp_path / "one.geojson"
    feature.write_text(json.dumps(_feature({"type": "LineString", "coordinates": [[102.5, 12.5], [102.9, 12.9]]},
                                           name="Fictional track", start="1994", end="1995")))
    geometry = tmp_path / "geom.json"
    geometry.write_text(json.dumps({"type": "Point", "coordinates": [102.7, 12.7]}))
    result = import_files([feature, geometry], start="1994-01-01", end="1995-12-31")
    [route] = result.features["routes"]
    assert (route["properties"]["start"], route["properties"]["end"]) == ("1994", "1995")
    assert len(result.features["places"]) == 1
    _valid(result, tmp_path)


def test_timestamped_geojson_with_html_popups(tmp_path):
    path = FIXTURES / "timestamped_popups.geojson"
    result = import_files([path])
    events = {f["id"]: f for f in result.features["events"]}
    assert [events[k]["properties"]["date"] for k in ("pailin_popup_t1", "pailin_popup_t2")] == [
        "1994-04-19", "1994-04-25"]
    assert events["sightings_t1"]["properties"]["date_time"] == "1994-05-02T14:30:00+07:00"
    assert events["month_report"]["properties"]["date"] == "1994-05"
    routes = sorted(result.features["routes"], key=lambda f: f["properties"]["start"])
    assert [len(r["geometry"]["coordinates"]) for r in routes] == [2, 3, 4]  # epoch-ms times, two on day one
    [camp] = result.features["places"]
    assert camp["id"] == "camp"
    out = _valid(result, tmp_path)
    written = "".join(p.read_text() for p in out.iterdir())
    for banned in ("<script", "onerror", "onclick", "<img", "javascript:", "style=", "position:fixed",
                   "127.0.0.1:9", "iconUrl"):
        assert banned not in written, banned
    html = events["pailin_popup_t1"]["properties"]["description_html"]
    assert "<h2>Pailin (fictional popup)</h2>" in html and "<table>" in html and "<th>Side</th>" in html
    assert 'href="https://example.org/report"' in html
    assert any("icon" in (p.field or "") and p.severity == "warning" for p in result.problems)
    ds = load_dataset(out)
    assert len(ds.events) == 5 and ds.meta.start.isoformat() == "1994-04-19"
