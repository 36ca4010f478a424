"""Read other tools' files into raw layers: records with their fields, geometry (in the file's CRS) and time.

GIS formats are read with pyogrio (GDAL): GeoPackage, zipped Shapefile, KML/KMZ, GPX, XLSX/ODS.
Two things GDAL would lose are taken from the files themselves: KML `TimeStamp`/`TimeSpan` text as
written (GDAL turns `1993-05` into a midnight datetime, an invented day; see IMPORT_NOTES.md) and
GeoJSON properties as JSON has them (GDAL guesses column types). Every limit is checked before parsing.
Only local files are opened: never a URL or a GDAL virtual path, so no file can make us fetch anything.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.geometry import LineString, MultiLineString, shape
from shapely.geometry.base import BaseGeometry

from ..data.errors import N_, Message, Problem
from .model import Limits

TABLE_SUFFIXES = {".csv", ".tsv", ".txt"}
SHEET_SUFFIXES = {".xlsx", ".ods"}
GIS_SUFFIXES = {".gpkg", ".kml", ".kmz", ".gpx", ".zip", ".shp"}
JSON_SUFFIXES = {".geojson", ".json"}
SUPPORTED = TABLE_SUFFIXES | SHEET_SUFFIXES | GIS_SUFFIXES | JSON_SUFFIXES
_KML_NS = "{http://www.opengis.net/kml/2.2}"
_LIBKML_TIME_COLUMNS = ("timestamp", "begin", "end")
# LIBKML's presentation columns: nothing of the atlas's, and `icon` is a URL we must never fetch.
_LIBKML_DROP = ("altitudeMode", "tessellate", "extrude", "visibility", "drawOrder", "icon", "snippet")
_FORMULA_GUARD = tuple("=+-@\t\r")
_LIBKML_TWINS = ("id", "name", "description", *_LIBKML_TIME_COLUMNS, *_LIBKML_DROP)
FIX_FEATURE_LIMIT = N_("import fewer features at once, or raise the limit (CLI: --max-features).")


@dataclass
class RawRecord:
    label: str  # where it is in the file: "line 5", "feature 3", "placemark 'Pailin'"
    props: dict[str, Any]
    geometry: BaseGeometry | None = None
    times: list[Any] | None = None  # one per vertex or per point (GeoJSON `times`, GPX track points)
    segments: list[int] | None = None  # per vertex: the track segment it belongs to (GPX)
    kml_time: dict[str, str] | None = None  # {"when": ...} or {"begin": ..., "end": ...} as written


@dataclass
class RawLayer:
    file: str  # the file's name, as reports show it
    layer: str | None
    format: str
    records: list[RawRecord]
    fields: list[str]
    crs: str | None = None  # the CRS the geometries are in; None: the file states none
    table: bool = False  # coordinates are still in columns
    title: str | None = None  # a title the file itself states (KML Document name, GPX metadata name)
    describe: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.file if self.layer is None else f"{self.file}:{self.layer}"


class FileRefused(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def not_a_zip(exc: Exception) -> Message:
    return Message(N_("is not a readable zip archive ({reason})."), reason=str(exc))


def _refuse(file: str, message: Message | str, fix: Message | str, fld: str | None = None) -> FileRefused:
    return FileRefused(Problem(file, None, fld, message, fix))


# --- format detection ---------------------------------------------------------------------------

def sniff_format(path: Path) -> str:
    """The format from the file's first bytes, checked against its extension."""
    with path.open("rb") as fh:
        head = fh.read(2048)
    suffix = path.suffix.lower()
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head.startswith(b"PK\x03\x04"):
        if suffix in SHEET_SUFFIXES:
            return suffix[1:]
        return "kmz" if suffix == ".kmz" else "zip"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        if b"<kml" in text:
            return "kml"
        if b"<gpx" in text:
            return "gpx"
        raise _refuse(path.name, N_("is XML but neither KML nor GPX."), N_("export it as KML, GPX, GeoJSON or CSV."))
    if text.startswith((b"{", b"[")) and suffix not in TABLE_SUFFIXES:
        return "geojson"
    if suffix == ".shp":
        return "shp"
    if suffix in TABLE_SUFFIXES or suffix == "":
        return "csv"
    raise _refuse(path.name, Message(N_("has an extension ({suffix}) this importer does not read."), suffix=suffix),
                  N_("import CSV, GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ, GPX, XLSX or ODS."))


