"""Questions around the map: control periods per place, areas over time, comparing two dates,
the gazetteer table, and where the sources disagree. Pure functions over a Timeline."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import shapely

from ..data.dates import HistoricalDate, parse_date
from ..data.errors import DateError
from ..text.i18n import N_, format_number
from ..data.model import OPEN_END, Dataset, Source
from .timeline import State, Timeline, approx_km2, metric_crs
from ..text.markdown import md
from ..text.words import ENGLISH, Words

HEADLINE_NOT_RECORDED = " (headline not recorded)"  # how the loader marks a source without a title
NO_HEADLINE = N_("headline not recorded")
NOBODY = N_("not in the conflict")
CHANGING_HANDS = N_("changing hands from {from} to {to}, on a day the sources do not give: {when}")
SINCE = N_("since {date}")
FROM_ZONE = N_("from the zone around it")
CERTAINTY_UNKNOWN = N_("certainty unknown")
OPEN_END_WORDS = N_("the end of the period")
PERIOD = N_("{start} to {end}")
DATE_DISPUTED = N_("Sources disagree on the date; also given as:")


# --- names in the reader's language ---------------------------------------------------------------


def place_name(dataset: Dataset, place_id: str, words: Words | str = ENGLISH) -> str:
    """A place's name: its Khmer name in Khmer (`words` of Khmer, or 'km') where the data has one,
    else its English name."""
    if place_id not in dataset.places.index:
        return place_id
    row = dataset.places.loc[place_id]
    lang = words if isinstance(words, str) else words.lang
    name_km = row.get("name_km")
    if lang == "km" and isinstance(name_km, str) and name_km.strip():
        return name_km
    return str(row["name"])


def faction_label(dataset: Dataset, faction_id: str | None, day: date | None, words: Words = ENGLISH) -> str:
    """What to call a faction on `day` (e.g. SOC army until 1993, RCAF after), or its one name for the
    whole period when `day` is None; in Khmer where factions.json has `name_km`. Nobody: 'not in the
    conflict'; an unknown id as itself."""
    if faction_id is None:
        return words(NOBODY)
    faction = dataset.faction(faction_id)
    if faction is None:
        return faction_id
    if day is None:
        return (faction.name_km or faction.name) if words.lang == "km" else faction.name
    return faction.name_on(day, words.lang)


def date_words(text: str | None, words: Words = ENGLISH) -> str:
    """An EDTF date as words in the reader's language; text that is not a date is returned as it is."""
    if not text:
        return ""
    try:
        return words.date(parse_date(text))
    except (DateError, ValueError):
        return text


def citation(source: Source, words: Words = ENGLISH) -> str:
    """A short human citation: 'Title (Author, Publisher, 22 September 1989)', or for a source whose
    headline is not recorded 'UPI wire report, 22 September 1989 (headline not recorded)'."""
    title = getattr(source, "title", None)
    describe = getattr(source, "describe", None)
    when = date_words(source.date, words)
    if title is None or title.endswith(HEADLINE_NOT_RECORDED):
        what = describe or (title.removesuffix(HEADLINE_NOT_RECORDED) if title else None) or source.publisher \
            or source.id
        head = ", ".join(x for x in (what, when) if x)
        return f"{head} ({words(NO_HEADLINE)})"
    extra = ", ".join(x for x in (source.author, source.publisher, when) if x)
    return f"{title} ({extra})" if extra else title


def distance_words(km: float, words: Words = ENGLISH) -> str:
    """A distance in km as the reader writes numbers: '12', '0.3' (English), '០,៣' (Khmer)."""
    decimals = 0 if float(km).is_integer() else 1
    return format_number(km, words.lang, decimals)


def period_words(start: HistoricalDate, end: HistoricalDate | None, words: Words = ENGLISH) -> str:
    """'19 March 1994 to 19 April 1994', or '... to the end of the period' when it never ends."""
    last = words.date(end) if end else words(OPEN_END_WORDS)
    return words(PERIOD).format(start=words.date(start), end=last)


# --- tables ----------------------------------------------------------------------------------------


