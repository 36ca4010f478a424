"""The state on a date: who holds each place, the zones and front lines in force, the events nearby.

Everything the map can show is prepared once per dataset, as immutable arrays:

- *place runs*: for every place, maximal runs of days on which the same control period answers for it
  (an explicit period before one derived from a zone, the latest-starting first). A run knows the day the
  place last changed hands (`since`, not the start of the current zone slice), and whether the change
  itself is only known to a month or a range of days (a *transition*: the place is shown changing hands
  during that time instead of flipping on its first possible day).
- *zone edges*: where the zones of two opposing factions touch, for as long as both are in force.

A query is then a few vectorised comparisons: no per-date cache, nothing mutated after construction, so
one Timeline can be shared by every session of the app.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..data.dates import HistoricalDate, parse_date
from ..data.model import GEO_CRS, METRIC_CRS, OPEN_END, Dataset

_CERTAINTY_RANK = {"assessed": 0, "approximate": 1, "claimed": 2, "contested": 3}
FRONT_TOUCH_M = 250.0      # zones closer than this share an edge
MIN_FRONT_KM = 1.0         # shorter shared edges are junctions, not edges


def metric_crs(dataset: Dataset) -> str:
    """The projected CRS for areas and distances: the dataset's own, else the built-in default."""
    return getattr(dataset.meta, "metric_crs", None) or METRIC_CRS


def approx_km2(value: float) -> int:
    """An area rounded to what schematic zones support: two significant figures."""
    if value <= 0:
        return 0
    digits = int(math.floor(math.log10(value)))
    step = 10 ** max(digits - 1, 0)
    return int(round(value / step) * step)


@dataclass(frozen=True, slots=True)
class PlaceStatus:
    """Who held a place on a date, since when, how certain, on what authority."""

    place_id: str
    name: str
    controller: str | None
    since: HistoricalDate | None       # when it last changed hands (None: before the dataset's start)
    until: HistoricalDate | None       # when the answering period ends
    certainty: str | None
    sources: tuple[str, ...]
    derived_from_zone: str | None = None   # the controller comes only from the zone around the place
    transition: bool = False               # changing hands on a day the sources do not give
    previous: str | None = None            # who held it before (for a transition)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.place_id, "name": self.name, "controller": self.controller,
            "since": self.since.text if self.since else None,
            "since_label": self.since.label() if self.since else None,
            "until": self.until.text if self.until else None,
            "certainty": self.certainty, "sources": list(self.sources),
            "derived_from_zone": self.derived_from_zone,
            "transition": self.transition, "previous": self.previous,
        }


@dataclass(frozen=True, slots=True)
class PlaceRuns:
    """Maximal runs of days with one answer per place, sorted by (place, start). Days are ordinals."""

    place: np.ndarray       # position in dataset.places
    start: np.ndarray       # first day of the run
    end: np.ndarray         # first day after it
    period: np.ndarray      # row of Timeline.periods that answers
    since: np.ndarray       # row of Timeline.periods whose start began the controller's hold
    transition: np.ndarray  # bool: the change to this controller happens somewhere in this run
    previous: np.ndarray    # row of the period before the transition, or -1

    def active(self, day: int) -> np.ndarray:
        """Positions of the runs in force on `day` (at most one per place)."""
        return np.flatnonzero((self.start <= day) & (self.end > day))


@dataclass(frozen=True, slots=True)
class Segment:
    """The days between two change dates, on which the situation is constant."""

    index: int
    first_day: int
    last_day: int          # inclusive; OPEN_END - 1 when open


