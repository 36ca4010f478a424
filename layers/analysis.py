"""Questions around the map: control periods per place, areas over time, comparing two dates,
the gazetteer table, and where the sources disagree. Pure functions over a Timeline."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import shapely

from .dates import parse_date
from .model import METRIC_CRS, OPEN_END, Dataset
from .timeline import PlaceStatus, Timeline


def _label(text: str | None) -> str:
    return parse_date(text).label() if text else "the end of the period"


def control_periods(dataset: Dataset, place_ids: list[str] | None = None) -> pd.DataFrame:
    """Explicit control history, one row per period (for a Gantt chart and the places page)."""
    control = dataset.control
    if place_ids is not None:
        control = control[control["place_id"].isin(place_ids)]
    end_cap = dataset.meta.end.toordinal() + 1
    start_cap = dataset.meta.start.toordinal()
    rows = []
    for row in control.itertuples(index=False):
        faction = dataset.faction(row.controller)
        rows.append({
            "place_id": row.place_id, "place": dataset.places.loc[row.place_id, "name"],
            "controller": row.controller,
            "controller_name": faction.name_on(date.fromordinal(max(row.start_day, start_cap))) if faction
            else row.controller,
            "color": faction.color if faction else "#999999",
            "start": row.start.text, "end": row.end.text if row.end else None,
            "start_date": date.fromordinal(max(row.start_day, start_cap)),
            "end_date": date.fromordinal(min(row.end_day, end_cap)),
            "period": f"{row.start.label()} to {row.end.label() if row.end else 'the end of the period'}",
            "certainty": row.certainty, "sources": ", ".join(row.sources),
        })
    return pd.DataFrame(rows)


def area_over_time(timeline: Timeline) -> pd.DataFrame:
    """Each faction's zone area (km²) from each change date on: columns date, faction, area_km2."""
    rows = []
    for day in timeline.change_dates():
        for faction, area in timeline.state_on(day).area_by_faction.items():
            rows.append({"date": day, "faction": faction, "area_km2": round(area, 1)})
    return pd.DataFrame(rows, columns=["date", "faction", "area_km2"])


@dataclass(frozen=True)
class Comparison:
    """What changed between two dates."""

    before: date
    after: date
    areas: pd.DataFrame        # faction, before_km2, after_km2, gained_km2, lost_km2, net_km2
    changed_places: pd.DataFrame  # place_id, name, before, after, since, inferred (from a zone alone)
    events: pd.DataFrame       # the events between the two dates


def compare(timeline: Timeline, before: date, after: date) -> Comparison:
    """Area gained and lost by each faction (km², UTM 48N), places that changed hands, events between."""
    if after < before:
        before, after = after, before
    a, b = timeline.state_on(before, window_days=0), timeline.state_on(after, window_days=0)
    factions = sorted(set(a.zones["controller"]) | set(b.zones["controller"]))
    rows = []
    for faction in factions:
        ga = _union_metric(a.zones[a.zones["controller"] == faction])
        gb = _union_metric(b.zones[b.zones["controller"] == faction])
        gained = shapely.difference(gb, ga).area / 1e6
        lost = shapely.difference(ga, gb).area / 1e6
        rows.append({"faction": faction, "before_km2": round(ga.area / 1e6, 1),
                     "after_km2": round(gb.area / 1e6, 1), "gained_km2": round(gained, 1),
                     "lost_km2": round(lost, 1), "net_km2": round(gained - lost, 1)})
    changed = [
        {"place_id": pa.place_id, "name": pa.name, "before": pa.controller, "after": pb.controller,
         "since": pb.since.label() if pb.since else None,
         "inferred": pa.derived_from_zone is not None or pb.derived_from_zone is not None}
        for pa, pb in zip(a.places, b.places) if pa.controller != pb.controller
    ]
    events = timeline.dataset.events
    between = events[(events["last_day"] >= before.toordinal()) & (events["first_day"] <= after.toordinal())]
    return Comparison(before, after, pd.DataFrame(rows), pd.DataFrame(
        changed, columns=["place_id", "name", "before", "after", "since", "inferred"]), between)


def _union_metric(zones: Any) -> shapely.Geometry:
    if len(zones) == 0:
        return shapely.Polygon()
    return shapely.union_all(zones.geometry.to_crs(METRIC_CRS).to_numpy())


def key_places(statuses: list[PlaceStatus], dataset: Dataset) -> list[PlaceStatus]:
    keys = set(dataset.places.index[dataset.places["key"].astype(bool)])
    return [s for s in statuses if s.place_id in keys]


