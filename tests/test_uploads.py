"""A visitor's files turned into datasets (layers/imports/uploads.py): safe names, dataset zips, overlays."""

import json
from datetime import date
from pathlib import Path

import pytest

from layers.data.catalog import BUILTIN_DIR, load_dataset
from layers.engine.timeline import Timeline
from layers.imports.uploads import UploadedFile, import_uploads, is_dataset_zip, overlay, safe_name, save

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"


@pytest.mark.parametrize("name, expected", [
    ("events.csv", "events.csv"), ("../../etc/passwd", "passwd"), ("C:\\\\Users\\\\x\\\\a b.csv", "a_b.csv"),
    ("..", "upload"), ("<script>.kml", "script_.kml")])
def test_safe_names_never_leave_the_directory(name, expected):
    assert safe_name(name, set()) == expected


def test_two_files_of_one_name_are_both_kept(tmp_path):
    paths = save([UploadedFile("a.csv", b"1"), UploadedFile("a.csv", b"2")], tmp_path)
    assert [p.name for p in paths] == ["a.csv", "a_2.csv"] and all(p.parent == tmp_path for p in paths)


def test_an_import_laid_over_the_builtin_data_keeps_both(tmp_path):
    paths = save([UploadedFile("acled.csv", (FIXTURES / "acled_fictional.csv").read_bytes())], tmp_path / "in")
    imported = import_uploads(paths, None, tmp_path)
    assert imported.counts == {"events": 3}
    assert any(p.field == "event_date" and p.feature == "line 5" for p in imported.problems)
    mine = load_dataset(imported.directory)
    both = load_dataset(overlay(BUILTIN_DIR, imported.directory, tmp_path / "over"))
    builtin = load_dataset()
    assert len(both.events) == len(builtin.events) + len(mine.events)
    assert set(builtin.factions) < set(both.factions)
    state = Timeline(both).state_on(date(1994, 4, 19))
    assert "FIC1" in state.events.index and "ev_1994_04_19_pailin_retaken" in state.events.index


def test_ids_that_clash_are_renamed_with_their_references(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "dataset.json").write_text(json.dumps({"title": "x", "start": "1994-01-01", "end": "1994-12-31",
                                                   "region": [102, 12, 104, 14]}))
    (mine / "factions.json").write_text(json.dumps({"factions": [
        {"id": "government", "name": "Someone else", "color": "#000000"}]}))
    (mine / "sources.json").write_text(json.dumps({"sources": [{"id": "geonames", "title": None, "describe": "x",
                                                                "kind": "dataset"}]}))
    (mine / "places.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "pailin", "geometry": {"type": "Point", "coordinates": [102.6, 12.85]},
         "properties": {"id": "pailin", "name": "My Pailin", "kind": "town", "country": "KH",
                        "certainty": "exact", "sources": ["geonames"]}}]}))
    (mine / "events.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "e1", "geometry": {"type": "Point", "coordinates": [102.6, 12.85]},
         "properties": {"id": "e1", "date": "1994-04-19", "title": "x", "kind": "other", "certainty": "exact",
                        "sources": ["geonames"], "place_ids": ["pailin"], "factions": ["government"]}}]}))
    out = overlay(BUILTIN_DIR, mine, tmp_path / "over")
    places = {f["id"]: f for f in json.loads((out / "places.geojson").read_text())["features"]}
    events = {f["id"]: f for f in json.loads((out / "events.geojson").read_text())["features"]}
    assert places["mine:pailin"]["properties"]["sources"] == ["mine:geonames"]
    assert events["e1"]["properties"]["place_ids"] == ["mine:pailin"]
    assert events["e1"]["properties"]["factions"] == ["government"]  # the same id: the same faction


def test_a_dataset_zip_opens_without_a_mapping(tmp_path):
    paths = save([UploadedFile("acled.csv", (FIXTURES / "acled_fictional.csv").read_bytes())], tmp_path / "in")
    first = import_uploads(paths, None, tmp_path / "a")
    again = save([UploadedFile("my-layers.zip", first.zip_bytes)], tmp_path / "in2")
    assert is_dataset_zip(again[0])
    reopened = import_uploads(again, None, tmp_path / "b")
    assert len(load_dataset(reopened.directory).events) == 3


def test_a_visitors_layers_are_ringed_and_have_their_own_legend_entry(tmp_path):
    from layers.render import symbology as sym
    from layers.exports.export import snapshot_bytes
    from layers.render.time_store import build_time_store

    paths = save([UploadedFile("acled.csv", (FIXTURES / "acled_fictional.csv").read_bytes())], tmp_path / "in")
    imported = import_uploads(paths, None, tmp_path)
    timeline = Timeline(load_dataset(overlay(BUILTIN_DIR, imported.directory, tmp_path / "over")))
    doc = build_time_store(timeline).document
    events = {i["id"]: i for layer in doc["layers"] if layer["kind"] == "event" for i in layer["items"]}
    assert events["FIC1"].get("m") == 1 and "m" not in events["ev_1994_04_19_pailin_retaken"]
    labels = [doc["strings"][e["label"]] for e in doc["legend"] if "label" in e]
    assert sym.YOUR_LAYERS in labels
    svg = snapshot_bytes(timeline.state_on(date(1994, 4, 19)), "svg", size="800x450").decode()
    assert sym.YOUR_LAYERS in svg and sym.MINE.lower() in svg.lower()
