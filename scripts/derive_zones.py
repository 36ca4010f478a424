"""Derive the zones of control and the described front lines of the built-in dataset.

    python scripts/derive_zones.py [--data geodata] [--out DIR]

Reads, all inside the dataset directory (default `geodata/`):
- `sketch/anchors.geojson`: the hand-drawn anchor outlines (a sketch from the anchor points the sources
  give: towns held, distances along Route 10, districts named);
- `sketch/zone_plan.json`: the zone plan. `shapes` names outlines built from the anchors, the places and
  Route 10 (buffers in metres, boxes in degrees, union/intersection/difference); `zones` says which
  shape each zone takes, when it is in force and on what sources; `frontlines` the described lines;
- `places.geojson`, `base/countries.geojson`, `base/provinces.geojson`.
Writes `zones.geojson` and `frontlines.geojson` to --out (default: the dataset directory).

How the zones are drawn (the method the source `atlas_method_zones` refers to):
1. Everything is done in UTM 48N (EPSG:32648); anchors are clipped to Cambodia's Natural Earth border
   (simplified 150 m).
2. Each area is split into consecutive periods whenever the sources say it changed, so that zones of
   opposing factions never overlap in space and time (the plan lists the periods).
3. The government zone is the remainder: the modern north-western provinces minus every other zone in
   force, per interval between change dates. It is a remainder, not an assessed area.
4. Geometries are snapped to a 1e-5 degree grid, parts under 1 km² dropped, written as RFC 7946.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, box, mapping, shape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from layers.data.dates import parse_date  # noqa: E402
from layers.data.geojson_io import write_feature_collection  # noqa: E402

_FWD = Transformer.from_crs(4326, 32648, always_xy=True)
_INV = Transformer.from_crs(32648, 4326, always_xy=True)


def to_metric(g: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(g, lambda xy: np.column_stack(_FWD.transform(xy[:, 0], xy[:, 1])))


def to_geo(g: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(g, lambda xy: np.column_stack(_INV.transform(xy[:, 0], xy[:, 1])))


class Shapes:
    """Evaluates the plan's shape expressions (metric geometries), memoising named shapes."""

    def __init__(self, plan: dict[str, Any], anchors: dict[str, shapely.Geometry],
                 places: dict[str, list[float]], cambodia: shapely.Geometry) -> None:
        self.plan, self.anchors, self.places, self.cambodia = plan, anchors, places, cambodia
        self.routes = {rid: to_metric(LineString([places[p] for p in ids])) for rid, ids in plan["routes"].items()}
        self.named: dict[str, shapely.Geometry] = {}

    def __call__(self, expr: Any) -> shapely.Geometry:
        if isinstance(expr, str):
            if expr == "cambodia":
                return self.cambodia
            if expr not in self.named:
                self.named[expr] = self(self.plan["shapes"][expr])
            return self.named[expr]
        (op, arg), = expr.items()
        if op == "anchor":
            return shapely.make_valid(shapely.intersection(to_metric(self.anchors[arg]), self.cambodia))
        if op == "buffer":
            base = (to_metric(Point(self.places[arg["place"]])) if "place" in arg
                    else self.routes[arg["route"]] if "route" in arg else self(arg["shape"]))
            return base.buffer(arg["m"])
        if op == "box":
            return to_metric(box(*arg))
        parts = [self(a) for a in arg]
        if op == "union":
            return shapely.union_all(parts)
        if op == "intersection":
            out = parts[0]
            for p in parts[1:]:
                out = shapely.intersection(out, p)
            return out
        if op == "difference":
            return shapely.difference(parts[0], shapely.union_all(parts[1:]))
        raise ValueError(f"unknown shape operation {op!r}")


def _day(text: str | None, part: str | None) -> int | None:
    return parse_date(text, part).first_day if text else None


def _feature(props: dict[str, Any], geom: shapely.Geometry, min_part_m2: float, grid: float) -> dict[str, Any] | None:
    geom = shapely.make_valid(geom)
    geom = shapely.union_all([g for g in getattr(geom, "geoms", [geom])
                              if g.geom_type in ("Polygon", "MultiPolygon") and g.area > min_part_m2])
    geom = shapely.orient_polygons(shapely.set_precision(to_geo(geom), grid))
    if geom.is_empty:
        return None
    return {"type": "Feature", "id": props["id"], "geometry": mapping(geom), "properties": props}


