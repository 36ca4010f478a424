"""Load and validate a directory of layers (the built-in `geodata/` or any in the same schema).

Every problem names the file, the feature id and the field, and says how to fix it.
`load_dataset` raises `DataError` carrying all problems; `validate_path` returns them and never
raises for bad data, whatever the directory holds. The field rules are in `schema.py`, the rules
across features and files in `checks.py`; the types built here are in `model.py`.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import stat
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from . import checks
from .dates import HistoricalDate, parse_date, parse_date_field, parse_day
from .errors import N_, DataError, DateError, Message, Problem
from .geojson_io import RawFeature, read_feature_collection, read_json
from .model import (
    BASE_LAYERS, GEO_CRS, LAYERS, METRIC_CRS, OPEN_END, UNDATED_SOURCE_KINDS, Dataset, DatasetMeta, Faction,
    PeriodName, Source,
)
from .schema import (
    DATASET, FACTION, ID, LAYER_SPECS, SOURCE, Issue, LayerSpec, check_object, short,
)

BUILTIN_DIR = Path(__file__).resolve().parents[2] / "geodata"

# The app's date slider (Streamlit) sends days as microseconds since 1970 in a JavaScript number,
# exact only up to 2**53: it cannot show a dataset outside these days (StreamlitJSNumberBoundsError).
SLIDER_FIRST_DAY, SLIDER_LAST_DAY = date(1684, 7, 29), date(2255, 6, 4)


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


def validate_path(path: Path | str) -> Report:
    """Validate a dataset directory, or a single GeoJSON layer file. Never raises for bad data."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return Report([Problem(str(path), None, None, N_("does not exist."),
                               N_("give the path of a dataset directory or of a .geojson file."))])
    except OSError as exc:
        return Report([Problem(str(path), None, None,
                               Message(N_("cannot be read ({reason})."), reason=str(exc.strerror)),
                               N_("give the path of a readable dataset directory or .geojson file."))])
    if stat.S_ISDIR(mode):
        report = _Loader(path).run()
        if report.dataset is not None:
            from .story import load_story  # the story builds on a loaded dataset

            try:
                load_story(report.dataset)
            except DataError as exc:
                report.problems.extend(exc.problems)
                report.dataset = None
        return report
    layer = path.stem if path.stem in LAYER_SPECS else None
    result = read_feature_collection(path, path.name)
    problems = list(result.problems)
    if layer is not None:
        loader = _Loader(path.parent, check_references=False)
        loader.check_features(layer, path.name, result.features)
        problems += loader.problems
    return Report(problems)


def utm_crs(lon: float, lat: float) -> str:
    """The UTM zone (WGS 84) containing a point: a good metric projection for a region around it."""
    zone = min(max(int(math.floor((lon + 180) / 6)) + 1, 1), 60)
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