def control_periods(dataset: Dataset, place_ids: list[str] | None = None, words: Words = ENGLISH) -> pd.DataFrame:
    """Explicit control history, one row per period (for a Gantt chart and the places page); names,
    periods and certainty in the reader's language (`certainty` keeps the data's key)."""
    control = dataset.control
    if place_ids is not None:
        control = control[control["place_id"].isin(place_ids)]
    end_cap = dataset.meta.end.toordinal() + 1
    start_cap = dataset.meta.start.toordinal()
    rows = []
    for row in control.itertuples(index=False):
        faction = dataset.faction(row.controller)
        first = date.fromordinal(max(row.start_day, start_cap))
        rows.append({
            "place_id": row.place_id, "place": place_name(dataset, row.place_id, words),
            "controller": row.controller,
            "controller_name": faction_label(dataset, row.controller, first, words),
            "color": faction.color if faction else "#999999",
            "start": row.start.text, "end": row.end.text if row.end else None,
            "start_date": first,
            "end_date": date.fromordinal(min(row.end_day, end_cap)),
            "period": period_words(row.start, row.end, words),
            "certainty": row.certainty, "certainty_label": words.term("certainty", row.certainty),
            "sources": ", ".join(row.sources),
        })
    return pd.DataFrame(rows)


def area_over_time(timeline: Timeline) -> pd.DataFrame:
    """Each faction's zone area from each change date on: columns date, faction, area_km2 (rounded
    to two significant figures, what schematic zones support)."""
    rows = []
    for day in timeline.change_dates():
        for faction, area in timeline.state_on(day).area_by_faction.items():
            rows.append({"date": day, "faction": faction, "area_km2": approx_km2(area)})
    return pd.DataFrame(rows, columns=["date", "faction", "area_km2"])


@dataclass(frozen=True)
class Comparison:
    """What changed between two dates."""

    before: date
    after: date
    areas: pd.DataFrame        # faction, before_km2, after_km2, gained_km2, lost_km2, net_km2
    changed_places: pd.DataFrame  # place_id, name, before, after, since (label), since_date (HistoricalDate),
    #                               inferred (from a zone alone)
    events: pd.DataFrame       # the events between the two dates


def compare(timeline: Timeline, before: date, after: date) -> Comparison:
    """Area gained and lost by each faction (km², UTM 48N), places that changed hands, events between."""
    if after < before:
        before, after = after, before
    a, b = timeline.state_on(before, window_days=0), timeline.state_on(after, window_days=0)
    factions = sorted(set(a.zones["controller"]) | set(b.zones["controller"]))
    crs = metric_crs(timeline.dataset)
    rows = []
    for faction in factions:
        ga = _union_metric(a.zones[a.zones["controller"] == faction], crs)
        gb = _union_metric(b.zones[b.zones["controller"] == faction], crs)
        gained = shapely.difference(gb, ga).area / 1e6
        lost = shapely.difference(ga, gb).area / 1e6
        rows.append({"faction": faction, "before_km2": round(ga.area / 1e6, 1),
                     "after_km2": round(gb.area / 1e6, 1), "gained_km2": round(gained, 1),
                     "lost_km2": round(lost, 1), "net_km2": round(gained - lost, 1)})
    changed = [
        {"place_id": pa.place_id, "name": pa.name, "before": pa.controller, "after": pb.controller,
         "since": pb.since.label() if pb.since else None, "since_date": pb.since,
         "inferred": pa.derived_from_zone is not None or pb.derived_from_zone is not None}
        for pa, pb in zip(a.places, b.places) if pa.controller != pb.controller
    ]
    events = timeline.dataset.events
    between = events[(events["last_day"] >= before.toordinal()) & (events["first_day"] <= after.toordinal())]
    return Comparison(before, after, pd.DataFrame(rows), pd.DataFrame(
        changed, columns=["place_id", "name", "before", "after", "since", "since_date", "inferred"]), between)


def _union_metric(zones: Any, crs: str) -> shapely.Geometry:
    if len(zones) == 0:
        return shapely.Polygon()
    return shapely.union_all(zones.geometry.to_crs(crs).to_numpy())


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


COUNTRY_NAMES = {"KH": N_("Cambodia"), "TH": N_("Thailand"), "VN": N_("Vietnam"), "LA": N_("Laos")}


