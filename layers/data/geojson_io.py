"""Reading GeoJSON strictly (RFC 7946), with a problem report instead of a traceback.

GDAL "reads" many broken files silently (null geometries, zero rows, foreign CRS), so layers are
parsed with the standard `json` module and checked here, member by member, before Shapely sees them.
"""

from __future__ import annotations

import json
import math
import os
import reprlib
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from .errors import N_, Message, Problem

MAX_FILE_BYTES = 50 * 2**20  # 50 MiB per file, checked before reading
GEOMETRY_TYPES = {
    "Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2,
    "Polygon": 2, "MultiPolygon": 3, "GeometryCollection": None,
}
_WGS84_NAMES = ("CRS84", "EPSG::4326", "EPSG:4326")


@dataclass(slots=True)
class RawFeature:
    """A feature that passed the structural checks (its geometry may still be None)."""

    index: int
    id: str | None
    properties: dict[str, Any]
    geometry: BaseGeometry | None


@dataclass(slots=True)
class ReadResult:
    features: list[RawFeature] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    document: dict[str, Any] | None = None


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number in JSON")


class _NotFinite(ValueError):
    def __init__(self, literal: str) -> None:
        super().__init__(literal)
        self.literal = literal


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _NotFinite(literal)
    return value


def _line_col(data: bytes | str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of `offset` (in bytes or characters)."""
    head = data[:offset]
    newline = b"\n" if isinstance(head, bytes) else "\n"
    line = head.count(newline) + 1  # type: ignore[arg-type]
    last = head[head.rfind(newline) + 1:]  # type: ignore[arg-type]
    column = len(last.decode("utf-8", "replace") if isinstance(last, bytes) else last) + 1
    return line, column


def _kind_of(mode: int) -> Message:
    for test, name in ((stat.S_ISDIR, N_("a directory")), (stat.S_ISFIFO, N_("a named pipe (FIFO)")),
                       (stat.S_ISCHR, N_("a character device")), (stat.S_ISBLK, N_("a block device")),
                       (stat.S_ISSOCK, N_("a socket"))):
        if test(mode):
            return Message(name)
    return Message(N_("not a regular file"))


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, with every symbolic link resolved, lies inside `root` (also resolved)."""
    real, real_root = os.path.realpath(path), os.path.realpath(root)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def read_bytes(path: Path, label: str, root: Path | None = None,
               limit: int = MAX_FILE_BYTES) -> tuple[bytes | None, list[Problem]]:
    """The bytes of a regular file of at most `limit` bytes, or None and the problem.

    Never blocks and never reads what is not a regular file (a FIFO, /dev/zero, a directory), checks
    the size before reading, and with `root` refuses a path that resolves outside it (a symbolic
    link pointing out of the dataset directory).
    """
    def problem(message: Message | str, fix: str) -> tuple[None, list[Problem]]:
        return None, [Problem(label, None, None, message, fix)]

    if root is not None and not inside(path, root):
        return problem(N_("points outside the dataset directory (a symbolic link); it is not read."),
                       N_("copy the file into the dataset directory instead of linking to it."))
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return problem(N_("does not exist."), N_("check the file name, or add the file."))
    except OSError as exc:
        return problem(Message(N_("cannot be read ({reason})."), reason=str(exc.strerror)),
                       N_("check that the file exists and is readable."))
    if not stat.S_ISREG(info.st_mode):
        return problem(Message(N_("is {kind}, not a regular file; it is not read."), kind=_kind_of(info.st_mode)),
                       N_("give the path of an ordinary file."))
    mib = limit / 2**20
    if info.st_size > limit:
        return problem(Message(N_("is {size:.1f} MiB, over the {limit:g} MiB limit per file; it is not read."),
                               size=info.st_size / 2**20, limit=mib),
                       N_("split the layer into smaller files or simplify its geometries."))
    try:
        # O_NONBLOCK: if the file was swapped for a FIFO since the stat, opening it must not hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        return problem(Message(N_("cannot be read ({reason})."), reason=str(exc.strerror)),
                       N_("check that the file exists and is readable."))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return problem(N_("is not a regular file; it is not read."), N_("give the path of an ordinary file."))
        data = handle.read(limit + 1)
    if len(data) > limit:
        return problem(Message(N_("is over the {limit:g} MiB limit per file; it is not read."), limit=mib),
                       N_("split the layer into smaller files or simplify its geometries."))
    return data, []