# --- entry point --------------------------------------------------------------------------------

def read_file(path: Path, limits: Limits, budget: list[int]) -> list[RawLayer]:
    """Every layer of one local file. `budget` = [features left] is shared by the files of one import."""
    name = path.name
    if not path.is_file():
        raise _refuse(name, N_("does not exist or is not a file."), N_("give the path of a file on this machine."))
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise _refuse(name, Message(N_("is {size:.1f} MB; the limit is {limit:.0f} MB."), size=size / 1e6,
                                    limit=limits.max_file_bytes / 1e6),
                      N_("split the file, or raise the limit (CLI: --max-mb)."))
    fmt = sniff_format(path)
    if fmt == "csv":
        return [_read_csv(path, limits, budget)]
    if fmt == "geojson":
        return [_read_geojson(path, limits, budget)]
    if fmt in ("zip", "kmz"):
        _check_zip(path, limits)
    if fmt == "zip":
        return _read_zipped_shapefiles(path, limits, budget)
    if fmt == "kml":
        return _read_kml(path, path.read_bytes(), budget)
    if fmt == "kmz":
        return _read_kml(path, _kml_in_kmz(path, limits), budget)
    if fmt == "gpx":
        return _read_gpx(path, budget)
    if fmt in ("xlsx", "ods"):
        return _read_gdal_layers(path, fmt, budget, table=True)
    return _read_gdal_layers(path, fmt, budget)


def _take(budget: list[int], count: int, file: str, layer: str | None) -> None:
    if count > budget[0]:
        message = (Message(N_("holds {count} features (layer {layer!r}), more than the {left} this import still "
                              "allows."), count=count, layer=layer, left=budget[0]) if layer else
                   Message(N_("holds {count} features, more than the {left} this import still allows."), count=count,
                           left=budget[0]))
        raise _refuse(file, message, FIX_FEATURE_LIMIT)
    budget[0] -= count


# --- CSV ----------------------------------------------------------------------------------------

