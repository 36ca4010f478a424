"""Rules across features and files: references that must exist, periods and zones that must agree.

Each check takes what the loader built (frames already checked against `schema.py`, so every id
list holds strings and every date parses) and returns Problems naming file, feature, field and fix.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .dates import MONTHS, HistoricalDate, parse_date, parse_date_field
from .errors import N_, Message, Problem
from .model import OPEN_END, DatasetMeta, Faction, Source

OVERLAP_TOLERANCE_KM2 = 0.5


def feature_references(layer: str, rel: str, fid: str, props: dict[str, Any],
                       factions: dict[str, Faction], sources: dict[str, Source]) -> list[Problem]:
    """Every id a feature names exists: sources, factions (places are checked once all are read)."""
    problems: list[Problem] = []

    unknown = {"source": (N_("refers to unknown source {id!r}."), N_("use an id defined in sources.json.")),
               "faction": (N_("refers to unknown faction {id!r}."), N_("use an id defined in factions.json."))}

    def refs(fld: str, values: Iterable[str], table: dict[str, Any], what: str) -> None:
        message, fix = unknown[what]
        for value in values:
            if value not in table:
                problems.append(Problem(rel, fid, fld, Message(message, id=value), fix))

    refs("sources", props.get("sources") or [], sources, "source")
    refs("background_sources", props.get("background_sources") or [], sources, "source")
    if layer == "zones":
        refs("controller", [props["controller"]], factions, "faction")
    if layer == "frontlines":
        refs("sides", props["sides"], factions, "faction")
        if len(props["sides"]) != 2:
            problems.append(Problem(rel, fid, "sides", N_("must name exactly two factions."),
                                    N_("list the two sides.")))
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
                   sources: dict[str, Source], meta: DatasetMeta,
                   place_ids: Iterable[str] | None = None) -> list[Problem]:
    """The whole-dataset rules, in the order a reader fixes them. `place_ids`: every place id in the
    files, including places that failed their own checks (so they are not reported twice)."""
    problems = overlapping_periods(control)
    problems += place_references(frames, set(place_ids) if place_ids is not None else None)
    problems += zone_overlaps(frames["zones"], factions, meta.metric_crs)
    problems += sources_after_facts(frames, control, sources)
    problems += places_agree_with_zones(frames["places"], control, frames["zones"], meta)
    problems += day_precision_labels(frames["events"])
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
            Message(N_("is held by {first} ({start} to {end}) and by {second} (from {second_start}) at the same "
                       "time."), first=a["controller"], start=a["start"],
                    end=a["end"] if a["end"] else Message(N_("the end")), second=b["controller"],
                    second_start=b["start"]),
            N_("end the first period when the second begins, or mark one 'contested'.")))
    return problems


def place_references(frames: dict[str, gpd.GeoDataFrame], known: set[str] | None = None) -> list[Problem]:
    places = set(frames["places"].index) | (known or set())
    problems = []
    for layer, column in (("events", "place_ids"), ("routes", "waypoints")):
        for fid, values in frames[layer][column].items():
            for pid in values or []:
                if pid not in places:
                    problems.append(Problem(f"{layer}.geojson", str(fid), column,
                                            Message(N_("refers to unknown place {id!r}."), id=pid),
                                            N_("use an id from places.geojson.")))
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
                Message(N_("overlaps zone {zone!r} by {km2:.1f} km² while both are in force, held by {holder} and "
                           "{other}."), zone=str(zones.index[i]), km2=float(km2), holder=str(controller[j]),
                        other=str(controller[i])),
                N_("cut one zone out of the other, or mark the overlap as a 'contested' zone.")))
    return problems


# --- issue 9: a fact cites what was published after it; places and zones agree; no invented days ---

def _cited_too_early(sids: Iterable[str], background: Iterable[str], fact: HistoricalDate,
                     sources: dict[str, Source]) -> list[tuple[str, HistoricalDate]]:
    context = set(background)
    early = []
    for sid in sids:
        published = sources[sid].published() if sid in sources and sid not in context else None
        if published is not None and published.last_day < fact.first_day:
            early.append((sid, published))
    return early


def sources_after_facts(frames: dict[str, gpd.GeoDataFrame], control: pd.DataFrame,
                        sources: dict[str, Source]) -> list[Problem]:
    """A source cannot report what had not happened: its latest possible publication day is on or after
    the fact's earliest day (an event's date; a zone's, front line's or control period's start), unless
    it is cited for context only in `background_sources`."""
    facts: list[tuple[str, str, str, HistoricalDate, Any, Any, str]] = []
    for layer, fld, what in (("events", "date", N_("the event")), ("zones", "start", N_("the zone's start")),
                             ("frontlines", "start", N_("the front line's start"))):
        frame = frames[layer]
        for fid, row in frame.iterrows() if len(frame) else []:
            fact = parse_date_field(row, fld)
            if fact is not None:
                facts.append((f"{layer}.geojson", str(fid), "sources", fact, row["sources"],
                              row.get("background_sources") or (), what))
    for _, row in control.iterrows():
        facts.append(("places.geojson", str(row["place_id"]), f"control[{row['period']}].sources", row["start"],
                      row["sources"], row["background_sources"], N_("the control period's start")))
    problems = []
    for file, fid, fld, fact, sids, background, what in facts:
        for sid, published in _cited_too_early(sids, background, fact, sources):
            problems.append(Problem(
                file, fid, fld,
                Message(N_("cites {source!r}, published {published}, before {fact} ({date}): a source cannot "
                           "report what had not yet happened."), source=sid, published=published,
                        fact=Message(what), date=fact),
                Message(N_("cite a source published on or after {day}, or move {source!r} to 'background_sources' "
                           "if it is cited for context only."), day=_day(fact.earliest), source=sid)))
    return problems


def _subtract(lo: int, hi: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The days lo..hi (inclusive) outside every hole (inclusive ranges)."""
    pieces = [(lo, hi)]
    for a, b in holes:
        pieces = [piece for x, y in pieces
                  for piece in ((x, min(y, a - 1)), (max(x, b + 1), y)) if piece[0] <= piece[1]]
    return pieces


