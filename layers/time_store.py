"""Everything the map can show over a dataset's whole period, as one JSON document for the browser.

The browser's time layer (layers/js/atlas_time.js) reads this once and then answers every date itself.
Each drawable carries its geometry, the escaped text of its popup, and its *runs*: the intervals of days
on which it is shown, each with its look (an index into a table of Leaflet styles) and, for zones and
places, who holds it. Texts that depend on the day (a holder's name on that day) are put together in the
browser from escaped parts and translated templates. Days are counted from 1970-01-01.

Built once per (dataset, language) and never changed: one copy serves every visitor.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import shapely

from . import symbology as sym
from .analysis import citations
from .catalog import OPEN_END, Dataset
from .dates import parse_date
from .escaping import escape
from .timeline import Timeline
from .words import ENGLISH, Words

EPOCH = date(1970, 1, 1).toordinal()
FOREVER = 10 ** 7            # a day after any dataset's end (about AD 29,000)
DISPLAY_TOLERANCE_DEG = 0.002  # ~200 m: invisible at the zooms the region is read at, a third of the bytes
DISPLAY_GRID_DEG = 1e-4        # ~11 m, far finer than any zone's certainty
BORDER_MARGIN_DEG = 2.0        # country borders are sent for the region and this much around it
CANVAS_ABOVE = 3000            # more drawables than this: one canvas instead of an SVG element each
KINDS = ("zone", "edge", "route", "front", "place", "event")  # drawing order, bottom to top
TOGGLE_OF_KIND = {"zone": "zones", "edge": "frontlines", "front": "frontlines", "route": "routes",
                  "place": "places", "event": "events"}


def epoch_day(ordinal: int) -> int:
    """A proleptic ordinal as days since 1970-01-01; open ends become FOREVER."""
    return FOREVER if ordinal >= OPEN_END else int(ordinal) - EPOCH


@dataclass(frozen=True)
class TimeStore:
    """The document and its JSON text (what a static file or an inline script holds)."""

    document: dict[str, Any]
    text: str

    @property
    def digest(self) -> str:
        import hashlib

        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:20]


class _Tables:
    """Deduplicated strings and looks, referred to by index."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self._string_at: dict[str, int] = {}
        self.looks: list[dict[str, Any]] = []
        self._look_at: dict[str, int] = {}

    def s(self, html: str) -> int:
        if html not in self._string_at:
            self._string_at[html] = len(self.strings)
            self.strings.append(html)
        return self._string_at[html]

    def look(self, look: sym.Look) -> int:
        options = look.leaflet()
        key = json.dumps(options, sort_keys=True)
        if key not in self._look_at:
            self._look_at[key] = len(self.looks)
            self.looks.append(options)
        return self._look_at[key]


def _rows(words: Words, rows: list[tuple[str, str]]) -> str:
    """Popup rows: a translated label and an escaped value; empty values are left out."""
    return "".join(f"<tr><th>{escape(words(k))}</th><td>{v}</td></tr>" for k, v in rows if v)


def _sources(ds: Dataset, ids: Any) -> str:
    return "<br>".join(escape(c) for c in citations(ds, list(ids)))


def _disputes(ds: Dataset, words: Words, disputes: Any) -> str:
    out = []
    for dispute in disputes or []:
        claims = "; ".join(
            f"{escape(_claim_value(c.get('value'), words))} ({escape(', '.join(citations(ds, list(c.get('sources') or []))))})"
            for c in dispute.get("claims") or [])
        out.append(f"{escape(dispute.get('field', ''))}: {claims}")
    return "<br>".join(out)


def _claim_value(value: Any, words: Words) -> str:
    if isinstance(value, str):
        try:
            return words.date(parse_date(value))
        except ValueError:
            return value
    return str(value)


def _simplified(geom: shapely.Geometry) -> dict[str, Any]:
    small = shapely.set_precision(shapely.simplify(geom, DISPLAY_TOLERANCE_DEG), DISPLAY_GRID_DEG)
    return small.__geo_interface__


