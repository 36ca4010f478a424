"""Shared fixtures: small hand-made datasets whose history the tests know by heart."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable

import pytest

from layers.data.geojson_io import write_feature_collection

ROOT = Path(__file__).resolve().parent.parent


def _square(x: float, y: float, size: float) -> list[list[list[float]]]:
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def tiny_layers() -> dict[str, Any]:
    """A town held by the KR, taken by the government for a month, lost again; two zones that touch."""
    return {
        "dataset.json": {"title": "Tiny", "start": "1989-09-01", "end": "1998-12-31",
                         "region": [102.0, 12.0, 104.0, 14.0], "view": {"lat": 13, "lon": 103, "zoom": 8}},
        "factions.json": {"factions": [
            {"id": "government", "name": "Government", "color": "#0072B2",
             "names": [{"name": "SOC army", "start": "1989-09-01", "end": "1993-09-24"},
                       {"name": "RCAF", "start": "1993-09-24", "end": None}]},
            {"id": "khmer_rouge", "name": "Khmer Rouge", "color": "#D55E00"},
            {"id": "dnum", "name": "DNUM", "color": "#E69F00", "allied_with": ["government"]}]},
        "sources.json": {"sources": [
            {"id": "doc", "title": "A document", "title_from": "document", "kind": "document"},
            {"id": "news", "title": "A newspaper", "title_from": "document", "kind": "news", "date": "1994-05"}]},
        "places.geojson": [
            {"type": "Feature", "id": "town", "geometry": {"type": "Point", "coordinates": [102.5, 12.5]},
             "properties": {"id": "town", "name": "Town", "kind": "town", "country": "KH", "certainty": "exact",
                            "sources": ["doc"], "key": True, "control": [
                                {"controller": "khmer_rouge", "start": "1989-10-23", "end": "1994-03-19",
                                 "certainty": "assessed", "sources": ["doc"]},
                                {"controller": "government", "start": "1994-03-19", "end": "1994-04-19",
                                 "certainty": "assessed", "sources": ["doc", "news"], "enclave": True},
                                {"controller": "khmer_rouge", "start": "1994-04-19", "end": "1996-08",
                                 "certainty": "approximate", "sources": ["doc"]}]}},
            {"type": "Feature", "id": "village", "geometry": {"type": "Point", "coordinates": [103.5, 12.5]},
             "properties": {"id": "village", "name": "Village", "kind": "village", "country": "KH",
                            "certainty": "approximate", "uncertainty_km": 5, "sources": ["doc"]}}],
        "zones.geojson": [
            {"type": "Feature", "id": "kr_west", "geometry": {"type": "Polygon", "coordinates": _square(102.1, 12.1, 0.8)},
             "properties": {"id": "kr_west", "name": "KR west", "controller": "khmer_rouge", "start": "1989-10-23",
                            "end": "1996-08-09", "certainty": "approximate", "sources": ["doc"]}},
            {"type": "Feature", "id": "gov_east", "geometry": {"type": "Polygon", "coordinates": _square(102.9, 12.1, 0.8)},
             "properties": {"id": "gov_east", "name": "Government east", "controller": "government",
                            "start": "1989-09-01", "end": None, "certainty": "approximate", "sources": ["doc"]}}],
        "frontlines.geojson": [
            {"type": "Feature", "id": "front_1994", "geometry": {"type": "LineString", "coordinates": [[102.9, 12.2], [102.9, 12.8]]},
             "properties": {"id": "front_1994", "name": "Front of May 1994", "start": "1994-05-08", "end": "1994-06",
                            "sides": ["government", "khmer_rouge"], "certainty": "approximate", "sources": ["news"]}}],
        "events.geojson": [
            {"type": "Feature", "id": "ev_fall", "geometry": {"type": "Point", "coordinates": [102.5, 12.5]},
             "properties": {"id": "ev_fall", "date": "1989-10-23", "title": "Town falls", "kind": "capture",
                            "place_ids": ["town"], "certainty": "exact", "sources": ["doc"],
                            "disputes": [{"field": "date", "claims": [{"value": "1989-10-24", "sources": ["doc"]}]}]}},
            {"type": "Feature", "id": "ev_may93", "geometry": None,
             "properties": {"id": "ev_may93", "date": "1993-05", "title": "Something in May 1993", "kind": "political",
                            "certainty": "exact", "sources": ["news"]}},
            {"type": "Feature", "id": "ev_taken", "geometry": {"type": "Point", "coordinates": [102.5, 12.5]},
             "properties": {"id": "ev_taken", "date": "1994-03-19", "title": "Town taken", "kind": "capture",
                            "place_ids": ["town"], "certainty": "exact", "sources": ["doc"],
                            "figures": [{"what": "troops", "value": 7000, "sources": ["doc"]},
                                        {"what": "troops", "value": 5000, "sources": ["news"]}]}}],
    }


def write_layers(directory: Path, layers: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in layers.items():
        if name.endswith(".geojson"):
            write_feature_collection(directory / name, content)
        else:
            (directory / name).write_text(json.dumps(content), encoding="utf-8")
    return directory


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    return write_layers(tmp_path / "tiny", tiny_layers())


@pytest.fixture
def make_dataset(tmp_path: Path) -> Callable[[Callable[[dict[str, Any]], None]], Path]:
    """Write the tiny dataset after `edit` has changed a deep copy of it."""
    counter = iter(range(10**6))

    def build(edit: Callable[[dict[str, Any]], None]) -> Path:
        layers = copy.deepcopy(tiny_layers())
        edit(layers)
        return write_layers(tmp_path / f"ds{next(counter)}", layers)

    return build