def _day(day: date) -> HistoricalDate:
    """A plain day as a Message value: written in words in the reader's language."""
    return parse_date(day.isoformat())


def _range_label(lo: int, hi: int) -> Message:
    first, last = _day(date.fromordinal(lo)), _day(date.fromordinal(hi))
    days = hi - lo + 1
    if lo == hi:
        return Message(N_("{day} (1 day)"), day=first)
    return Message(N_("{first} to {last} ({days} days)"), first=first, last=last, days=days)


def _joined(parts: list[Message]) -> Message:
    """Messages joined with "; " (each translated in turn)."""
    names = [f"p{k}" for k in range(len(parts))]
    return Message("; ".join("{" + name + "}" for name in names), **dict(zip(names, parts)))


def places_agree_with_zones(places: gpd.GeoDataFrame, control: pd.DataFrame, zones: gpd.GeoDataFrame,
                            meta: DatasetMeta) -> list[Problem]:
    """Every day on which a place's explicit controller differs from a zone that contains it, as date
    ranges. Excepted: periods marked `enclave`, contested periods or zones, and the days a control
    period's start (or end) leaves open (a transition: the place is changing hands)."""
    if not len(control) or not len(zones) or not len(places):
        return []
    explicit = control[~control["enclave"].astype(bool) & (control["certainty"] != "contested")]
    explicit = explicit[explicit["place_id"].isin(places.index)]
    if not len(explicit):
        return []
    zones = zones[zones["certainty"] != "contested"]
    tree = shapely.STRtree(zones.geometry.to_numpy())
    point_pos, zone_pos = tree.query(places.geometry.to_numpy(), predicate="within")
    containing: dict[str, list[int]] = {}
    for p, z in zip(point_pos, zone_pos):
        containing.setdefault(places.index[p], []).append(int(z))
    first_day, last_day = meta.start.toordinal(), meta.end.toordinal()
    problems = []
    for _, period in explicit.iterrows():
        holes = []
        for bound in (period["start"], period["end"]):
            if bound is not None and not bound.is_single_day:
                holes.append((bound.first_day, bound.last_day))
        clashes = []
        for z in containing.get(period["place_id"], []):
            zone = zones.iloc[z]
            if zone["controller"] == period["controller"]:
                continue
            lo = max(period["start_day"], zone["start_day"], first_day)
            hi = min(period["end_day"], zone["end_day"], OPEN_END, last_day + 1) - 1
            if lo > hi:
                continue
            for a, b in _subtract(lo, hi, holes):
                clashes.append(Message(N_("zone {zone!r} ({holder}) on {days}"), zone=str(zones.index[z]),
                                       holder=str(zone["controller"]), days=_range_label(a, b)))
        if clashes:
            problems.append(Problem(
                "places.geojson", str(period["place_id"]), f"control[{period['period']}]",
                Message(N_("is held by {holder} (from {start}) but lies in {clashes}."),
                        holder=str(period["controller"]), start=period["start"], clashes=_joined(clashes)),
                N_("make the zones and the place tell one story (re-date or redraw the zone, or re-date the "
                   "period); if the place really held out against the zone around it, mark the period "
                   "\"enclave\": true with its own sources; if it was fought over, mark one 'contested'.")))
    return problems


