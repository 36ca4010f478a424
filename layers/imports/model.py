"""The importer's values: the mapping a user chooses, the limits, what detection finds, what import returns."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from ..data.errors import Problem

LayerKind = Literal["place", "event", "zone", "route", "frontline"]
LAYER_KINDS: tuple[LayerKind, ...] = ("place", "event", "zone", "route", "frontline")
LAYER_FILES: dict[LayerKind, str] = {"place": "places", "event": "events", "zone": "zones", "route": "routes",
                                     "frontline": "frontlines"}
Convention = Literal["acled", "ucdp"]
NONE = ""  # a field option set to "" means "no such field", overriding what detection suggests


@dataclass(frozen=True)
class Mapping:
    """Which field means what. The CLI options and the app's mapping step both fill one.

    A field left as None takes what `detect` suggests; "" says "none" (e.g. `end=""`: no end field).
    """

    kind: LayerKind | None = None  # None: per feature, from its geometry and whether it has a date
    date: str | None = None  # the event's date, or the start of a zone, front line or control period
    end: str | None = None
    name: str | None = None
    controller: str | None = None  # controller (zones, places), first actor (events), first side (front lines)
    actor2: str | None = None  # second actor (events) or side (front lines)
    description: str | None = None
    id: str | None = None
    lat: str | None = None
    lon: str | None = None
    wkt: str | None = None
    place: str | None = None  # a place-name column, geocoded offline when there are no coordinates
    country: str | None = None  # ISO 3166-1 alpha-2: restricts geocoding; the country of imported places
    crs: str | None = None  # the coordinates' CRS when the file states none (e.g. "EPSG:32648")
    day_first: bool | None = None  # for dates like 02/03/1994
    convention: Convention | None = None  # ACLED or UCDP GED columns
    timeless: bool = False  # ignore every time field: everything visible at every date
    certainty: str | None = None  # one certainty for every feature (default per layer kind)
    place_kind: str = "town"  # places' `kind` when the file gives none the atlas knows

    def over(self, suggested: "Mapping") -> "Mapping":
        """This mapping, with every field left None taken from `suggested`; "" becomes None (no field)."""
        values: dict[str, Any] = {}
        for f in fields(self):
            mine = getattr(self, f.name)
            values[f.name] = getattr(suggested, f.name) if mine is None else mine
            if values[f.name] == NONE:
                values[f.name] = None
        return replace(self, **values)


@dataclass(frozen=True)
class Limits:
    """Checked before any parsing: a file too big or with too many features is refused whole."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_total_bytes: int = 200 * 1024 * 1024  # all files of one import, and what a zip expands to
    max_features: int = 100_000  # per import, after time steps are split into features
    max_files_in_zip: int = 1000


@dataclass(frozen=True)
class FieldInfo:
    name: str
    samples: tuple[str, ...]  # up to three non-empty values, as text


@dataclass(frozen=True)
class DetectedLayer:
    """One layer of one file: what it holds and the mapping the importer suggests."""

    key: str  # "file.ext" or "file.ext:layer": the key of `import_files(mappings=...)`
    file: str
    layer: str | None
    format: str
    feature_count: int
    geometry_types: tuple[str, ...]
    crs: str | None
    fields: tuple[FieldInfo, ...]
    suggested: Mapping
    notes: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()  # a file that cannot be read has one, and no fields

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in ("key", "file", "layer", "format", "feature_count", "crs")}
        out["geometry_types"] = list(self.geometry_types)
        out["fields"] = [{"name": f.name, "samples": list(f.samples)} for f in self.fields]
        out["suggested"] = {f.name: getattr(self.suggested, f.name) for f in fields(self.suggested)}
        out["notes"] = list(self.notes)
        out["problems"] = [p.to_dict() for p in self.problems]
        return out


@dataclass
class ImportResult:
    """Features in the atlas's schema by layer file, with the factions and sources they cite.

    `problems` lists everything that went wrong: severity "error" for a row or feature that was skipped
    (or a file that could not be read), "warning" for one imported with a caveat.
    """

    features: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # "events" -> GeoJSON features
    factions: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    start: str | None = None  # the data's first and last day (ISO), or the range the user gave
    end: str | None = None
    bounds: tuple[float, float, float, float] | None = None  # west, south, east, north of every geometry

    @property
    def skipped(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def feature_count(self) -> int:
        return sum(len(v) for v in self.features.values())

    def report(self) -> dict[str, Any]:
        return {
            "files": list(self.files),
            "counts": {k: len(v) for k, v in self.features.items() if v},
            "start": self.start, "end": self.end,
            "factions": [f["id"] for f in self.factions],
            "skipped": [p.to_dict() for p in self.skipped],
            "warnings": [p.to_dict() for p in self.problems if p.severity == "warning"],
        }
