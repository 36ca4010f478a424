"""The dataset's types: its metadata, factions, sources, and the loaded `Dataset` itself.

The loader (`loader.py`) builds these; every other module imports them from here, never from the
loader, so data flows one way: files -> loader -> model -> timeline -> renderers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from .dates import HistoricalDate, parse_date
from .errors import DateError, Problem

# The built-in dataset's projection for areas, buffers and distances (UTM zone 48N). Other datasets
# get theirs from `DatasetMeta.metric_crs` (dataset.json's `metric_crs`, or the UTM zone of the
# region's centre); modules still using this constant should move to the dataset's.
METRIC_CRS = "EPSG:32648"
GEO_CRS = "EPSG:4326"
OPEN_END = date.max.toordinal()  # the end day of anything still in force at the dataset's end

PLACE_KINDS = frozenset({
    "city", "town", "village", "capital", "temple", "base", "border_crossing",
    "refugee_camp", "hill", "mountain_range", "checkpoint",
})
EVENT_KINDS = frozenset({
    "offensive", "battle", "capture", "withdrawal", "attack", "displacement", "political",
    "defection", "diplomacy", "background", "other",
})
POINT_CERTAINTY = frozenset({"exact", "approximate", "derived", "unverified"})
LINE_CERTAINTY = frozenset({"exact", "approximate", "schematic", "derived", "assessed", "claimed"})
CONTROL_CERTAINTY = frozenset({"assessed", "approximate", "claimed", "contested"})
SOURCE_KINDS = frozenset({"document", "news", "book", "reference", "gazetteer", "dataset", "method"})
TITLE_FROM = frozenset({"document", "brief", "checked"})
# Kinds that may be undated: reference works, gazetteers, datasets, the project's source documents
# and our own documented methods. A news item or a book always has a publication date.
UNDATED_SOURCE_KINDS = frozenset({"document", "reference", "gazetteer", "dataset", "method"})


@dataclass(frozen=True, slots=True)
class PeriodName:
    name: str
    start: HistoricalDate | None
    end: HistoricalDate | None
    name_km: str | None = None


@dataclass(frozen=True, slots=True)
class Faction:
    id: str
    name: str
    color: str
    names: tuple[PeriodName, ...] = ()
    allied_with: frozenset[str] = frozenset()
    description: str = ""
    sources: tuple[str, ...] = ()
    name_km: str | None = None   # factions.json `name_km` (a source's or the atlas's own translation)
    short: str | None = None     # for map labels, e.g. "KR" (derived from the name when not given)

    def name_on(self, day: date, lang: str = "en") -> str:
        """The faction's name as it was on `day` (e.g. SOC army until 1993, RCAF after); in Khmer
        (`lang="km"`) where the data gives a Khmer name, else the English one."""
        ordinal = day.toordinal()
        for period in self.names:
            starts = period.start is None or period.start.first_day <= ordinal
            ends = period.end is None or ordinal < period.end.first_day
            if starts and ends:
                return (period.name_km or self.name_km or period.name) if lang == "km" else period.name
        return (self.name_km or self.name) if lang == "km" else self.name

    def is_hostile_to(self, other: "Faction") -> bool:
        return (self.id != other.id and other.id not in self.allied_with
                and self.id not in other.allied_with)


@dataclass(frozen=True, slots=True)
class Source:
    """One document. `title` is its real title, or None when the headline is not recorded; then
    `describe` says what the item is ("UPI wire report")."""

    id: str
    title: str | None
    kind: str
    author: str | None = None
    publisher: str | None = None
    date: str | None = None
    file: str | None = None
    url: str | None = None
    note: str | None = None
    slips: tuple[dict[str, Any], ...] = ()
    describe: str | None = None
    title_from: str | None = None

    def published(self) -> HistoricalDate | None:
        """The publication date, or None for undated works (and dates that cannot be read)."""
        try:
            return parse_date(self.date) if self.date else None
        except DateError:
            return None

    def citation(self) -> str:
        """A short human citation.

        'Title (Author, Publisher, 22 September 1989)', or without a recorded headline
        'UPI wire report, 22 September 1989 (headline not recorded)'.
        """
        when = self.published()
        day = when.label() if when else self.date
        if self.title is None:
            head = ", ".join(x for x in (self.describe or self.publisher or self.id, day) if x)
            return f"{head} (headline not recorded)"
        extra = ", ".join(x for x in (self.author, self.publisher, day) if x)
        return f"{self.title} ({extra})" if extra else self.title


@dataclass(frozen=True, slots=True)
class DatasetMeta:
    """dataset.json, with everything the engine would otherwise hard-code derived when absent."""

    title: str
    start: date
    end: date
    region: tuple[float, float, float, float]
    view_lat: float
    view_lon: float
    view_zoom: int
    event_window_days: int = 15
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    metric_crs: str = METRIC_CRS          # projected CRS in metres for areas and distances
    default_date: date | None = None      # the day the map opens on (None: the start)
    slug: str = "atlas"                   # file-name prefix for downloads
    countries: tuple[str, ...] = ()       # home countries (ISO 3166-1 alpha-2), labelled first
    required_factions: tuple[str, ...] = ()  # faction ids the dataset promises to define

    @property
    def opening_day(self) -> date:
        return self.default_date or self.start


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


LAYERS = ("places", "routes", "zones", "frontlines", "events")
BASE_LAYERS = {"countries": "base/countries.geojson", "provinces": "base/provinces.geojson"}


# A visitor's own features laid over a dataset (layers/imports/uploads.py) carry this property, so the map can set
# them apart (their own ring and legend entry).
ORIGIN, ORIGIN_MINE = "origin", "your layers"