_MONTH = "|".join(MONTHS)
_DAY_MONTH = re.compile(rf"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+(?P<month>{_MONTH})\b(?:,?\s+(?P<year>\d{{4}})\b)?")
_MONTH_DAY = re.compile(rf"\b(?P<month>{_MONTH})\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?!\s*\d)"
                        rf"(?:,?\s+(?P<year>\d{{4}})\b)?")


def stated_days(text: str, years: Iterable[int]) -> list[tuple[str, date]]:
    """Days of the month a text states ('on 25 April', 'April 25, 1994'), with the year it gives or
    each of `years`."""
    found = []
    for regex in (_DAY_MONTH, _MONTH_DAY):
        for match in regex.finditer(text):
            month = MONTHS.index(match["month"]) + 1
            for year in [int(match["year"])] if match["year"] else years:
                try:
                    found.append((match.group(0), date(year, month, int(match["day"]))))
                except ValueError:
                    continue
    return found


_PRECISE = {
    "month": N_("states a day ({days}) but the event's date {date!r} is only month-precise ({label})."),
    "year": N_("states a day ({days}) but the event's date {date!r} is only year-precise ({label})."),
}


def day_precision_labels(events: gpd.GeoDataFrame) -> list[Problem]:
    """An event whose title or description states a day inside its own dates, while its date is only
    a month or a year (or a span of them): the text claims a precision the date does not."""
    problems = []
    for eid, row in events.iterrows() if len(events) else []:
        when = parse_date_field(row, "date")
        if when is None or when.precision == "day":
            continue
        years = range(when.earliest.year, when.latest.year + 1)
        for fld in ("title", "description"):
            text = row.get(fld)
            if not isinstance(text, str):
                continue
            inside = [phrase for phrase, day in stated_days(text, years) if when.earliest <= day <= when.latest]
            if inside:
                problems.append(Problem(
                    "events.geojson", str(eid), fld,
                    Message(_PRECISE[when.precision], days=", ".join(repr(p) for p in dict.fromkeys(inside)),
                            date=when.text, label=when),
                    N_("if a source gives the day, write the date to the day (e.g. '1994-04-25'); otherwise "
                       "say what the sources say in the text ('late April') without a day.")))
    return problems
