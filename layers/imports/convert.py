"""Raw records to the atlas's schema: places, events, zones, routes and front lines with dates and sources.

Every problem names the file, the row or feature and the field, and says what to do; a record that
cannot be used is skipped and listed, never dropped silently.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable

import numpy as np
import pyproj
import shapely
from shapely.geometry import LineString, MultiLineString, Point, mapping as geo_mapping
from shapely.geometry.base import BaseGeometry

from ..data.dates import parse_date
from ..data.errors import N_, DateError, Message, Problem, message
from ..data.model import CONTROL_CERTAINTY, EVENT_KINDS, LINE_CERTAINTY, PLACE_KINDS, POINT_CERTAINTY
from .model import LAYER_FILES, ImportResult, LayerKind, Limits, Mapping
from .readers import FIX_FEATURE_LIMIT, RawLayer, RawRecord
from .sanitize import clean_html, html_to_text, looks_like_html
from .when import When, WhenError, acled_when, is_missing, parse_when, ucdp_when

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
TIMELESS_START = "\x00dataset-start"  # replaced by the dataset's first day once every file is read
_ID_OK = re.compile(r"^[A-Za-z0-9_.:-]+$")
_DROPPED_KEYS = {"icon", "iconstyle", "iconurl", "style", "marker-symbol", "marker_symbol", "styleurl"}
_DEFAULT_CERTAINTY: dict[str, str] = {"place": "exact", "event": "exact", "zone": "assessed", "route": "exact",
                                      "frontline": "assessed"}
_VOCAB: dict[str, frozenset[str]] = {"place": POINT_CERTAINTY, "event": POINT_CERTAINTY,
                                     "zone": CONTROL_CERTAINTY, "route": LINE_CERTAINTY,
                                     "frontline": LINE_CERTAINTY}
_ROW_KINDS = {"place": "place", "places": "place", "event": "event", "events": "event", "zone": "zone",
              "zones": "zone", "route": "route", "routes": "route", "frontline": "frontline",
              "frontlines": "frontline"}
ACLED_KINDS = {"battles": "battle", "violence against civilians": "attack", "explosions/remote violence": "attack",
               "riots": "other", "protests": "other", "strategic developments": "other"}
ACLED_SUB_KINDS = {"government regains territory": "capture", "non-state actor overtakes territory": "capture",
                   "non-violent transfer of territory": "capture", "agreement": "diplomacy"}
UCDP_VIOLENCE = {1: ("state-based armed conflict", "battle"), 2: ("non-state conflict", "battle"),
                 3: ("one-sided violence", "attack")}


FIX_DATE = N_("correct the date in the row (the rest of the file is imported).")


class Skip(Exception):
    """The record cannot be imported: what is wrong with which field, and what to do."""

    def __init__(self, fld: str | None, reason: Message | str, fix: Message | str) -> None:
        # A plain string is a template without values: as a Message it is translated where it is nested.
        self.field, self.message, self.fix = fld, message(reason), message(fix)
        super().__init__(self.message)


def _skipped(reason: Message | str) -> Message:
    return Message(N_("{reason} The row was skipped."), reason=reason)


def _reason(exc: Exception) -> Message | str:
    """Why a value was refused: a DateError's or our own Message, else the exception's text (data)."""
    if isinstance(exc, DateError):
        return exc.reason
    return exc.args[0] if exc.args and isinstance(exc.args[0], Message) else str(exc)


@dataclass
class Context:
    """What one import accumulates across files."""

    result: ImportResult
    limits: Limits
    ids: set[str] = field(default_factory=set)
    factions: dict[str, dict[str, Any]] = field(default_factory=dict)  # name as written -> faction
    days: list[date] = field(default_factory=list)
    bounds: list[tuple[float, float, float, float]] = field(default_factory=list)
    gazetteer: dict[tuple[str, str | None], Any] = field(default_factory=dict)

    def problem(self, file: str, where: str | None, fld: str | None, message: Message | str, fix: Message | str,
                severity: str = "error") -> None:
        self.result.problems.append(Problem(file, where, fld, message, fix, severity))  # type: ignore[arg-type]

    def faction(self, name: Any, source_id: str) -> str | None:
        text = html_to_text(str(name)) if not is_missing(name) else ""
        if not text:
            return None
        if text not in self.factions:
            fid = unique_id(slug(text) or f"faction_{len(self.factions) + 1}", {f["id"] for f in self.factions.values()})
            color = OKABE_ITO[len(self.factions) % len(OKABE_ITO)]
            self.factions[text] = {"id": fid, "name": text, "color": color, "names": [], "allied_with": [],
                                   "description": "Named in the imported data.", "sources": []}
        faction = self.factions[text]
        if source_id not in faction["sources"]:
            faction["sources"].append(source_id)
        return str(faction["id"])


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:60]


def unique_id(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    k = 2
    while f"{base}_{k}" in taken:
        k += 1
    return f"{base}_{k}"


# --- coordinates ----------------------------------------------------------------------------------

def _in_degrees(geoms: Iterable[BaseGeometry | None]) -> bool:
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        x0, y0, x1, y1 = geom.bounds
        if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
            return False
    return True


def to_wgs84(raw: RawLayer, geoms: list[BaseGeometry | None], mapping: Mapping, ctx: Context) -> list[BaseGeometry | None] | None:
    """Geometries in lon/lat WGS 84, or None (and one problem) when the CRS is unknown and they are not degrees."""
    crs = raw.crs or mapping.crs
    if crs is None:
        present = [g for g in geoms if g is not None and not g.is_empty]
        outside = [g for g in present if not _in_degrees([g])]
        # A few rows outside the degree ranges are typos (reported row by row); most of them, another CRS.
        if outside and len(outside) * 2 > len(present):
            sample = outside[0]
            x, y = sample.representative_point().coords[0]
            ctx.problem(raw.file, None, "crs", Message(N_("states no coordinate reference system and its coordinates "
                                                          "are not degrees (e.g. {x:.1f}, {y:.1f}); the layer was not "
                                                          "imported."), x=x, y=y),
                        N_("give the CRS the coordinates are in (CLI: --crs EPSG:32648; app: the CRS box), "
                           "or export the file with its .prj / CRS."))
            return None
        if not raw.table and raw.format not in ("geojson", "csv"):
            ctx.problem(raw.file, None, "crs", N_("states no coordinate reference system; its coordinates look like "
                                                  "degrees and were taken as WGS 84 longitude/latitude."),
                        N_("check the layer's position; give --crs if it is another system."), "warning")
        return geoms
    try:
        source = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        ctx.problem(raw.file, None, "crs", Message(N_("the CRS {crs!r} is not one pyproj knows ({reason})."), crs=crs,
                                                   reason=str(exc)),
                    N_("give an EPSG code such as EPSG:32648."))
        return None
    if source.equals(pyproj.CRS.from_epsg(4326), ignore_axis_order=True):
        return geoms
    transformer = pyproj.Transformer.from_crs(source, 4326, always_xy=True)
    out = []
    for geom in geoms:
        out.append(None if geom is None else shapely.transform(
            geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))))
    return out


def _number(value: Any) -> float | None:
    if is_missing(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip().replace("\u2212", "-")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # decimal comma
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def table_geometry(rec: RawRecord, m: Mapping) -> BaseGeometry | None:
    """The record's geometry from its WKT or lat/lon columns (in the file's CRS); None when they are empty."""
    if m.wkt and not is_missing(rec.props.get(m.wkt)):
        try:
            return shapely.from_wkt(str(rec.props[m.wkt]))
        except shapely.errors.GEOSException as exc:
            raise Skip(m.wkt, Message(N_("{value!r} is not WKT ({reason})."), value=str(rec.props[m.wkt])[:60],
                                      reason=str(exc)),
                       N_("write the geometry as WKT, e.g. POINT (102.6 12.85), or leave it empty.")) from None
    if m.lat and m.lon:
        lat_raw, lon_raw = rec.props.get(m.lat), rec.props.get(m.lon)
        if is_missing(lat_raw) and is_missing(lon_raw):
            return None
        lat, lon = _number(lat_raw), _number(lon_raw)
        if lat is None or lon is None:
            bad = m.lat if lat is None else m.lon
            raise Skip(bad, Message(N_("{value!r} is not a number."), value=rec.props.get(bad)),
                       N_("write decimal degrees such as 12.85 (or leave both coordinates empty to geocode the "
                          "place)."))
        return Point(lon, lat)
    return None


def geocode(name: str, m: Mapping, ctx: Context) -> Any:
    from ..data.geocode import lookup

    key = (name.strip(), m.country)
    if key not in ctx.gazetteer:
        matches = lookup(name, country=m.country, limit=1)
        ctx.gazetteer[key] = matches[0] if matches else None
    return ctx.gazetteer[key]


# --- values ---------------------------------------------------------------------------------------

def json_safe(value: Any) -> Any:
    if is_missing(value):
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_safe(v) for v in value]
    if isinstance(value, bytes):
        return None
    if isinstance(value, str):
        return clean_html(value) if looks_like_html(value) else value
    if isinstance(value, BaseGeometry):
        return None
    return value


def text_of(value: Any, limit: int = 160) -> str | None:
    if is_missing(value):
        return None
    text = html_to_text(str(value)) if looks_like_html(str(value)) else re.sub(r"\s+", " ", str(value)).strip()
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _get(rec: RawRecord, name: str | None) -> Any:
    return rec.props.get(name) if name else None


def _int(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and float(number).is_integer() else None


# --- time -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Timing:
    start: When | None
    end: When | None = None
    note: str | None = None


def record_timing(rec: RawRecord, m: Mapping) -> Timing:
    """The record's date (or start) and end, from the mapped fields, a convention or the KML elements."""
    if m.timeless:
        return Timing(None)
    try:
        if m.convention == "acled":
            return Timing(acled_when(_get(rec, m.date or "event_date"), _get(rec, _field(rec, "time_precision"))))
        if m.convention == "ucdp":
            when, note = ucdp_when(_get(rec, m.date or "date_start"), _get(rec, m.end or "date_end"),
                                   _get(rec, _field(rec, "date_prec")))
            return Timing(when, None, note)
    except WhenError as exc:
        raise Skip(m.date, exc.reason, FIX_DATE) from None
    start = _when(rec, _filled(rec, m.date, _START_NAMES), m) if m.date else None
    end = _when(rec, _filled(rec, m.end, _END_NAMES), m) if m.end else None
    if rec.kml_time:  # the KML's own TimeStamp/TimeSpan, where the mapped fields are empty
        try:
            if start is None:
                start = parse_when(rec.kml_time.get("when") or rec.kml_time.get("begin"))
            if end is None and "when" not in rec.kml_time:
                end = parse_when(rec.kml_time.get("end"))
        except WhenError as exc:
            raise Skip("TimeStamp", exc.reason, N_("write KML times as xsd:dateTime, date, gYearMonth or gYear.")) \
                from None
    if start is None and end is not None:
        raise Skip(m.date or "begin", N_("is empty but the feature has an end date."), N_("give the start date too."))
    return Timing(start, end)


