"""Everything the map can show over a dataset's whole period, as one JSON document for the browser.

The browser's time layer (layers/render/js/atlas_time.js) reads this once and then answers every date itself.
Each drawable carries its geometry, the escaped text of its popup, and its *runs*: the intervals of days
on which it is shown, each with its look (an index into a table of Leaflet styles) and, for zones and
places, who holds it. Texts that depend on the day (a holder's name on that day) are put together in the
browser from escaped parts and translated templates. Days are counted from 1970-01-01.

Built once per (dataset, language) and never changed: one copy serves every visitor.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import shapely

from . import symbology as sym
from ..engine.analysis import citations
from ..data.catalog import OPEN_END, Dataset
from ..data.dates import parse_date
from ..text.escaping import escape
from ..data.model import ORIGIN, ORIGIN_MINE
from ..engine.timeline import Timeline, approx_km2
from ..text.words import ENGLISH, Words

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
    """The document's JSON text (what a static file or an inline script holds) and its digest.

    Only the text is kept: a store is cached for the life of the server, and the document as Python
    objects (about 13 per feature) would be walked by every full garbage collection, which Streamlit runs
    after every rerun of every session: 1.3 million objects, about a second per rerun, for a 100,000-feature
    dataset (docs/DEPLOYING.md, "Memory and sizing").
    """

    text: str
    digest: str   # of the text: names the static file and the cached map page (worked out once)

    @property
    def document(self) -> dict[str, Any]:
        """The document, parsed from the text: a fresh copy on each call (tests and tools read it)."""
        return json.loads(self.text)


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


def _claim_value(value: Any, words: Words) -> str:
    if isinstance(value, str):
        try:
            return words.date(parse_date(value))
        except ValueError:
            return value
    return str(value)


def _geojson(geoms: Any, simplify: bool = True) -> list[dict[str, Any]]:
    """GeoJSON geometries, simplified for the browser (vectorised: 100,000 features in seconds)."""
    arr = np.asarray(geoms, dtype=object)
    if simplify and len(arr):
        arr = shapely.set_precision(shapely.simplify(arr, DISPLAY_TOLERANCE_DEG), DISPLAY_GRID_DEG)
    return [json.loads(text) for text in shapely.to_geojson(arr)] if len(arr) else []


def _columns(frame: Any, *names: str) -> list[tuple[Any, ...]]:
    """The frame's index and these columns, row by row, as plain tuples (iterrows is ~100x slower)."""
    return list(zip(frame.index.tolist(), *(frame[n].tolist() if n in frame else [None] * len(frame) for n in names)))


class _Words:
    """The words of one store, each worked out once: datasets repeat certainties, dates and citations."""

    def __init__(self, ds: Dataset, words: Words) -> None:
        self.ds, self.words = ds, words
        self._dates: dict[str, str] = {}
        self._sources: dict[tuple[str, ...], str] = {}
        self._terms: dict[tuple[str, str], str] = {}

    def date(self, text: str | None, none: str = "") -> str:
        if not text:
            return escape(none)
        if text not in self._dates:
            self._dates[text] = escape(self.words.date(parse_date(text)))
        return self._dates[text]

    def term(self, context: str, key: str) -> str:
        if (context, key) not in self._terms:
            self._terms[context, key] = escape(self.words.term(context, key))
        return self._terms[context, key]

    def sources(self, ids: Any) -> str:
        key = tuple(ids or ())
        if key not in self._sources:
            self._sources[key] = "<br>".join(escape(c) for c in citations(self.ds, list(key)))
        return self._sources[key]

    def disputes(self, disputes: Any) -> str:
        if not disputes:
            return ""
        out = []
        for dispute in disputes:
            claims = "; ".join(f"{escape(_claim_value(c.get('value'), self.words))} ({self.sources(c.get('sources'))})"
                               for c in dispute.get("claims") or [])
            out.append(f"{escape(dispute.get('field', ''))}: {claims}")
        return "<br>".join(out)


