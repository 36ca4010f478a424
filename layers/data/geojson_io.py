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

from .errors import Problem

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


def _kind_of(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


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
    def problem(message: str, fix: str) -> tuple[None, list[Problem]]:
        return None, [Problem(label, None, None, message, fix)]

    if root is not None and not inside(path, root):
        return problem("points outside the dataset directory (a symbolic link); it is not read.",
                       "copy the file into the dataset directory instead of linking to it.")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return problem("does not exist.", "check the file name, or add the file.")
    except OSError as exc:
        return problem(f"cannot be read ({exc.strerror}).", "check that the file exists and is readable.")
    if not stat.S_ISREG(info.st_mode):
        return problem(f"is {_kind_of(info.st_mode)}, not a regular file; it is not read.",
                       "give the path of an ordinary file.")
    mib = limit / 2**20
    if info.st_size > limit:
        return problem(f"is {info.st_size / 2**20:.1f} MiB, over the {mib:g} MiB limit per file; it is not read.",
                       "split the layer into smaller files or simplify its geometries.")
    try:
        # O_NONBLOCK: if the file was swapped for a FIFO since the stat, opening it must not hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        return problem(f"cannot be read ({exc.strerror}).", "check that the file exists and is readable.")
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return problem("is not a regular file; it is not read.", "give the path of an ordinary file.")
        data = handle.read(limit + 1)
    if len(data) > limit:
        return problem(f"is over the {mib:g} MiB limit per file; it is not read.",
                       "split the layer into smaller files or simplify its geometries.")
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
                              f"is not UTF-8 text: byte 0x{data[exc.start]:02x} at line {line}, column {column} "
                              f"({exc.reason}).",
                              "save the file as UTF-8 (RFC 7946 requires it for GeoJSON).")]