def build_time_store(timeline: Timeline, words: Words = ENGLISH, *, provinces: bool = True) -> TimeStore:
    """The browser's document for the whole dataset (see the module docstring)."""
    ds = timeline.dataset
    meta = ds.meta
    t = _Tables()
    colors = {fid: f.color for fid, f in ds.factions.items()}
    layers: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}

    for zid, row in ds.zones.iterrows():
        color = colors.get(row["controller"], sym.NO_CONTROLLER)
        end = words.date(parse_date(row["end"])) if row["end"] else words(N_END)
        static = _rows(words, [
            (sym.N_("In force"), f"{escape(words.date(parse_date(row['start'])))} – {escape(end)}"),
            (sym.N_("Certainty"), escape(words.term("certainty", row["certainty"]))),
            (sym.N_("Area (approximate)"), f"{words.number(sym.approx_km2(row['area_km2']))} km²"),
            (sym.N_("Note"), escape(row["note"] or "")),
            (sym.N_("Disagreements"), _disputes(ds, words, row["disputes"])),
            (sym.N_("Sources"), _sources(ds, row["sources"]))])
        layers["zone"].append({
            "id": zid, "g": _simplified(row.geometry), "ti": t.s(escape(row["name"])), "sr": t.s(static),
            "r": [[epoch_day(row["start_day"]), epoch_day(row["end_day"]),
                   t.look(sym.zone_look(row["certainty"], color)), row["controller"],
                   t.s(escape(words.term("certainty", row["certainty"])))]]})

    edges = timeline.edges
    for eid, row in edges.iterrows():
        title = escape(words(sym.N_("Edge between two opposing zones")))
        static = _rows(words, [
            (sym.N_("What"), escape(words(sym.N_("Where two zones as drawn meet; not a front line a source "
                                                 "describes.")))),
            (sym.N_("Certainty"), escape(words.term("certainty", row["certainty"]))),
            (sym.N_("Sources"), _sources(ds, row["sources"]))])
        layers["edge"].append({
            "id": eid, "g": _simplified(row.geometry), "ti": t.s(title), "sr": t.s(static), "tt": t.s(title),
            "r": [[epoch_day(row["start_day"]), epoch_day(row["end_day"]), t.look(sym.EDGE_LOOK)]]})

    for rid, row in ds.routes.iterrows():
        name = row["name"] + (f" ({words(sym.N_('today'))} {row['modern_name']})" if row["modern_name"] else "")
        static = _rows(words, [(sym.N_("Certainty"), escape(words.term("certainty", row["certainty"]))),
                               (sym.N_("Note"), escape(row["note"] or "")),
                               (sym.N_("Sources"), _sources(ds, row["sources"]))])
        start = parse_date(row["start"]).first_day if row.get("start") else None
        end = parse_date(row["end"]).first_day if row.get("end") else None
        item: dict[str, Any] = {"id": rid, "g": _simplified(row.geometry), "ti": t.s(escape(name)),
                                "sr": t.s(static), "tt": t.s(escape(name))}
        item["r"] = [[epoch_day(start) if start else -FOREVER, epoch_day(end) if end else FOREVER,
                      t.look(sym.ROUTE_LOOK)]]
        layers["route"].append(item)

    for fid, row in ds.frontlines.iterrows():
        static = _rows(words, [
            (sym.N_("What"), escape(words(sym.N_("Front line described by the sources")))),
            (sym.N_("In force"), f"{escape(words.date(parse_date(row['start'])))} – "
                                 f"{escape(words.date(parse_date(row['end'])) if row['end'] else words(N_END))}"),
            (sym.N_("Certainty"), escape(words.term("certainty", row["certainty"]))), (sym.N_("Note"), escape(row["note"] or "")),
            (sym.N_("Disagreements"), _disputes(ds, words, row["disputes"])),
            (sym.N_("Sources"), _sources(ds, row["sources"]))])
        layers["front"].append({
            "id": fid, "g": row.geometry.__geo_interface__, "ti": t.s(escape(row["name"])), "sr": t.s(static),
            "tt": t.s(f"{escape(row['name'])} ({escape(words(row['certainty']))})"),
            "r": [[epoch_day(row["start_day"]), epoch_day(row["end_day"]), t.look(sym.front_look(row["certainty"]))]]})

    layers["place"] = _places(timeline, words, t, colors)
    layers["event"] = _events(ds, words, t)

    rule = sym.EventRule(meta.event_window_days)
    n_items = sum(len(v) for v in layers.values())
    document = {
        "version": 1,
        "range": [epoch_day(meta.start.toordinal()), epoch_day(meta.end.toordinal())],
        "day": epoch_day(_default_day(ds).toordinal()),
        "changes": [epoch_day(d) for d in timeline.change_days.tolist()
                    if meta.start.toordinal() <= d <= meta.end.toordinal()],
        "text": _texts(words),
        "factions": {fid: {"color": f.color, "short": escape(sym.faction_short(f)), "name": escape(f.name),
                           "names": [[epoch_day(p.start.first_day) if p.start else -FOREVER,
                                      epoch_day(p.end.first_day) if p.end else FOREVER, escape(p.name)]
                                     for p in f.names]}
                     for fid, f in ds.factions.items()},
        "legend": [_legend_entry(e, words, t) for e in sym.legend_entries(ds.factions, colors)],
        "events": rule.to_browser(),
        "canvas": n_items > CANVAS_ABOVE,
        "borders": _borders(ds),
        "provinces": _provinces(ds, words) if provinces else None,
        "layers": [{"kind": kind, "toggle": TOGGLE_OF_KIND[kind], "items": layers[kind]} for kind in KINDS],
        "looks": t.looks,
        "strings": t.strings,
    }
    return TimeStore(document, json.dumps(document, separators=(",", ":"), ensure_ascii=False))


