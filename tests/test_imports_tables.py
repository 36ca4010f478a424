"""CSV imports: ACLED and UCDP GED layouts, dates as historians write them, geocoding, coordinates, CRS."""

from __future__ import annotations

import json
from pathlib import Path

from layers.data.catalog import load_dataset, validate_path
from layers.imports import Mapping, detect, import_files, write_dataset
from layers.imports.convert import OKABE_ITO

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def _by_id(result, layer):
    return {f["id"]: f for f in result.features.get(layer, [])}


def _valid(result, tmp_path):
    out = write_dataset(result, tmp_path / "out")
    report = validate_path(out)
    assert report.ok, [str(p) for p in report.errors]
    return out


def test_acled_layout(tmp_path):
    [layer] = detect([FIXTURES / "acled_fictional.csv"])
    assert (layer.suggested.convention, layer.suggested.kind, layer.suggested.date) == ("acled", "event", "event_date")
    result = import_files([FIXTURES / "acled_fictional.csv"])
    events = _by_id(result, "events")
    assert {k: v["properties"]["date"] for k, v in events.items()} == {
        "FIC1": "1994-04-19", "FIC2": "1994-05-02~", "FIC3": "1994-06"}
    clash = events["FIC1"]["properties"]
    assert clash["kind"] == "battle" and clash["certainty"] == "exact"
    assert clash["figures"] == [{"what": "fatalities (ACLED)", "value": 12, "approx": False,
                                 "sources": ["import_acled_fictional_csv"]}]
    assert clash["actors"] == ["Side A", "Side B"] and clash["factions"] == ["side_a", "side_b"]
    assert events["FIC3"]["properties"]["kind"] == "capture"  # non-state actor overtakes territory
    assert events["FIC3"]["properties"]["certainty"] == "approximate"  # geo_precision 3
    assert events["FIC2"]["geometry"]["coordinates"] == (103.1982, 13.1027)
    [skipped] = result.skipped  # the impossible date, named with its line and field, and only that row
    assert (skipped.file, skipped.feature, skipped.field) == ("acled_fictional.csv", "line 5", "event_date")
    out = _valid(result, tmp_path)
    factions = json.loads((out / "factions.json").read_text())["factions"]
    assert [f["color"] for f in factions] == list(OKABE_ITO[:len(factions)])
    [source] = json.loads((out / "sources.json").read_text())["sources"]
    assert source["title"] is None and source["kind"] == "dataset" and "ACLED" in source["describe"]
    meta = json.loads((out / "dataset.json").read_text())
    assert (meta["start"], meta["end"]) == ("1994-04-19", "1994-06-30")
    w, s, e, n = meta["region"]
    assert w < 102.6093 < e and s < 12.849 < n and w < 103.1982 < e and s < 13.5859 < n


def test_ucdp_ged_layout(tmp_path):
    result = import_files([FIXTURES / "ucdp_ged_fictional.csv"])
    events = _by_id(result, "events")
    assert {k: v["properties"]["date"] for k, v in events.items()} == {
        "900001": "1994-04-19", "900002": "1994-05", "900003": "[1994-06-03..1994-06-06]"}
    first = events["900001"]["properties"]
    assert [(f["what"], f["value"]) for f in first["figures"]] == [
        ("deaths, best estimate (UCDP)", 12), ("deaths, low estimate (UCDP)", 10), ("deaths, high estimate (UCDP)", 15)]
    assert events["900002"]["properties"]["certainty"] == "approximate"  # where_prec 2
    assert events["900003"]["properties"]["kind"] == "attack"  # one-sided violence
    assert "one day between" in events["900003"]["properties"]["note"]
    _valid(result, tmp_path)


def test_dates_as_written_and_geocoded_place_names(tmp_path):
    result = import_files([FIXTURES / "historian_places.csv"])
    events = list(result.features["events"])
    by_place = {e["properties"]["attributes"]["place"]: e for e in events}
    pailin = by_place["Pailin"]["properties"]
    assert (pailin["date"], pailin["date_part"]) == ("1994-04", "late")
    assert pailin["geonames_id"] == 1830205 and pailin["geocode"]["score"] == 1.0
    assert pailin["title"] == "Counter-attack reaches the town"
    assert by_place["Sisophon"]["properties"]["date"] == "1994-01~"
    assert by_place["Battambang"]["properties"]["date"] == "1993-05"
    samlot = by_place["Samlot"]["properties"]  # fuzzy: GeoNames spells it Samlout
    assert samlot["certainty"] == "unverified" and samlot["geocode"]["score"] < 1
    assert samlot["date_time"] == "1994-03-19T14:30:00+07:00" and samlot["date"] == "1994-03-19"
    # The gazetteer does not know this place: kept as an event without a place, and listed.
    nowhere = by_place["Nowhereville Fictional"]
    assert nowhere["geometry"] is None
    assert any(p.feature == "line 6" and p.field == "place" for p in result.problems)
    out = _valid(result, tmp_path)
    ds = load_dataset(out)
    assert ds.events.loc[pailin["id"], "date_part"] == "late"


def test_untimed_points_are_timeless_places(tmp_path):
    result = import_files([FIXTURES / "untimed_places.csv"], start="1990-01-01", end="1999-12-31")
    places = _by_id(result, "places")
    assert len(places) == 3 and not result.features.get("events")
    assert places["untimed_places_1"]["properties"]["kind"] == "base"
    assert places["untimed_places_3"]["properties"]["kind"] == "town"  # default, reported
    assert {p["properties"]["country"] for p in places.values()} == {None}  # the file names none
    assert any(p.field == "kind" and p.severity == "warning" for p in result.problems)
    out = _valid(result, tmp_path)
    meta = json.loads((out / "dataset.json").read_text())
    assert (meta["start"], meta["end"]) == ("1990-01-01", "1999-12-31")


