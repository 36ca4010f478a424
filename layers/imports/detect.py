"""What a layer holds and which field likely means what: the defaults of the mapping step."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Iterable

from ..data.errors import N_, Message
from .model import DetectedLayer, FieldInfo, LayerKind, Mapping
from .readers import RawLayer
from .when import WhenError, is_missing, parse_when

# Candidate names, best first; compared lower-case with spaces, dots and dashes as underscores.
# Shapefile truncates field names to 10 characters, hence "descriptio".
LAT = ("lat", "latitude", "lat_dd", "lat_wgs84", "decimallatitude", "y_lat", "ycoord", "y")
LON = ("lon", "lng", "long", "longitude", "lon_dd", "lon_wgs84", "decimallongitude", "x_lon", "xcoord", "x")
WKT = ("wkt", "geom_wkt", "wkt_geom", "the_geom", "geometry", "geom", "shape", "footprint")
PLACE = ("place", "place_name", "placename", "location", "town", "city", "village", "locality", "site",
         "where", "where_coordinates", "settlement")
DATE = ("time", "date", "start", "begin", "start_date", "startdate", "date_start", "event_date", "timestamp",
        "when", "datetime", "valid_from", "from", "year")
STRONG_DATE = ("time", "date", "start", "begin", "start_date", "date_start", "event_date", "timestamp", "datetime")
END = ("end", "end_date", "enddate", "date_end", "until", "valid_to", "to", "stop")
NAME = ("name", "title", "label", "event", "what", "headline", "place_name", "placename")
CONTROLLER = ("controller", "held_by", "control", "faction", "side", "side_a", "actor", "actor1", "owner",
              "party", "sides")
ACTOR2 = ("actor2", "side_b", "opponent", "side2")
DESCRIPTION = ("description", "descriptio", "desc", "popup", "popupcontent", "notes", "note", "comment",
               "details", "text", "summary")
ID = ("id", "uid", "identifier", "event_id", "event_id_cnty", "fid_", "feature_id")
_KIND_VALUES = {"place", "event", "zone", "route", "frontline", "places", "events", "zones", "routes",
                "frontlines"}


def norm(name: str) -> str:
    return re.sub(r"[\s.\-]+", "_", name.strip().lower())


def pick(fields: Iterable[str], candidates: Iterable[str]) -> str | None:
    """The first field (as the file spells it) whose normalised name is a candidate, best candidate first."""
    by_norm: dict[str, str] = {}
    for f in fields:
        by_norm.setdefault(norm(f), f)
    return next((by_norm[c] for c in candidates if c in by_norm), None)


def samples(raw: RawLayer, name: str, limit: int = 3) -> list[Any]:
    out = []
    for record in raw.records:
        value = record.props.get(name)
        if not is_missing(value):
            out.append(value)
            if len(out) == limit:
                break
    return out


def _dates_parse(raw: RawLayer, name: str) -> bool:
    values = samples(raw, name, 5)
    if not values:
        return False
    try:
        return all(parse_when(v) is not None for v in values)
    except WhenError:
        return False


def _holds_lists(raw: RawLayer, name: str) -> bool:
    values = samples(raw, name, 5)
    return bool(values) and all(isinstance(v, (list, tuple, dict)) or str(v).lstrip().startswith(("[", "{"))
                                for v in values)


def _numbers(raw: RawLayer, name: str, low: float, high: float) -> bool:
    values = samples(raw, name, 5)
    try:
        return bool(values) and all(low <= float(str(v).replace(",", ".")) <= high for v in values)
    except ValueError:
        return False


def convention_of(fields: list[str]) -> str | None:
    names = {norm(f) for f in fields}
    if {"event_date", "time_precision"} <= names:
        return "acled"
    if {"date_start", "date_end", "date_prec"} <= names or {"side_a", "side_b", "where_prec"} <= names:
        return "ucdp"
    return None


def suggest(raw: RawLayer) -> tuple[Mapping, list[Message]]:
    """The mapping the importer would use for `raw` without any choice from the user, and notes on it."""
    fields, notes = raw.fields, []
    convention = convention_of(fields)
    values: dict[str, Any] = {"convention": convention}
    if raw.table:
        lat, lon = pick(fields, LAT), pick(fields, LON)
        if lat and lon and (norm(lat), norm(lon)) == ("y", "x") and not _numbers(raw, lat, -1e9, 1e9):
            lat = lon = None
        if lat and lon:
            values.update(lat=lat, lon=lon)
        wkt = pick(fields, WKT)
        if wkt and any(isinstance(v, str) and re.match(r"^\s*(MULTI)?(POINT|LINESTRING|POLYGON)", v, re.I)
                       for v in samples(raw, wkt)):
            values["wkt"] = wkt
        values["place"] = pick(fields, PLACE)
        if not (lat and lon) and not values.get("wkt") and not values["place"]:
            notes.append(Message(N_("no coordinate, WKT or place-name column found: choose one.")))
    if convention == "acled":
        values.update(date=pick(fields, ("event_date",)), controller=pick(fields, ("actor1",)),
                      actor2=pick(fields, ("actor2",)), description=pick(fields, ("notes",)),
                      id=pick(fields, ("event_id_cnty",)), kind="event", place=pick(fields, ("location",)))
        notes.append(Message(N_("ACLED columns: time_precision, geo_precision and fatalities are read by ACLED's "
                                 "codebook.")))
    elif convention == "ucdp":
        values.update(date=pick(fields, ("date_start",)), end=pick(fields, ("date_end",)),
                      controller=pick(fields, ("side_a",)), actor2=pick(fields, ("side_b",)),
                      id=pick(fields, ("id",)), kind="event", place=pick(fields, ("where_coordinates",)),
                      wkt=pick(fields, ("geom_wkt",)) or values.get("wkt"))
        notes.append(Message(N_("UCDP GED columns: date_prec, where_prec and best/low/high are read by UCDP's "
                                 "codebook.")))
    else:
        date = next((f for f in _ordered(fields, DATE) if _dates_parse(raw, f)), None)
        if date is None:  # a field named as a date whose values do not parse: every row will say why
            date = next((f for f in _ordered(fields, STRONG_DATE) if samples(raw, f)), None)
        end = next((f for f in _ordered(fields, END) if f != date and _dates_parse(raw, f)), None)
        # The atlas's own `control` column is a JSON list of periods (read as the place's history), not a holder.
        holders = [f for f in fields if not _holds_lists(raw, f)]
        values.update(date=date, end=end, controller=pick(holders, CONTROLLER), actor2=pick(fields, ACTOR2),
                      description=pick(fields, DESCRIPTION), id=pick(fields, ID))
        if date is None and any(r.kml_time for r in raw.records):
            notes.append(Message(N_("times from the KML's TimeStamp/TimeSpan elements, in the precision written.")))
        if date is None and any(r.times for r in raw.records):
            notes.append(Message(N_("times per vertex or point ('times'): one feature per time step.")))
        for name in (f for f in _ordered(fields, DATE) if f != date):
            if samples(raw, name):
                notes.append(Message(N_("field {name!r} looks like a date field but its values are not dates."),
                                     name=name))
    values["name"] = pick(fields, NAME) if convention is None else None
    if values.get("kind") is None:
        values["kind"] = _kind_for(raw)
    if raw.format == "gpx" and raw.layer in ("tracks", "routes") and values["kind"] is None:
        values["kind"] = "route"
    return Mapping(**{k: v for k, v in values.items() if v is not None}), notes


def _ordered(fields: list[str], candidates: tuple[str, ...]) -> list[str]:
    by_norm = {norm(f): f for f in fields}
    return [by_norm[c] for c in candidates if c in by_norm]


def _kind_for(raw: RawLayer) -> LayerKind | None:
    """A whole-layer kind only when the layer says so (a `layer` column, a layer named 'events' ...)."""
    name = norm(raw.layer or "")
    if name in _KIND_VALUES:
        return name.rstrip("s") if name != "places" else "place"  # type: ignore[return-value]
    return None


def geometry_types(raw: RawLayer) -> tuple[str, ...]:
    counts = Counter(r.geometry.geom_type for r in raw.records if r.geometry is not None)
    return tuple(t for t, _ in counts.most_common())


def describe_layer(raw: RawLayer) -> DetectedLayer:
    mapping, notes = suggest(raw)
    infos = tuple(FieldInfo(f, tuple(str(v)[:80] for v in samples(raw, f))) for f in raw.fields)
    return DetectedLayer(raw.key, raw.file, raw.layer, raw.format, len(raw.records), geometry_types(raw),
                         raw.crs, infos, mapping, tuple(notes + [p.message for p in raw.problems]))
