"""GeoPackage, KML and CSV exports: what they hold, and that importing them gives the same features back."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

import pyogrio
import pytest
import shapely

from layers.data.catalog import load_dataset, validate_path
from layers.data.dates import parse_date
from layers.exports.export_formats import LAYER_TABLES, csv_cell, dataset_bytes, state_bytes
from layers.imports import import_files, write_dataset
from layers.engine.timeline import Timeline

KML = "{http://www.opengis.net/kml/2.2}"


def _with_precisions(layers: dict) -> None:
    """The tiny dataset plus every date form the atlas writes: parts, one-of sets, qualifiers, intervals."""
    events = layers["events.geojson"]
    # Cited for events up to 1997: a source must not predate what it reports (the tiny 'news' is May 1994).
    layers["sources.json"]["sources"].append({"id": "review_1998", "title": None, "describe": "News review of the "
                                              "year", "kind": "news", "date": "1998-01"})
    point = {"type": "Point", "coordinates": [102.6, 12.6]}
    for fid, props in [
        ("ev_late_april", {"date": "1994-04", "date_part": "late"}),
        ("ev_one_of", {"date": "[1994-05-09..1994-12-16]"}),
        ("ev_around", {"date": "1994-01~"}),
        ("ev_two_days", {"date": "1997-07-05/1997-07-06"}),
        ("ev_year_uncertain", {"date": "1995?"}),
    ]:
        events.append({"type": "Feature", "id": fid, "geometry": point,
                       "properties": {"id": fid, "title": f"Event {fid}", "kind": "battle", "certainty": "approximate",
                                      "sources": ["review_1998"], **props}})
    zone = layers["zones.geojson"][1]["properties"]
    zone["start"], zone["start_part"] = "1989-09", "mid"
    layers["zones.geojson"][0]["properties"]["name"] = "=HYPERLINK(\"http://127.0.0.1:9\")"  # a formula


@pytest.fixture
def precise_dir(make_dataset) -> Path:
    path = make_dataset(_with_precisions)
    assert validate_path(path).ok
    return path


def _summary(directory: Path) -> dict[str, tuple]:
    ds = load_dataset(directory)
    out = {}
    for table in LAYER_TABLES.values():
        frame = getattr(ds, table)
        for fid, row in frame.iterrows():
            dates = []
            for name in ("date", "start", "end"):
                value = row.get(name)
                part = row.get(f"{name}_part")
                part = part if isinstance(part, str) else None
                dates.append((name, value, part, parse_date(value, part).precision if isinstance(value, str) else None))
            out[fid] = (table, tuple(dates), row.get("certainty"), row.get("controller"),
                        row.get("kind") if table in ("events", "places") else None,
                        shapely.normalize(shapely.set_precision(row.geometry, 1e-6)).wkt if row.geometry is not None else None)
    return out


@pytest.mark.parametrize("fmt", ["gpkg", "kml", "csv"])
def test_round_trip_keeps_ids_dates_precision_and_geometry(precise_dir, tmp_path, fmt):
    original = _summary(precise_dir)
    exported = tmp_path / f"tiny.{fmt}"
    exported.write_bytes(dataset_bytes(load_dataset(precise_dir), fmt))
    result = import_files([exported])
    assert not result.skipped, [str(p) for p in result.skipped]
    back_dir = write_dataset(result, tmp_path / "back")
    report = validate_path(back_dir)
    assert report.ok, [str(p) for p in report.errors]
    back = _summary(back_dir)
    assert set(back) == set(original)
    for fid, expected in original.items():
        assert back[fid] == expected, fid
    assert original["ev_late_april"][1][0] == ("date", "1994-04", "late", "month")  # the test has teeth


def _history(directory: Path, place: str) -> list[tuple]:
    return [(c["controller"], c["start"], c.get("end"), c["certainty"], bool(c.get("enclave")))
            for c in load_dataset(directory).places.loc[place, "control"]]


@pytest.mark.parametrize("fmt", ["gpkg", "kml"])
def test_round_trip_keeps_a_places_control_history(precise_dir, tmp_path, fmt):
    exported = tmp_path / f"tiny.{fmt}"
    exported.write_bytes(dataset_bytes(load_dataset(precise_dir), fmt))
    back_dir = write_dataset(import_files([exported]), tmp_path / "back")
    assert validate_path(back_dir).ok
    assert _history(back_dir, "town") == _history(precise_dir, "town")
    assert _history(precise_dir, "town")[1] == ("government", "1994-03-19", "1994-04-19", "assessed", True)
    assert _history(back_dir, "village") == []  # no history, and no faction named '[]'
    assert "[]" not in {f["name"] for f in json.loads((back_dir / "factions.json").read_text())["factions"]}


def test_round_trip_of_the_builtin_dataset(tmp_path):
    original = _summary(Path("geodata"))
    for fmt in ("gpkg", "kml", "csv"):
        exported = tmp_path / f"atlas.{fmt}"
        exported.write_bytes(dataset_bytes(load_dataset(), fmt))
        back_dir = write_dataset(import_files([exported]), tmp_path / f"back_{fmt}")
        assert validate_path(back_dir).ok, fmt
        back = _summary(back_dir)
        assert back == original, (fmt, [k for k in original if back.get(k) != original[k]][:5])


def test_kml_has_timestamps_and_timespans_in_their_precision(precise_dir):
    root = ET.fromstring(dataset_bytes(load_dataset(precise_dir), "kml"))
    marks = {m.get("id"): m for m in root.iter(f"{KML}Placemark")}
    assert marks["ev_may93"].find(f"{KML}TimeStamp/{KML}when").text == "1993-05"  # no invented day
    assert marks["ev_around"].find(f"{KML}TimeStamp/{KML}when").text == "1994-01"  # KML has no '~'
    span = marks["ev_two_days"].find(f"{KML}TimeSpan")
    assert (span.find(f"{KML}begin").text, span.find(f"{KML}end").text) == ("1997-07-05", "1997-07-06")
    zone = marks["kr_west"].find(f"{KML}TimeSpan")
    assert (zone.find(f"{KML}begin").text, zone.find(f"{KML}end").text) == ("1989-10-23", "1996-08-09")
    open_zone = marks["gov_east"].find(f"{KML}TimeSpan")
    assert open_zone.find(f"{KML}begin").text == "1989-09" and open_zone.find(f"{KML}end") is None
    assert marks["town"].find(f"{KML}TimeSpan") is None and marks["town"].find(f"{KML}TimeStamp") is None
    data = {d.get("name"): d.find(f"{KML}value").text for d in marks["ev_late_april"].iter(f"{KML}Data")}
    assert (data["date"], data["date_part"]) == ("1994-04", "late")
    assert b"http" not in ET.tostring(root).replace(b"http://www.opengis.net/kml/2.2", b"").replace(
        b"http://127.0.0.1:9", b"")  # no remote icon or style


def test_kml_opens_in_gdal_with_one_layer_per_kind(precise_dir, tmp_path):
    path = tmp_path / "tiny.kml"
    path.write_bytes(dataset_bytes(load_dataset(precise_dir), "kml"))
    assert {str(n) for n, _ in pyogrio.list_layers(path)} == {"zones", "frontlines", "places", "events"}


def test_gpkg_tables_and_text_dates(precise_dir, tmp_path):
    path = tmp_path / "tiny.gpkg"
    path.write_bytes(dataset_bytes(load_dataset(precise_dir), "gpkg"))
    assert {str(n) for n, _ in pyogrio.list_layers(path)} == {"zones", "frontlines", "places", "events"}
    events = pyogrio.read_dataframe(path, layer="events").set_index("id")
    assert events.loc["ev_late_april", "date"] == "1994-04" and events.loc["ev_late_april", "date_part"] == "late"
    assert events.loc["ev_may93", "geometry"] is None
    assert json.loads(events.loc["ev_taken", "sources"]) == ["doc"]


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+A1", "'+A1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Pailin", "Pailin"), (-102.5, -102.5), (None, ""), (["a", "=b"], "a;=b"),
])
def test_csv_cells_cannot_run_as_formulas(value, expected):
    assert csv_cell(value) == expected


def test_csv_export_guards_formulas_and_keeps_numbers(precise_dir):
    rows = list(csv.DictReader(io.StringIO(dataset_bytes(load_dataset(precise_dir), "csv").decode())))
    zone = next(r for r in rows if r["id"] == "kr_west")
    assert zone["name"].startswith("'=HYPERLINK")
    town = next(r for r in rows if r["id"] == "town")
    assert (float(town["lon"]), float(town["lat"])) == (102.5, 12.5) and town["wkt"] == ""
    assert zone["wkt"].startswith("POLYGON")


def test_state_export_holds_what_is_in_force_that_day(precise_dir, tmp_path):
    ds = load_dataset(precise_dir)
    state = Timeline(ds).state_on(date(1994, 3, 25))
    rows = list(csv.DictReader(io.StringIO(state_bytes(state, "csv").decode())))
    ids = {r["id"] for r in rows}
    assert {"kr_west", "gov_east", "town", "ev_taken"} <= ids
    assert "front_1994" not in ids and "ev_two_days" not in ids  # not yet / not near that day
    town = next(r for r in rows if r["id"] == "town")
    assert town["controller"] == "government" and town["controller_since"] == "1994-03-19"
    path = tmp_path / "state.kml"
    path.write_bytes(state_bytes(state, "kml"))
    root = ET.fromstring(path.read_bytes())
    assert root.find(f"{KML}Document/{KML}name").text.endswith("1994-03-25")
    gpkg = tmp_path / "state.gpkg"
    gpkg.write_bytes(state_bytes(state, "gpkg"))
    assert set(pyogrio.read_dataframe(gpkg, layer="places")["id"]) == {"town", "village"}