class Timeline:
    """Answers "what was the situation on date D" for one dataset."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.periods = _control_periods(dataset)
        self.runs = _place_runs(self.periods, len(dataset.places))
        zones, fronts = dataset.zones, dataset.frontlines
        self._zone_start = zones["start_day"].to_numpy(np.int64)
        self._zone_end = zones["end_day"].to_numpy(np.int64)
        self._zone_area = zones["area_km2"].to_numpy(float) if len(zones) else np.zeros(0)
        self._front_start = fronts["start_day"].to_numpy(np.int64)
        self._front_end = fronts["end_day"].to_numpy(np.int64)
        self.edges = zone_edges(dataset)
        events = dataset.events
        self._ev_first = events["first_day"].to_numpy(np.int64)
        self._ev_last = events["last_day"].to_numpy(np.int64)
        self._ev_max_span = int((self._ev_last - self._ev_first).max()) if len(events) else 0
        bounds = np.concatenate([self._zone_start, self._zone_end, self._front_start, self._front_end,
                                 self.runs.start, self.runs.end, [dataset.meta.start.toordinal()]])
        self.change_days = np.unique(bounds[bounds < OPEN_END])

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

    def segment_at(self, day: int) -> Segment:
        i = int(np.searchsorted(self.change_days, day, "right")) - 1
        first = int(self.change_days[i]) if i >= 0 else -1
        last = int(self.change_days[i + 1]) - 1 if i + 1 < len(self.change_days) else OPEN_END - 1
        return Segment(i, first, last)

    # - the state -

    def state_on(self, day: date, window_days: int | None = None) -> "State":
        """The situation on `day`, with the events within ±`window_days` (dataset default)."""
        t = day.toordinal()
        w = self.dataset.meta.event_window_days if window_days is None else window_days
        lo = int(np.searchsorted(self._ev_first, t - w - self._ev_max_span, "left"))
        hi = int(np.searchsorted(self._ev_first, t + w, "right"))
        events = lo + np.flatnonzero(self._ev_last[lo:hi] >= t - w)
        zones = np.flatnonzero((self._zone_start <= t) & (self._zone_end > t))
        fronts = np.flatnonzero((self._front_start <= t) & (self._front_end > t))
        edges = np.flatnonzero((self.edges["start_day"].to_numpy() <= t) & (self.edges["end_day"].to_numpy() > t)) \
            if len(self.edges) else np.zeros(0, np.int64)
        return State(self, day, zones, fronts, edges, self.runs.active(t), events, w)

    @cached_property
    def _period_fields(self) -> tuple[list[Any], ...]:
        """The periods' columns as lists: a PlaceStatus is then a few list look-ups, not a pandas row."""
        p = self.periods
        return (p["controller"].tolist(), p["start"].tolist(), p["end"].tolist(), p["certainty"].tolist(),
                [tuple(s) for s in p["sources"]], p["zone_id"].tolist())

    @cached_property
    def _place_fields(self) -> tuple[list[str], list[str], list[tuple[str, ...]]]:
        places = self.dataset.places
        return ([str(i) for i in places.index], places["name"].astype(str).tolist(),
                [tuple(s) for s in places["sources"]])

    def place_status(self, run: int) -> PlaceStatus:
        """The PlaceStatus a run answers with."""
        runs = self.runs
        controller, start, end, certainty, sources, zone = self._period_fields
        ids, names, _ = self._place_fields
        pos, period, since_row = int(runs.place[run]), int(runs.period[run]), int(runs.since[run])
        since = start[since_row]
        if since is not None and since.first_day <= self.dataset.meta.start.toordinal() and not runs.transition[run]:
            since = None  # held from before the dataset's first day: no change to report
        previous = int(runs.previous[run])
        return PlaceStatus(ids[pos], names[pos], controller[period], since, end[period], certainty[period],
                           sources[period], zone[period], bool(runs.transition[run]),
                           controller[previous] if previous >= 0 else None)

    def unheld_status(self, pos: int) -> PlaceStatus:
        ids, names, sources = self._place_fields
        return PlaceStatus(ids[pos], names[pos], None, None, None, None, sources[pos])