def read_text(path: Path, label: str, root: Path | None = None) -> tuple[str | None, list[Problem]]:
    """A UTF-8 text file (a BOM is allowed), or None and a problem that locates the bad byte."""
    data, problems = read_bytes(path, label, root)
    if data is None:
        return None, problems
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line, column = _line_col(data, exc.start)
        return None, [Problem(label, None, None,
                              Message(N_("is not UTF-8 text: byte {byte} at line {line}, column {column} ({reason})."),
                                      byte=f"0x{data[exc.start]:02x}", line=line, column=column, reason=exc.reason),
                              N_("save the file as UTF-8 (RFC 7946 requires it for GeoJSON)."))]


def read_json(path: Path, label: str, root: Path | None = None) -> tuple[Any, list[Problem]]:
    """Read a JSON file; on failure, return None and a problem saying where and what to do."""
    text, problems = read_text(path, label, root)
    if text is None:
        return None, problems
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float), []
    except json.JSONDecodeError as exc:
        return None, [Problem(label, None, None,
                              Message(N_("is not valid JSON: {reason} at line {line}, column {column}."),
                                      reason=exc.msg, line=exc.lineno, column=exc.colno),
                              N_("fix the JSON syntax there (a JSON linter shows the spot)."))]
    except _NotFinite as exc:
        line, column = _line_col(text, max(text.find(exc.literal), 0))
        return None, [Problem(label, None, None,
                              Message(N_("is not valid here: the number {number} at line {line}, column {column} "
                                         "is too large to be a finite number."),
                                      number=exc.literal[:30], line=line, column=column),
                              N_("replace it with a real value."))]
    except ValueError as exc:
        return None, [Problem(label, None, None, Message(N_("is not valid JSON: {reason}."), reason=str(exc)[:200]),
                              N_("replace NaN/Infinity with real numbers or null, and very long numbers with "
                                 "shorter ones."))]
    except RecursionError:
        return None, [Problem(label, None, None, N_("is nested too deeply to be read."),
                              N_("check that the file really is the JSON it should be."))]


_REPR = reprlib.Repr()
_REPR.maxstring, _REPR.maxother, _REPR.maxlevel, _REPR.maxlist, _REPR.maxdict = 60, 60, 3, 6, 4


