"""The state on a date, or a whole dataset, as GeoPackage, KML (with TimeSpan) and CSV.

Every format keeps each feature's id, layer, dates in their EDTF precision (with `*_part`), certainty
and sources, so `python -m layers import` reads an export back to the same features. KML's time
elements take the dates as far as KML can write them (`1993-05` is a valid KML month), so Google
Earth's own time slider plays a dataset; the exact EDTF stays beside them in ExtendedData.
CSV cells that a spreadsheet would run as a formula start with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable
from xml.etree import ElementTree as ET

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from shapely.geometry.base import BaseGeometry

from ..data.dates import parse_date
from ..data.errors import DateError

FORMATS = ("gpkg", "kml", "csv")
LAYER_ORDER = ("zone", "frontline", "route", "place", "event")
LAYER_TABLES = {"place": "places", "route": "routes", "zone": "zones", "frontline": "frontlines",
                "event": "events"}
_INTERNAL = {"id", "geometry", "start_day", "end_day", "first_day", "last_day", "area_km2"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
KML_NS = "http://www.opengis.net/kml/2.2"


@dataclass(frozen=True)
class ExportFeature:
    id: str
    layer: str  # place, event, zone, route, frontline
    geometry: BaseGeometry | None
    properties: dict[str, Any]


# --- what to export -------------------------------------------------------------------------------

def _clean(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    if hasattr(value, "text") and hasattr(value, "earliest"):  # a HistoricalDate
        return value.text
    if isinstance(value, float) and value != value:
        return None
    return value


def dataset_features(dataset: Any) -> list[ExportFeature]:
    """Every feature of a loaded dataset, with its own properties (not the loader's computed columns)."""
    out: list[ExportFeature] = []
    for layer in LAYER_ORDER:
        frame = getattr(dataset, LAYER_TABLES[layer])
        columns = [c for c in frame.columns if c not in _INTERNAL]
        for fid, row in frame.iterrows():
            props = {c: _clean(row[c]) for c in columns}
            out.append(ExportFeature(str(fid), layer, row.geometry, props))
    return out


def state_features(state: Any) -> list[ExportFeature]:
    """What is in force on the state's day, as `export_geojson.state_feature_collection` describes it."""
    from .export_geojson import state_feature_collection

    out = []
    for feature in state_feature_collection(state)["features"]:
        props = dict(feature["properties"])
        layer = props.pop("layer")
        geom = shapely.geometry.shape(feature["geometry"]) if feature["geometry"] else None
        out.append(ExportFeature(str(feature["id"]), layer, geom, props))
    return out


def _date_label(props: dict[str, Any], name: str) -> str | None:
    value = props.get(name)
    if not isinstance(value, str):
        return None
    try:
        return parse_date(value, props.get(f"{name}_part")).label()
    except DateError:
        return None


# --- CSV ------------------------------------------------------------------------------------------

CSV_COLUMNS = ("id", "layer", "name", "title", "kind", "date", "date_part", "date_label", "start", "start_part",
               "end", "end_part", "controller", "controller_since", "sides", "factions", "certainty", "lon", "lat",
               "wkt", "geonames_id", "country", "sources", "description", "note")


def csv_cell(value: Any) -> Any:
    """A value as a spreadsheet must see it: text that could run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, tuple)):
        value = ";".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv_bytes(features: Iterable[ExportFeature]) -> bytes:
    """One row per feature: points as lon/lat, other geometries as WKT; lists joined with ';'."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for feat in features:
        props = feat.properties
        row: dict[str, Any] = {k: props.get(k) for k in CSV_COLUMNS}
        row["id"], row["layer"] = feat.id, feat.layer
        row["date_label"] = _date_label(props, "date") or _date_label(props, "start")
        geom = feat.geometry
        row["lon"] = row["lat"] = row["wkt"] = None
        if geom is not None and geom.geom_type == "Point":
            row["lon"], row["lat"] = round(geom.x, 6), round(geom.y, 6)
        elif geom is not None:
            row["wkt"] = shapely.to_wkt(geom, rounding_precision=6, trim=True)
        writer.writerow([csv_cell(row[k]) for k in CSV_COLUMNS])
    return buffer.getvalue().encode("utf-8")


# --- GeoPackage -----------------------------------------------------------------------------------

def _column(values: list[Any]) -> pd.Series:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="boolean")
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="Int64")
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return pd.Series([float(v) if v is not None else None for v in values], dtype="float64")
    return pd.Series([v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                      for v in values], dtype=object)