def _decode(path: Path, data: bytes) -> tuple[str, Problem | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return data.decode("cp1252", errors="replace"), Problem(
            path.name, None, None, Message(N_("is not UTF-8 (byte {byte}); read as Windows-1252."), byte=exc.start),
            N_("save the file as UTF-8 if names look wrong."), "warning")


def _read_csv(path: Path, limits: Limits, budget: list[int]) -> RawLayer:
    data = path.read_bytes()
    _take(budget, max(data.count(b"\n") - 1, 0), path.name, None)  # an upper bound, before parsing
    text, problem = _decode(path, data)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise _refuse(path.name, N_("is empty."), N_("give a CSV with a header row and data rows.")) from None
    names = [h.strip() or f"column {i + 1}" for i, h in enumerate(header)]
    layer = RawLayer(path.name, None, "csv", [], names, table=True,
                     describe=f"CSV file '{path.name}'")
    if problem:
        layer.problems.append(problem)
    seen = {n for n in names if names.count(n) > 1}
    if seen:
        raise _refuse(path.name, Message(N_("has repeated column names: {names}."), names=", ".join(sorted(seen))),
                      N_("give every column its own name in the header row."), fld=sorted(seen)[0])
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(names):
            layer.problems.append(Problem(path.name, Message(N_("line {line}"), line=line), None,
                                          Message(N_("has {cells} cells but the header names {columns} columns; "
                                                     "the row was skipped."), cells=len(row), columns=len(names)),
                                          N_("quote cells that contain the delimiter, or fix the row.")))
            continue
        props = {n: _unguard(row[i].strip()) if i < len(row) else "" for i, n in enumerate(names)}
        layer.records.append(RawRecord(Message(N_("line {line}"), line=line), props))
    return layer


def _unguard(cell: str) -> str:
    """Undo the leading apostrophe spreadsheet exports put before = + - @ (formula-injection guard)."""
    return cell[1:] if cell.startswith("'") and cell[1:2] and cell[1] in _FORMULA_GUARD else cell


# --- GeoJSON ------------------------------------------------------------------------------------

def _read_geojson(path: Path, limits: Limits, budget: list[int]) -> RawLayer:
    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _refuse(path.name, Message(N_("is not valid JSON ({reason})."), reason=str(exc)),
                      N_("check the file; export it again.")) from None
    if isinstance(doc, dict) and doc.get("type") == "FeatureCollection":
        features = doc.get("features")
    elif isinstance(doc, dict) and doc.get("type") == "Feature":
        features = [doc]
    elif isinstance(doc, dict) and doc.get("type") in _GEOMETRY_TYPES:
        features = [{"type": "Feature", "geometry": doc, "properties": {}}]
    else:
        raise _refuse(path.name, N_("is JSON but not GeoJSON (no FeatureCollection, Feature or geometry)."),
                      N_("give a GeoJSON file (RFC 7946)."))
    if not isinstance(features, list):
        raise _refuse(path.name, N_("has no 'features' list."), N_("write {\"type\": \"FeatureCollection\", "
                                                                    "\"features\": [...]}."))
    _take(budget, len(features), path.name, None)
    crs = _legacy_crs(doc)
    layer = RawLayer(path.name, None, "geojson", [], [], crs=crs or "EPSG:4326",
                     describe=f"GeoJSON file '{path.name}'")
    if crs is None and isinstance(doc, dict) and "crs" in doc:
        layer.problems.append(Problem(path.name, None, "crs", N_("has a 'crs' member this importer cannot read; "
                                                                 "coordinates are taken as WGS 84 longitude/latitude."),
                                      N_("remove the member or reproject to EPSG:4326."), "warning"))
    names: dict[str, None] = {}
    for i, feat in enumerate(features):
        label = Message(N_("feature {i}"), i=i)
        if not isinstance(feat, dict):
            layer.problems.append(Problem(path.name, label, None, N_("is not a GeoJSON Feature; skipped."),
                                          N_("write each feature as {\"type\": \"Feature\", ...}.")))
            continue
        props = feat.get("properties") if isinstance(feat.get("properties"), dict) else {}
        props = dict(props)
        if feat.get("id") is not None and "id" not in props:
            props["id"] = feat["id"]
        if isinstance(props.get("name"), str) and props["name"].strip():
            label = Message(N_("feature {i} ({name!r})"), i=i, name=props["name"].strip()[:40])
        geom = None
        if feat.get("geometry") is not None:
            try:
                geom = shape(feat["geometry"])
            except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.ShapelyError) as exc:
                layer.problems.append(Problem(path.name, label, "geometry",
                                              Message(N_("has an unreadable geometry ({reason}); skipped."),
                                                      reason=str(exc)),
                                              N_("fix the geometry's type and coordinates.")))
                continue
        times = props.pop("times", None)
        if times is None:
            times = props.pop("coordTimes", None)  # togeojson's name for GPX/KML track times
        if times is not None and not isinstance(times, list):
            props["times"] = times  # not a list: left for the mapping to report
            times = None
        names.update(dict.fromkeys(props))
        layer.records.append(RawRecord(label, props, geom, times=times))
    layer.fields = list(names)
    return layer


_GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                   "GeometryCollection"}


def _legacy_crs(doc: Any) -> str | None:
    """The pre-RFC 7946 `crs` member (named CRS), as QGIS and old GDAL write it."""
    crs = doc.get("crs") if isinstance(doc, dict) else None
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if not isinstance(name, str):
        return None
    if name.upper().endswith(("CRS84", "CRS:84")):
        return "EPSG:4326"
    import pyproj

    try:
        return pyproj.CRS.from_user_input(name).to_string()
    except pyproj.exceptions.CRSError:
        return None


# --- GDAL layers (GeoPackage, Shapefile, spreadsheets) -------------------------------------------

def _read_gdal_layers(path: Path, fmt: str, budget: list[int], table: bool = False,
                      source: str | None = None) -> list[RawLayer]:
    source = source or str(path)
    try:
        names = [str(n) for n, _ in pyogrio.list_layers(source)]
    except pyogrio.errors.DataSourceError as exc:
        raise _refuse(path.name, Message(N_("cannot be opened as {format} ({reason})."), format=fmt.upper(),
                                         reason=str(exc)), N_("export it again.")) from None
    layers = []
    for name in names:
        info = pyogrio.read_info(source, layer=name, force_feature_count=True)
        _take(budget, int(info["features"]), path.name, name)
        frame = pyogrio.read_dataframe(source, layer=name, read_geometry=not table)
        layer_name = name if len(names) > 1 or fmt in ("zip", "gpkg") else None
        layers.append(_layer_from_frame(path.name, layer_name, fmt, frame, table))
    return layers