N_END = sym.N_("the end of the period")


def _default_day(ds: Dataset) -> date:
    meta = ds.meta
    wanted = getattr(meta, "default_date", None) or meta.start
    return min(max(wanted, meta.start), meta.end)


def _places(timeline: Timeline, words: Words, t: _Tables, colors: dict[str, str]) -> list[dict[str, Any]]:
    ds, runs, periods = timeline.dataset, timeline.runs, timeline.periods
    places = ds.places
    home = sym.home_country(places["country"])
    run_rows = [[] for _ in range(len(places))]
    controllers = periods["controller"].to_numpy()
    certainty_s = [t.s(escape(words.term("certainty", c))) for c in periods["certainty"]]
    sources_s = [t.s(_sources(ds, s)) for s in periods["sources"]]
    since_s = [t.s(escape(words.date(d))) if d is not None else -1 for d in periods["start"]]
    zone_ids = periods["zone_id"].to_numpy()
    kind, key, point = places["kind"].to_numpy(), places["key"].to_numpy(), places["certainty"].to_numpy()
    start_of_data = ds.meta.start.toordinal()
    for r in range(len(runs.start)):
        pos, period = int(runs.place[r]), int(runs.period[r])
        holder = controllers[period]
        transition = bool(runs.transition[r])
        look = sym.place_look(kind[pos], bool(key[pos]), point[pos], colors.get(holder, sym.NO_CONTROLLER),
                              from_zone=zone_ids[period] is not None, transition=transition)
        since_period = int(runs.since[r])
        since_date = periods["start"].iat[since_period]
        since = -1 if since_date.first_day <= start_of_data and not transition else since_s[since_period]
        previous = controllers[int(runs.previous[r])] if runs.previous[r] >= 0 else ""
        run_rows[pos].append([epoch_day(runs.start[r]), epoch_day(runs.end[r]), t.look(look), holder, since,
                              certainty_s[period], sources_s[period], int(zone_ids[period] is not None),
                              int(transition), previous])
    out = []
    for pos, (pid, row) in enumerate(places.iterrows()):
        names = " / ".join(escape(n) for n in (row["name"], row["name_km"], row["name_th"]) if n)
        location = words.term("certainty", row["certainty"]) + (f" (±{row['uncertainty_km']:g} km)" if row["uncertainty_km"] else "")
        gazetteer = f"GeoNames {row['geonames_id']}" if row["geonames_id"] else (
            row["gazetteer_note"] or words(sym.N_("not in a gazetteer")))
        static = _rows(words, [
            (sym.N_("Location"), escape(location)), (sym.N_("Other names"), escape(", ".join(row["alt_names"]))),
            (sym.N_("Gazetteer"), escape(gazetteer)), (sym.N_("Disagreements"), _disputes(ds, words, row["disputes"])),
            (sym.N_("Sources (place)"), _sources(ds, row["sources"]))])
        item: dict[str, Any] = {
            "id": pid, "ll": [round(row.geometry.y, 6), round(row.geometry.x, 6)], "ti": t.s(names),
            "sr": t.s(static), "r": run_rows[pos],
            "n": t.look(sym.place_look(row["kind"], bool(row["key"]), row["certainty"], None))}
        if sym.labelled(row["kind"], bool(row["key"]), row["country"], home):
            item["nl"] = t.s(escape(row["name"]))
            item["lk"] = int(bool(row["key"]))
        out.append(item)
    return out


def _events(ds: Dataset, words: Words, t: _Tables) -> list[dict[str, Any]]:
    out = []
    for eid, row in ds.events.iterrows():
        if row.geometry is None:
            continue
        when = escape(words.date(parse_date(row["date"])))
        figures = "<br>".join(
            escape(f"{f.get('what')}: {f.get('value')}" + (f" ({words(sym.N_('approx.'))})" if f.get("approx") else "")
                   + " — " + "; ".join(citations(ds, list(f.get("sources") or [])))) for f in row["figures"])
        static = _rows(words, [
            (sym.N_("Date"), when), (sym.N_("What"), escape(row["description"] or "")),
            (sym.N_("Figures"), figures), (sym.N_("Disagreements"), _disputes(ds, words, row["disputes"])),
            (sym.N_("Certainty"), escape(words.term("certainty", row["certainty"]))), (sym.N_("Sources"), _sources(ds, row["sources"]))])
        out.append({"id": eid, "ll": [round(row.geometry.y, 6), round(row.geometry.x, 6)],
                    "ti": t.s(escape(row["title"])), "sr": t.s(static), "tt": t.s(f"{when}: {escape(row['title'])}"),
                    "e": [epoch_day(row["first_day"]), epoch_day(row["last_day"])]})
    return out