def to_gpkg_bytes(features: Iterable[ExportFeature], title: str = "") -> bytes:
    """One table per layer (places, routes, zones, frontlines, events); lists and objects as JSON text."""
    by_layer: dict[str, list[ExportFeature]] = {}
    for feat in features:
        by_layer.setdefault(feat.layer, []).append(feat)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.gpkg"
        for layer in LAYER_ORDER:
            feats = by_layer.get(layer)
            if not feats:
                continue
            names = list(dict.fromkeys(k for f in feats for k in f.properties if k not in ("id", "layer")))
            data = {"id": pd.Series([f.id for f in feats], dtype=object),
                    "layer": pd.Series([layer] * len(feats), dtype=object)}
            for name in names:
                data[name] = _column([_clean(f.properties.get(name)) for f in feats])
            frame = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([f.geometry for f in feats], crs="EPSG:4326"))
            pyogrio.write_dataframe(frame, path, layer=LAYER_TABLES[layer], driver="GPKG",
                                    geometry_type="Unknown", promote_to_multi=False, append=path.exists(),
                                    layer_options={"DESCRIPTION": title} if title else None)
        if not path.exists():
            empty = gpd.GeoDataFrame({"id": pd.Series([], dtype=object)}, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
            pyogrio.write_dataframe(empty, path, layer="empty", driver="GPKG", geometry_type="Unknown")
        return path.read_bytes()


# --- KML ------------------------------------------------------------------------------------------

def _kml_color(hex_rgb: str, alpha: int) -> str:
    r, g, b = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"{alpha:02x}{b}{g}{r}".lower()


def _kml_time_text(edtf: str) -> tuple[str, str] | None:
    """KML's begin/end for an EDTF date: qualifiers dropped (KML has none), precision kept."""
    text = edtf.strip()
    if text.startswith("[") and ".." in text:
        a, b = text[1:-1].split("..")
        return a.strip("~?%"), b.strip("~?%")
    if "/" in text:
        a, b = text.split("/")
        return a.strip("~?%"), b.strip("~?%")
    plain = text.strip("~?%")
    return plain, plain


def _coords(seq: Iterable[tuple[float, ...]]) -> str:
    return " ".join(f"{round(x, 6)},{round(y, 6)}" for x, y, *_ in seq)


def _kml_geometry(parent: ET.Element, geom: BaseGeometry) -> None:
    kind = geom.geom_type
    if kind == "Point":
        ET.SubElement(ET.SubElement(parent, "Point"), "coordinates").text = _coords(geom.coords)
    elif kind == "LineString":
        line = ET.SubElement(parent, "LineString")
        ET.SubElement(line, "tessellate").text = "1"
        ET.SubElement(line, "coordinates").text = _coords(geom.coords)
    elif kind == "Polygon":
        poly = ET.SubElement(parent, "Polygon")
        ring = ET.SubElement(ET.SubElement(poly, "outerBoundaryIs"), "LinearRing")
        ET.SubElement(ring, "coordinates").text = _coords(geom.exterior.coords)
        for interior in geom.interiors:
            ring = ET.SubElement(ET.SubElement(poly, "innerBoundaryIs"), "LinearRing")
            ET.SubElement(ring, "coordinates").text = _coords(interior.coords)
    else:  # Multi* and collections
        multi = ET.SubElement(parent, "MultiGeometry")
        for part in geom.geoms:  # type: ignore[attr-defined]
            _kml_geometry(multi, part)


def _description(feat: ExportFeature, citations: dict[str, str]) -> str:
    props = feat.properties
    lines = [str(props.get("title") or props.get("name") or feat.id)]
    label = _date_label(props, "date") or _date_label(props, "start")
    if label:
        lines.append(label + (f" to {_date_label(props, 'end')}" if _date_label(props, "end") else ""))
    if props.get("description"):
        lines.append(str(props["description"]))
    sources = props.get("sources") or []
    if sources:
        lines.append("Sources: " + "; ".join(citations.get(s, s) for s in sources))
    return "\n".join(lines)


def to_kml_bytes(features: Iterable[ExportFeature], *, title: str, colors: dict[str, str] | None = None,
                 citations: dict[str, str] | None = None) -> bytes:
    """KML 2.2: a Folder per layer; events as TimeStamp, dated zones, lines and control as TimeSpan.

    Text is escaped by ElementTree; nothing refers to a remote resource (no icons, no links).
    """
    colors = colors or {}
    citations = citations or {}
    ET.register_namespace("", KML_NS)
    kml = ET.Element("kml", {"xmlns": KML_NS})
    doc = ET.SubElement(kml, "Document")
    ET.SubElement(doc, "name").text = title
    for faction, color in sorted(colors.items()):
        style = ET.SubElement(doc, "Style", {"id": f"faction_{faction}"})
        ET.SubElement(ET.SubElement(style, "LineStyle"), "color").text = _kml_color(color, 0xFF)
        ET.SubElement(ET.SubElement(style, "PolyStyle"), "color").text = _kml_color(color, 0x66)
        icon = ET.SubElement(style, "IconStyle")
        ET.SubElement(icon, "color").text = _kml_color(color, 0xFF)
    folders: dict[str, ET.Element] = {}
    for feat in features:
        if feat.layer not in folders:
            folders[feat.layer] = ET.SubElement(doc, "Folder")
            ET.SubElement(folders[feat.layer], "name").text = LAYER_TABLES.get(feat.layer, feat.layer)
        mark = ET.SubElement(folders[feat.layer], "Placemark", {"id": feat.id})
        props = feat.properties
        ET.SubElement(mark, "name").text = str(props.get("title") or props.get("name") or feat.id)
        ET.SubElement(mark, "description").text = _description(feat, citations)
        _kml_when(mark, feat)
        controller = props.get("controller")
        if isinstance(controller, str) and controller in colors:
            ET.SubElement(mark, "styleUrl").text = f"#faction_{controller}"
        data = ET.SubElement(mark, "ExtendedData")
        for key, value in [("id", feat.id), ("layer", feat.layer), *props.items()]:
            value = _clean(value)
            if value is None or value == [] or value == "":
                continue
            item = ET.SubElement(data, "Data", {"name": str(key)})
            ET.SubElement(item, "value").text = value if isinstance(value, str) else json.dumps(
                value, ensure_ascii=False)
        if feat.geometry is not None and not feat.geometry.is_empty:
            _kml_geometry(mark, feat.geometry)
    ET.indent(kml)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(kml, encoding="utf-8")


def _kml_when(mark: ET.Element, feat: ExportFeature) -> None:
    props = feat.properties
    if isinstance(props.get("date"), str):
        span = _kml_time_text(props["date"])
        if span is None:
            return
        if span[0] == span[1]:
            ET.SubElement(ET.SubElement(mark, "TimeStamp"), "when").text = span[0]
        else:
            element = ET.SubElement(mark, "TimeSpan")
            ET.SubElement(element, "begin").text, ET.SubElement(element, "end").text = span
        return
    start, end = props.get("start"), props.get("end")
    if isinstance(start, str) or isinstance(end, str):
        element = ET.SubElement(mark, "TimeSpan")
        if isinstance(start, str):
            ET.SubElement(element, "begin").text = _kml_time_text(start)[0]  # type: ignore[index]
        if isinstance(end, str):
            ET.SubElement(element, "end").text = _kml_time_text(end)[0]  # type: ignore[index]


# --- front doors ----------------------------------------------------------------------------------

def export_bytes(features: list[ExportFeature], fmt: str, *, title: str, colors: dict[str, str] | None = None,
                 citations: dict[str, str] | None = None) -> bytes:
    if fmt == "csv":
        return to_csv_bytes(features)
    if fmt == "gpkg":
        return to_gpkg_bytes(features, title)
    if fmt == "kml":
        return to_kml_bytes(features, title=title, colors=colors, citations=citations)
    raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")


def dataset_bytes(dataset: Any, fmt: str) -> bytes:
    """A whole dataset in `fmt` (gpkg, kml, csv)."""
    return export_bytes(dataset_features(dataset), fmt, title=dataset.meta.title,
                        colors={f.id: f.color for f in dataset.factions.values()},
                        citations={s.id: s.citation() for s in dataset.sources.values()})


def state_bytes(state: Any, fmt: str) -> bytes:
    """What is in force on the state's day in `fmt`; places carry their controller on that day."""
    dataset = state.dataset
    return export_bytes(state_features(state), fmt, title=f"{dataset.meta.title}, {state.day.isoformat()}",
                        colors={f.id: f.color for f in dataset.factions.values()},
                        citations={s.id: s.citation() for s in dataset.sources.values()})