def _layer_from_frame(file: str, layer: str | None, fmt: str, frame: pd.DataFrame, table: bool,
                      drop: tuple[str, ...] = ()) -> RawLayer:
    columns = [c for c in frame.columns if c != "geometry" and c not in drop]
    crs = None
    geoms: list[BaseGeometry | None] = [None] * len(frame)
    if isinstance(frame, gpd.GeoDataFrame) and "geometry" in frame:
        crs = frame.crs.to_string() if frame.crs is not None else None
        geoms = list(frame.geometry.to_numpy())
    what = {"gpkg": "GeoPackage", "zip": "zipped Shapefile", "shp": "Shapefile", "xlsx": "Excel workbook",
            "ods": "OpenDocument spreadsheet", "kml": "KML file", "kmz": "KMZ file", "gpx": "GPX file"}[fmt]
    describe = f"{what} '{file}'" + (f", layer '{layer}'" if layer else "")
    out = RawLayer(file, layer, fmt, [], columns, crs=crs, table=table, describe=describe)
    values = {c: frame[c].tolist() for c in columns}
    for i in range(len(frame)):
        props = {c: _plain(values[c][i]) for c in columns}
        name = props.get("name") or props.get("Name")
        label = (Message(N_("feature {i} ({name!r})"), i=i, name=str(name)[:40])
                 if isinstance(name, str) and name.strip() else Message(N_("feature {i}"), i=i))
        if layer:
            label = Message(N_("layer {layer!r}, {label}"), layer=layer, label=label)
        if table:
            label = Message(N_("row {row}"), row=i + 2)
        geom = geoms[i]
        out.records.append(RawRecord(label, props, None if geom is None or geom.is_empty else geom))
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


# --- zip archives (Shapefiles, KMZ) ---------------------------------------------------------------

