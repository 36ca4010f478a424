"""The non-spatial parts of a dataset: its metadata, factions and sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .dates import HistoricalDate

METRIC_CRS = "EPSG:32648"  # UTM zone 48N: areas, buffers and distances
GEO_CRS = "EPSG:4326"

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
    id: str
    title: str
    kind: str
    author: str | None = None
    publisher: str | None = None
    date: str | None = None
    file: str | None = None
    url: str | None = None
    note: str | None = None
    slips: tuple[dict[str, Any], ...] = ()

    def citation(self) -> str:
        """A short human citation: 'Title (Publisher, date)'."""
        extra = ", ".join(x for x in (self.author, self.publisher, self.date) if x)
        return f"{self.title} ({extra})" if extra else self.title


@dataclass(frozen=True, slots=True)
class DatasetMeta:
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