def _texts(words: Words) -> dict[str, Any]:
    def w(message: str) -> str:
        # Templates keep their {placeholders}: the browser fills them with escaped values.
        return html.escape(words(message))

    return {
        "months": [escape(m) for m in words.months], "digits": words.digits, "day_format": words.day_format,
        "date": w(sym.N_("Date")), "previous": "◀ " + w(sym.N_("Previous change")),
        "next": w(sym.N_("Next change")) + " ▶", "previous_help": w(sym.N_("Go to the previous date on which the "
                                                                          "situation changes")),
        "next_help": w(sym.N_("Go to the next date on which the situation changes")),
        "play": "▶ " + w(sym.N_("Play")), "pause": "❚❚ " + w(sym.N_("Pause")), "speed": w(sym.N_("Speed")),
        "seconds": w(sym.N_("{s} s per change")), "as_of": w(sym.N_("as of {date}")),
        "caveat": w(sym.CAVEAT), "legend": w(sym.N_("Legend")), "held_by": w(sym.N_("Held by")),
        "since": w(sym.N_("Since")), "since_word": w(sym.N_("since {date}")),
        "before_start": w(sym.N_("before the period shown")), "control_certainty": w(sym.N_("Control certainty")),
        "control_sources": w(sym.N_("Sources (control)")), "from_zone": w(sym.N_("from the zone around it")),
        "nobody": w(sym.NOBODY), "changing": w(sym.N_("Changing hands")),
        "changing_text": w(sym.N_("from {from} to {to}, on a day the sources do not give: {when}")),
    }


def _legend_entry(entry: sym.LegendEntry, words: Words, t: _Tables) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if entry.layer:
        out["layer"] = entry.layer
    if entry.faction:
        out["faction"] = entry.faction
        return out
    look = entry.look or sym.Look()
    if entry.shape == "line":
        dash = "dashed" if look.dash else "solid"
        swatch = (f'<span class="ln" style="border-top:{max(look.width, 1.5):g}px {dash} {look.stroke};'
                  f'opacity:{look.opacity:g}"></span>')
    elif entry.shape == "marker":
        border = "dashed" if look.dash else "solid"
        swatch = (f'<span class="mk" style="background:{look.fill or "transparent"};opacity:{max(look.fill_opacity, 0.4):g};'
                  f'border:{min(look.width, 3):g}px {border} {look.stroke}"></span>')
    else:
        border = "dashed" if look.dash else "solid"
        swatch = (f'<span class="sw" style="background:{look.fill};opacity:{max(look.fill_opacity + 0.2, 0.4):g};'
                  f'border:1px {border} {look.stroke or "#333"}"></span>')
    out["swatch"] = t.s(swatch)
    out["label"] = t.s(escape(words(entry.label)))
    return out


def _borders(ds: Dataset) -> dict[str, Any]:
    west, south, east, north = ds.meta.region
    around = shapely.box(west - BORDER_MARGIN_DEG, south - BORDER_MARGIN_DEG, east + BORDER_MARGIN_DEG,
                         north + BORDER_MARGIN_DEG)
    home = _home_iso3(ds)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _simplified(shapely.intersection(row.geometry, around)),
         "properties": {"style": {"fillColor": "#FFFFFF" if cid == home else sym.NEUTRAL_COUNTRY,
                                  "fillOpacity": 0.0 if cid == home else 0.45, "color": sym.BORDER, "weight": 1.8}}}
        for cid, row in ds.countries.iterrows() if shapely.intersects(row.geometry, around)]}


def _home_iso3(ds: Dataset) -> str | None:
    """The country most of the region lies in (it is left clear; its neighbours are greyed)."""
    if not len(ds.countries):
        return None
    region = shapely.box(*ds.meta.region)
    overlap = [shapely.area(shapely.intersection(g, region)) for g in ds.countries.geometry]
    return str(ds.countries.index[int(np.argmax(overlap))])


def _provinces(ds: Dataset, words: Words) -> dict[str, Any] | None:
    if not len(ds.provinces):
        return None
    note = escape(words(sym.N_("modern boundary")))
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _simplified(row.geometry), "properties": {
            "tooltip": f"{escape(row['name'])} ({note})",
            "style": {"fill": False, "color": "#777777", "weight": 0.8, "dashArray": "3 3"}}}
        for _, row in ds.provinces.iterrows()]}