def test_a_place_whose_file_names_no_country_claims_none(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("name,lat,lon,country\nFictional post,12.9,102.7,th\nFictional hut,13.0,102.8,\n"
                    "Fictional well,13.1,102.9,\n",
                    encoding="utf-8")
    result = import_files([path], Mapping(kind="place"), start="1990-01-01", end="1995-12-31")
    countries = {f["id"]: f["properties"]["country"] for f in result.features["places"]}
    assert countries == {"mixed_1": "TH", "mixed_2": None, "mixed_3": None}  # null: not known, never a made-up code
    out = _valid(result, tmp_path)
    assert load_dataset(out).meta.countries == ("TH",)  # the commonest known one: "not known" is no country
    places = json.loads((out / "places.geojson").read_text())
    del places["features"][1]["properties"]["country"]  # null must be written out, not left out
    (out / "places.geojson").write_text(json.dumps(places), encoding="utf-8")
    assert [p.field for p in validate_path(out).errors] == ["country"]


def test_range_from_dates_before_the_slider_starts_where_the_slider_can_go(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text("name,lat,lon,date\nFictional siege,12.9,102.7,1558\nFictional raid,13.0,102.8,1994-04-19\n",
                    encoding="utf-8")
    result = import_files([path], Mapping(kind="event"))
    assert (result.start, result.end) == ("1684-07-29", "1994-04-19")
    assert any(p.field == "start" and "1558-01-01" in p.message for p in result.problems)
    assert set(_by_id(result, "events")) == {"old_1", "old_2"}  # the old event is kept
    _valid(result, tmp_path)
    given = import_files([path], Mapping(kind="event"), start="1990-01-01")
    assert given.start == "1990-01-01" and not any(p.field == "start" for p in given.problems)


def test_controller_of_untimed_places_holds_from_the_dataset_start(tmp_path):
    path = tmp_path / "held.csv"
    path.write_text("name,lat,lon,held_by,kind\nFictional post,12.9,102.7,Side A,base\n"
                    "Dated post,13.0,102.8,Side B,base\n", encoding="utf-8")
    result = import_files([path], Mapping(kind="place"), start="1990-01-01", end="1995-12-31")
    [first, _] = result.features["places"]
    assert first["properties"]["control"] == [{"controller": "side_a", "certainty": "assessed",
                                               "sources": ["import_held_csv"], "start": "1990-01-01"}]
    _valid(result, tmp_path)


def test_projected_coordinates_without_a_crs_are_refused_and_with_one_reprojected(tmp_path):
    path = tmp_path / "utm.csv"
    path.write_text("name,x,y,date\nFictional point,240525.1,1421641.7,1994-04-19\n", encoding="utf-8")
    refused = import_files([path], Mapping(lat="y", lon="x"))
    assert not refused.feature_count
    assert any(p.field == "crs" and "not degrees" in p.message and "--crs" in p.fix for p in refused.problems)
    result = import_files([path], Mapping(lat="y", lon="x", crs="EPSG:32648"))
    lon, lat = result.features["events"][0]["geometry"]["coordinates"]
    assert abs(lon - 102.6093) < 1e-5 and abs(lat - 12.849) < 1e-5  # Pailin


def test_wkt_column_and_swapped_coordinates(tmp_path):
    path = tmp_path / "wkt.csv"
    path.write_text('name,wkt,start,end,controller\nFictional zone,"POLYGON ((102.5 12.5, 102.9 12.5, 102.9 12.9, '
                    '102.5 12.5))",1994-03,1994-05,Side A\n', encoding="utf-8")
    result = import_files([path])
    [zone] = result.features["zones"]
    assert zone["geometry"]["type"] == "Polygon"
    assert (zone["properties"]["start"], zone["properties"]["end"]) == ("1994-03", "1994-05")
    assert zone["properties"]["controller"] == "side_a"
    _valid(result, tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,lat,lon,date\nSwapped,102.6,12.8,1994-04-19\nFine,12.8,102.6,1994-04-20\n", encoding="utf-8")
    result = import_files([bad])
    assert [e["properties"]["title"] for e in result.features["events"]] == ["Fine"]
    [problem] = result.skipped
    assert problem.feature == "line 2" and "swapped" in problem.fix


def test_spreadsheet_formula_guard_is_undone(tmp_path):
    path = tmp_path / "guarded.csv"
    path.write_text("name,lat,lon,date\n'-Fictional,12.8,102.6,1994-04-19\n", encoding="utf-8")
    [event] = import_files([path]).features["events"]
    assert event["properties"]["title"] == "-Fictional"


def test_ambiguous_numeric_dates_ask_for_day_first(tmp_path):
    path = tmp_path / "dm.csv"
    path.write_text("name,lat,lon,date\nA,12.8,102.6,02/03/1994\n", encoding="utf-8")
    result = import_files([path])
    assert not result.feature_count and "--day-first" in result.skipped[0].message
    [event] = import_files([path], Mapping(day_first=True)).features["events"]
    assert event["properties"]["date"] == "1994-03-02"


def test_a_chosen_field_that_does_not_exist_is_reported(tmp_path):
    result = import_files([FIXTURES / "untimed_places.csv"], Mapping(date="when"))
    assert not result.feature_count
    assert any(p.field == "date" and "'when'" in p.message and "latitude" in p.fix for p in result.problems)