def slug_of(title: str) -> str:
    """A file-name prefix from a title: 'Pailin Atlas: the war' -> 'pailin-atlas-the-war' (at most 40)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(slug) > 40:
        slug = slug[:41].rsplit("-", 1)[0] if "-" in slug[:41] else slug[:40]
    return slug.strip("-") or "atlas"


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

    def error(self, file: str, feature: str | None, fld: str | None, message: Message | str, fix: Message | str,
              severity: str = "error") -> None:
        self.problems.append(Problem(file, feature, fld, message, fix, severity))  # type: ignore[arg-type]

    def issues(self, file: str, feature: str | None, issues: list[Issue], prefix: str = "") -> bool:
        for issue in issues:
            fld = f"{prefix}{issue.field}" if issue.field else (prefix.rstrip(".") or None)
            self.error(file, feature, fld, issue.message, issue.fix)
        return not issues

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    # - the JSON files -

    def run(self) -> Report:
        self.meta = self.read_meta()
        self.sources = self.read_sources()
        self.factions = self.read_factions()
        frames: dict[str, gpd.GeoDataFrame] = {}
        for layer in LAYERS:
            frames[layer] = self.read_layer(layer, f"{layer}.geojson")
        for layer, rel in BASE_LAYERS.items():
            frames[layer] = self.read_layer(layer, rel)
        if self.meta is None:
            return Report(self.problems)
        # The frames hold only features that passed their own checks, so the rules across them can run
        # (and report) even when other features or files failed.
        self.meta = self.complete_meta(self.meta, frames["places"])
        control = control_table(frames["places"])
        self.problems += checks.dataset_checks(frames, control, self.factions, self.sources, self.meta,
                                               [i for i, f in self.ids.items() if f == "places.geojson"])
        if self.failed:
            return Report(self.problems)
        zones = frames["zones"]
        zones["area_km2"] = zones.geometry.to_crs(self.meta.metric_crs).area.to_numpy() / 1e6 if len(zones) \
            else []
        dataset = Dataset(self.root, self.meta, self.factions, self.sources, frames["places"],
                          frames["routes"], zones, frames["frontlines"], frames["events"], control,
                          frames["countries"], frames["provinces"],
                          [p for p in self.problems if p.severity == "warning"])
        return Report(self.problems, dataset)

    def read_object(self, name: str, key: str | None) -> Any:
        doc, problems = read_json(self.root / name, name, self.root)
        if problems:
            if problems[0].message == "does not exist.":
                problems = [Problem(name, None, None, N_("is missing from the dataset directory."),
                                    Message(N_("add {file} (see docs/DATA_MODEL.md for its format)."), file=name))]
            self.problems += problems
            return None
        if key is None:
            if not isinstance(doc, dict):
                self.error(name, None, None, Message(N_("must be a JSON object, not {value}."), value=short(doc)),
                           N_("see docs/DATA_MODEL.md."))
                return None
            return doc
        if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
            self.error(name, None, key, Message(N_("must be an object with a '{key}' list."), key=key),
                       Message(N_("write {{\"{key}\": [...]}} (see docs/DATA_MODEL.md)."), key=key))
            return None
        return doc[key]

    def read_meta(self) -> DatasetMeta | None:
        name = "dataset.json"
        doc = self.read_object(name, None)
        if doc is None:
            return None
        if not self.issues(name, None, list(check_object(doc, DATASET))):
            return None
        start, end = parse_date(doc["start"]), parse_date(doc["end"])
        region = doc.get("region")
        if (not isinstance(region, list) or len(region) != 4
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                           for v in region)
                or not (-180 <= region[0] < region[2] <= 180 and -90 <= region[1] < region[3] <= 90)):
            self.error(name, None, "region",
                       Message(N_("{value} is not [west, south, east, north] in degrees."), value=short(region)),
                       N_("give the dataset's bounding box, e.g. [101.9, 11.3, 105.3, 14.8]."))
            return None
        if end.latest < start.earliest:
            self.error(name, None, "end", N_("the dataset ends before it starts."), N_("swap 'start' and 'end'."))
            return None
        for fld, day in (("start", start.earliest), ("end", end.latest)):
            if not SLIDER_FIRST_DAY <= day <= SLIDER_LAST_DAY:
                self.error(name, None, fld, Message(N_("{day} is outside the days the app's date slider can show "
                                                       "({first} to {last})."), day=day.isoformat(),
                                                    first=SLIDER_FIRST_DAY.isoformat(),
                                                    last=SLIDER_LAST_DAY.isoformat()),
                           N_("give a time range inside those days."))
                return None
        default_date = parse_day(doc["default_date"]) if doc.get("default_date") else None
        if default_date is not None and not start.earliest <= default_date <= end.latest:
            self.error(name, None, "default_date",
                       Message(N_("{day} is outside the dataset's time range {first} to {last}."),
                               day=default_date.isoformat(), first=start.earliest.isoformat(),
                               last=end.latest.isoformat()),
                       N_("give a day between 'start' and 'end', or remove it to open on the start."))
            return None
        w, s, e, n = (float(v) for v in region)
        metric_crs = doc.get("metric_crs") or utm_crs((w + e) / 2, (s + n) / 2)
        if doc.get("metric_crs") and (why := _metric_crs_problem(metric_crs)):
            self.error(name, None, "metric_crs", Message(N_("{value} {why}."), value=short(metric_crs), why=why),
                       N_("name a projected CRS in metres, such as the UTM zone of the region, or remove it."))
            return None
        view = doc.get("view") or {"lat": (s + n) / 2, "lon": (w + e) / 2, "zoom": 8}
        title = doc.get("title") or self.root.name
        return DatasetMeta(
            title=title, description=doc.get("description") or "",
            start=start.earliest, end=end.latest, region=(w, s, e, n),
            view_lat=float(view["lat"]), view_lon=float(view["lon"]), view_zoom=int(view["zoom"]),
            event_window_days=15 if doc.get("event_window_days") is None else int(doc["event_window_days"]),
            extra={k: v for k, v in doc.items() if k not in DATASET.fields},
            metric_crs=metric_crs, default_date=default_date, slug=doc.get("slug") or slug_of(title),
            countries=tuple(doc.get("countries") or ()),
            required_factions=tuple(doc.get("required_factions") or ()),
        )

    def complete_meta(self, meta: DatasetMeta, places: gpd.GeoDataFrame) -> DatasetMeta:
        """Derive the home countries (the commonest among the places) when dataset.json names none."""
        known = Counter(c for c in places["country"] if isinstance(c, str)) if len(places) else Counter()
        if meta.countries or not known:  # a null country is "not known": it names no home country
            return meta
        common = known.most_common(1)
        return dataclasses.replace(meta, countries=(common[0][0],))

    def read_sources(self) -> dict[str, Source]:
        name = "sources.json"
        sources: dict[str, Source] = {}
        for i, item in enumerate(self.read_object(name, "sources") or []):
            sid = item.get("id") if isinstance(item, dict) else None
            label = sid if isinstance(sid, str) and ID.match(sid) else f"#{i}"
            if not self.issues(name, label, list(check_object(item, SOURCE))):
                if label == sid:  # known but broken: keep the id so citing it adds no second error
                    sources.setdefault(sid, Source(sid, None, "reference", describe=sid))
                continue
            title, describe = item.get("title"), item.get("describe")
            if title is None and not (isinstance(describe, str) and describe.strip()):
                self.error(name, sid, "describe", N_("is missing: a source without a recorded title needs one."),
                           N_("say what the item is, e.g. \"UPI wire report\" (the citation then reads "
                              "'UPI wire report, 22 September 1989 (headline not recorded)')."))
            if title is not None and item.get("title_from") is None:
                self.error(name, sid, "title_from", N_("is missing: say where the title comes from."),
                           N_("write \"document\" (the source documents), \"brief\" (the research brief gives "
                              "it) or \"checked\" (verified by us; say how in 'note'); or set 'title' to null "
                              "and 'describe' the item if the headline is not recorded."))
            kind = item.get("kind") or "reference"
            if item.get("date") is None and kind not in UNDATED_SOURCE_KINDS:
                # Unknown and said so (`date_unknown`: why) is honest, but nothing can check that the item is
                # not older than the facts it is cited for: a warning. Merely missing is an error.
                known_unknown = isinstance(item.get("date_unknown"), str) and item["date_unknown"].strip()
                if known_unknown:
                    self.error(name, sid, "date",
                               Message(N_("is missing: a {kind} item has a publication date (not recorded: {why})."),
                                       kind=kind, why=item["date_unknown"].strip()),
                               N_("give the date it was published (EDTF, e.g. '1994-04-22' or '1994-04'); one entry "
                                  "is one document, so a run of a paper over years is not one source; until then "
                                  "no check can tell whether it predates the facts it supports."), "warning")
                else:
                    self.error(name, sid, "date",
                               Message(N_("is missing: a {kind} item has a publication date."), kind=kind),
                               N_("give the date it was published (EDTF, e.g. '1994-04-22' or '1994-04'); one entry "
                                  "is one document, so a run of a paper over years is not one source."))
            if sid in sources:
                self.error(name, sid, "id", N_("is used twice."), N_("give each source its own id."))
            sources[sid] = Source(
                id=sid, title=title, kind=kind,
                **{k: item.get(k) for k in ("author", "publisher", "date", "file", "url", "note", "describe",
                                            "title_from")},
                slips=tuple(item.get("slips") or ()))
        return sources

    def read_factions(self) -> dict[str, Faction]:
        name = "factions.json"
        items = self.read_object(name, "factions") or []
        factions: dict[str, Faction] = {}
        for i, item in enumerate(items):
            fid = item.get("id") if isinstance(item, dict) else None
            label = fid if isinstance(fid, str) and ID.match(fid) else f"#{i}"
            if not self.issues(name, label, list(check_object(item, FACTION))):
                if label == fid:  # known but broken: keep the id so naming it adds no second error
                    factions.setdefault(fid, Faction(fid, fid, "#999999"))
                continue
            names = [PeriodName(p["name"], parse_date(p["start"]) if p.get("start") else None,
                                parse_date(p["end"]) if p.get("end") else None, p.get("name_km") or None)
                     for p in item.get("names") or []]
            if fid in factions:
                self.error(name, fid, "id", N_("is used twice."), N_("give each faction its own id."))
            factions[fid] = Faction(fid, item["name"], item["color"].upper(), tuple(names),
                                    frozenset(item.get("allied_with") or ()), item.get("description") or "",
                                    tuple(item.get("sources") or ()), item.get("name_km") or None,
                                    item.get("short") or None)
        for fid, faction in factions.items():
            for other in sorted(faction.allied_with):
                if other not in factions:
                    self.error(name, fid, "allied_with", Message(N_("unknown faction {id!r}."), id=other),
                               N_("use the id of a faction defined in factions.json."))
            for sid in faction.sources:
                if sid not in self.sources:
                    self.error(name, fid, "sources", Message(N_("refers to unknown source {id!r}."), id=sid),
                               N_("use an id defined in sources.json."))
        for required in self.meta.required_factions if self.meta else ():
            if required not in factions:
                self.error(name, None, "factions",
                           Message(N_("the faction {id!r} that dataset.json requires is missing."), id=required),
                           Message(N_("add a faction with id {id!r}, or drop it from 'required_factions' in "
                                      "dataset.json."), id=required))
        return factions

    # - layers -

    def read_layer(self, layer: str, rel: str) -> gpd.GeoDataFrame:
        path = self.root / rel
        if not os.path.lexists(path):
            return empty_frame(layer)
        result = read_feature_collection(path, rel, self.root)
        self.problems += result.problems
        rows = self.check_features(layer, rel, result.features)
        return _frame(layer, rows)

    def check_features(self, layer: str, rel: str, features: list[RawFeature]) -> list[RawFeature]:
        spec = LAYER_SPECS[layer]
        good: list[RawFeature] = []
        for feat in features:
            fid = feat.id if feat.id is not None else feat.properties.get("id")
            if not isinstance(fid, str) or not ID.match(fid):
                self.error(rel, f"#{feat.index}", "id",
                           Message(N_("feature {index} has no usable string id ({value})."), index=str(feat.index),
                                   value=short(fid)),
                           N_("give every feature a stable id (letters, digits, _ . : -) in 'id' and "
                              "properties.id."))
                continue
            ok = self.check_properties(layer, rel, fid, feat, spec)
            if fid in self.ids:
                self.error(rel, fid, "id", Message(N_("is also used in {file}."), file=self.ids[fid]),
                           N_("make every id unique."))
                ok = False
            self.ids[fid] = rel
            if ok:
                feat.id = fid
                good.append(feat)
        return good

    def check_properties(self, layer: str, rel: str, fid: str, feat: RawFeature, spec: LayerSpec) -> bool:
        props = feat.properties
        ok = self.issues(rel, fid, list(check_object(props, spec.properties)))
        ok = self.check_dates(rel, fid, props, spec.dated) and ok
        for i, period in enumerate(props.get("control") or [] if ok else []):
            ok = self.check_dates(rel, fid, period, ("start", "end"), f"control[{i}].") and ok
        geom = feat.geometry
        if geom is None and not spec.null_geometry:
            self.error(rel, fid, "geometry", N_("has no geometry."),
                       Message(N_("give it a {types} geometry."), types=" or ".join(sorted(spec.geometry))))
            ok = False
        elif geom is not None and geom.geom_type not in spec.geometry:
            self.error(rel, fid, "geometry",
                       Message(N_("is a {type}; {layer} must be {types}."), type=geom.geom_type, layer=layer,
                               types=" or ".join(sorted(spec.geometry))),
                       N_("use the right layer file or geometry type."))
            ok = False
        if ok and geom is not None and self.meta is not None and layer not in BASE_LAYERS:
            w, s, e, n = self.meta.region
            x0, y0, x1, y1 = geom.bounds
            if x0 < w or y0 < s or x1 > e or y1 > n:
                self.error(rel, fid, "geometry",
                           Message(N_("lies outside the dataset's region {region} (bounds {bounds})."),
                                   region=f"[{w}, {s}, {e}, {n}]",
                                   bounds=f"[{x0:.4f}, {y0:.4f}, {x1:.4f}, {y1:.4f}]"),
                           N_("check for swapped lon/lat or a wrong sign, or widen 'region' in dataset.json."))
                ok = False
        if ok and self.check_references and layer not in BASE_LAYERS:
            problems = checks.feature_references(layer, rel, fid, props, self.factions, self.sources)
            self.problems += problems
            ok = not problems
        return ok

    def check_dates(self, rel: str, fid: str, props: dict[str, Any], fields: tuple[str, ...],
                    prefix: str = "") -> bool:
        """Parts that fit their dates, and ends not before starts (the schema checked each date)."""
        parsed: dict[str, HistoricalDate] = {}
        for name in fields:
            if props.get(name) is None:
                if props.get(f"{name}_part") is not None:
                    self.error(rel, fid, f"{prefix}{name}_part",
                               Message(N_("narrows '{name}', which is not given."), name=name),
                               Message(N_("give '{name}' or remove '{name}_part'."), name=name))
                    return False
                continue
            try:
                parsed[name] = parse_date_field(props, name)  # type: ignore[assignment]
            except DateError as exc:
                self.error(rel, fid, f"{prefix}{name}_part", exc.reason,
                           N_("use early/mid/late only with a month or a year, such as \"1994-04\"."))
                return False
        if "start" in parsed and "end" in parsed and parsed["end"].first_day < parsed["start"].first_day:
            self.error(rel, fid, f"{prefix}end",
                       Message(N_("ends ({end}) before it starts ({start})."), end=parsed["end"],
                               start=parsed["start"]),
                       N_("swap or correct the dates."))
            return False
        return True


def _metric_crs_problem(code: str) -> Message | None:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_user_input(code)
    except CRSError:
        return Message(N_("is not a coordinate reference system pyproj knows"))
    if not crs.is_projected:
        return Message(N_("is not a projected CRS (areas need metres, not degrees)"))
    units = {axis.unit_name for axis in crs.axis_info}
    if not units <= {"metre", "meter"}:
        return Message(N_("measures in {units}, not metres"), units=", ".join(sorted(units)))
    return None


def control_table(places: gpd.GeoDataFrame) -> pd.DataFrame:
    """Every explicit control period, one row each, with its dates parsed (parts applied)."""
    rows = []
    for pid, periods in places["control"].items() if len(places) else []:
        for i, period in enumerate(periods or []):
            start = parse_date_field(period, "start")
            end = parse_date_field(period, "end")
            rows.append({
                "place_id": pid, "controller": period["controller"], "start": start, "end": end,
                "start_day": start.first_day, "end_day": end.first_day if end else OPEN_END,  # type: ignore[union-attr]
                "certainty": period["certainty"], "sources": tuple(period["sources"]),
                "note": period.get("note"), "enclave": bool(period.get("enclave")),
                "background_sources": tuple(period.get("background_sources") or ()), "period": i,
            })
    return pd.DataFrame(rows, columns=CONTROL_COLUMNS)


CONTROL_COLUMNS = ["place_id", "controller", "start", "end", "start_day", "end_day", "certainty", "sources",
                   "note", "enclave", "background_sources", "period"]


def _day(props: dict[str, Any], name: str, default: int) -> int:
    parsed = parse_date_field(props, name)
    return parsed.first_day if parsed is not None else default


def _frame(layer: str, rows: list[RawFeature]) -> gpd.GeoDataFrame:
    if not rows:
        return empty_frame(layer)
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
        props = [f.properties for f in rows]
        frame["start_day"] = np.array([_day(p, "start", 0) for p in props], dtype=np.int64)
        frame["end_day"] = np.array([_day(p, "end", OPEN_END) for p in props], dtype=np.int64)
    if layer == "events":
        dates = [parse_date_field(f.properties, "date") for f in rows]
        frame["first_day"] = np.array([d.first_day for d in dates], dtype=np.int64)  # type: ignore[union-attr]
        frame["last_day"] = np.array([d.last_day for d in dates], dtype=np.int64)  # type: ignore[union-attr]
        frame = frame.sort_values(["first_day", "id"])
    return frame


_DEFAULTS: dict[str, dict[str, Callable[[], Any]]] = {
    "places": {"name_km": lambda: None, "name_th": lambda: None, "alt_names": list, "geonames_id": lambda: None,
               "gazetteer_note": lambda: None, "uncertainty_km": lambda: 0, "key": lambda: False,
               "control": list, "note": lambda: None, "disputes": list, "background_sources": list},
    "routes": {"name_km": lambda: None, "modern_name": lambda: None, "waypoints": list,
               "note": lambda: None, "disputes": list, "background_sources": list},
    "zones": {"end": lambda: None, "note": lambda: None, "disputes": list, "background_sources": list,
              "start_part": lambda: None, "end_part": lambda: None},
    "frontlines": {"end": lambda: None, "note": lambda: None, "disputes": list, "background_sources": list,
                   "start_part": lambda: None, "end_part": lambda: None},
    "events": {"description": lambda: "", "place_ids": list, "factions": list, "actors": list,
               "figures": list, "note": lambda: None, "disputes": list, "background_sources": list,
               "date_part": lambda: None},
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


def empty_frame(layer: str) -> gpd.GeoDataFrame:
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


__all__ = ["BUILTIN_DIR", "METRIC_CRS", "Report", "control_table", "dump_json", "empty_frame", "load_dataset",
           "slug_of", "utm_crs", "validate_path"]