def build_time_store(timeline: Timeline, words: Words = ENGLISH, *, provinces: bool = True) -> TimeStore:
    """The browser's document for the whole dataset (see the module docstring)."""
    ds = timeline.dataset
    meta = ds.meta
    t = _Tables()
    w = _Words(ds, words)
    colors = {fid: f.color for fid, f in ds.factions.items()}
    layers: dict[str, list[dict[str, Any]]] = {kind: [] for kind in KINDS}
    until_the_end = words(N_END)

    zones = ds.zones
    for (zid, name, controller, start, end, certainty, area, note, disputes, sources, start_day, end_day), g in zip(
            _columns(zones, "name", "controller", "start", "end", "certainty", "area_km2", "note", "disputes",
                     "sources", "start_day", "end_day"), _geojson(zones.geometry.to_numpy())):
        static = _rows(words, [
            (sym.N_("In force"), f"{w.date(start)} – {w.date(end, until_the_end)}"),
            (sym.N_("Certainty"), w.term("certainty", certainty)),
            (sym.N_("Area (approximate)"), f"{words.number(approx_km2(area))} km²"),
            (sym.N_("Note"), escape(note or "")), (sym.N_("Disagreements"), w.disputes(disputes)),
            (sym.N_("Sources"), w.sources(sources))])
        layers["zone"].append({
            "id": zid, "g": g, "ti": t.s(escape(name)), "sr": t.s(static),
            "r": [[epoch_day(start_day), epoch_day(end_day),
                   t.look(sym.zone_look(certainty, colors.get(controller, sym.NO_CONTROLLER))), controller,
                   t.s(w.term("certainty", certainty))]]})

    edges = timeline.edges
    edge_title = t.s(escape(words(sym.N_("Edge between two opposing zones"))))
    edge_what = escape(words(sym.N_("Where two zones as drawn meet; not a front line a source describes.")))
    edge_look = t.look(sym.EDGE_LOOK)
    for (eid, certainty, sources, start_day, end_day), g in zip(
            _columns(edges, "certainty", "sources", "start_day", "end_day"), _geojson(edges.geometry.to_numpy())):
        static = _rows(words, [(sym.N_("What"), edge_what), (sym.N_("Certainty"), w.term("certainty", certainty)),
                               (sym.N_("Sources"), w.sources(sources))])
        layers["edge"].append({"id": eid, "g": g, "ti": edge_title, "sr": t.s(static), "tt": edge_title,
                               "r": [[epoch_day(start_day), epoch_day(end_day), edge_look]]})

    routes = ds.routes
    for (rid, name, modern, certainty, note, sources, start, end), g in zip(
            _columns(routes, "name", "modern_name", "certainty", "note", "sources", "start", "end"),
            _geojson(routes.geometry.to_numpy())):
        today = words(sym.N_("today"))
        title = name + (f" ({today} {modern})" if modern else "")
        static = _rows(words, [(sym.N_("Certainty"), w.term("certainty", certainty)),
                               (sym.N_("Note"), escape(note or "")), (sym.N_("Sources"), w.sources(sources))])
        first = epoch_day(parse_date(start).first_day) if start else -FOREVER
        last = epoch_day(parse_date(end).first_day) if end else FOREVER
        layers["route"].append({"id": rid, "g": g, "ti": t.s(escape(title)), "sr": t.s(static),
                                "tt": t.s(escape(title)), "r": [[first, last, t.look(sym.ROUTE_LOOK)]]})

    fronts = ds.frontlines
    described = escape(words(sym.N_("Front line described by the sources")))
    for (fid, name, start, end, certainty, note, disputes, sources, start_day, end_day), g in zip(
            _columns(fronts, "name", "start", "end", "certainty", "note", "disputes", "sources", "start_day",
                     "end_day"), _geojson(fronts.geometry.to_numpy(), simplify=False)):
        static = _rows(words, [
            (sym.N_("What"), described), (sym.N_("In force"), f"{w.date(start)} – {w.date(end, until_the_end)}"),
            (sym.N_("Certainty"), w.term("certainty", certainty)), (sym.N_("Note"), escape(note or "")),
            (sym.N_("Disagreements"), w.disputes(disputes)), (sym.N_("Sources"), w.sources(sources))])
        layers["front"].append({
            "id": fid, "g": g, "ti": t.s(escape(name)), "sr": t.s(static),
            "tt": t.s(f"{escape(name)} ({w.term('certainty', certainty)})"),
            "r": [[epoch_day(start_day), epoch_day(end_day), t.look(sym.front_look(certainty))]]})

    layers["place"] = _places(timeline, words, w, t, colors)
    layers["event"] = _events(ds, words, w, t)

    rule = sym.EventRule(meta.event_window_days)
    n_items = sum(len(v) for v in layers.values())
    has_own = any(_own(ds.places)) or any(_own(ds.events))
    document = {
        "version": 1,
        "range": [epoch_day(meta.start.toordinal()), epoch_day(meta.end.toordinal())],
        "day": epoch_day(_default_day(ds).toordinal()),
        "changes": [epoch_day(d) for d in timeline.change_days.tolist()
                    if meta.start.toordinal() <= d <= meta.end.toordinal()],
        "text": _texts(words),
        "factions": {fid: {"color": f.color, "short": escape(sym.faction_short(f)),
                           "name": escape(sym.faction_name(f, fid, meta.start, words)),
                           "names": [[epoch_day(p.start.first_day) if p.start else -FOREVER,
                                      epoch_day(p.end.first_day) if p.end else FOREVER,
                                      escape(_period_name(f, p, words))] for p in f.names]}
                     for fid, f in ds.factions.items()},
        "legend": [_legend_entry(e, words, t) for e in sym.legend_entries(ds.factions, colors)
                   if not e.mine_only or has_own],
        "events": {**rule.to_browser(), "mine": {"color": sym.MINE, "weight": sym.mine(rule.past).width}},
        "canvas": n_items > CANVAS_ABOVE,
        "borders": _borders(ds),
        "provinces": _provinces(ds, words) if provinces else None,
        "layers": [{"kind": kind, "toggle": TOGGLE_OF_KIND[kind], "items": layers[kind]} for kind in KINDS],
        "looks": t.looks,
        "strings": t.strings,
    }
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return TimeStore(text, hashlib.sha256(text.encode("utf-8")).hexdigest()[:20])


