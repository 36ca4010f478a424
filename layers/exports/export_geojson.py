"""The state on a date as one RFC 7946 FeatureCollection, ready for QGIS or any GIS tool."""

from __future__ import annotations

import json
from typing import Any

import shapely
from shapely.geometry import box, mapping

from .. import __version__
from .share import citations_for, state_source_ids
from ..render.symbology import CAVEAT
from ..engine.timeline import State
from ..text.words import ENGLISH, Words

Bbox = tuple[float, float, float, float]


def _clean(value: Any) -> Any:
    """JSON-safe property values (tuples to lists, numpy scalars to Python)."""
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if hasattr(value, "item"):
        return value.item()
    return value


def _geometry(geom: Any, clip: Any) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    if clip is not None:
        geom = shapely.intersection(geom, clip)
        if geom.is_empty:
            return None
    geom = shapely.orient_polygons(shapely.set_precision(geom, 1e-6))
    return mapping(geom)


def state_feature_collection(state: State, bbox: Bbox | None = None, *, words: Words = ENGLISH,
                             version: str = __version__) -> dict[str, Any]:
    """Everything in force on the state's day (clipped to `bbox` = west, south, east, north, if given).

    Each feature keeps its id, layer, dates, certainty and sources; places carry their controller
    on that day and since when. The collection says what the file is (foreign members, which GIS
    tools keep or ignore): `date`, `bbox` (RFC 7946: the view, or the features' extent without one),
    `lang`, `sources` (id -> citation in that language), the atlas `version` and the `caveat` on
    how zones are drawn.
    """
    ds = state.dataset
    clip = box(*bbox) if bbox is not None else None
    features: list[dict[str, Any]] = []

    def add(fid: str, layer: str, geom: Any, props: dict[str, Any]) -> None:
        geometry = _geometry(geom, clip)
        if geometry is None and layer != "event":
            return
        if geometry is None and clip is not None:
            return
        features.append({"type": "Feature", "id": fid, "geometry": geometry,
                         "properties": {"id": fid, "layer": layer, **_clean(props)}})

    for zid, row in state.zones.iterrows():
        add(zid, "zone", row.geometry, {
            "name": row["name"], "controller": row["controller"], "start": row["start"], "end": row["end"],
            "certainty": row["certainty"], "area_km2": round(float(row["area_km2"]), 1),
            "sources": row["sources"], "note": row["note"]})
    for fid, row in state.frontlines.iterrows():
        add(fid, "frontline", row.geometry, {
            "name": row["name"], "kind": "described", "sides": row["sides"], "start": row["start"],
            "end": row["end"], "certainty": row["certainty"], "sources": row["sources"], "note": row["note"]})
    for front in state.derived_frontlines:
        add(front["id"], "frontline", front["geometry"], {
            "name": front["name"], "kind": "derived", "sides": front["sides"], "certainty": front["certainty"],
            "zones": front["zones"], "sources": front["sources"]})
    for rid, row in ds.routes.iterrows():
        add(rid, "route", row.geometry, {"name": row["name"], "modern_name": row["modern_name"],
                                        "certainty": row["certainty"], "sources": row["sources"]})
    places = ds.places
    for status in state.places:
        row = places.loc[status.place_id]
        add(status.place_id, "place", row.geometry, {
            "name": row["name"], "name_km": row["name_km"], "name_th": row["name_th"], "kind": row["kind"],
            "geonames_id": row["geonames_id"], "certainty": row["certainty"],
            "uncertainty_km": row["uncertainty_km"], "controller": status.controller,
            "controller_since": status.since.text if status.since else None,
            "control_certainty": status.certainty, "control_derived_from_zone": status.derived_from_zone,
            "sources": sorted(set(row["sources"]) | set(status.sources))})
    for eid, row in state.events.iterrows():
        add(eid, "event", row.geometry, {
            "date": row["date"], "title": row["title"], "kind": row["kind"], "description": row["description"],
            "place_ids": row["place_ids"], "figures": row["figures"], "certainty": row["certainty"],
            "sources": row["sources"]})
    used = {s for f in features for s in f["properties"].get("sources", [])}
    ids = [s for s in state_source_ids(state) if s in used] + sorted(used - set(state_source_ids(state)))
    known = [s for s in ids if s in ds.sources]
    title = words("Situation on {date}").replace("{date}", words.day(state.day))
    collection: dict[str, Any] = {
        "type": "FeatureCollection",
        "name": f"{ds.meta.title} — {title}",
        "date": state.day.isoformat(),
        "lang": words.lang,
        "version": version,
        "caveat": words(CAVEAT),
        "bbox_filter": list(bbox) if bbox else None,
        "sources": dict(zip(known, citations_for(ds, known, words))),
        "features": features,
    }
    extent = list(bbox) if bbox else _extent(features)
    if extent is not None:
        collection = {"type": "FeatureCollection", "bbox": extent, **collection}
    return collection


def _extent(features: list[dict[str, Any]]) -> list[float] | None:
    geoms = [shapely.geometry.shape(f["geometry"]) for f in features if f["geometry"] is not None]
    if not geoms:
        return None
    return [round(float(v), 6) for v in shapely.total_bounds(geoms)]


def state_geojson_bytes(state: State, bbox: Bbox | None = None, *, words: Words = ENGLISH,
                        version: str = __version__) -> bytes:
    return json.dumps(state_feature_collection(state, bbox, words=words, version=version),
                      ensure_ascii=False).encode("utf-8")