_START_NAMES = ("date", "start", "begin", "time", "timestamp", "when", "datetime", "start_date", "event_date")
_END_NAMES = ("end", "until")


def _filled(rec: RawRecord, name: str, alternatives: tuple[str, ...]) -> str:
    """The mapped field, or, where it is empty in this record, the first filled field of the same role.

    One table can hold several layers (the atlas's own CSV export: events have `date`, zones `start`).
    """
    if not is_missing(rec.props.get(name)):
        return name
    return next((a for a in alternatives if a != name and not is_missing(rec.props.get(a))), name)


def _field(rec: RawRecord, name: str) -> str | None:
    return next((k for k in rec.props if k.lower() == name), None)


def _when(rec: RawRecord, name: str | None, m: Mapping) -> When | None:
    if not name:
        return None
    try:
        when = parse_when(rec.props.get(name), day_first=m.day_first)
    except WhenError as exc:
        raise Skip(name, exc.reason, FIX_DATE) from None
    part = rec.props.get(f"{name}_part")  # the atlas's own exports: "1994-04" + "late"
    if when is not None and when.part is None and isinstance(part, str) and part.strip() in ("early", "mid", "late"):
        try:
            parse_date(when.edtf, part.strip())
        except DateError as exc:
            raise Skip(f"{name}_part", exc.reason, N_("drop the part, or give a month or a year.")) from None
        return When(when.edtf, part.strip(), when.time)  # type: ignore[arg-type]
    return when