def gazetteer(dataset: Dataset) -> pd.DataFrame:
    """The places as a flat table (for search and CSV download)."""
    rows = []
    for pid, row in dataset.places.iterrows():
        history = "; ".join(
            f"{p['controller']} {p['start']}–{p['end'] or ''}".rstrip("–") for p in row["control"] or [])
        rows.append({
            "id": pid, "name": row["name"], "name_km": row["name_km"] or "", "name_th": row["name_th"] or "",
            "alt_names": "; ".join(row["alt_names"]), "kind": row["kind"], "country": row["country"],
            "lat": round(row.geometry.y, 5), "lon": round(row.geometry.x, 5),
            "geonames_id": row["geonames_id"], "certainty": row["certainty"],
            "uncertainty_km": row["uncertainty_km"], "control_history": history,
            "sources": "; ".join(row["sources"]),
        })
    return pd.DataFrame(rows)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_places(table: pd.DataFrame, query: str) -> pd.DataFrame:
    """Rows whose names (English, Khmer, Thai, other spellings) contain `query`, ignoring case and accents."""
    needle = _fold(query.strip())
    if not needle:
        return table
    haystack = (table["name"] + " " + table["name_km"] + " " + table["name_th"] + " " + table["alt_names"]
                + " " + table["id"]).map(_fold)
    return table[haystack.str.contains(needle, regex=False)]


def disagreements(dataset: Dataset) -> pd.DataFrame:
    """Every place where sources disagree: recorded disputes, and figures with more than one claim."""
    rows = []
    layers = {"places": dataset.places, "zones": dataset.zones, "frontlines": dataset.frontlines,
              "events": dataset.events, "routes": dataset.routes}
    for layer, frame in layers.items():
        if "disputes" not in frame:
            continue
        for fid, row in frame.iterrows():
            title = row.get("title") or row.get("name")
            for dispute in row["disputes"] or []:
                claims = " vs ".join(
                    f"{c.get('value')} ({', '.join(c.get('sources', []))})" for c in dispute.get("claims", []))
                rows.append({"layer": layer, "id": fid, "feature": title, "about": dispute.get("field", ""),
                             "claims": claims, "note": dispute.get("note", "")})
    for fid, row in dataset.events.iterrows():
        by_what: dict[str, list[dict[str, Any]]] = {}
        for figure in row["figures"] or []:
            by_what.setdefault(str(figure.get("what")), []).append(figure)
        for what, figures in by_what.items():
            if len({str(f.get("value")) for f in figures}) > 1:
                claims = " vs ".join(f"{f.get('value')} ({', '.join(f.get('sources', []))})" for f in figures)
                rows.append({"layer": "events", "id": fid, "feature": row["title"], "about": what,
                             "claims": claims, "note": ""})
    return pd.DataFrame(rows, columns=["layer", "id", "feature", "about", "claims", "note"])


def source_slips(dataset: Dataset) -> pd.DataFrame:
    """Typos and slips recorded in the source documents (kept as data, never silently fixed)."""
    rows = [{"source": s.id, "title": s.title, "text": slip.get("text", ""), "reading": slip.get("reading", ""),
             "note": slip.get("note", "")} for s in dataset.sources.values() for slip in s.slips]
    return pd.DataFrame(rows, columns=["source", "title", "text", "reading", "note"])


def place_name(dataset: Dataset, place_id: str, lang: str = "en") -> str:
    """A place's name in the reader's language: its Khmer name in Khmer where the data has one."""
    row = dataset.places.loc[place_id]
    return row["name_km"] if lang == "km" and row.get("name_km") else row["name"]


def date_disputes(dataset: Dataset, row: Any, words: Any) -> str:
    """Where the sources disagree on a feature's date, in words: shown next to the date, not in fine print."""
    claims = []
    for dispute in row.get("disputes") or []:
        if not isinstance(dispute, dict) or dispute.get("field") not in ("date", "start"):
            continue
        for claim in dispute.get("claims") or []:
            value = claim.get("value")
            try:
                value = words.date(parse_date(value)) if isinstance(value, str) else str(value)
            except ValueError:
                value = str(value)
            claims.append(f"{value} ({'; '.join(citations(dataset, list(claim.get('sources') or [])))})")
    if not claims:
        return ""
    return words("Sources disagree on the date; also given as:") + " " + " · ".join(claims)


def citations(dataset: Dataset, source_ids: list[str] | tuple[str, ...]) -> list[str]:
    """Human citations for source ids (unknown ids are shown as themselves)."""
    return [dataset.sources[s].citation() if s in dataset.sources else s for s in source_ids]


__all__ = ["OPEN_END", "Comparison", "area_over_time", "citations", "compare", "control_periods",
           "disagreements", "gazetteer", "key_places", "search_places", "source_slips"]
