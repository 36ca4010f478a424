"""Load and validate a directory of layers (the built-in `geodata/` or any in the same schema).

Every problem names the file, the feature id and the field, and says how to fix it.
`load_dataset` raises `DataError` carrying all problems; `validate_path` returns them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .dates import PARTS, HistoricalDate, parse_date
from .errors import DataError, DateError, Problem
from .geojson_io import RawFeature, read_feature_collection, read_json
from .model import (
    CONTROL_CERTAINTY, EVENT_KINDS, GEO_CRS, LINE_CERTAINTY, METRIC_CRS, PLACE_KINDS,
    POINT_CERTAINTY, SOURCE_KINDS, DatasetMeta, Faction, PeriodName, Source,
)

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "geodata"
LAYERS = ("places", "routes", "zones", "frontlines", "events")
BASE_LAYERS = {"countries": "base/countries.geojson", "provinces": "base/provinces.geojson"}
OPEN_END = date.max.toordinal()
_ID = re.compile(r"^[A-Za-z0-9_.:-]+$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
OVERLAP_TOLERANCE_KM2 = 0.5


# --- field specifications -------------------------------------------------------------------

Check = Callable[[Any], str | None]  # returns what is wrong, or None


def _str(v: Any) -> str | None:
    return None if isinstance(v, str) and v.strip() else "must be a non-empty string"


def _opt_str(v: Any) -> str | None:
    return None if v is None or isinstance(v, str) else "must be a string or null"


def _opt_text(v: Any) -> str | None:
    """A non-empty string kept as it is; anything else (None, numbers, blanks) as None."""
    return v.strip() if isinstance(v, str) and v.strip() else None


def _str_list(v: Any) -> str | None:
    if isinstance(v, list) and all(isinstance(x, str) and x for x in v):
        return None
    return "must be a list of strings"


def _nonempty_str_list(v: Any) -> str | None:
    return _str_list(v) or (None if v else "must list at least one id")


def _number(v: Any) -> str | None:
    return None if isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 else \
        "must be a number ≥ 0"


def _opt_int(v: Any) -> str | None:
    return None if v is None or (isinstance(v, int) and not isinstance(v, bool)) else \
        "must be an integer or null"


def _bool(v: Any) -> str | None:
    return None if isinstance(v, bool) else "must be true or false"


def _opt_bool(v: Any) -> str | None:
    return None if v is None or isinstance(v, bool) else "must be true or false"


def _opt_str_list(v: Any) -> str | None:
    return None if v is None else _str_list(v)


def _list(v: Any) -> str | None:
    return None if isinstance(v, list) else "must be a list"


def _one_of(vocab: frozenset[str]) -> Check:
    def check(v: Any) -> str | None:
        return None if v in vocab else f"must be one of {', '.join(sorted(vocab))}"
    return check


def _date(v: Any) -> str | None:
    if not isinstance(v, str):
        return "must be an EDTF date string such as '1994-04-19', '1993-05' or '1994-01~'"
    try:
        parse_date(v)
    except DateError as exc:
        return str(exc)
    return None


def _opt_date(v: Any) -> str | None:
    return None if v is None else _date(v)


def _opt_part(v: Any) -> str | None:
    return None if v is None or v in PARTS else f"must be one of {', '.join(PARTS)} (or absent)"


def _parsed(props: dict[str, Any], name: str) -> HistoricalDate:
    """A date field with its sibling `<name>_part` ("late April 1994" = '1994-04' + 'late')."""
    return parse_date(props[name], props.get(f"{name}_part"))


TITLE_FROM = frozenset({"document", "brief", "checked"})


@dataclass(frozen=True)
class LayerSpec:
    geometry: frozenset[str]
    required: dict[str, Check]
    optional: dict[str, Check] = field(default_factory=dict)
    null_geometry: bool = False


_COMMON_OPTIONAL = {"note": _opt_str, "disputes": _list, "background_sources": _str_list}
SPECS: dict[str, LayerSpec] = {
    "places": LayerSpec(
        frozenset({"Point"}),
        {"name": _str, "kind": _one_of(PLACE_KINDS), "country": _str,
         "certainty": _one_of(POINT_CERTAINTY), "sources": _nonempty_str_list},
        {"name_km": _opt_str, "name_th": _opt_str, "alt_names": _str_list, "geonames_id": _opt_int,
         "gazetteer_note": _opt_str, "uncertainty_km": _number, "key": _bool, "control": _list},
    ),
    "routes": LayerSpec(
        frozenset({"LineString", "MultiLineString"}),
        {"name": _str, "certainty": _one_of(LINE_CERTAINTY), "sources": _nonempty_str_list},
        {"name_km": _opt_str, "modern_name": _opt_str, "kind": _opt_str, "waypoints": _str_list,
         "start": _opt_date, "end": _opt_date},
    ),
    "zones": LayerSpec(
        frozenset({"Polygon", "MultiPolygon"}),
        {"name": _str, "controller": _str, "start": _date, "certainty": _one_of(CONTROL_CERTAINTY),
         "sources": _nonempty_str_list},
        {"end": _opt_date, "start_part": _opt_part, "end_part": _opt_part},
    ),
    "frontlines": LayerSpec(
        frozenset({"LineString", "MultiLineString"}),
        {"name": _str, "start": _date, "sides": _str_list, "certainty": _one_of(LINE_CERTAINTY),
         "sources": _nonempty_str_list},
        {"end": _opt_date, "start_part": _opt_part, "end_part": _opt_part},
    ),
    "events": LayerSpec(
        frozenset({"Point"}),
        {"date": _date, "title": _str, "kind": _one_of(EVENT_KINDS),
         "certainty": _one_of(POINT_CERTAINTY), "sources": _nonempty_str_list},
        {"description": _opt_str, "place_ids": _str_list, "factions": _str_list, "actors": _str_list,
         "figures": _list, "date_part": _opt_part},
        null_geometry=True,
    ),
    "countries": LayerSpec(frozenset({"Polygon", "MultiPolygon"}), {"name": _str}, {"sources": _str_list}),
    "provinces": LayerSpec(frozenset({"Polygon", "MultiPolygon"}), {"name": _str},
                           {"sources": _str_list, "name_km": _opt_str}),
}
_FIXES = {
    "sources": "list the ids (from sources.json) of the sources this feature rests on",
    "certainty": "say how certain the geometry or control is",
    "start": "give the date it begins, e.g. '1994-03-19' or '1993-05'",
    "date": "give the date in its precision, e.g. '1994-04-19', '1993-05' or '1994-01~'",
}


@dataclass
class Dataset:
    """A loaded, validated dataset. GeoDataFrames are indexed by feature id, in WGS 84."""

    root: Path
    meta: DatasetMeta
    factions: dict[str, Faction]
    sources: dict[str, Source]
    places: gpd.GeoDataFrame
    routes: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    frontlines: gpd.GeoDataFrame
    events: gpd.GeoDataFrame
    control: pd.DataFrame
    countries: gpd.GeoDataFrame
    provinces: gpd.GeoDataFrame
    warnings: list[Problem] = field(default_factory=list)

    def faction(self, faction_id: str | None) -> Faction | None:
        return self.factions.get(faction_id) if faction_id else None


@dataclass
class Report:
    problems: list[Problem]
    dataset: Dataset | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.problems if p.severity == "warning"],
            "counts": _counts(self.dataset) if self.dataset else {},
        }


def _counts(ds: Dataset) -> dict[str, int]:
    return {name: len(getattr(ds, name)) for name in (*LAYERS, "control")} | {
        "factions": len(ds.factions), "sources": len(ds.sources)}


# --- public API -------------------------------------------------------------------------------

def load_dataset(directory: Path | str | None = None) -> Dataset:
    """Load and validate a dataset directory (default: the built-in `geodata/`).

    Raises DataError listing every problem when the data cannot be used.
    """
    report = validate_path(Path(directory) if directory is not None else BUILTIN_DIR)
    if not report.ok or report.dataset is None:
        raise DataError(report.problems)
    return report.dataset


def validate_path(path: Path) -> Report:
    """Validate a dataset directory, or a single GeoJSON layer file. Never raises for bad data."""
    path = Path(path)
    if path.is_dir():
        report = _Loader(path).run()
        if report.dataset is not None:
            from .story import load_story  # the story builds on a loaded dataset

            try:
                load_story(report.dataset)
            except DataError as exc:
                report.problems.extend(exc.problems)
                report.dataset = None
        return report
    if not path.exists():
        return Report([Problem(str(path), None, None, "does not exist.",
                               "give the path of a dataset directory or of a .geojson file.")])
    layer = path.stem if path.stem in SPECS else None
    result = read_feature_collection(path, path.name)
    problems = list(result.problems)
    if layer is not None:
        loader = _Loader(path.parent, check_references=False)
        loader.check_features(layer, path.name, result.features)
        problems += loader.problems
    return Report(problems)


# --- the loader -------------------------------------------------------------------------------

class _Loader:
    def __init__(self, root: Path, check_references: bool = True) -> None:
        self.root = root
        self.check_references = check_references
        self.problems: list[Problem] = []
        self.ids: dict[str, str] = {}  # feature id -> file, across the whole dataset
        self.factions: dict[str, Faction] = {}
        self.sources: dict[str, Source] = {}
        self.meta: DatasetMeta | None = None

    def error(self, file: str, feature: str | None, fld: str | None, message: str, fix: str,
              severity: str = "error") -> None:
        self.problems.append(Problem(file, feature, fld, message, fix, severity))  # type: ignore[arg-type]

    # - the three JSON files -

    def run(self) -> Report:
        self.meta = self.read_meta()
        self.sources = self.read_sources()
        self.factions = self.read_factions()
        frames: dict[str, gpd.GeoDataFrame] = {}
        for layer in LAYERS:
            frames[layer] = self.read_layer(layer, f"{layer}.geojson")
        for layer, rel in BASE_LAYERS.items():
            frames[layer] = self.read_layer(layer, rel)
        control = self.control_table(frames["places"])
        if self.meta is None or any(p.severity == "error" for p in self.problems):
            return Report(self.problems)
        self.check_places_and_zones(frames, control)
        if any(p.severity == "error" for p in self.problems):
            return Report(self.problems)
        zones = frames["zones"]
        zones["area_km2"] = zones.geometry.to_crs(METRIC_CRS).area.to_numpy() / 1e6 if len(zones) else []
        dataset = Dataset(self.root, self.meta, self.factions, self.sources, frames["places"],
                          frames["routes"], zones, frames["frontlines"], frames["events"], control,
                          frames["countries"], frames["provinces"],
                          [p for p in self.problems if p.severity == "warning"])
        return Report(self.problems, dataset)

    def read_object(self, name: str, key: str | None) -> Any:
        path = self.root / name
        if not path.exists():
            self.error(name, None, None, f"is missing from {self.root}.",
                       f"add {name} (see docs/DATA_MODEL.md for its format).")
            return None
        doc, problems = read_json(path, name)
        self.problems += problems
        if problems:
            return None
        if key is None:
            if not isinstance(doc, dict):
                self.error(name, None, None, "must be a JSON object.", "see docs/DATA_MODEL.md.")
                return None
            return doc
        if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
            self.error(name, None, key, f"must be an object with a '{key}' list.",
                       f"write {{\"{key}\": [...]}} (see docs/DATA_MODEL.md).")
            return None
        return doc[key]

    def read_meta(self) -> DatasetMeta | None:
        doc = self.read_object("dataset.json", None)
        if doc is None:
            return None
        name = "dataset.json"
        try:
            start, end = parse_date(doc.get("start", "")), parse_date(doc.get("end", ""))
        except DateError as exc:
            self.error(name, None, "start/end", str(exc), "give 'start' and 'end' as YYYY-MM-DD.")
            return None
        region = doc.get("region")
        if (not isinstance(region, list) or len(region) != 4
                or not all(isinstance(v, (int, float)) for v in region)
                or not (-180 <= region[0] < region[2] <= 180 and -90 <= region[1] < region[3] <= 90)):
            self.error(name, None, "region", f"{region!r} is not [west, south, east, north] in degrees.",
                       "give the dataset's bounding box, e.g. [101.9, 11.3, 105.3, 14.8].")
            return None
        if end.earliest < start.earliest:
            self.error(name, None, "end", "the dataset ends before it starts.", "swap 'start' and 'end'.")
            return None
        view = doc.get("view") or {}
        cx, cy = (region[0] + region[2]) / 2, (region[1] + region[3]) / 2
        window = doc.get("event_window_days", 15)
        if not isinstance(window, int) or window < 0:
            self.error(name, None, "event_window_days", f"{window!r} is not a whole number of days.",
                       "give a number such as 15.")
            window = 15
        return DatasetMeta(
            title=str(doc.get("title") or self.root.name), description=str(doc.get("description") or ""),
            start=start.earliest, end=end.latest, region=tuple(float(v) for v in region),  # type: ignore[arg-type]
            view_lat=float(view.get("lat", cy)), view_lon=float(view.get("lon", cx)),
            view_zoom=int(view.get("zoom", 8)), event_window_days=window,
            extra={k: v for k, v in doc.items() if k not in {"title", "description", "start", "end",
                                                              "region", "view", "event_window_days"}},
        )

    def read_sources(self) -> dict[str, Source]:
        items = self.read_object("sources.json", "sources") or []
        sources: dict[str, Source] = {}
        for i, item in enumerate(items):
            sid = item.get("id") if isinstance(item, dict) else None
            label = sid if isinstance(sid, str) else f"#{i}"
            if not isinstance(item, dict) or not isinstance(sid, str) or not _ID.match(sid):
                self.error("sources.json", label, "id", "every source needs a string id.",
                           "give it an id such as 'ppp_1994_04_22'.")
                continue
            title = item.get("title")
            if title is None:
                if _str(item.get("describe")):
                    self.error("sources.json", sid, "describe", "is missing while 'title' is null.",
                               "say what the item is, e.g. \"UPI wire report\" (the headline is not recorded).")
                    continue
                # The citation then reads "UPI wire report, 22 September 1989 (headline not recorded)".
                title = f"{item['describe']} (headline not recorded)"
            elif _str(title):
                self.error("sources.json", sid, "title", "is missing.",
                           "give the document's real title, or null with a 'describe'.")
                continue
            if item.get("title_from") is not None and item["title_from"] not in TITLE_FROM:
                self.error("sources.json", sid, "title_from", f"{item['title_from']!r} is not one of "
                           f"{', '.join(sorted(TITLE_FROM))}.", "say where the title comes from.")
            if item.get("date") is not None and (why := _date(item["date"])) is not None:
                self.error("sources.json", sid, "date", why, "give the publication date as EDTF, or null.")
                continue
            kind = item.get("kind", "reference")
            if kind not in SOURCE_KINDS:
                self.error("sources.json", sid, "kind", f"{kind!r} is not one of {sorted(SOURCE_KINDS)}.",
                           "pick the closest kind.")
            if sid in sources:
                self.error("sources.json", sid, "id", "is used twice.", "give each source its own id.")
            sources[sid] = Source(
                id=sid, title=title, kind=kind,
                **{k: (str(item[k]) if item.get(k) is not None else None)
                   for k in ("author", "publisher", "date", "file", "url", "note")},
                slips=tuple(x for x in item.get("slips", []) if isinstance(x, dict)))
        return sources

    def read_factions(self) -> dict[str, Faction]:
        items = self.read_object("factions.json", "factions") or []
        factions: dict[str, Faction] = {}
        for i, item in enumerate(items):
            fid = item.get("id") if isinstance(item, dict) else None
            if not isinstance(item, dict) or not isinstance(fid, str) or not _ID.match(fid):
                self.error("factions.json", f"#{i}", "id", "every faction needs a string id.",
                           "give it an id such as 'khmer_rouge'.")
                continue
            color = item.get("color")
            if not isinstance(color, str) or not _COLOR.match(color):
                self.error("factions.json", fid, "color", f"{color!r} is not a #rrggbb colour.",
                           "pick a colour-blind-safe colour, e.g. from the Okabe-Ito palette.")
                continue
            names = []
            for period in item.get("names", []) or []:
                try:
                    names.append(PeriodName(str(period["name"]),
                                            parse_date(period["start"]) if period.get("start") else None,
                                            parse_date(period["end"]) if period.get("end") else None,
                                            _opt_text(period.get("name_km"))))
                except (KeyError, TypeError, DateError) as exc:
                    self.error("factions.json", fid, "names", f"a period name is malformed ({exc}).",
                               "write {\"name\": ..., \"start\": \"YYYY-MM-DD\", \"end\": ... or null}.")
            if item.get("name_km_from") not in (None, "source", "translation"):
                self.error("factions.json", fid, "name_km_from", f"{item['name_km_from']!r} is not "
                           "'source' or 'translation'.", "say whether a source gives the Khmer name "
                           "(cite it in 'sources') or it is the atlas's own translation.")
            allied = item.get("allied_with", []) or []
            factions[fid] = Faction(fid, str(item.get("name") or fid), color.upper(), tuple(names),
                                    frozenset(allied), str(item.get("description") or ""),
                                    tuple(item.get("sources", []) or []), _opt_text(item.get("name_km")))
        for fid, faction in factions.items():
            for other in faction.allied_with:
                if other not in factions:
                    self.error("factions.json", fid, "allied_with", f"unknown faction {other!r}.",
                               "use the id of a faction defined in factions.json.")
        for required in ("government", "khmer_rouge"):
            if items and required not in factions:
                self.error("factions.json", None, "factions", f"the fixed faction id {required!r} is missing.",
                           f"add a faction with id {required!r}.", "warning")
        return factions

    # - layers -

    def read_layer(self, layer: str, rel: str) -> gpd.GeoDataFrame:
        path = self.root / rel
        if not path.exists():
            return _empty_frame(layer)
        result = read_feature_collection(path, rel)
        self.problems += result.problems
        rows = self.check_features(layer, rel, result.features)
        return _frame(layer, rows, self.meta)

    def check_features(self, layer: str, rel: str, features: list[RawFeature]) -> list[RawFeature]:
        spec = SPECS[layer]
        good: list[RawFeature] = []
        for feat in features:
            fid = feat.id if feat.id is not None else feat.properties.get("id")
            if not isinstance(fid, str) or not _ID.match(fid):
                self.error(rel, f"#{feat.index}", "id", f"feature {feat.index} has no usable string id ({fid!r}).",
                           "give every feature a stable id (letters, digits, _ . : -) in 'id' and properties.id.")
                continue
            ok = self.check_properties(layer, rel, fid, feat, spec)
            if fid in self.ids:
                self.error(rel, fid, "id", f"is also used in {self.ids[fid]}.", "make every id unique.")
                ok = False
            self.ids[fid] = rel
            if ok:
                feat.id = fid
                good.append(feat)
        return good

    def check_properties(self, layer: str, rel: str, fid: str, feat: RawFeature, spec: LayerSpec) -> bool:
        props = feat.properties
        ok = True
        for name, check in spec.required.items():
            if name not in props or props[name] is None:
                self.error(rel, fid, name, "is missing.", _FIXES.get(name, f"add '{name}'") + ".")
                ok = False
            elif (why := check(props[name])) is not None:
                self.error(rel, fid, name, f"{props[name]!r} {why}." if "EDTF" in why or "must" in why
                           else why, _FIXES.get(name, f"correct '{name}'") + ".")
                ok = False
        for name, check in {**_COMMON_OPTIONAL, **spec.optional}.items():
            if props.get(name) is not None and (why := check(props[name])) is not None:
                self.error(rel, fid, name, f"{props[name]!r} {why}." if "must" in why else why,
                           f"correct '{name}' (see docs/DATA_MODEL.md).")
                ok = False
        geom = feat.geometry
        if geom is None and not spec.null_geometry:
            self.error(rel, fid, "geometry", "has no geometry.",
                       f"give it a {' or '.join(sorted(spec.geometry))} geometry.")
            ok = False
        elif geom is not None and geom.geom_type not in spec.geometry:
            self.error(rel, fid, "geometry", f"is a {geom.geom_type}; {layer} must be "
                       f"{' or '.join(sorted(spec.geometry))}.", "use the right layer file or geometry type.")
            ok = False
        for name in ("start", "end", "date"):
            if ok and props.get(name) is not None and props.get(f"{name}_part") is not None:
                try:
                    _parsed(props, name)
                except DateError as exc:
                    self.error(rel, fid, f"{name}_part", str(exc), "drop the part or give a month or year.")
                    ok = False
        if ok and "start" in props and props.get("end") is not None:
            start, end = _parsed(props, "start"), _parsed(props, "end")
            if end.first_day < start.first_day:
                self.error(rel, fid, "end", f"ends ({end.text}) before it starts ({start.text}).",
                           "swap or correct the dates.")
                ok = False
        if ok and geom is not None and self.meta is not None and layer not in BASE_LAYERS:
            w, s, e, n = self.meta.region
            x0, y0, x1, y1 = geom.bounds
            if x0 < w or y0 < s or x1 > e or y1 > n:
                self.error(rel, fid, "geometry",
                           f"lies outside the dataset's region [{w}, {s}, {e}, {n}] (bounds "
                           f"[{x0:.4f}, {y0:.4f}, {x1:.4f}, {y1:.4f}]).",
                           "check for swapped lon/lat or a wrong sign, or widen 'region' in dataset.json.")
                ok = False
        if ok and self.check_references:
            ok = self.check_feature_references(layer, rel, fid, props)
        return ok

    def check_feature_references(self, layer: str, rel: str, fid: str, props: dict[str, Any]) -> bool:
        ok = True

        def refs(fld: str, values: Iterable[Any], table: dict[str, Any], what: str) -> None:
            nonlocal ok
            for value in values:
                if value not in table:
                    self.error(rel, fid, fld, f"refers to unknown {what} {value!r}.",
                               f"use an id defined in {what}s" + (".json" if what != "place" else
                                                                   " (places.geojson)") + ".")
                    ok = False

        if layer in BASE_LAYERS:
            return True
        refs("sources", props.get("sources", []), self.sources, "source")
        refs("background_sources", props.get("background_sources", []) or [], self.sources, "source")
        if layer == "zones":
            refs("controller", [props["controller"]], self.factions, "faction")
        if layer == "frontlines":
            refs("sides", props["sides"], self.factions, "faction")
            if len(props["sides"]) != 2:
                self.error(rel, fid, "sides", "must name exactly two factions.", "list the two sides.")
                ok = False
        if layer == "events":
            refs("factions", props.get("factions", []) or [], self.factions, "faction")
            for figure in props.get("figures", []) or []:
                if not isinstance(figure, dict) or "what" not in figure or "value" not in figure:
                    self.error(rel, fid, "figures", f"{figure!r} is not {{what, value, sources}}.",
                               "write each figure as {\"what\": ..., \"value\": ..., \"sources\": [...]}.")
                    ok = False
                else:
                    refs("figures", figure.get("sources", []) or [], self.sources, "source")
        for dispute in props.get("disputes", []) or []:
            claims = dispute.get("claims") if isinstance(dispute, dict) else None
            if not isinstance(claims, list) or not all(isinstance(c, dict) for c in claims):
                self.error(rel, fid, "disputes", f"{dispute!r} has no list of claims.",
                           "write {\"field\": ..., \"claims\": [{\"value\": ..., \"sources\": [...]}]}.")
                ok = False
                continue
            for claim in claims:
                refs("disputes", claim.get("sources", []) or [], self.sources, "source")
        if layer == "places":
            for i, period in enumerate(props.get("control", []) or []):
                ok = self.check_period(rel, fid, i, period) and ok
        return ok

    def check_period(self, rel: str, fid: str, i: int, period: Any) -> bool:
        fld = f"control[{i}]"
        if not isinstance(period, dict):
            self.error(rel, fid, fld, "is not an object.", "write {controller, start, end, certainty, sources}.")
            return False
        ok = True
        for name, check in (("controller", _str), ("start", _date), ("certainty", _one_of(CONTROL_CERTAINTY)),
                            ("sources", _nonempty_str_list)):
            why = check(period.get(name))
            if why is not None:
                self.error(rel, fid, f"{fld}.{name}", f"{period.get(name)!r} {why}.",
                           _FIXES.get(name, f"give '{name}'") + ".")
                ok = False
        if period.get("end") is not None and (why := _date(period["end"])) is not None:
            self.error(rel, fid, f"{fld}.end", why, "give the end date, or null if it lasts.")
            ok = False
        for name, check in (("start_part", _opt_part), ("end_part", _opt_part), ("enclave", _opt_bool),
                            ("background_sources", _opt_str_list)):
            if (why := check(period.get(name))) is not None:
                self.error(rel, fid, f"{fld}.{name}", f"{period.get(name)!r} {why}.",
                           f"correct '{name}' (see docs/DATA_MODEL.md).")
                ok = False
        if not ok:
            return False
        for name in ("start", "end"):
            if period.get(name) is not None and period.get(f"{name}_part") is not None:
                try:
                    _parsed(period, name)
                except DateError as exc:
                    self.error(rel, fid, f"{fld}.{name}_part", str(exc), "drop the part or give a month or year.")
                    return False
        if period["controller"] not in self.factions:
            self.error(rel, fid, f"{fld}.controller", f"refers to unknown faction {period['controller']!r}.",
                       "use an id defined in factions.json.")
            ok = False
        for sid in [*period["sources"], *(period.get("background_sources") or [])]:
            if sid not in self.sources:
                self.error(rel, fid, f"{fld}.sources", f"refers to unknown source {sid!r}.",
                           "use an id defined in sources.json.")
                ok = False
        if period.get("end") and _parsed(period, "end").first_day < _parsed(period, "start").first_day:
            self.error(rel, fid, f"{fld}.end", "ends before it starts.", "swap or correct the dates.")
            ok = False
        return ok

    # - whole-dataset checks -

    def control_table(self, places: gpd.GeoDataFrame) -> pd.DataFrame:
        rows = []
        for pid, periods in places["control"].items() if len(places) else []:
            for period in periods or []:
                start = _parsed(period, "start")
                end = _parsed(period, "end") if period.get("end") else None
                rows.append({
                    "place_id": pid, "controller": period["controller"], "start": start, "end": end,
                    "start_day": start.first_day, "end_day": end.first_day if end else OPEN_END,
                    "certainty": period["certainty"], "sources": tuple(period["sources"]),
                    "note": period.get("note"), "enclave": bool(period.get("enclave")),
                })
        columns = ["place_id", "controller", "start", "end", "start_day", "end_day", "certainty",
                   "sources", "note", "enclave"]
        return pd.DataFrame(rows, columns=columns)

    def check_places_and_zones(self, frames: dict[str, gpd.GeoDataFrame], control: pd.DataFrame) -> None:
        ordered = control.sort_values(["place_id", "start_day"], kind="stable")
        place, ctrl = ordered["place_id"].to_numpy(), ordered["controller"].to_numpy()
        start, end = ordered["start_day"].to_numpy(), ordered["end_day"].to_numpy()
        contested = (ordered["certainty"] == "contested").to_numpy()
        clash = np.flatnonzero((place[1:] == place[:-1]) & (start[1:] < end[:-1]) & (ctrl[1:] != ctrl[:-1])
                               & ~contested[1:] & ~contested[:-1])
        for k in clash:
            a, b = ordered.iloc[k], ordered.iloc[k + 1]
            self.error("places.geojson", str(a["place_id"]), "control",
                       f"is held by {a['controller']} ({a['start'].text} to "
                       f"{a['end'].text if a['end'] else 'the end'}) and by {b['controller']} "
                       f"(from {b['start'].text}) at the same time.",
                       "end the first period when the second begins, or mark one 'contested'.")
        places = frames["places"]
        for fid, row in frames["events"].iterrows():
            for pid in row["place_ids"]:
                if pid not in places.index:
                    self.error("events.geojson", str(fid), "place_ids", f"refers to unknown place {pid!r}.",
                               "use an id from places.geojson.")
        for fid, row in frames["routes"].iterrows():
            for pid in row.get("waypoints") or []:
                if pid not in places.index:
                    self.error("routes.geojson", str(fid), "waypoints", f"refers to unknown place {pid!r}.",
                               "use an id from places.geojson.")
        self.check_zone_overlaps(frames["zones"])

    def check_zone_overlaps(self, zones: gpd.GeoDataFrame) -> None:
        if len(zones) < 2:
            return
        metric = zones.geometry.to_crs(METRIC_CRS).to_numpy()
        left, right = shapely.STRtree(metric).query(metric, predicate="intersects")
        controller = zones["controller"].to_numpy()
        contested = (zones["certainty"] == "contested").to_numpy()
        start, end = zones["start_day"].to_numpy(), zones["end_day"].to_numpy()
        candidate = ((left < right) & (controller[left] != controller[right])
                     & ~contested[left] & ~contested[right]
                     & (start[left] < end[right]) & (start[right] < end[left]))
        left, right = left[candidate], right[candidate]
        codes, names = pd.factorize(controller)
        hostile = np.array([[self._hostile(a, b) for b in names] for a in names], dtype=bool).reshape(
            len(names), len(names))
        keep = hostile[codes[left], codes[right]]
        left, right = left[keep], right[keep]
        overlap = shapely.area(shapely.intersection(metric[left], metric[right])) / 1e6
        for i, j, km2 in zip(left, right, overlap):
            if km2 > OVERLAP_TOLERANCE_KM2:
                self.error("zones.geojson", str(zones.index[j]), "geometry",
                           f"overlaps zone {zones.index[i]!r} by {km2:.1f} km² while both are in force, "
                           f"held by {controller[j]} and {controller[i]}.",
                           "cut one zone out of the other, or mark the overlap as a 'contested' zone.")

    def _hostile(self, a: str, b: str) -> bool:
        fa, fb = self.factions.get(a), self.factions.get(b)
        return fa is not None and fb is not None and fa.is_hostile_to(fb)


def _end_day(value: Any, part: Any = None) -> int:
    return parse_date(value, part).first_day if value else OPEN_END


def _parts(frame: gpd.GeoDataFrame, column: str) -> list[Any]:
    name = f"{column}_part"
    return list(frame[name]) if name in frame else [None] * len(frame)


def _frame(layer: str, rows: list[RawFeature], meta: DatasetMeta | None) -> gpd.GeoDataFrame:
    if not rows:
        return _empty_frame(layer)
    # Object columns keep None as None (pandas would turn it into NaN, or infer a str dtype).
    names = dict.fromkeys(k for feat in rows for k in feat.properties if k not in ("id", "geometry"))
    ids = [feat.id for feat in rows]
    columns = {"id": pd.Series(ids, dtype=object, index=ids)}
    for name in names:
        columns[name] = pd.Series([feat.properties.get(name) for feat in rows], dtype=object, index=ids)
    frame = gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([f.geometry for f in rows], index=ids,
                                                             crs=GEO_CRS))
    for column, default in _DEFAULTS.get(layer, {}).items():
        values = frame[column] if column in frame else [None] * len(frame)
        frame[column] = pd.Series([v if v is not None else default() for v in values],
                                  dtype=object, index=frame.index)
    if layer in ("zones", "frontlines"):
        frame["start_day"] = np.array([parse_date(v, p).first_day
                                       for v, p in zip(frame["start"], _parts(frame, "start"))], dtype=np.int64)
        frame["end_day"] = np.array([_end_day(v, p) for v, p in zip(frame["end"], _parts(frame, "end"))],
                                    dtype=np.int64)
    if layer == "events":
        dates = [parse_date(v, p) for v, p in zip(frame["date"], _parts(frame, "date"))]
        frame["first_day"] = np.array([d.first_day for d in dates], dtype=np.int64)
        frame["last_day"] = np.array([d.last_day for d in dates], dtype=np.int64)
        frame = frame.sort_values(["first_day", "id"])
    return frame


_DEFAULTS: dict[str, dict[str, Callable[[], Any]]] = {
    "places": {"name_km": lambda: None, "name_th": lambda: None, "alt_names": list, "geonames_id": lambda: None,
               "gazetteer_note": lambda: None, "uncertainty_km": lambda: 0, "key": lambda: False,
               "control": list, "note": lambda: None, "disputes": list},
    "routes": {"name_km": lambda: None, "modern_name": lambda: None, "waypoints": list,
               "note": lambda: None, "disputes": list},
    "zones": {"end": lambda: None, "note": lambda: None, "disputes": list},
    "frontlines": {"end": lambda: None, "note": lambda: None, "disputes": list},
    "events": {"description": lambda: "", "place_ids": list, "factions": list, "actors": list,
               "figures": list, "note": lambda: None, "disputes": list},
    "countries": {"sources": list}, "provinces": {"sources": list, "name_km": lambda: None},
}
_COLUMNS: dict[str, list[str]] = {
    "places": ["id", "name", "kind", "country", "certainty", "sources"],
    "routes": ["id", "name", "certainty", "sources"],
    "zones": ["id", "name", "controller", "start", "certainty", "sources", "start_day", "end_day"],
    "frontlines": ["id", "name", "start", "sides", "certainty", "sources", "start_day", "end_day"],
    "events": ["id", "date", "title", "kind", "certainty", "sources", "first_day", "last_day"],
    "countries": ["id", "name"], "provinces": ["id", "name"],
}


def _empty_frame(layer: str) -> gpd.GeoDataFrame:
    columns = _COLUMNS[layer] + [c for c in _DEFAULTS.get(layer, {}) if c not in _COLUMNS[layer]]
    frame = gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in columns},
                             geometry=gpd.GeoSeries([], crs=GEO_CRS), crs=GEO_CRS)
    for c in ("start_day", "end_day", "first_day", "last_day"):
        if c in frame:
            frame[c] = frame[c].astype(np.int64)
    if layer == "zones":
        frame["area_km2"] = pd.Series(dtype=float)
    return frame


def dump_json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str)