def date_fields(prefix: str, when: When) -> dict[str, Any]:
    out: dict[str, Any] = {prefix: when.edtf}
    if when.part:
        out[f"{prefix}_part"] = when.part
    if when.time:
        out[f"{prefix}_time"] = when.time
    return out


# --- records to features --------------------------------------------------------------------------

class LayerConverter:
    """Converts the records of one raw layer with one mapping; features go to the context's result."""

    def __init__(self, raw: RawLayer, mapping: Mapping, source_id: str, ctx: Context) -> None:
        self.raw, self.m, self.source_id, self.ctx = raw, mapping, source_id, ctx
        self.stem = slug(raw.file.rsplit(".", 1)[0]) or "layer"
        if raw.layer:
            self.stem += "_" + (slug(raw.layer) or "layer")
        self.dropped_keys: set[str] = set()
        self.defaulted_place_kind = 0

    def run(self) -> None:
        known = set(self.raw.fields)
        for option in ("date", "end", "name", "controller", "actor2", "description", "id", "lat", "lon", "wkt",
                       "place"):
            chosen = getattr(self.m, option)
            if chosen and chosen not in known:
                self.ctx.problem(self.raw.file, self.raw.layer, option,
                                 Message(N_("the layer has no field {field!r} (the {option} field chosen); the layer "
                                            "was not imported."), field=chosen, option=option),
                                 Message(N_("choose one of: {fields}."),
                                         fields=", ".join(self.raw.fields) or Message(N_("(no fields)"))))
                return
        geoms = self.geometries()
        if geoms is None:
            return
        for index, (rec, geom) in enumerate(zip(self.raw.records, geoms)):
            try:
                self.record(index, rec, geom)
            except Skip as skip:
                self.ctx.problem(self.raw.file, rec.label, skip.field, _skipped(skip.message)
                                 if "skipped" not in skip.message else skip.message, skip.fix)
        if self.dropped_keys:
            self.ctx.problem(self.raw.file, None, ", ".join(sorted(self.dropped_keys)),
                             N_("icon and style properties were not imported (icon URLs are never fetched)."),
                             N_("nothing to do: the atlas draws every layer in its own symbols."), "warning")
        if self.defaulted_place_kind:
            self.ctx.problem(self.raw.file, None, "kind",
                             Message(N_("{count} places have no kind the atlas knows; they were given kind {kind!r}."),
                                     count=self.defaulted_place_kind, kind=self.m.place_kind),
                             N_("add a 'kind' column (town, village, base, ...) or choose --place-kind."), "warning")

    def geometries(self) -> list[BaseGeometry | None] | None:
        geoms: list[BaseGeometry | None] = []
        for rec in self.raw.records:
            if not self.raw.table:
                geoms.append(rec.geometry)
                continue
            try:
                geoms.append(table_geometry(rec, self.m))
            except Skip as skip:
                self.ctx.problem(self.raw.file, rec.label, skip.field, _skipped(skip.message), skip.fix)
                geoms.append(shapely.Point())  # marks the row as already reported
        if self.raw.table:
            crs_layer = RawLayer(self.raw.file, self.raw.layer, self.raw.format, [], [], crs=None, table=True)
            real = [g if g is not None and not g.is_empty else None for g in geoms]
            out = to_wgs84(crs_layer, real, self.m, self.ctx)
            if out is None:
                return None
            return [g if g is not None else (shapely.Point() if geoms[i] is not None else None)
                    for i, g in enumerate(out)]
        return to_wgs84(self.raw, geoms, self.m, self.ctx)

    # - one record -

    def record(self, index: int, rec: RawRecord, geom: BaseGeometry | None) -> None:
        if geom is not None and geom.is_empty:
            return  # a row whose coordinates were already reported
        located: dict[str, Any] = {}
        if geom is None and self.m.place and not is_missing(rec.props.get(self.m.place)):
            geom, located = self.geocoded(rec)
        if geom is not None:
            geom = shapely.force_2d(geom)
            if not _in_degrees([geom]):
                raise Skip("geometry", Message(N_("lies outside longitude -180..180 / latitude -90..90 ({bounds})."),
                                               bounds=str(geom.bounds)),
                           N_("check for swapped latitude/longitude columns or a wrong CRS."))
        timing = record_timing(rec, self.m)
        base = self.base_id(index, rec)
        if rec.times is not None and not self.m.timeless and is_missing(_get(rec, self.m.date)):
            self.time_steps(base, rec, geom, located)
            return
        kind = self.kind_of(rec, geom, timing)
        self.emit(kind, base, rec, geom, timing, located)

    def geocoded(self, rec: RawRecord) -> tuple[BaseGeometry | None, dict[str, Any]]:
        name = str(rec.props[self.m.place]).strip()
        match = geocode(name, self.m, self.ctx)
        if match is None:
            self.ctx.problem(self.raw.file, rec.label, self.m.place,
                             Message(N_("the offline gazetteer does not know the place {name!r}."), name=name),
                             Message(N_("add latitude/longitude columns for this row, or correct the spelling "
                                        "(searched in country {country})."), country=self.m.country)
                             if self.m.country else
                             N_("add latitude/longitude columns for this row, or correct the spelling."),
                             "warning")
            return None, {"place_name": name, "geocoded": False}
        certainty = "exact" if match.score >= 1.0 else "unverified"
        return Point(match.lon, match.lat), {
            "place_name": name, "geonames_id": match.geonames_id, "country": match.country,
            "geocode": {"query": name, "matched_name": match.matched_name, "geonames_name": match.name,
                        "score": round(match.score, 4), "gazetteer": "GeoNames (offline, cities500)"},
            "_certainty": certainty}

    def base_id(self, index: int, rec: RawRecord) -> str:
        value = _get(rec, self.m.id)
        if not is_missing(value):
            text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
            return text if _ID_OK.match(text) else (slug(text) or f"{self.stem}_{index + 1}")
        return f"{self.stem}_{index + 1}"

    def kind_of(self, rec: RawRecord, geom: BaseGeometry | None, timing: Timing) -> LayerKind:
        if self.m.kind:
            return self.m.kind
        row = rec.props.get("layer")
        if isinstance(row, str) and row.strip().lower() in _ROW_KINDS:
            return _ROW_KINDS[row.strip().lower()]  # type: ignore[return-value]
        gtype = geom.geom_type if geom is not None else None
        if gtype in ("Polygon", "MultiPolygon"):
            return "zone"
        if gtype in ("LineString", "MultiLineString"):
            return "route"
        if gtype is None and timing.start is None:
            raise Skip(self.m.place or "geometry", N_("has neither a location nor a date."),
                       N_("give coordinates or a place name the gazetteer knows, or a date (then it is an event "
                          "without a place)."))
        return "event" if timing.start is not None else "place"

    def time_steps(self, base: str, rec: RawRecord, geom: BaseGeometry | None, located: dict[str, Any]) -> None:
        """`times` per vertex or per point: one feature per time step (Leaflet.TimeDimension's reading)."""
        try:
            whens = [parse_when(t, day_first=self.m.day_first) for t in rec.times or []]
        except WhenError as exc:
            raise Skip("times", exc.reason, N_("write every time as an ISO date or datetime, or epoch milliseconds.")) \
                from None
        if geom is None or any(w is None for w in whens):
            raise Skip("times", N_("has an empty time or no geometry."), N_("give one time per vertex or point."))
        if geom.geom_type == "Point":
            points = [geom] * len(whens)
        elif geom.geom_type == "MultiPoint":
            points = list(geom.geoms)
        else:
            points = []
        if points:
            if len(points) != len(whens):
                raise Skip("times", Message(N_("has {times} times for {points} points."), times=len(whens),
                                            points=len(points)), N_("give one time per point."))
            for k, (point, when) in enumerate(zip(points, whens)):
                kind = self.m.kind if self.m.kind in ("event", "place") else "event"
                self.emit(kind, f"{base}_t{k + 1}", rec, point, Timing(when), located)  # type: ignore[arg-type]
            return
        if geom.geom_type not in ("LineString", "MultiLineString"):
            raise Skip("times", Message(N_("a {type} cannot carry times per vertex."), type=geom.geom_type),
                       N_("remove 'times', or give a start and end field instead."))
        lines = [geom] if geom.geom_type == "LineString" else list(geom.geoms)
        vertices = [(k, xy) for k, line in enumerate(lines) for xy in line.coords]
        if len(vertices) != len(whens):
            raise Skip("times", Message(N_("has {times} times for {vertices} vertices."), times=len(whens),
                                        vertices=len(vertices)), N_("give one time per vertex."))
        days = [w.edtf for w in whens]  # type: ignore[union-attr]
        order = list(dict.fromkeys(days))
        last_index = {d: max(i for i, x in enumerate(days) if x == d) for d in order}
        kind = self.m.kind if self.m.kind in ("route", "frontline") else "route"
        for k, day in enumerate(order):
            upto = vertices[: last_index[day] + 1]
            parts = [[xy for seg, xy in upto if seg == s] for s in dict.fromkeys(seg for seg, _ in upto)]
            parts = [p for p in parts if len(p) >= 2]
            if not parts:
                continue  # a single vertex so far: nothing to draw until the next step
            shape = LineString(parts[0]) if len(parts) == 1 else MultiLineString(parts)
            end = whens[last_index[order[k + 1]]] if k + 1 < len(order) else None
            start = whens[days.index(day)]
            step = Timing(When(start.edtf), When(end.edtf) if end else None)  # type: ignore[union-attr]
            extra = {"time_first": start.time, "time_last": whens[last_index[day]].time}  # type: ignore[union-attr]
            self.emit(kind, f"{base}_t{k + 1}", rec, shape, step, located | {k2: v for k2, v in extra.items() if v})

    # - building one feature -

    def emit(self, kind: LayerKind, fid: str, rec: RawRecord, geom: BaseGeometry | None, timing: Timing,
             located: dict[str, Any]) -> None:
        if timing.end is not None and timing.start is not None and \
                parse_date(timing.end.edtf, timing.end.part).first_day < \
                parse_date(timing.start.edtf, timing.start.part).first_day:
            raise Skip(self.m.end, Message(N_("ends ({end}) before it starts ({start})."), end=timing.end.edtf,
                                           start=timing.start.edtf), N_("swap or correct the dates."))
        geoms = self.shape_for(kind, rec, geom)
        for k, part in enumerate(geoms):
            part_id = fid if len(geoms) == 1 else f"{fid}_{k + 1}"
            props = self.properties(kind, rec, part, timing, located)
            self.add(kind, part_id, rec, part, props)

    def shape_for(self, kind: LayerKind, rec: RawRecord, geom: BaseGeometry | None) -> list[BaseGeometry | None]:
        gtype = geom.geom_type if geom is not None else None
        if kind in ("place", "event"):
            if gtype == "Point":
                return [geom]
            if gtype == "MultiPoint":
                return list(geom.geoms)  # type: ignore[union-attr]
            if gtype is None and kind == "event":
                return [None]
            if gtype is None:
                raise Skip(self.m.place or "geometry", N_("has no location."),
                           N_("give coordinates, or a place name the gazetteer knows."))
            raise Skip("geometry", Message(N_("is a {type}; a {kind} is a point."), type=gtype, kind=kind),
                       N_("choose the layer kind zone (areas) or route (lines) for this layer."))
        if geom is None:
            raise Skip("geometry", Message(N_("has no geometry; a {kind} needs one."), kind=kind),
                       N_("give the feature its geometry."))
        wanted = ("Polygon", "MultiPolygon") if kind == "zone" else ("LineString", "MultiLineString")
        if gtype not in wanted:
            raise Skip("geometry", Message(N_("is a {type}; a {kind} is a {wanted} or {wanted_multi}."), type=gtype,
                                           kind=kind, wanted=wanted[0], wanted_multi=wanted[1]),
                       N_("choose the layer kind that fits the geometry (place/event: points, zone: areas, "
                          "route/frontline: lines)."))
        if not geom.is_valid:
            reason = str(shapely.is_valid_reason(geom))
            fixed = shapely.make_valid(geom)
            kept = [g for g in getattr(fixed, "geoms", [fixed]) if g.geom_type in wanted]
            if not kept:
                raise Skip("geometry", Message(N_("is invalid ({reason}) and cannot be repaired."), reason=reason),
                           N_("fix the geometry in a GIS."))
            geom = kept[0] if len(kept) == 1 else shapely.union_all(kept)
            self.ctx.problem(self.raw.file, rec.label, "geometry",
                             Message(N_("was invalid ({reason}) and was repaired with shapely.make_valid."),
                                     reason=reason), N_("check its outline."), "warning")
        return [geom]

    def certainty(self, kind: LayerKind, rec: RawRecord, located: dict[str, Any]) -> str:
        vocab = _VOCAB[kind]
        given = rec.props.get("certainty")
        if isinstance(given, str) and given in vocab:
            return given
        if self.m.certainty in vocab:
            return str(self.m.certainty)
        if self.m.convention == "acled" and kind in ("event", "place"):
            return {1: "exact", 2: "approximate", 3: "approximate"}.get(
                _int(_get(rec, _field(rec, "geo_precision"))) or 1, "approximate")
        if self.m.convention == "ucdp" and kind in ("event", "place"):
            return "exact" if (_int(_get(rec, _field(rec, "where_prec"))) or 1) == 1 else "approximate"
        return str(located.get("_certainty") or _DEFAULT_CERTAINTY[kind])

    def properties(self, kind: LayerKind, rec: RawRecord, geom: BaseGeometry | None, timing: Timing,
                   located: dict[str, Any]) -> dict[str, Any]:
        m, src = self.m, self.source_id
        props: dict[str, Any] = {"sources": [src], "certainty": self.certainty(kind, rec, located)}
        name = text_of(_get(rec, m.name)) or text_of(rec.props.get("title")) or text_of(located.get("place_name"))
        description = _get(rec, m.description)
        if not is_missing(description):
            html = json_safe(str(description))
            props["description"] = text_of(description, 2000) or ""
            if looks_like_html(str(description)):
                props["description_html"] = html
        controller = self.ctx.faction(_get(rec, m.controller), src)
        second = self.ctx.faction(_get(rec, m.actor2), src)
        start = timing.start
        if kind == "event":
            if start is None:
                raise Skip(m.date or "date", N_("has no date; an event needs one."),
                           N_("give the date field (CLI: --date FIELD), or import the layer as places (--kind place)."))
            props |= self.event_props(rec, timing, name, controller, second)
        elif kind == "place":
            props |= {"name": name or f"{self.raw.file} {rec.label}", "kind": self.place_kind(rec),
                      "country": self.country(rec, located)}
            if controller:
                period: dict[str, Any] = {"controller": controller, "certainty": "assessed", "sources": [src]}
                period |= date_fields("start", start) if start else {"start": TIMELESS_START}
                if timing.end:
                    period |= date_fields("end", timing.end)
                props["control"] = [period]
            elif history := self.control_history(rec):
                props["control"] = history
            elif start is not None:
                props |= date_fields("date", start)
                self.ctx.problem(self.raw.file, rec.label, m.date, N_("is dated but has no controller; places are "
                                                                      "shown at every date, so the date is kept as a "
                                                                      "property only."),
                                 N_("choose --kind event for dated points, or give the controller field."), "warning")
        else:
            props["name"] = name or f"{self.raw.file} {rec.label}"
            props |= date_fields("start", start) if start else {"start": TIMELESS_START}
            if timing.end:
                props |= date_fields("end", timing.end)
            elif kind == "zone" or kind == "frontline":
                props["end"] = None
            if kind == "zone":
                props["controller"] = controller or self.ctx.faction("Not stated in the file", src)
            if kind == "frontline":
                listed = _listed(rec.props.get("sides"))
                if len(listed) == 2 and not (controller and second):
                    controller, second = (self.ctx.faction(x, src) for x in listed)
                if not (controller and second) or controller == second:
                    raise Skip(m.controller or "controller", N_("a front line needs two different sides."),
                               N_("choose the two fields naming the sides (CLI: --controller F --actor2 G)."))
                props["sides"] = [controller, second]
            if kind == "route":
                if start is None:
                    del props["start"]  # a route without dates is simply there
                for key in ("kind", "modern_name"):
                    if isinstance(rec.props.get(key), str) and rec.props[key].strip():
                        props[key] = rec.props[key].strip()
        for key in ("geonames_id",):
            if located.get(key) is not None:
                props[key] = located[key]
        if located.get("geocode"):
            props["geocode"] = located["geocode"]
        for key in ("time_first", "time_last"):
            if located.get(key):
                props[key] = located[key]
        if timing.note:
            props["note"] = timing.note
        props["attributes"] = self.attributes(rec)
        original = rec.props.get("sources")
        if isinstance(original, str) and original.strip():
            props["original_sources"] = [s.strip() for s in re.split(r"[;,]", original) if s.strip()]
        elif isinstance(original, list):
            props["original_sources"] = [str(s) for s in original]
        return props

    def event_props(self, rec: RawRecord, timing: Timing, name: str | None, controller: str | None,
                    second: str | None) -> dict[str, Any]:
        m, src = self.m, self.source_id
        start, end = timing.start, timing.end
        assert start is not None
        out: dict[str, Any]
        if end is not None and end.edtf != start.edtf and not (start.part or end.part) \
                and not any(c in start.edtf + end.edtf for c in "/["):
            out = {"date": f"{start.edtf}/{end.edtf}"}
        else:
            out = date_fields("date", start)
        kind, title = "other", name
        if m.convention == "acled":
            etype = str(_get(rec, _field(rec, "event_type")) or "").strip()
            sub = str(_get(rec, _field(rec, "sub_event_type")) or "").strip()
            kind = ACLED_SUB_KINDS.get(sub.lower()) or ACLED_KINDS.get(etype.lower(), "other")
            where = text_of(_get(rec, _field(rec, "location")))
            title = title or ", ".join(x for x in (sub or etype, where) if x) or None
            fatalities = _int(_get(rec, _field(rec, "fatalities")))
            if fatalities is not None:
                out["figures"] = [{"what": "fatalities (ACLED)", "value": fatalities, "approx": False,
                                   "sources": [src]}]
        elif m.convention == "ucdp":
            label, kind = UCDP_VIOLENCE.get(_int(_get(rec, _field(rec, "type_of_violence"))) or 0, ("event", "other"))
            where = text_of(_get(rec, _field(rec, "where_coordinates")))
            title = title or f"{label.capitalize()}" + (f", {where}" if where else "")
            figures = []
            for col, what in (("best", "deaths, best estimate (UCDP)"), ("low", "deaths, low estimate (UCDP)"),
                              ("high", "deaths, high estimate (UCDP)")):
                value = _int(_get(rec, _field(rec, col)))
                if value is not None:
                    figures.append({"what": what, "value": value, "approx": col != "best", "sources": [src]})
            if figures:
                out["figures"] = figures
        given = rec.props.get("kind")
        if isinstance(given, str) and given in EVENT_KINDS:
            kind = given
        actors = [a for a in (text_of(_get(rec, m.controller)), text_of(_get(rec, m.actor2))) if a]
        actors += [a for a in _listed(rec.props.get("actors")) if a not in actors]
        listed = [self.ctx.faction(x, src) for x in _listed(rec.props.get("factions"))]
        out |= {"title": title or f"{self.raw.file}, {rec.label}", "kind": kind,
                "factions": list(dict.fromkeys(f for f in (controller, second, *listed) if f)), "actors": actors}
        return out

    def control_history(self, rec: RawRecord) -> list[dict[str, Any]] | None:
        """The atlas's own `control` list (GeoPackage and KML exports write it as JSON), or None.

        Each period keeps its holder, dates in their precision, certainty, enclave flag and note; it cites
        the imported file (the original source ids are kept as `original_sources`, which cite nothing here).
        """
        key = _field(rec, "control")
        periods = _json_list(rec.props.get(key)) if key else None
        if not periods:
            return None
        src, out = self.source_id, []
        for k, period in enumerate(periods):
            try:
                out.append(self.control_period(period, src))
            except (DateError, KeyError, TypeError, ValueError) as exc:
                self.ctx.problem(self.raw.file, rec.label, f"{key}[{k}]",
                                 Message(N_("is not a control period the atlas can read ({reason}); the place was "
                                            "imported without its control history."), reason=_reason(exc)),
                                 N_("write each period as {\"controller\", \"start\", \"end\", \"certainty\"}, or "
                                    "map a controller field instead."), "warning")
                return None
        return out

    def control_period(self, period: Any, src: str) -> dict[str, Any]:
        if not isinstance(period, dict):
            raise TypeError(Message(N_("not an object")))
        holder = period["controller"]
        if not (isinstance(holder, str) and holder.strip()):
            raise ValueError(Message(N_("no controller")))
        out: dict[str, Any] = {}
        for name in ("start", "end"):
            value, part = period.get(name), period.get(f"{name}_part")
            if value is None:
                if name == "start":
                    raise ValueError(Message(N_("no start")))
                continue
            parse_date(str(value), part if isinstance(part, str) else None)
            out[name] = str(value)
            if isinstance(part, str):
                out[f"{name}_part"] = part
        out["controller"] = self.ctx.faction(holder, src)  # only once the period is readable: no stray faction
        certainty = period.get("certainty")
        out["certainty"] = certainty if certainty in CONTROL_CERTAINTY else "assessed"
        out["sources"] = [src]
        if period.get("enclave") is True:
            out["enclave"] = True
        if isinstance(period.get("note"), str) and period["note"].strip():
            out["note"] = period["note"]
        original = [str(x) for x in (period.get("sources") or []) if not is_missing(x)]
        if original:
            out["original_sources"] = original
        return out

    def place_kind(self, rec: RawRecord) -> str:
        for key in ("kind", "type", "feature_class", "category"):
            value = rec.props.get(key)
            if isinstance(value, str) and value.strip().lower() in PLACE_KINDS:
                return value.strip().lower()
        if self.m.place_kind not in PLACE_KINDS:
            raise Skip("kind", Message(N_("place kind {kind!r} is not one the atlas knows."), kind=self.m.place_kind),
                       Message(N_("choose one of {kinds}."), kinds=", ".join(sorted(PLACE_KINDS))))
        self.defaulted_place_kind += 1
        return self.m.place_kind

    def country(self, rec: RawRecord, located: dict[str, Any]) -> str | None:
        """The row's own code, the gazetteer's, or the one the user chose; None (written null) when none says."""
        for key in ("country", "country_code", "iso2", "cc"):
            value = rec.props.get(key)
            if isinstance(value, str) and re.fullmatch(r"[A-Za-z]{2}", value.strip()):
                return value.strip().upper()
        if located.get("country"):
            return str(located["country"])
        if self.m.country:
            return self.m.country.upper()
        return None

    def attributes(self, rec: RawRecord) -> dict[str, Any]:
        out = {}
        for key, value in rec.props.items():
            if key.lower() in _DROPPED_KEYS:
                if not is_missing(value):
                    self.dropped_keys.add(key)
                continue
            safe = json_safe(value)
            if safe is not None and safe != "":
                out[str(key)] = safe
        return out

    def add(self, kind: LayerKind, fid: str, rec: RawRecord, geom: BaseGeometry | None,
            props: dict[str, Any]) -> None:
        if self.ctx.result.feature_count >= self.ctx.limits.max_features:
            raise Skip(None, Message(N_("the import reached its limit of {limit} features."),
                                     limit=self.ctx.limits.max_features), FIX_FEATURE_LIMIT)
        unique = unique_id(fid, self.ctx.ids)
        if unique != fid:
            self.ctx.problem(self.raw.file, rec.label, self.m.id or "id",
                             Message(N_("the id {id!r} is already used; this feature was given the id {unique!r}."),
                                     id=fid, unique=unique), N_("give every feature its own id."), "warning")
        self.ctx.ids.add(unique)
        for key in ("date", "start", "end"):
            value = props.get(key)
            if isinstance(value, str) and value != TIMELESS_START:
                parsed = parse_date(value)
                self.ctx.days += [parsed.earliest, parsed.latest]
        for period in props.get("control", []):
            for key in ("start", "end"):
                if isinstance(period.get(key), str) and period[key] != TIMELESS_START:
                    parsed = parse_date(period[key])
                    self.ctx.days += [parsed.earliest, parsed.latest]
        if geom is not None:
            geom = _rounded(geom)
            self.ctx.bounds.append(geom.bounds)
        feature = {"type": "Feature", "id": unique,
                   "geometry": geo_mapping(geom) if geom is not None else None,
                   "properties": {"id": unique, **props}}
        self.ctx.result.features.setdefault(LAYER_FILES[kind], []).append(feature)


def _listed(value: Any) -> list[str]:
    """A list property as a list of strings: a JSON list, a list, or text joined with ';'."""
    if isinstance(value, str) and value.strip().startswith("["):
        parsed = _json_list(value)
        value = value if parsed is None else parsed
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if not is_missing(v) and str(v).strip()]
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    return []


def _json_list(value: Any) -> list[Any] | None:
    """A list, or JSON text holding one (how GeoPackage and KML carry the atlas's lists); else None."""
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return list(value) if isinstance(value, (list, tuple)) else None


def _rounded(geom: BaseGeometry) -> BaseGeometry:
    """RFC 7946: at most 6 decimals (about 10 cm); polygons with counter-clockwise exterior rings."""
    geom = shapely.transform(geom, lambda xy: np.round(xy, 6))
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        geom = shapely.orient_polygons(geom)
    return geom