def _check_zip(path: Path, limits: Limits) -> None:
    """Refuse a zip bomb or path tricks before GDAL or anyone reads the archive."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise _refuse(path.name, not_a_zip(exc), N_("zip the files again.")) from None
    if len(infos) > limits.max_files_in_zip:
        raise _refuse(path.name, Message(N_("holds {count} files; the limit is {limit}."), count=len(infos),
                                         limit=limits.max_files_in_zip), N_("zip only the layers to import."))
    total = sum(i.file_size for i in infos)
    if total > limits.max_total_bytes:
        raise _refuse(path.name, Message(N_("expands to {size:.0f} MB; the limit is {limit:.0f} MB."),
                                         size=total / 1e6, limit=limits.max_total_bytes / 1e6),
                      N_("zip only the layers to import."))
    for info in infos:
        member = PurePosixPath(info.filename)
        if member.is_absolute() or ".." in member.parts:
            raise _refuse(path.name, Message(N_("holds a member with an unsafe path ({member!r})."),
                                             member=info.filename), N_("zip the files again from their folder."))


def _read_zipped_shapefiles(path: Path, limits: Limits, budget: list[int]) -> list[RawLayer]:
    with zipfile.ZipFile(path) as archive:
        members = archive.namelist()
    if any(PurePosixPath(m).name == "dataset.json" for m in members):
        raise _refuse(path.name, N_("is an atlas dataset archive, not a layer to import."),
                      N_("open it as a dataset (layers.imports.open_dataset_zip, or unzip it and use --data DIR)."))
    if not any(m.lower().endswith(".shp") for m in members):
        raise _refuse(path.name, N_("holds no Shapefile (.shp)."),
                      N_("zip a Shapefile's .shp, .shx, .dbf and .prj together, or import the files unzipped."))
    return _read_gdal_layers(path, "zip", budget)


def _kml_in_kmz(path: Path, limits: Limits) -> list[bytes]:
    """Every KML document of a KMZ, the main one first (GDAL writes one document per layer, linked)."""
    with zipfile.ZipFile(path) as archive:
        kmls = [i for i in archive.infolist() if i.filename.lower().endswith(".kml")]
        if not kmls:
            raise _refuse(path.name, N_("holds no .kml document."), N_("save it again from Google Earth."))
        kmls.sort(key=lambda i: PurePosixPath(i.filename).name.lower() != "doc.kml")
        return [archive.read(i) for i in kmls]


# --- KML ------------------------------------------------------------------------------------------

def _read_kml(path: Path, documents: bytes | list[bytes], budget: list[int]) -> list[RawLayer]:
    containers: list[tuple[str | None, list[ElementTree.Element]]] = []
    title = None
    for xml in documents if isinstance(documents, list) else [documents]:
        if b"<!doctype" in xml[:4096].lower() or b"<!entity" in xml.lower():
            raise _refuse(path.name, N_("declares a DTD or entities, which KML never needs."),
                          N_("save the KML again from Google Earth or QGIS."))
        try:
            root = ElementTree.fromstring(xml)
        except ElementTree.ParseError as exc:
            raise _refuse(path.name, Message(N_("is not well-formed XML ({reason})."), reason=str(exc)),
                          N_("save the KML again.")) from None
        containers += _kml_containers(root)
        title = title or _kml_text(root.find(f"{_KML_NS}Document/{_KML_NS}name"))
    layers = _read_gdal_layers(path, "kmz" if path.suffix.lower() == ".kmz" else "kml", budget)
    used: set[int] = set()
    for layer in layers:
        layer.fields = [f for f in layer.fields if f not in _LIBKML_DROP and f not in _LIBKML_TIME_COLUMNS]
        layer.title = title
        names = [r.props.get("Name") for r in layer.records]
        match = next((k for k, (cname, marks) in enumerate(containers) if k not in used
                      and (layer.layer is None or cname == layer.layer or len(layers) == 1)
                      and [_kml_text(m.find(f"{_KML_NS}name")) for m in marks] == names), None)
        if match is None:
            layer.problems.append(Problem(layer.file, None, "TimeStamp", N_(
                "the KML's time elements could not be matched to its placemarks; times are read through GDAL, where "
                "a month or year becomes its first day."),
                N_("check the dates, or export the KML again with Google Earth."), "warning"))
        else:
            used.add(match)
        for k, record in enumerate(layer.records):
            if match is not None:
                record.kml_time = _kml_time(containers[match][1][k])
            else:
                record.kml_time = {key: _gdal_time_text(record.props.get(col)) for key, col in (
                    ("when", "timestamp"), ("begin", "begin"), ("end", "end")) if record.props.get(col) is not None
                    and record.props.get(col) == record.props.get(col)} or None
            for col in (*_LIBKML_DROP, *_LIBKML_TIME_COLUMNS):
                record.props.pop(col, None)
            if "Name" in record.props:
                record.props["name"] = record.props.pop("Name")
            if match is not None:
                # LIBKML renames ExtendedData that shares a name with its own columns (id, name, end ...)
                # to "<name>2" and leaves it empty; the KML's own Data elements are the truth.
                for twin in [k for k in record.props if k.endswith("2") and k[:-1] in _LIBKML_TWINS]:
                    del record.props[twin]
                record.props.update(_kml_data(containers[match][1][k]))
        layer.fields = list(dict.fromkeys(k for r in layer.records for k in r.props)) or [
            "name" if f == "Name" else f for f in layer.fields]
        if layer.layer is not None and len(layers) == 1:
            layer.layer = None
    return layers


def _kml_containers(root: ElementTree.Element) -> list[tuple[str | None, list[ElementTree.Element]]]:
    """Every Document/Folder with its direct Placemarks, in document order (LIBKML's layers)."""
    out = []
    for element in root.iter():
        if element.tag in (f"{_KML_NS}Document", f"{_KML_NS}Folder"):
            marks = element.findall(f"{_KML_NS}Placemark")
            if marks:
                out.append((_kml_text(element.find(f"{_KML_NS}name")), marks))
    return out


def _kml_text(element: ElementTree.Element | None) -> str | None:
    return element.text.strip() if element is not None and element.text and element.text.strip() else None


def _kml_data(placemark: ElementTree.Element) -> dict[str, str]:
    """The placemark's id attribute and its ExtendedData values (Data and SchemaData), as written."""
    out: dict[str, str] = {}
    if placemark.get("id"):
        out["id"] = str(placemark.get("id"))
    extended = placemark.find(f"{_KML_NS}ExtendedData")
    if extended is None:
        return out
    for data in extended.iter(f"{_KML_NS}Data"):
        value = data.find(f"{_KML_NS}value")
        if data.get("name") and value is not None and value.text is not None:
            out[str(data.get("name"))] = value.text
    for data in extended.iter(f"{_KML_NS}SimpleData"):
        if data.get("name") and data.text is not None:
            out[str(data.get("name"))] = data.text
    return out


def _kml_time(placemark: ElementTree.Element) -> dict[str, str] | None:
    when = _kml_text(placemark.find(f"{_KML_NS}TimeStamp/{_KML_NS}when"))
    if when:
        return {"when": when}
    span = placemark.find(f"{_KML_NS}TimeSpan")
    if span is None:
        return None
    out = {k: v for k in ("begin", "end") if (v := _kml_text(span.find(f"{_KML_NS}{k}")))}
    return out or None


def _gdal_time_text(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# --- GPX ------------------------------------------------------------------------------------------

def _read_gpx(path: Path, budget: list[int]) -> list[RawLayer]:
    if b"<!entity" in path.read_bytes().lower():
        raise _refuse(path.name, N_("declares XML entities, which GPX never needs."), N_("export the GPX again."))
    source = str(path)
    names = {str(n) for n, _ in pyogrio.list_layers(source)}
    counts = {n: int(pyogrio.read_info(source, layer=n, force_feature_count=True)["features"]) for n in names}
    _take(budget, sum(counts.get(n, 0) for n in ("waypoints", "routes", "track_points")), path.name, None)
    layers: list[RawLayer] = []
    title = _gpx_title(path)
    for name in ("waypoints", "routes"):
        if counts.get(name):
            frame = pyogrio.read_dataframe(source, layer=name)
            layer = _layer_from_frame(path.name, name, "gpx", _drop_empty(frame), False)
            layer.title = title
            layers.append(layer)
    if counts.get("tracks"):
        tracks = pyogrio.read_dataframe(source, layer="tracks")
        points = pyogrio.read_dataframe(source, layer="track_points") if counts.get("track_points") else None
        layers.append(_gpx_tracks(path.name, _drop_empty(tracks), points, title))
    return layers


def _drop_empty(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    keep = [c for c in frame.columns if c == "geometry" or frame[c].notna().any()]
    return frame[keep]


def _gpx_tracks(file: str, tracks: gpd.GeoDataFrame, points: gpd.GeoDataFrame | None,
                title: str | None) -> RawLayer:
    """One record per track: its vertices in order with their times (per-vertex times, as `times`)."""
    layer = _layer_from_frame(file, "tracks", "gpx", tracks, False)
    layer.title = title
    if points is None or "time" not in points or points["time"].isna().all():
        return layer
    points = points.sort_values(["track_fid", "track_seg_id", "track_seg_point_id"], kind="stable")
    for fid, record in enumerate(layer.records):
        mine = points[points["track_fid"] == fid]
        if len(mine) < 2:
            continue
        xs, ys = mine.geometry.x.to_numpy(), mine.geometry.y.to_numpy()
        segs = mine["track_seg_id"].astype(int).tolist()
        record.times = [t.to_pydatetime() if pd.notna(t) else None for t in mine["time"]]
        record.segments = segs
        parts = [LineString(list(zip(xs[np.array(segs) == s], ys[np.array(segs) == s])))
                 for s in dict.fromkeys(segs) if (np.array(segs) == s).sum() >= 2]
        record.geometry = parts[0] if len(parts) == 1 else MultiLineString(parts)
        if sum(len(p.coords) for p in parts) != len(segs):  # a one-point segment has no line
            record.times = record.segments = None
    return layer


def _gpx_title(path: Path) -> str | None:
    try:
        root = ElementTree.fromstring(path.read_bytes())
    except ElementTree.ParseError:
        return None
    for element in root.iter():
        if element.tag.endswith("metadata"):
            for child in element:
                if child.tag.endswith("}name") and child.text and child.text.strip():
                    return child.text.strip()
    return None