def _short(value: Any) -> str:
    """A value as shown in a message: bounded whatever the file holds."""
    return _REPR.repr(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _FeatureChecker:
    """Checks one feature's geometry member; collects problems instead of raising."""

    def __init__(self, label: str, feature_id: str | None) -> None:
        self.label = label
        self.feature_id = feature_id
        self.problems: list[Problem] = []

    def add(self, message: Message | str, fix: Message | str, severity: str = "error",
            field: str = "geometry") -> None:
        self.problems.append(Problem(self.label, self.feature_id, field, message, fix, severity))  # type: ignore[arg-type]

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def position(self, pos: Any) -> None:
        if not isinstance(pos, list) or len(pos) < 2:
            self.add(Message(N_("position {position} is not [longitude, latitude]."), position=_short(pos)),
                     N_("write each position as [lon, lat] (two numbers)."))
            return
        if len(pos) > 3:
            self.add(Message(N_("position {position} has {count} values; RFC 7946 allows at most 3."),
                             position=_short(pos), count=len(pos)),
                     N_("keep [lon, lat] (and optionally altitude) only."))
            return
        if not all(_is_number(v) for v in pos):
            self.add(Message(N_("position {position} contains something that is not a number."), position=_short(pos)),
                     N_("coordinates must be JSON numbers, not strings or null."))
            return
        if not all(math.isfinite(v) for v in pos):
            self.add(Message(N_("position {position} is not finite."), position=_short(pos)),
                     N_("replace it with real coordinates."))
            return
        lon, lat = pos[0], pos[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            swapped = -90 <= lon <= 90 and -180 <= lat <= 180
            self.add(Message(N_("position {position} is outside longitude -180..180 / latitude -90..90. It looks "
                                "like [lat, lon]: RFC 7946 wants longitude first.") if swapped else
                             N_("position {position} is outside longitude -180..180 / latitude -90..90."),
                             position=f"[{lon}, {lat}]"),
                     N_("use WGS 84 degrees in [lon, lat] order; reproject projected coordinates to EPSG:4326."))

    def coordinates(self, coords: Any, depth: int, kind: str) -> None:
        if depth == 0:
            self.position(coords)
            return
        if not isinstance(coords, list) or (coords and not isinstance(coords[0], list)):
            self.add(Message(N_("{kind} coordinates are not nested {levels} levels deep as RFC 7946 requires."),
                             kind=kind, levels=depth + 1),
                     Message(N_("check the brackets: a {kind} is {shape}."), kind=kind, shape={
                         "MultiPoint": "[[lon, lat], ...]", "LineString": "[[lon, lat], ...]",
                         "MultiLineString": "[[[lon, lat], ...], ...]",
                         "Polygon": Message(N_("[[[lon, lat], ...]] (rings)")),
                         "MultiPolygon": "[[[[lon, lat], ...]], ...]",
                     }.get(kind, Message(N_("a list of positions")))))
            return
        for item in coords:
            self.coordinates(item, depth - 1, kind)
            if self.failed:
                return

    def rings_and_lines(self, kind: str, coords: list[Any]) -> None:
        if kind in ("LineString", "MultiLineString"):
            lines = [coords] if kind == "LineString" else coords
            for line in lines:
                if len(line) < 2:
                    self.add(N_("a line has fewer than 2 positions."), N_("give every line at least two points."))
        if kind in ("Polygon", "MultiPolygon"):
            polygons = [coords] if kind == "Polygon" else coords
            for polygon in polygons:
                if not polygon:
                    self.add(N_("a polygon has no rings."), N_("give it at least an exterior ring."))
                for ring in polygon:
                    if len(ring) < 4:
                        self.add(Message(N_("a ring has {count} positions; a closed ring needs at least 4."),
                                         count=len(ring)),
                                 N_("add positions, ending with a copy of the first."))
                    elif ring[0][:2] != ring[-1][:2]:
                        self.add(Message(N_("a ring is not closed: it starts at {first} and ends at {last}."),
                                         first=_short(ring[0]), last=_short(ring[-1])),
                                 N_("repeat the first position at the end of the ring."))

    def geometry(self, geom: Any, nested: bool = False) -> None:
        if not isinstance(geom, dict):
            self.add(Message(N_("geometry is {type}, not a GeoJSON geometry object."), type=type(geom).__name__),
                     N_("set 'geometry' to an object with 'type' and 'coordinates', or to null."))
            return
        kind = geom.get("type")
        if not isinstance(kind, str) or kind not in GEOMETRY_TYPES:
            self.add(Message(N_("geometry type {type} is not one of {types}."), type=_short(kind),
                             types=", ".join(GEOMETRY_TYPES)),
                     N_("use a GeoJSON geometry type, spelled exactly (case matters)."))
            return
        for member in ("properties", "features"):
            if member in geom:
                self.add(Message(N_("a geometry must not have a '{member}' member (RFC 7946 §7.1)."), member=member),
                         Message(N_("move '{member}' to the Feature."), member=member))
        if "bbox" in geom:
            self.bbox(geom["bbox"])
        if kind == "GeometryCollection":
            members = geom.get("geometries")
            if not isinstance(members, list):
                self.add(N_("a GeometryCollection needs a 'geometries' list."), N_("add the member geometries."))
                return
            if nested:
                self.add(N_("GeometryCollections should not be nested."), N_("flatten the collection."), "warning")
            for member in members:
                if member is None:
                    self.add(N_("a GeometryCollection contains null."), N_("remove the null member."))
                else:
                    self.geometry(member, nested=True)
            return
        if "coordinates" not in geom:
            self.add(Message(N_("{kind} has no 'coordinates' member."), kind=kind), N_("add the coordinates."))
            return
        self.coordinates(geom["coordinates"], GEOMETRY_TYPES[kind], kind)  # type: ignore[arg-type]
        if not self.failed:
            self.rings_and_lines(kind, geom["coordinates"])

    def bbox(self, bbox: Any) -> None:
        if not isinstance(bbox, list) or len(bbox) not in (4, 6) or not all(_is_number(v) for v in bbox):
            self.add(Message(N_("bbox {bbox} is not a list of 4 or 6 numbers."), bbox=_short(bbox)),
                     N_("write [west, south, east, north] or remove the bbox (it is optional)."), field="bbox")


def _shapely_geometry(raw: dict[str, Any], check: _FeatureChecker) -> BaseGeometry | None:
    try:
        geom = shape(raw)
    except (ValueError, TypeError, shapely.errors.GEOSException) as exc:
        check.add(Message(N_("cannot be built as a geometry ({reason})."), reason=str(exc)),
                  N_("fix the coordinates of this feature."))
        return None
    if geom.is_empty:
        check.add(N_("geometry is empty."), N_("give the feature coordinates, or set 'geometry' to null."))
        return None
    if not geom.is_valid:
        check.add(Message(N_("geometry is invalid: {reason}."), reason=shapely.is_valid_reason(geom)),
                  N_("fix the self-intersection or ring problem (QGIS 'Fix geometries' or shapely.make_valid)."))
    elif geom.geom_type in ("Polygon", "MultiPolygon") and not shapely.equals_identical(geom, shapely.orient_polygons(geom)):
        check.add(N_("polygon rings do not follow the right-hand rule (exterior counter-clockwise)."),
                  N_("reorient the rings; readers accept it, but RFC 7946 asks for it."), "warning")
    bounds = geom.bounds
    if bounds[2] - bounds[0] > 180:
        check.add(N_("geometry spans more than 180° of longitude: it probably crosses the antimeridian."),
                  N_("cut it in two at ±180° (RFC 7946 §3.1.9)."), "warning")
    return geom


def read_feature_collection(path: Path, label: str, root: Path | None = None) -> ReadResult:
    """Read a GeoJSON FeatureCollection strictly; never raises for bad content."""
    result = ReadResult()
    doc, problems = read_json(path, label, root)
    result.problems += problems
    if problems:
        return result
    root_type = doc.get("type") if isinstance(doc, dict) else None
    root_type = root_type if isinstance(root_type, str) else repr(root_type)
    if root_type == "Feature" or root_type in GEOMETRY_TYPES:
        # A lone Feature or geometry is valid GeoJSON: check it as a one-feature collection.
        feature = doc if root_type == "Feature" else {"type": "Feature", "geometry": doc, "properties": {}}
        result.problems.append(Problem(
            label, None, "type", Message(N_("the file holds a single {type}, not a FeatureCollection."),
                                         type=root_type),
            N_("wrap it in {\"type\": \"FeatureCollection\", \"features\": [...]} to use it as a layer."),
            "warning"))
        doc = {"type": "FeatureCollection", "features": [feature]}
    elif root_type != "FeatureCollection":
        found = root_type if isinstance(doc, dict) else f"a JSON {type(doc).__name__}"
        result.problems.append(Problem(
            label, None, "type", Message(N_("top-level type is {type}, not 'FeatureCollection'."), type=_short(found)),
            N_("make the file a GeoJSON object {\"type\": \"FeatureCollection\", \"features\": [...]} "
               "(type names are case-sensitive).")))
        return result
    result.document = doc
    crs = doc.get("crs")
    if crs is not None:
        props = crs.get("properties") if isinstance(crs, dict) else None
        name = props.get("name") if isinstance(props, dict) else None
        name = name if isinstance(name, str) else _short(crs)
        wgs84 = any(name.endswith(n) for n in _WGS84_NAMES)
        result.problems.append(Problem(
            label, None, "crs",
            Message(N_("has a 'crs' member, which RFC 7946 removed.")) if wgs84 else
            Message(N_("has a 'crs' member, which RFC 7946 removed ({crs}): coordinates may not be WGS 84 degrees."),
                    crs=_short(name)),
            N_("reproject to WGS 84 (EPSG:4326) and delete the 'crs' member."),
            "warning" if wgs84 else "error"))
    for member in ("coordinates", "geometries"):
        if member in doc:
            result.problems.append(Problem(label, None, member,
                                           Message(N_("a FeatureCollection must not have '{member}' (RFC 7946 §7.1)."),
                                                   member=member),
                                           Message(N_("remove '{member}' or move it into a feature's geometry."),
                                                   member=member)))
    features = doc.get("features")
    if not isinstance(features, list):
        result.problems.append(Problem(label, None, "features",
                                       N_("'features' is missing or is not a list."),
                                       N_("give the FeatureCollection a 'features' array.")))
        return result
    for index, feature in enumerate(features):
        _read_feature(index, feature, label, result)
    return result


def _feature_label(index: int, feature: dict[str, Any]) -> str:
    props = feature.get("properties")
    fid = feature.get("id")
    if fid is None and isinstance(props, dict):
        fid = props.get("id")
    label = str(fid) if isinstance(fid, (str, int)) and not isinstance(fid, bool) else ""
    return label if 0 < len(label) <= 200 else f"#{index}"


def _read_feature(index: int, feature: Any, label: str, result: ReadResult) -> None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        found = feature.get("type") if isinstance(feature, dict) else feature
        result.problems.append(Problem(label, f"#{index}", "type",
                                       Message(N_("item {index} of 'features' is {found}, not a Feature."),
                                               index=str(index), found=_short(found)),
                                       N_("each item must be {\"type\": \"Feature\", \"geometry\": ..., "
                                          "\"properties\": {...}}.")))
        return
    fid = _feature_label(index, feature)
    check = _FeatureChecker(label, fid)
    raw_id = feature.get("id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, (str, int, float))):
        check.add(Message(N_("id {id} is neither a string nor a number."), id=_short(raw_id)), N_("use a string id."),
                  field="id")
    props = feature.get("properties")
    if props is not None and not isinstance(props, dict):
        check.add(Message(N_("'properties' is {type}, not an object."), type=type(props).__name__),
                  N_("make 'properties' a JSON object (or null)."), field="properties")
        props = None
    if "properties" not in feature:
        check.add(N_("has no 'properties' member."), N_("add \"properties\": {} (RFC 7946 §3.2)."),
                  field="properties")
    for member in ("coordinates", "geometries", "features"):
        if member in feature:
            check.add(Message(N_("a Feature must not have '{member}' (RFC 7946 §7.1)."), member=member),
                      Message(N_("move '{member}' into the feature's 'geometry'."), member=member), field=member)
    if "geometry" not in feature:
        check.add(N_("has no 'geometry' member."), N_("add the geometry, or \"geometry\": null."))
    if "bbox" in feature:
        check.bbox(feature["bbox"])
    raw_geom = feature.get("geometry")
    geom = None
    if raw_geom is not None:
        check.geometry(raw_geom)
        if not check.failed:
            geom = _shapely_geometry(raw_geom, check)
    result.problems += check.problems
    if not check.failed:
        result.features.append(RawFeature(index, fid if not fid.startswith("#") else None,
                                          props or {}, geom))


def write_feature_collection(path: Path, features: list[dict[str, Any]], **members: Any) -> None:
    """Write features as an RFC 7946 FeatureCollection, one feature per line (diff-friendly)."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    head = json.dumps({"type": "FeatureCollection", **members}, ensure_ascii=False)[:-1]
    body = ",\n".join(lines)
    path.write_text(f'{head}, "features": [\n{body}\n]}}\n', encoding="utf-8")
