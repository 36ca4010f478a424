"""The state on a date: who holds each place, the zones and front lines in force, the events nearby.

The situation only changes on a few dates (a zone or control period starting or ending). Between
two such change dates it is constant, so it is computed once per interval and cached; a query is a
binary search plus, for events, a window look-up on a sorted array.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from .dates import HistoricalDate, parse_date
from .model import METRIC_CRS, OPEN_END, Dataset

_CERTAINTY_RANK = {"assessed": 0, "approximate": 1, "claimed": 2, "contested": 3}
_TO_GEO = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)
FRONT_TOUCH_M = 250.0      # zones closer than this share a front
MIN_FRONT_KM = 1.0         # shorter shared edges are junctions, not fronts
_SEGMENT_CACHE_SIZE = 512


@dataclass(frozen=True, slots=True)
class PlaceStatus:
    """Who held a place on a date, since when, how certain, on what authority."""

    place_id: str
    name: str
    controller: str | None
    since: HistoricalDate | None
    until: HistoricalDate | None
    certainty: str | None
    sources: tuple[str, ...]
    derived_from_zone: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.place_id, "name": self.name, "controller": self.controller,
            "since": self.since.text if self.since else None,
            "since_label": self.since.label() if self.since else None,
            "until": self.until.text if self.until else None,
            "certainty": self.certainty, "sources": list(self.sources),
            "derived_from_zone": self.derived_from_zone,
        }


@dataclass(frozen=True, slots=True)
class Segment:
    """The situation between two change dates: indices into the dataset's tables."""

    index: int
    first_day: int
    last_day: int          # inclusive; OPEN_END - 1 when open
    zones: np.ndarray      # positions in dataset.zones
    frontlines: np.ndarray  # positions in dataset.frontlines
    place_periods: np.ndarray  # for each place position: row in the periods table, or -1
    area_by_faction: dict[str, float]