class State:
    """The situation on one day: positions into the dataset's tables; lists built on first use."""

    def __init__(self, timeline: Timeline, day: date, zones: np.ndarray, fronts: np.ndarray, edges: np.ndarray,
                 runs: np.ndarray, events: np.ndarray, window_days: int) -> None:
        self.timeline = timeline
        self.day = day
        self.zone_positions = zones
        self.front_positions = fronts
        self.edge_positions = edges
        self.run_positions = runs
        self.event_positions = events
        self.window_days = window_days

    @property
    def dataset(self) -> Dataset:
        return self.timeline.dataset

    @property
    def segment(self) -> Segment:
        return self.timeline.segment_at(self.day.toordinal())

    @cached_property
    def area_by_faction(self) -> dict[str, float]:
        zones = self.zones
        if zones.empty:
            return {}
        areas = zones.groupby("controller", sort=False)["area_km2"].sum()
        return {str(f): float(a) for f, a in areas.items() if a > 0}

    @property
    def zones(self) -> gpd.GeoDataFrame:
        return self.dataset.zones.iloc[self.zone_positions]

    @property
    def frontlines(self) -> gpd.GeoDataFrame:
        return self.dataset.frontlines.iloc[self.front_positions]

    @property
    def events(self) -> gpd.GeoDataFrame:
        return self.dataset.events.iloc[self.event_positions]

    @property
    def zone_edges(self) -> gpd.GeoDataFrame:
        """Where opposing zones touch on this day (derived from the zones, not described by a source)."""
        return self.timeline.edges.iloc[self.edge_positions]

    @property
    def derived_frontlines(self) -> list[dict[str, Any]]:
        return [{"id": eid, **{k: row[k] for k in ("name", "kind", "sides", "certainty", "zones", "sources",
                                                     "length_km")}, "geometry": row.geometry}
                for eid, row in self.zone_edges.iterrows()]

    @cached_property
    def _run_of_place(self) -> dict[int, int]:
        """Place position -> the run in force on this day."""
        runs = self.timeline.runs
        return dict(zip(runs.place[self.run_positions].tolist(), self.run_positions.tolist()))

    def _statuses(self, positions: list[int]) -> list[PlaceStatus]:
        timeline, run_of = self.timeline, self._run_of_place
        return [timeline.place_status(run_of[pos]) if pos in run_of else timeline.unheld_status(pos)
                for pos in positions]

    @cached_property
    def places(self) -> list[PlaceStatus]:
        """Who held each place, in the dataset's order."""
        return self._statuses(list(range(len(self.dataset.places))))

    def key_places(self) -> list[PlaceStatus]:
        """Who held the dataset's key places (the panel's list): only those are built, not every place."""
        return self._statuses(np.flatnonzero(self.dataset.places["key"].astype(bool).to_numpy()).tolist())

    def place(self, place_id: str) -> PlaceStatus:
        return self._statuses([int(self.dataset.places.index.get_loc(place_id))])[0]

    def to_dict(self) -> dict[str, Any]:
        """The state as plain JSON-ready data (the CLI's `state` output)."""
        zones = self.zones
        events = self.events
        segment = self.segment
        return {
            "date": self.day.isoformat(),
            "places": [p.to_dict() for p in self.places],
            "zones": [{"id": zid, "name": r["name"], "controller": r["controller"],
                       "certainty": r["certainty"], "start": r["start"], "end": r["end"],
                       "area_km2": approx_km2(float(r["area_km2"])), "sources": list(r["sources"])}
                      for zid, r in zones.iterrows()],
            # Rounded to two significant figures: the zones are sketches (approx_km2).
            "area_km2_by_faction": {k: approx_km2(v) for k, v in self.area_by_faction.items()},
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
                "from": date.fromordinal(segment.first_day).isoformat() if segment.first_day > 0 else None,
                "to": date.fromordinal(segment.last_day).isoformat() if segment.last_day < OPEN_END - 1 else None,
            },
        }


# --- building the runs -------------------------------------------------------------------------

def _control_periods(dataset: Dataset) -> pd.DataFrame:
    """Explicit control periods (rank 0) plus periods derived from the zones that contain each place (rank 1).

    `settled_day` is the first day the new holder is certain: the day after the latest day the start allows.
    """
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
        else explicit.reset_index(drop=True)
    positions = pd.Series(np.arange(len(places)), index=places.index)
    periods["place_pos"] = positions.reindex(periods["place_id"]).to_numpy(np.int64) if len(periods) \
        else np.zeros(0, np.int64)
    latest = np.array([d.last_day for d in periods["start"]], dtype=np.int64) if len(periods) \
        else np.zeros(0, np.int64)
    periods["settled_day"] = np.minimum(latest + 1, periods["end_day"].to_numpy(np.int64)) if len(periods) \
        else np.zeros(0, np.int64)
    return periods