def _zone_props(z: dict[str, Any]) -> dict[str, Any]:
    props = {k: z[k] for k in ("id", "name", "controller", "start") if k in z}
    if z.get("start_part"):
        props["start_part"] = z["start_part"]
    props["end"] = z.get("end")
    if z.get("end_part"):
        props["end_part"] = z["end_part"]
    props.update({"certainty": z["certainty"], "sources": z["sources"]})
    if z.get("background_sources"):
        props["background_sources"] = z["background_sources"]
    props["note"] = z.get("note")
    return props


def derive(data: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The zones and front lines the plan in `data/sketch/` describes, as GeoJSON features."""
    plan = json.loads((data / "sketch" / "zone_plan.json").read_text(encoding="utf-8"))
    anchors_doc = json.loads((data / "sketch" / plan["anchors"]).read_text(encoding="utf-8"))
    anchors = {f["properties"]["id"]: shape(f["geometry"]) for f in anchors_doc["features"]}
    places = {f["id"]: f["geometry"]["coordinates"]
              for f in json.loads((data / "places.geojson").read_text(encoding="utf-8"))["features"]}
    countries = gpd.read_file(data / "base" / "countries.geojson")
    cambodia = shapely.simplify(to_metric(countries[countries["id"] == "KHM"].geometry.iloc[0]), plan["simplify_m"])
    provinces = gpd.read_file(data / "base" / "provinces.geojson")
    study = to_metric(shapely.union_all(provinces[provinces["id"].isin(plan["study_provinces"])].geometry.to_numpy()))
    study = shapely.intersection(shapely.simplify(study, plan["simplify_m"]), cambodia)
    shapes = Shapes(plan, anchors, places, cambodia)
    min_part, grid = plan["min_part_m2"], plan["grid_deg"]

    zones = [(z, shapes(z["shape"]), _day(z["start"], z.get("start_part")), _day(z.get("end"), z.get("end_part")))
             for z in plan["zones"]]
    features = [f for z, g, _, _ in zones if (f := _feature(_zone_props(z), g, min_part, grid)) is not None]

    # The government remainder, per interval in which the other zones stay the same. A change date
    # keeps its own text and part ("1994-04" + "late"), so the remainder's dates read like the plan's.
    bounds: dict[int, tuple[str, str | None]] = {}
    for z, _, _, _ in zones:
        for name in ("start", "end"):
            if z.get(name):
                bounds[_day(z[name], z.get(f"{name}_part"))] = (z[name], z.get(f"{name}_part"))
    days = sorted(bounds)
    rem = plan["remainder"]
    for i, t in enumerate(days):
        in_force = [g for _, g, s, e in zones if s <= t and (e is None or e > t)]
        rest = shapely.difference(study, shapely.union_all(in_force)) if in_force else study
        start, start_part = bounds[t]
        end, end_part = bounds[days[i + 1]] if i + 1 < len(days) else (None, None)
        props = _zone_props({"id": rem["id_prefix"] + parse_date(start, start_part).earliest.isoformat().replace("-", "_"),
                             "name": rem["name"], "controller": rem["controller"], "start": start, "start_part": start_part,
                             "end": end, "end_part": end_part, "certainty": rem["certainty"], "sources": rem["sources"],
                             "background_sources": rem.get("background_sources"), "note": rem["note"]})
        if (f := _feature(props, rest, min_part, grid)) is not None:
            features.append(f)

    fronts = []
    for fl in plan["frontlines"]:
        a = to_metric(Point(places[fl["across"]["from"]]))
        b = to_metric(Point(places[fl["across"]["toward"]]))
        dx, dy = b.x - a.x, b.y - a.y
        n = (dx ** 2 + dy ** 2) ** 0.5
        x, y = a.x + dx / n * fl["across"]["at_m"], a.y + dy / n * fl["across"]["at_m"]
        ox, oy = -dy / n * fl["across"]["half_km"] * 1000, dx / n * fl["across"]["half_km"] * 1000
        line = to_geo(LineString([(x - ox, y - oy), (x + ox, y + oy)]))
        fronts.append({"type": "Feature", "id": fl["id"], "geometry": mapping(shapely.set_precision(line, grid)),
                       "properties": {"id": fl["id"], **fl["properties"]}})
    return features, fronts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(ROOT / "geodata"), help="dataset directory with sketch/ (default: geodata)")
    parser.add_argument("--out", default=None, help="where to write zones.geojson and frontlines.geojson (default: --data)")
    args = parser.parse_args(argv)
    data = Path(args.data)
    out = Path(args.out) if args.out else data
    out.mkdir(parents=True, exist_ok=True)
    zones, fronts = derive(data)
    write_feature_collection(out / "zones.geojson", zones)
    write_feature_collection(out / "frontlines.geojson", fronts)
    print(f"zones {len(zones)}, frontlines {len(fronts)} -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