class Timeline:
    """Answers "what was the situation on date D" for one dataset."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.periods = _control_periods(dataset)
        zones, fronts = dataset.zones, dataset.frontlines
        self._zone_start = zones["start_day"].to_numpy(np.int64)
        self._zone_end = zones["end_day"].to_numpy(np.int64)
        self._zone_area = zones["area_km2"].to_numpy(float) if len(zones) else np.zeros(0)
        self._zone_codes, self._zone_factions = pd.factorize(zones["controller"]) if len(zones) else \
            (np.zeros(0, np.int64), pd.Index([]))
        self._front_start = fronts["start_day"].to_numpy(np.int64)
        self._front_end = fronts["end_day"].to_numpy(np.int64)
        p = self.periods
        place = p["place_pos"].to_numpy(np.int64)
        start, end = p["start_day"].to_numpy(np.int64), p["end_day"].to_numpy(np.int64)
        # Sorted once by (place, explicit before derived, latest start first): the period that
        # answers for a place on any day is its first active one in this order.
        self._p_order = np.lexsort((-start, p["rank"].to_numpy(np.int64), place))
        self._p_place, self._p_start, self._p_end = place[self._p_order], start[self._p_order], end[self._p_order]
        events = dataset.events
        self._ev_first = events["first_day"].to_numpy(np.int64)
        self._ev_last = events["last_day"].to_numpy(np.int64)
        self._ev_max_span = int((self._ev_last - self._ev_first).max()) if len(events) else 0
        bounds = np.concatenate([self._zone_start, self._zone_end, self._front_start, self._front_end,
                                 start, end, [dataset.meta.start.toordinal()]])
        self.change_days = np.unique(bounds[bounds < OPEN_END])
        self._segments: dict[int, Segment] = {}
        self._derived_fronts: dict[int, list[dict[str, Any]]] = {}
        self._place_statuses: dict[int, tuple[PlaceStatus, ...]] = {}

    # - change dates -

    def change_dates(self) -> list[date]:
        """Every date on which the situation changes, within the dataset's time range."""
        lo, hi = self.dataset.meta.start.toordinal(), self.dataset.meta.end.toordinal()
        return [date.fromordinal(int(d)) for d in self.change_days if lo <= d <= hi]

    def previous_change(self, day: date) -> date | None:
        i = int(np.searchsorted(self.change_days, day.toordinal(), "left")) - 1
        lo = self.dataset.meta.start.toordinal()
        return date.fromordinal(int(self.change_days[i])) if i >= 0 and self.change_days[i] >= lo else None

    def next_change(self, day: date) -> date | None:
        i = int(np.searchsorted(self.change_days, day.toordinal(), "right"))
        hi = self.dataset.meta.end.toordinal()
        return date.fromordinal(int(self.change_days[i])) if i < len(self.change_days) and \
            self.change_days[i] <= hi else None

    # - the state -

    def state_on(self, day: date, window_days: int | None = None) -> "State":
        """The situation on `day`, with the events within ±`window_days` (dataset default 15)."""
        t = day.toordinal()
        segment = self.segment_at(t)
        w = self.dataset.meta.event_window_days if window_days is None else window_days
        lo = int(np.searchsorted(self._ev_first, t - w - self._ev_max_span, "left"))
        hi = int(np.searchsorted(self._ev_first, t + w, "right"))
        events = lo + np.flatnonzero(self._ev_last[lo:hi] >= t - w)
        return State(self, day, segment, events, w)

    def segment_at(self, t: int) -> Segment:
        i = int(np.searchsorted(self.change_days, t, "right")) - 1
        cached = self._segments.get(i)
        if cached is not None:
            return cached
        if len(self._segments) >= _SEGMENT_CACHE_SIZE:
            self._segments.pop(next(iter(self._segments)))
        segment = self._compute_segment(i, t)
        self._segments[i] = segment
        return segment

    def _compute_segment(self, i: int, t: int) -> Segment:
        zones = np.flatnonzero((self._zone_start <= t) & (self._zone_end > t))
        fronts = np.flatnonzero((self._front_start <= t) & (self._front_end > t))
        active = np.flatnonzero((self._p_start <= t) & (self._p_end > t))
        place_periods = np.full(len(self.dataset.places), -1, dtype=np.int64)
        if len(active):
            places = self._p_place[active]
            first = np.flatnonzero(np.r_[True, places[1:] != places[:-1]])
            place_periods[places[first]] = self._p_order[active[first]]
        areas = np.bincount(self._zone_codes[zones], weights=self._zone_area[zones],
                            minlength=len(self._zone_factions)) if len(zones) else np.zeros(0)
        by_faction = {str(f): float(a) for f, a in zip(self._zone_factions, areas) if a > 0}
        first_day = int(self.change_days[i]) if i >= 0 else -1
        last_day = int(self.change_days[i + 1]) - 1 if i + 1 < len(self.change_days) else OPEN_END - 1
        return Segment(i, first_day, last_day, zones, fronts, place_periods, by_faction)

    def place_statuses(self, segment: Segment) -> tuple[PlaceStatus, ...]:
        """Who held each place (in the dataset's order) during `segment`."""
        cached = self._place_statuses.get(segment.index)
        if cached is None:
            places, periods = self.dataset.places, self.periods
            out = []
            for pos, row in enumerate(segment.place_periods):
                pid, name = places.index[pos], places["name"].iat[pos]
                if row < 0:
                    out.append(PlaceStatus(pid, name, None, None, None, None, tuple(places["sources"].iat[pos])))
                    continue
                period = periods.iloc[int(row)]
                out.append(PlaceStatus(pid, name, period["controller"], period["start"], period["end"],
                                       period["certainty"], tuple(period["sources"]), period["zone_id"]))
            if len(self._place_statuses) >= _SEGMENT_CACHE_SIZE:
                self._place_statuses.pop(next(iter(self._place_statuses)))
            cached = self._place_statuses[segment.index] = tuple(out)
        return cached

    def derived_frontlines(self, segment: Segment) -> list[dict[str, Any]]:
        """Lines where zones of opposing factions touch during `segment` (WGS 84 geometries)."""
        cached = self._derived_fronts.get(segment.index)
        if cached is None:
            cached = _derive_fronts(self.dataset, segment.zones)
            self._derived_fronts[segment.index] = cached
        return cached