def _place_runs(periods: pd.DataFrame, n_places: int) -> PlaceRuns:
    """Cut each place's time at every period boundary and keep, for each piece, the period that answers."""
    empty = np.zeros(0, np.int64)
    if not len(periods):
        return PlaceRuns(empty, empty, empty, empty, empty, np.zeros(0, bool), empty)
    place = periods["place_pos"].to_numpy(np.int64)
    start, settled = periods["start_day"].to_numpy(np.int64), periods["settled_day"].to_numpy(np.int64)
    end, rank = periods["end_day"].to_numpy(np.int64), periods["rank"].to_numpy(np.int64)
    # Answering order within a place: explicit before derived, then the latest start.
    order = np.lexsort((-start, rank, place))
    p_place, p_start, p_end = place[order], start[order], end[order]
    # Elementary boundaries per place: every start, settled day and end.
    b_place = np.concatenate([place, place, place])
    b_day = np.concatenate([start, settled, end])
    keep = b_day < OPEN_END
    bounds = np.unique(np.column_stack([b_place[keep], b_day[keep]]), axis=0)
    bp, bd = bounds[:, 0], bounds[:, 1]
    # Pair each boundary with every period of its place; the first active one in answering order wins.
    first = np.searchsorted(p_place, bp, "left")
    count = np.searchsorted(p_place, bp, "right") - first
    pair_bound = np.repeat(np.arange(len(bp)), count)
    pair_period = np.repeat(first - np.cumsum(np.r_[0, count[:-1]]), count) + np.arange(count.sum())
    active = (p_start[pair_period] <= bd[pair_bound]) & (p_end[pair_period] > bd[pair_bound])
    pair_bound, pair_period = pair_bound[active], pair_period[active]
    winner_at = np.full(len(bp), -1, np.int64)
    firsts = np.flatnonzero(np.r_[True, pair_bound[1:] != pair_bound[:-1]]) if len(pair_bound) else empty
    winner_at[pair_bound[firsts]] = order[pair_period[firsts]]
    # A piece runs from its boundary to the next boundary of the same place.
    last_of_place = np.r_[bp[1:] != bp[:-1], True]
    piece_end = np.where(last_of_place, OPEN_END, np.r_[bd[1:], OPEN_END])
    has = winner_at >= 0
    r_place, r_start, r_end, r_period = bp[has], bd[has], piece_end[has], winner_at[has]
    r_transition = (r_start < settled[r_period]) & (settled[r_period] > start[r_period] + 1)
    # Merge neighbouring pieces answered by the same period in the same phase (transition or settled).
    same = (r_place[1:] == r_place[:-1]) & (r_end[:-1] == r_start[1:]) & (r_period[1:] == r_period[:-1]) \
        & (r_transition[1:] == r_transition[:-1])
    heads = np.flatnonzero(np.r_[True, ~same])
    tails = np.r_[heads[1:], len(r_place)] - 1
    r_place, r_start, r_end = r_place[heads], r_start[heads], r_end[tails]
    r_period, r_transition = r_period[heads], r_transition[heads]
    # "Since": the start of the streak of neighbouring runs with the same controller.
    codes = pd.factorize(periods["controller"])[0][r_period]
    continues = np.r_[False, (r_place[1:] == r_place[:-1]) & (r_end[:-1] == r_start[1:]) & (codes[1:] == codes[:-1])]
    streak = np.cumsum(~continues) - 1
    streak_head = np.flatnonzero(~continues)
    since = r_period[streak_head[streak]]
    # Who held it before a transition: the run just before the streak, when it touches.
    before = streak_head[streak] - 1
    touches = (before >= 0) & (r_place[np.maximum(before, 0)] == r_place) & \
        (r_end[np.maximum(before, 0)] == r_start[streak_head[streak]])
    # A change known only to a month is a transition only where the holder really changes: a new zone slice of
    # the same holder, or a first holder with nobody before, is not a change of hands.
    head = np.zeros(len(r_place), bool)
    head[streak_head] = True
    r_transition = r_transition & head & touches
    previous = np.where(r_transition, r_period[np.maximum(before, 0)], -1)
    return PlaceRuns(r_place, r_start, r_end, r_period, since, r_transition, previous)