def _period_name(faction: Any, period: Any, words: Words) -> str:
    """A faction's name in one of its periods, in Khmer where the data gives it."""
    if words.lang != "en" and getattr(period, "name_km", None):
        return period.name_km
    return period.name


N_END = sym.N_("the end of the period")


def _default_day(ds: Dataset) -> date:
    meta = ds.meta
    wanted = getattr(meta, "default_date", None) or meta.start
    return min(max(wanted, meta.start), meta.end)


def _places(timeline: Timeline, words: Words, w: _Words, t: _Tables, colors: dict[str, str]) -> list[dict[str, Any]]:
    ds, runs, periods = timeline.dataset, timeline.runs, timeline.periods
    places = ds.places
    home = sym.home_country(places["country"])
    controllers = periods["controller"].tolist()
    certainty_s = [t.s(w.term("certainty", c)) for c in periods["certainty"]]
    sources_s = [t.s(w.sources(s)) for s in periods["sources"]]
    since_s = [t.s(escape(words.date(d))) if d is not None else -1 for d in periods["start"]]
    start_day = [d.first_day if d is not None else 0 for d in periods["start"]]
    from_zone = [z is not None for z in periods["zone_id"]]
    kind, key, point = places["kind"].tolist(), [bool(k) for k in places["key"]], places["certainty"].tolist()
    own = _own(places)
    start_of_data = ds.meta.start.toordinal()
    run_rows: list[list[list[Any]]] = [[] for _ in range(len(places))]
    looks: dict[tuple, int] = {}
    for pos, period, first, last, since_period, transition, previous in zip(
            runs.place.tolist(), runs.period.tolist(), runs.start.tolist(), runs.end.tolist(), runs.since.tolist(),
            runs.transition.tolist(), runs.previous.tolist()):
        holder = controllers[period]
        look_key = (kind[pos], key[pos], point[pos], holder, from_zone[period], transition, own[pos])
        if look_key not in looks:
            look = sym.place_look(kind[pos], key[pos], point[pos], colors.get(holder, sym.NO_CONTROLLER),
                                  from_zone=from_zone[period], transition=transition)
            looks[look_key] = t.look(sym.mine(look) if own[pos] else look)
        since = -1 if start_day[since_period] <= start_of_data and not transition else since_s[since_period]
        run_rows[pos].append([epoch_day(first), epoch_day(last), looks[look_key], holder, since, certainty_s[period],
                              sources_s[period], int(from_zone[period]), int(transition),
                              controllers[previous] if previous >= 0 else ""])
    out = []
    not_in_gazetteer = words(sym.N_("not in a gazetteer"))
    for pos, (pid, name, name_km, name_th, alt, certainty, uncertainty, geonames, note, disputes, sources,
              country) in enumerate(_columns(places, "name", "name_km", "name_th", "alt_names", "certainty",
                                             "uncertainty_km", "geonames_id", "gazetteer_note", "disputes", "sources",
                                             "country")):
        geometry = places.geometry.iat[pos]
        names = " / ".join(escape(n) for n in (name, name_km, name_th) if n)
        location = words.term("certainty", certainty) + (f" (±{uncertainty:g} km)" if uncertainty else "")
        static = _rows(words, [
            (sym.N_("Location"), escape(location)), (sym.N_("Other names"), escape(", ".join(alt or []))),
            (sym.N_("Gazetteer"), escape(f"GeoNames {geonames}" if geonames else (note or not_in_gazetteer))),
            (sym.N_("Disagreements"), w.disputes(disputes)), (sym.N_("Sources (place)"), w.sources(sources))])
        item: dict[str, Any] = {
            "id": pid, "ll": [round(geometry.y, 6), round(geometry.x, 6)], "ti": t.s(names), "sr": t.s(static),
            "r": run_rows[pos], "n": t.look(sym.place_look(kind[pos], key[pos], certainty, None))}
        if own[pos]:
            item["n"] = t.look(sym.mine(sym.place_look(kind[pos], key[pos], certainty, None)))
        if sym.labelled(kind[pos], key[pos], country, home):
            item["nl"] = t.s(escape(name_km if words.lang == "km" and name_km else name))
            item["lk"] = int(key[pos])
        out.append(item)
    return out