class State:
    """The situation on one day. Cheap to build; lists are materialised on first use."""

    def __init__(self, timeline: Timeline, day: date, segment: Segment, events: np.ndarray,
                 window_days: int) -> None:
        self.timeline = timeline
        self.day = day
        self.segment = segment
        self.event_positions = events
        self.window_days = window_days

    @property
    def dataset(self) -> Dataset:
        return self.timeline.dataset

    @property
    def area_by_faction(self) -> dict[str, float]:
        return self.segment.area_by_faction

    @property
    def zones(self) -> gpd.GeoDataFrame:
        return self.dataset.zones.iloc[self.segment.zones]

    @property
    def frontlines(self) -> gpd.GeoDataFrame:
        return self.dataset.frontlines.iloc[self.segment.frontlines]

    @property
    def events(self) -> gpd.GeoDataFrame:
        return self.dataset.events.iloc[self.event_positions]

    @cached_property
    def derived_frontlines(self) -> list[dict[str, Any]]:
        return self.timeline.derived_frontlines(self.segment)

    @property
    def places(self) -> list[PlaceStatus]:
        return list(self.timeline.place_statuses(self.segment))

    def place(self, place_id: str) -> PlaceStatus:
        pos = self.dataset.places.index.get_loc(place_id)
        return self.places[pos]

    def to_dict(self) -> dict[str, Any]:
        """The state as plain JSON-ready data (the CLI's `state` output)."""
        zones = self.zones
        events = self.events
        return {
            "date": self.day.isoformat(),
            "places": [p.to_dict() for p in self.places],
            "zones": [{"id": zid, "name": r["name"], "controller": r["controller"],
                       "certainty": r["certainty"], "start": r["start"], "end": r["end"],
                       "area_km2": round(float(r["area_km2"]), 1), "sources": list(r["sources"])}
                      for zid, r in zones.iterrows()],
            "area_km2_by_faction": {k: round(v, 1) for k, v in self.area_by_faction.items()},
            "frontlines": [{"id": fid, "name": r["name"], "sides": list(r["sides"]), "kind": "described",
                            "certainty": r["certainty"], "start": r["start"], "end": r["end"],
                            "sources": list(r["sources"])} for fid, r in self.frontlines.iterrows()]
            + [{k: v for k, v in f.items() if k != "geometry"} | {"length_km": round(f["length_km"], 1)}
               for f in self.derived_frontlines],
            "events": [{"id": eid, "date": r["date"], "precision": parse_date(r["date"]).precision,
                        "date_label": parse_date(r["date"]).label(), "title": r["title"],
                        "kind": r["kind"], "place_ids": list(r["place_ids"]), "sources": list(r["sources"])}
                       for eid, r in events.iterrows()],
            "change_interval": {
                "from": date.fromordinal(self.segment.first_day).isoformat() if self.segment.first_day > 0 else None,
                "to": date.fromordinal(self.segment.last_day).isoformat()
                if self.segment.last_day < OPEN_END - 1 else None,
            },
        }


def _control_periods(dataset: Dataset) -> pd.DataFrame:
    """Explicit control periods plus periods derived from the zones that contain each place."""
    places = dataset.places
    explicit = dataset.control.copy()
    explicit["rank"] = 0
    explicit["zone_id"] = None
    frames = [explicit]
    zones = dataset.zones
    if len(places) and len(zones):
        tree = shapely.STRtree(zones.geometry.to_numpy())
        point_pos, zone_pos = tree.query(places.geometry.to_numpy(), predicate="within")
        if len(point_pos):
            z = zones.iloc[zone_pos]
            frames.append(pd.DataFrame({
                "place_id": places.index[point_pos], "controller": z["controller"].to_numpy(),
                "start": [parse_date(v) for v in z["start"]],
                "end": [parse_date(v) if v else None for v in z["end"]],
                "start_day": z["start_day"].to_numpy(), "end_day": z["end_day"].to_numpy(),
                "certainty": z["certainty"].to_numpy(), "sources": [tuple(s) for s in z["sources"]],
                "note": None, "rank": 1, "zone_id": z.index.to_numpy(),
            }))
    periods = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) \
        else explicit
    positions = pd.Series(np.arange(len(places)), index=places.index)
    periods["place_pos"] = positions.reindex(periods["place_id"]).to_numpy() if len(periods) else []
    return periods


def _derive_fronts(dataset: Dataset, zone_positions: np.ndarray) -> list[dict[str, Any]]:
    zones = dataset.zones.iloc[zone_positions]
    if len(zones) < 2:
        return []
    metric = zones.geometry.to_crs(METRIC_CRS).to_numpy()
    left, right = shapely.STRtree(metric).query(metric, predicate="dwithin", distance=FRONT_TOUCH_M)
    fronts = []
    for i, j in zip(left, right):
        if i >= j:
            continue
        a, b = zones.iloc[i], zones.iloc[j]
        fa, fb = dataset.faction(a["controller"]), dataset.faction(b["controller"])
        if fa is None or fb is None or not fa.is_hostile_to(fb):
            continue
        line = shapely.line_merge(shapely.intersection(metric[i].boundary,
                                                       shapely.buffer(metric[j], FRONT_TOUCH_M)))
        length_km = line.length / 1000
        if line.is_empty or length_km < MIN_FRONT_KM:
            continue
        worst = max(a["certainty"], b["certainty"], key=lambda c: _CERTAINTY_RANK.get(c, 9))
        fronts.append({
            "id": f"derived:{zones.index[i]}|{zones.index[j]}", "name": f"Front between {a['name']} and {b['name']}",
            "kind": "derived", "sides": sorted([a["controller"], b["controller"]]), "certainty": worst,
            "zones": [zones.index[i], zones.index[j]],
            "sources": sorted(set(a["sources"]) | set(b["sources"])),
            "length_km": length_km,
            "geometry": shapely.transform(line, lambda xy: np.column_stack(_TO_GEO.transform(xy[:, 0], xy[:, 1]))),
        })
    return fronts