# --- zone edges --------------------------------------------------------------------------------

EDGE_COLUMNS = ["name", "kind", "sides", "certainty", "zones", "sources", "length_km", "start_day", "end_day"]


def zone_edges(dataset: Dataset) -> gpd.GeoDataFrame:
    """Lines where zones of opposing factions touch, each in force while both zones are (WGS 84)."""
    zones = dataset.zones
    empty = gpd.GeoDataFrame({c: [] for c in EDGE_COLUMNS}, geometry=gpd.GeoSeries([], crs=GEO_CRS), crs=GEO_CRS)
    if len(zones) < 2:
        return empty
    metric = zones.geometry.to_crs(metric_crs(dataset)).to_numpy()
    left, right = shapely.STRtree(metric).query(metric, predicate="dwithin", distance=FRONT_TOUCH_M)
    start, end = zones["start_day"].to_numpy(), zones["end_day"].to_numpy()
    keep = (left < right) & (np.maximum(start[left], start[right]) < np.minimum(end[left], end[right]))
    left, right = left[keep], right[keep]
    controller = zones["controller"].tolist()
    codes, factions = pd.factorize(zones["controller"])
    hostility = np.array([[_hostile(dataset, a, b) for b in factions] for a in factions], dtype=bool).reshape(
        len(factions), len(factions))
    hostile = hostility[codes[left], codes[right]] if len(left) else np.zeros(0, bool)
    left, right = left[hostile], right[hostile]
    # Zones that change hands keep their outline: compute each distinct pair of outlines once.
    wkb = pd.factorize(pd.Series(shapely.to_wkb(metric)))[0]
    names, certainty, sources = zones["name"].tolist(), zones["certainty"].tolist(), zones["sources"].tolist()
    ids = zones.index.tolist()
    lines: dict[tuple[int, int], Any] = {}
    rows, geoms, edge_ids = [], [], []
    for i, j in zip(left.tolist(), right.tolist()):
        key = (wkb[i], wkb[j])
        if key not in lines:
            line = shapely.line_merge(shapely.intersection(metric[i].boundary, shapely.buffer(metric[j], FRONT_TOUCH_M)))
            lines[key] = None if line.is_empty or line.length / 1000 < MIN_FRONT_KM else line
        line = lines[key]
        if line is None:
            continue
        edge_ids.append(f"derived:{ids[i]}|{ids[j]}")
        rows.append({"name": f"Edge between {names[i]} and {names[j]}", "kind": "derived",
                     "sides": sorted([controller[i], controller[j]]),
                     "certainty": max(certainty[i], certainty[j], key=lambda c: _CERTAINTY_RANK.get(c, 9)),
                     "zones": [ids[i], ids[j]], "sources": sorted(set(sources[i]) | set(sources[j])),
                     "length_km": line.length / 1000, "start_day": int(max(start[i], start[j])),
                     "end_day": int(min(end[i], end[j]))})
        geoms.append(line)
    if not rows:
        return empty
    # One projection back to lon/lat for every line at once.
    geo = gpd.GeoSeries(geoms, index=edge_ids, crs=metric_crs(dataset)).to_crs(GEO_CRS)
    return gpd.GeoDataFrame(pd.DataFrame(rows, index=pd.Index(edge_ids, name="id")), geometry=geo, crs=GEO_CRS)


def _hostile(dataset: Dataset, a: str, b: str) -> bool:
    fa, fb = dataset.faction(a), dataset.faction(b)
    return fa is not None and fb is not None and fa.is_hostile_to(fb)