def _own(frame: Any) -> list[bool]:
    """Which features are the visitor's own layers (laid over a dataset by layers/imports/uploads.py)."""
    if ORIGIN not in frame:
        return [False] * len(frame)
    return [value == ORIGIN_MINE for value in frame[ORIGIN]]


def _events(ds: Dataset, words: Words, w: _Words, t: _Tables) -> list[dict[str, Any]]:
    out = []
    own = _own(ds.events)
    approx = words(sym.N_("approx."))
    for pos, (eid, date_text, title, description, figures, disputes, certainty, sources, first, last) in enumerate(
            _columns(ds.events, "date", "title", "description", "figures", "disputes", "certainty", "sources",
                     "first_day", "last_day")):
        geometry = ds.events.geometry.iat[pos]
        if geometry is None:
            continue
        when = w.date(date_text)
        shown_figures = "<br>".join(
            escape(f"{f.get('what')}: {f.get('value')}" + (f" ({approx})" if f.get("approx") else "")
                   + " — " + "; ".join(citations(ds, list(f.get("sources") or [])))) for f in figures or [])
        static = _rows(words, [
            (sym.N_("Date"), when), (sym.N_("What"), escape(description or "")), (sym.N_("Figures"), shown_figures),
            (sym.N_("Disagreements"), w.disputes(disputes)), (sym.N_("Certainty"), w.term("certainty", certainty)),
            (sym.N_("Sources"), w.sources(sources))])
        item = {"id": eid, "ll": [round(geometry.y, 6), round(geometry.x, 6)], "ti": t.s(escape(title)),
                "sr": t.s(static), "tt": t.s(f"{when}: {escape(title)}"), "e": [epoch_day(first), epoch_day(last)]}
        if own[pos]:
            item["m"] = 1
        out.append(item)
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
        "caveat": w(sym.CAVEAT), "legend": w(sym.N_("Legend")),
        "as_text": w(sym.N_("Read this situation as text")), "held_by": w(sym.N_("Held by")),
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
    home = sym.home_iso3(ds.countries, ds.meta.region)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _geojson([shapely.intersection(row.geometry, around)])[0],
         "properties": {"style": {"fillColor": "#FFFFFF" if cid == home else sym.NEUTRAL_COUNTRY,
                                  "fillOpacity": 0.0 if cid == home else 0.45, "color": sym.BORDER, "weight": 1.8}}}
        for cid, row in ds.countries.iterrows() if shapely.intersects(row.geometry, around)]}


def _provinces(ds: Dataset, words: Words) -> dict[str, Any] | None:
    if not len(ds.provinces):
        return None
    note = escape(words(sym.N_("modern boundary")))
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _geojson([row.geometry])[0], "properties": {
            "tooltip": f"{escape(row['name'])} ({note})",
            "style": {"fill": False, "color": "#777777", "weight": 0.8, "dashArray": "3 3"}}}
        for _, row in ds.provinces.iterrows()]}