def read_json(path: Path, label: str, root: Path | None = None) -> tuple[Any, list[Problem]]:
    """Read a JSON file; on failure, return None and a problem saying where and what to do."""
    text, problems = read_text(path, label, root)
    if text is None:
        return None, problems
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float), []
    except json.JSONDecodeError as exc:
        return None, [Problem(label, None, None,
                              f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
                              "fix the JSON syntax there (a JSON linter shows the spot).")]
    except _NotFinite as exc:
        line, column = _line_col(text, max(text.find(exc.literal), 0))
        return None, [Problem(label, None, None,
                              f"is not valid here: the number {exc.literal[:30]} at line {line}, column {column} "
                              "is too large to be a finite number.",
                              "replace it with a real value.")]
    except ValueError as exc:
        return None, [Problem(label, None, None, f"is not valid JSON: {str(exc)[:200]}.",
                              "replace NaN/Infinity with real numbers or null, and very long numbers with "
                              "shorter ones.")]
    except RecursionError:
        return None, [Problem(label, None, None, "is nested too deeply to be read.",
                              "check that the file really is the JSON it should be.")]


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

    def add(self, message: str, fix: str, severity: str = "error", field: str = "geometry") -> None:
        self.problems.append(Problem(self.label, self.feature_id, field, message, fix, severity))  # type: ignore[arg-type]

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def position(self, pos: Any) -> None:
        if not isinstance(pos, list) or len(pos) < 2:
            self.add(f"position {_short(pos)} is not [longitude, latitude].",
                     "write each position as [lon, lat] (two numbers).")
            return
        if len(pos) > 3:
            self.add(f"position {_short(pos)} has {len(pos)} values; RFC 7946 allows at most 3.",
                     "keep [lon, lat] (and optionally altitude) only.")
            return
        if not all(_is_number(v) for v in pos):
            self.add(f"position {_short(pos)} contains something that is not a number.",
                     "coordinates must be JSON numbers, not strings or null.")
            return
        if not all(math.isfinite(v) for v in pos):
            self.add(f"position {_short(pos)} is not finite.", "replace it with real coordinates.")
            return
        lon, lat = pos[0], pos[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            hint = (" It looks like [lat, lon]: RFC 7946 wants longitude first."
                    if -90 <= lon <= 90 and -180 <= lat <= 180 else "")
            self.add(f"position [{lon}, {lat}] is outside longitude -180..180 / latitude -90..90.{hint}",
                     "use WGS 84 degrees in [lon, lat] order; reproject projected coordinates to EPSG:4326.")

    def coordinates(self, coords: Any, depth: int, kind: str) -> None:
        if depth == 0:
            self.position(coords)
            return
        if not isinstance(coords, list) or (coords and not isinstance(coords[0], list)):
            self.add(f"{kind} coordinates are not nested {depth + 1} levels deep as RFC 7946 requires.",
                     f"check the brackets: a {kind} is " + {
                         "MultiPoint": "[[lon, lat], ...]", "LineString": "[[lon, lat], ...]",
                         "MultiLineString": "[[[lon, lat], ...], ...]",
                         "Polygon": "[[[lon, lat], ...]] (rings)",
                         "MultiPolygon": "[[[[lon, lat], ...]], ...]",
                     }.get(kind, "a list of positions") + ".")
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
                    self.add("a line has fewer than 2 positions.", "give every line at least two points.")
        if kind in ("Polygon", "MultiPolygon"):
            polygons = [coords] if kind == "Polygon" else coords
            for polygon in polygons:
                if not polygon:
                    self.add("a polygon has no rings.", "give it at least an exterior ring.")
                for ring in polygon:
                    if len(ring) < 4:
                        self.add(f"a ring has {len(ring)} positions; a closed ring needs at least 4.",
                                 "add positions, ending with a copy of the first.")
                    elif ring[0][:2] != ring[-1][:2]:
                        self.add(f"a ring is not closed: it starts at {_short(ring[0])} and ends at {_short(ring[-1])}.",
                                 "repeat the first position at the end of the ring.")

    def geometry(self, geom: Any, nested: bool = False) -> None:
        if not isinstance(geom, dict):
            self.add(f"geometry is {type(geom).__name__}, not a GeoJSON geometry object.",
                     "set 'geometry' to an object with 'type' and 'coordinates', or to null.")
            return
        kind = geom.get("type")
        if not isinstance(kind, str) or kind not in GEOMETRY_TYPES:
            self.add(f"geometry type {_short(kind)} is not one of {', '.join(GEOMETRY_TYPES)}.",
                     "use a GeoJSON geometry type, spelled exactly (case matters).")
            return
        for member in ("properties", "features"):
            if member in geom:
                self.add(f"a geometry must not have a '{member}' member (RFC 7946 §7.1).",
                         f"move '{member}' to the Feature.")
        if "bbox" in geom:
            self.bbox(geom["bbox"])
        if kind == "GeometryCollection":
            members = geom.get("geometries")
            if not isinstance(members, list):
                self.add("a GeometryCollection needs a 'geometries' list.", "add the member geometries.")
                return
            if nested:
                self.add("GeometryCollections should not be nested.", "flatten the collection.", "warning")
            for member in members:
                if member is None:
                    self.add("a GeometryCollection contains null.", "remove the null member.")
                else:
                    self.geometry(member, nested=True)
            return
        if "coordinates" not in geom:
            self.add(f"{kind} has no 'coordinates' member.", "add the coordinates.")
            return
        self.coordinates(geom["coordinates"], GEOMETRY_TYPES[kind], kind)  # type: ignore[arg-type]
        if not self.failed:
            self.rings_and_lines(kind, geom["coordinates"])

    def bbox(self, bbox: Any) -> None:
        if not isinstance(bbox, list) or len(bbox) not in (4, 6) or not all(_is_number(v) for v in bbox):
            self.add(f"bbox {_short(bbox)} is not a list of 4 or 6 numbers.",
                     "write [west, south, east, north] or remove the bbox (it is optional).", field="bbox")


def _shapely_geometry(raw: dict[str, Any], check: _FeatureChecker) -> BaseGeometry | None:
    try:
        geom = shape(raw)
    except (ValueError, TypeError, shapely.errors.GEOSException) as exc:
        check.add(f"cannot be built as a geometry ({exc}).", "fix the coordinates of this feature.")
        return None
    if geom.is_empty:
        check.add("geometry is empty.", "give the feature coordinates, or set 'geometry' to null.")
        return None
    if not geom.is_valid:
        check.add(f"geometry is invalid: {shapely.is_valid_reason(geom)}.",
                  "fix the self-intersection or ring problem (QGIS 'Fix geometries' or shapely.make_valid).")
    elif geom.geom_type in ("Polygon", "MultiPolygon") and not shapely.equals_identical(geom, shapely.orient_polygons(geom)):
        check.add("polygon rings do not follow the right-hand rule (exterior counter-clockwise).",
                  "reorient the rings; readers accept it, but RFC 7946 asks for it.", "warning")
    bounds = geom.bounds
    if bounds[2] - bounds[0] > 180:
        check.add("geometry spans more than 180° of longitude: it probably crosses the antimeridian.",
                  "cut it in two at ±180° (RFC 7946 §3.1.9).", "warning")
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
            label, None, "type", f"the file holds a single {root_type}, not a FeatureCollection.",
            "wrap it in {\"type\": \"FeatureCollection\", \"features\": [...]} to use it as a layer.",
            "warning"))
        doc = {"type": "FeatureCollection", "features": [feature]}
    elif root_type != "FeatureCollection":
        found = root_type if isinstance(doc, dict) else f"a JSON {type(doc).__name__}"
        result.problems.append(Problem(
            label, None, "type", f"top-level type is {_short(found)}, not 'FeatureCollection'.",
            "make the file a GeoJSON object {\"type\": \"FeatureCollection\", \"features\": [...]} "
            "(type names are case-sensitive)."))
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
            "has a 'crs' member, which RFC 7946 removed" + ("." if wgs84 else
                                                          f" ({_short(name)}): coordinates may not be WGS 84 degrees."),
            "reproject to WGS 84 (EPSG:4326) and delete the 'crs' member.",
            "warning" if wgs84 else "error"))
    for member in ("coordinates", "geometries"):
        if member in doc:
            result.problems.append(Problem(label, None, member,
                                           f"a FeatureCollection must not have '{member}' (RFC 7946 §7.1).",
                                           f"remove '{member}' or move it into a feature's geometry."))
    features = doc.get("features")
    if not isinstance(features, list):
        result.problems.append(Problem(label, None, "features",
                                       "'features' is missing or is not a list.",
                                       "give the FeatureCollection a 'features' array."))
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
                                       f"item {index} of 'features' is {_short(found)}, not a Feature.",
                                       "each item must be {\"type\": \"Feature\", \"geometry\": ..., "
                                       "\"properties\": {...}}."))
        return
    fid = _feature_label(index, feature)
    check = _FeatureChecker(label, fid)
    raw_id = feature.get("id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, (str, int, float))):
        check.add(f"id {_short(raw_id)} is neither a string nor a number.", "use a string id.", field="id")
    props = feature.get("properties")
    if props is not None and not isinstance(props, dict):
        check.add(f"'properties' is {type(props).__name__}, not an object.",
                  "make 'properties' a JSON object (or null).", field="properties")
        props = None
    if "properties" not in feature:
        check.add("has no 'properties' member.", "add \"properties\": {} (RFC 7946 §3.2).",
                  field="properties")
    for member in ("coordinates", "geometries", "features"):
        if member in feature:
            check.add(f"a Feature must not have '{member}' (RFC 7946 §7.1).",
                      f"move '{member}' into the feature's 'geometry'.", field=member)
    if "geometry" not in feature:
        check.add("has no 'geometry' member.", "add the geometry, or \"geometry\": null.")
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
