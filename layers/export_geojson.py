"""The state on a date as one RFC 7946 FeatureCollection, ready for QGIS or any GIS tool."""

from __future__ import annotations

import json
from typing import Any

import shapely
from shapely.geometry import box, mapping

from .dates import day_label
from .timeline import State

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


def state_feature_collection(state: State, bbox: Bbox | None = None) -> dict[str, Any]:
    """Everything in force on the state's day (clipped to `bbox` = west, south, east, north, if given).

    Each feature keeps its id, layer, dates, certainty and sources; places carry their controller
    on that day and since when.
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
    used = sorted({s for f in features for s in f["properties"].get("sources", [])})
    return {
        "type": "FeatureCollection",
        "name": f"{ds.meta.title} — situation on {day_label(state.day)}",
        "date": state.day.isoformat(),
        "bbox_filter": list(bbox) if bbox else None,
        "sources": {s: ds.sources[s].citation() for s in used if s in ds.sources},
        "features": features,
    }


def state_geojson_bytes(state: State, bbox: Bbox | None = None) -> bytes:
    return json.dumps(state_feature_collection(state, bbox), ensure_ascii=False).encode("utf-8")