def gazetteer_view(dataset: Dataset, table: pd.DataFrame, words: Words = ENGLISH) -> pd.DataFrame:
    """Rows of `gazetteer()` for reading and download: names first (the Khmer name first in Khmer),
    kinds, countries and certainty in words, control history with faction names and dates in words.
    Column titles are the reader's words."""
    _ = words
    by_place: dict[str, list[str]] = {}
    for row in dataset.control.itertuples(index=False):
        first = date.fromordinal(max(row.start_day, dataset.meta.start.toordinal()))
        by_place.setdefault(row.place_id, []).append(
            f"{faction_label(dataset, row.controller, first, words)}: {period_words(row.start, row.end, words)}")
    rows = []
    for r in table.itertuples(index=False):
        names = {_("Name"): r.name, _("Name in Khmer"): r.name_km, _("Name in Thai"): r.name_th}
        if words.lang == "km":
            names = {_("Name in Khmer"): r.name_km, _("Name in Latin letters"): r.name,
                     _("Name in Thai"): r.name_th}
        rows.append({**names, _("Other spellings"): r.alt_names,
                     _("Kind"): words.term("place kind", r.kind),
                     _("Country"): _(COUNTRY_NAMES[r.country]) if r.country in COUNTRY_NAMES else r.country,
                     _("Latitude"): r.lat, _("Longitude"): r.lon,
                     _("GeoNames id"): None if pd.isna(r.geonames_id) else int(r.geonames_id),
                     _("Location"): words.term("certainty", r.certainty),
                     _("Uncertainty (± km)"): None if pd.isna(r.uncertainty_km) or not r.uncertainty_km
                     else float(r.uncertainty_km),
                     _("Who held it"): "; ".join(by_place.get(r.id, [])),
                     _("Sources"): r.sources})
    view = pd.DataFrame(rows)
    if len(view):
        view[_("GeoNames id")] = view[_("GeoNames id")].astype("Int64")
    return view


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


_LAYER_WORDS = {"places": N_("Place"), "zones": N_("Zone"), "frontlines": N_("Front line"), "events": N_("Event"),
                "routes": N_("Route")}
# Dispute fields that name the data's structure, said the way a reader would ask the question.
_FIELD_WORDS = {"controller": N_("who held it"), "start": N_("when it changed hands"), "end": N_("until when"),
                "date": N_("date"), "geometry": N_("where"), "name": N_("name")}


def _about(field: str, words: Words) -> str:
    """'control[2].start' -> 'when it changed hands'; free text from the data as it is."""
    key = field.rsplit(".", 1)[-1].split("[", 1)[0]
    return words(_FIELD_WORDS[key]) if key in _FIELD_WORDS else field


def _claim(value: Any, source_ids: list[str], words: Words) -> str:
    text = date_words(value, words) if isinstance(value, str) else (
        words.number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value))
    return f"{text} ({', '.join(source_ids)})" if source_ids else text


def _feature_name(dataset: Dataset, layer: str, fid: str, row: Any, words: Words) -> str:
    if layer == "places":
        return place_name(dataset, fid, words)
    name_km = row.get("name_km") if hasattr(row, "get") else None
    if words.lang == "km" and isinstance(name_km, str) and name_km:
        return name_km
    return str(row.get("title") or row.get("name") or fid)


DISAGREEMENT_COLUMNS = ("layer", "id", "feature", "about", "claims", "note")


