"""Rules across features and files: references that must exist, periods and zones that must agree.

Each check takes what the loader built (frames already checked against `schema.py`, so every id
list holds strings and every date parses) and returns Problems naming file, feature, field and fix.
"""

from __future__ import annotations

from typing import Any, Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .errors import Problem
from .model import DatasetMeta, Faction, Source

OVERLAP_TOLERANCE_KM2 = 0.5


def feature_references(layer: str, rel: str, fid: str, props: dict[str, Any],
                       factions: dict[str, Faction], sources: dict[str, Source]) -> list[Problem]:
    """Every id a feature names exists: sources, factions (places are checked once all are read)."""
    problems: list[Problem] = []

    def refs(fld: str, values: Iterable[str], table: dict[str, Any], what: str) -> None:
        for value in values:
            if value not in table:
                problems.append(Problem(rel, fid, fld, f"refers to unknown {what} {value!r}.",
                                        f"use an id defined in {what}s.json."))

    refs("sources", props.get("sources") or [], sources, "source")
    refs("background_sources", props.get("background_sources") or [], sources, "source")
    if layer == "zones":
        refs("controller", [props["controller"]], factions, "faction")
    if layer == "frontlines":
        refs("sides", props["sides"], factions, "faction")
        if len(props["sides"]) != 2:
            problems.append(Problem(rel, fid, "sides", "must name exactly two factions.", "list the two sides."))
    if layer == "events":
        refs("factions", props.get("factions") or [], factions, "faction")
        for i, figure in enumerate(props.get("figures") or []):
            refs(f"figures[{i}].sources", figure.get("sources") or [], sources, "source")
    for i, dispute in enumerate(props.get("disputes") or []):
        for j, claim in enumerate(dispute["claims"]):
            refs(f"disputes[{i}].claims[{j}].sources", claim["sources"], sources, "source")
    if layer == "places":
        for i, period in enumerate(props.get("control") or []):
            refs(f"control[{i}].controller", [period["controller"]], factions, "faction")
            refs(f"control[{i}].sources", period["sources"], sources, "source")
            refs(f"control[{i}].background_sources", period.get("background_sources") or [], sources, "source")
    return problems


def dataset_checks(frames: dict[str, gpd.GeoDataFrame], control: pd.DataFrame, factions: dict[str, Faction],
                   sources: dict[str, Source], meta: DatasetMeta) -> list[Problem]:
    """The whole-dataset rules, in the order a reader fixes them."""
    problems = overlapping_periods(control)
    problems += place_references(frames)
    problems += zone_overlaps(frames["zones"], factions, meta.metric_crs)
    return problems


def overlapping_periods(control: pd.DataFrame) -> list[Problem]:
    """A place is held by one faction at a time, unless a period is marked contested."""
    ordered = control.sort_values(["place_id", "start_day"], kind="stable")
    place, ctrl = ordered["place_id"].to_numpy(), ordered["controller"].to_numpy()
    start, end = ordered["start_day"].to_numpy(), ordered["end_day"].to_numpy()
    contested = (ordered["certainty"] == "contested").to_numpy()
    clash = np.flatnonzero((place[1:] == place[:-1]) & (start[1:] < end[:-1]) & (ctrl[1:] != ctrl[:-1])
                           & ~contested[1:] & ~contested[:-1])
    problems = []
    for k in clash:
        a, b = ordered.iloc[k], ordered.iloc[k + 1]
        problems.append(Problem(
            "places.geojson", str(a["place_id"]), "control",
            f"is held by {a['controller']} ({a['start'].label()} to "
            f"{a['end'].label() if a['end'] else 'the end'}) and by {b['controller']} "
            f"(from {b['start'].label()}) at the same time.",
            "end the first period when the second begins, or mark one 'contested'."))
    return problems


def place_references(frames: dict[str, gpd.GeoDataFrame]) -> list[Problem]:
    places = frames["places"]
    problems = []
    for layer, column in (("events", "place_ids"), ("routes", "waypoints")):
        for fid, values in frames[layer][column].items():
            for pid in values or []:
                if pid not in places.index:
                    problems.append(Problem(f"{layer}.geojson", str(fid), column, f"refers to unknown place {pid!r}.",
                                            "use an id from places.geojson."))
    return problems


def zone_overlaps(zones: gpd.GeoDataFrame, factions: dict[str, Faction], metric_crs: str) -> list[Problem]:
    """Zones of hostile factions in force at the same time do not overlap (unless contested)."""
    if len(zones) < 2:
        return []
    metric = zones.geometry.to_crs(metric_crs).to_numpy()
    left, right = shapely.STRtree(metric).query(metric, predicate="intersects")
    controller = zones["controller"].to_numpy()
    contested = (zones["certainty"] == "contested").to_numpy()
    start, end = zones["start_day"].to_numpy(), zones["end_day"].to_numpy()
    candidate = ((left < right) & (controller[left] != controller[right])
                 & ~contested[left] & ~contested[right]
                 & (start[left] < end[right]) & (start[right] < end[left]))
    left, right = left[candidate], right[candidate]

    def hostile(a: str, b: str) -> bool:
        fa, fb = factions.get(a), factions.get(b)
        return fa is not None and fb is not None and fa.is_hostile_to(fb)

    keep = np.array([hostile(controller[i], controller[j]) for i, j in zip(left, right)], dtype=bool)
    left, right = left[keep] if len(keep) else left, right[keep] if len(keep) else right
    overlap = shapely.area(shapely.intersection(metric[left], metric[right])) / 1e6
    problems = []
    for i, j, km2 in zip(left, right, overlap):
        if km2 > OVERLAP_TOLERANCE_KM2:
            problems.append(Problem(
                "zones.geojson", str(zones.index[j]), "geometry",
                f"overlaps zone {zones.index[i]!r} by {km2:.1f} km² while both are in force, "
                f"held by {controller[j]} and {controller[i]}.",
                "cut one zone out of the other, or mark the overlap as a 'contested' zone."))
    return problems