def disagreements(dataset: Dataset, words: Words = ENGLISH) -> pd.DataFrame:
    """Every place where sources disagree: recorded disputes, and figures with more than one claim.
    Columns: layer (in words), id, feature (its name), about (what they disagree on), claims (each
    value with its source ids, dates and numbers in the reader's language, joined by ' ↔ '), note."""
    rows = []
    layers = {"places": dataset.places, "zones": dataset.zones, "frontlines": dataset.frontlines,
              "events": dataset.events, "routes": dataset.routes}
    for layer, frame in layers.items():
        if "disputes" not in frame:
            continue
        for fid, row in frame.iterrows():
            for dispute in row["disputes"] or []:
                claims = " ↔ ".join(_claim(c.get("value"), list(c.get("sources", [])), words)
                                    for c in dispute.get("claims", []))
                rows.append({"layer": words(_LAYER_WORDS[layer]), "id": fid,
                             "feature": _feature_name(dataset, layer, fid, row, words),
                             "about": _about(str(dispute.get("field", "")), words),
                             "claims": claims, "note": dispute.get("note", "")})
    for fid, row in dataset.events.iterrows():
        by_what: dict[str, list[dict[str, Any]]] = {}
        for figure in row["figures"] or []:
            by_what.setdefault(str(figure.get("what")), []).append(figure)
        for what, figures in by_what.items():
            if len({str(f.get("value")) for f in figures}) > 1:
                claims = " ↔ ".join(_claim(f.get("value"), list(f.get("sources", [])), words) for f in figures)
                rows.append({"layer": words(_LAYER_WORDS["events"]), "id": fid, "feature": row["title"],
                             "about": what, "claims": claims, "note": ""})
    return pd.DataFrame(rows, columns=list(DISAGREEMENT_COLUMNS))


def source_slips(dataset: Dataset, words: Words = ENGLISH) -> pd.DataFrame:
    """Typos and slips recorded in the source documents (kept as data, never silently fixed); `title`
    is the source's citation."""
    rows = [{"source": s.id, "title": citation(s, words), "text": slip.get("text", ""),
             "reading": slip.get("reading", ""), "note": slip.get("note", "")}
            for s in dataset.sources.values() for slip in s.slips]
    return pd.DataFrame(rows, columns=["source", "title", "text", "reading", "note"])


def bibliography(dataset: Dataset, words: Words = ENGLISH) -> pd.DataFrame:
    """Every source: id, citation ('headline not recorded' where the source has no title), kind (in
    words), date (in words), file and url."""
    rows = [{"id": s.id, "citation": citation(s, words), "kind": words.term("source kind", s.kind),
             "date": date_words(s.date, words), "file": s.file or "", "url": s.url or ""}
            for s in dataset.sources.values()]
    return pd.DataFrame(rows, columns=["id", "citation", "kind", "date", "file", "url"])


def situation_markdown(state: State, words: Words = ENGLISH) -> str:
    """The key places on the state's day as a Markdown list, text from the data escaped:
    '- **Pailin**: Khmer Rouge (NADK), since 19 April 1994 (assessed)', the certainty prefixed with
    "from the zone around it" when no source speaks of the place itself, and a place changing hands on
    a day the sources do not give said so, with the period in which it did."""
    ds, day = state.dataset, state.day
    lines = []
    for s in state.key_places():
        name = place_name(ds, s.place_id, words)
        holder = faction_label(ds, s.controller, day, words)
        if s.transition:
            text = words(CHANGING_HANDS).replace("{from}", faction_label(ds, s.previous, day, words)) \
                .replace("{to}", holder).replace("{when}", words.date(s.since))
            lines.append(f"- **{md(name)}**: {md(text)}")
            continue
        since = (", " + md(words(SINCE).replace("{date}", words.date(s.since)))) if s.since else ""
        how = words(FROM_ZONE) + ", " + words.term("certainty", s.certainty) if s.derived_from_zone \
            else words.term("certainty", s.certainty) if s.certainty else words(CERTAINTY_UNKNOWN)
        lines.append(f"- **{md(name)}**: {md(holder)}{since} ({md(how)})")
    return "\n".join(lines)


def date_disputes(dataset: Dataset, row: Any, words: Words = ENGLISH) -> str:
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
            claims.append(f"{value} ({'; '.join(citations(dataset, list(claim.get('sources') or []), words))})")
    if not claims:
        return ""
    return words(DATE_DISPUTED) + " " + " · ".join(claims)


def citations(dataset: Dataset, source_ids: list[str] | tuple[str, ...], words: Words = ENGLISH) -> list[str]:
    """Human citations for source ids (unknown ids are shown as themselves)."""
    return [citation(dataset.sources[s], words) if s in dataset.sources else s for s in source_ids]


__all__ = ["OPEN_END", "Comparison", "area_over_time", "bibliography", "citation", "citations", "compare",
           "control_periods", "date_disputes", "date_words", "distance_words", "disagreements", "faction_label", "gazetteer", "gazetteer_view",
           "period_words", "place_name", "search_places", "situation_markdown", "source_slips"]
