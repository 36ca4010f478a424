"""The state on a date drawn as an interactive Folium map.

The map comes in two parts, so the app can keep it (and the user's zoom and pan) while the date moves:

- `base_map` never depends on the date: tiles, borders and a *feature store* holding every zone, route,
  front line, place and event once, with its geometry, its style and the escaped text of its tooltip
  and popup.
- `state_layers` is one small FeatureGroup holding the date's `date_view`: which stored features the
  date shows, with their date-dependent colour and text, plus the date stamp and the legend.

A date step therefore sends a few kilobytes instead of the map. Every string from data is escaped
(`escape`) before it reaches HTML: Leaflet sets tooltips and popups as HTML.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape as _html_escape
from typing import Any

import folium
import shapely
import xyzservices.providers as xyz
from branca.element import Element, MacroElement
from jinja2 import Template

from . import style
from .analysis import citations
from .model import Dataset
from .dates import day_label, parse_date
from .timeline import State

_NEUTRALISE = str.maketrans({"`": "&#96;", "$": "&#36;", "{": "&#123;", "}": "&#125;"})


def escape(text: object) -> str:
    """HTML-escape, and neutralise ` $ { } too: text can end up in JS template literals or Jinja templates."""
    return _html_escape(str(text)).translate(_NEUTRALISE)


BASEMAPS: dict[str, Any] = {
    "Light (Esri)": xyz.Esri.WorldGrayCanvas,
    "OpenStreetMap": xyz.OpenStreetMap.Mapnik,
    "Satellite (Esri)": xyz.Esri.WorldImagery,
    "None (works offline)": None,
}
LAYERS = ("zones", "front lines", "places", "routes", "events", "provinces")
KINDS = ("zone", "route", "front", "place", "event")  # drawing order, bottom to top


@dataclass(frozen=True)
class Toggles:
    zones: bool = True
    frontlines: bool = True
    places: bool = True
    routes: bool = True
    events: bool = True
    provinces: bool = False

    @classmethod
    def from_names(cls, names: list[str] | tuple[str, ...]) -> "Toggles":
        return cls("zones" in names, "front lines" in names, "places" in names, "routes" in names,
                   "events" in names, "provinces" in names)


class _Text(Element):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class VerbatimScript(MacroElement):
    """A MacroElement whose rendered header, html and script go into the page as they are.

    branca compiles every rendered part as a Jinja template once more before placing it: for big
    embedded data that costs tens of milliseconds per render, and data containing "{%" breaks it.
    Put it after a Folium class in the bases (`class _Map(folium.Map, VerbatimScript)`) so that the
    class's own render runs first and hands over to this one instead of to MacroElement's.
    """

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            if part in macros:
                getattr(figure, part).add_child(_Text(macros[part](self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class _Map(folium.Map, VerbatimScript):
    pass


class _TileLayer(folium.TileLayer, VerbatimScript):
    pass


class _FeatureGroup(folium.FeatureGroup, VerbatimScript):
    pass


class MapPanel(VerbatimScript):
    """An HTML panel pinned to a map corner, living and dying with its FeatureGroup.

    The panel is a Leaflet control added when its group is added to the map and removed with it, so a
    new date replaces the date stamp and legend instead of stacking them. `html` must be escaped.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
(function () {
  var group = {{ this._parent.get_name() }};
  var panel = L.control({position: {{ this.position|tojson }}});
  panel.onAdd = function () {
    var div = L.DomUtil.create("div", "atlas-panel " + {{ this.css_class|tojson }});
    div.innerHTML = {{ this.html|tojson }};
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  group.on("add", function () { panel.addTo(group._map); });
  group.on("remove", function () { panel.remove(); });
  if (group._map) { panel.addTo(group._map); }
})();
{% endmacro %}
""")

    def __init__(self, html: str, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "MapPanel"
        self.html = html
        self.position = position
        self.css_class = css_class


PANEL_CSS = """
<style>
.atlas-panel { background: rgba(255,255,255,0.92); padding: 6px 9px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); font: 12px/1.35 system-ui, sans-serif; color: #222; }
.atlas-stamp { font-size: 16px; font-weight: 600; }
.atlas-legend .sw { display: inline-block; width: 14px; height: 10px; margin-right: 5px; vertical-align: middle;
  border: 1px solid #333; }
.atlas-legend .ln { display: inline-block; width: 22px; margin-right: 5px; vertical-align: middle;
  border-top: 3px solid #222; }
.atlas-label { font: 600 11px system-ui, sans-serif; color: #111; white-space: nowrap;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 3px #fff; }
.atlas-label.minor { font-weight: 400; color: #333; }
@media (max-width: 480px) { .atlas-legend { display: none; } .atlas-stamp { font-size: 13px; } }
</style>
"""


class _FeatureStore(VerbatimScript):
    """Borders, provinces and every feature of the dataset, for the base map.

    The store is embedded, or fetched once from `url` (a content-addressed static file the browser
    caches), so that a date step does not send it again. `map.atlasShow(view)` then shows the stored
    features a date shows. Leaflet layers are made once and kept; a new date adds and removes only what
    changed. Each kind has its own pane, so the drawing order holds whatever order layers were made in.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
(function (map) {
  var ready = {% if this.url %}fetch(location.pathname.split("/component/")[0] + {{ this.url|tojson }})
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }){% else %}Promise.resolve({{ this.store }}){% endif %};
  var made = {};
  function row(key, value) {
    return "<tr><th style='text-align:left;padding-right:6px'>" + key + "</th><td>" + value + "</td></tr>";
  }
  // The date-dependent text of a zone or a place; `shown` holds escaped values from `date_view`.
  var describe = {
    zone: function (item, shown, names) {
      return {tooltip: item.name + " — " + names[shown.held] + " (" + item.certainty + ")",
              rows: row("Held by", names[shown.held])};
    },
    place: function (item, shown, names, store) {
      var sources = shown.sources.map(function (s) { return store.sources[s] || s; }).join("<br>");
      return {tooltip: item.name + " — " + names[shown.held] + " since " + shown.since,
              rows: row("Held by", names[shown.held] + (shown.fromZone ? " (from its zone)" : "")) +
                    row("Since", shown.since) + row("Control certainty", shown.certainty) +
                    row("Sources (control)", sources)};
    }
  };
  function draw(kind, item) {
    var options = Object.assign({pane: "atlas-" + kind}, item.style);
    var layer = item.latlng ? L.circleMarker(item.latlng, options)
      : L.geoJSON(item.geometry, {pane: options.pane, style: function () { return options; }});
    layer.bindTooltip("", {sticky: !item.latlng});
    layer.bindPopup("", {maxWidth: 320});
    return layer;
  }
  function label(item) {
    return L.marker(item.latlng, {pane: "atlas-label", interactive: false, keyboard: false,
      icon: L.divIcon({html: item.label, className: "", iconSize: [160, 16], iconAnchor: [-9, 8]})});
  }
  // What the map shows is diffed against the previous date: layers that stay are restyled, not redrawn.
  var onMap = {};
  var atlasLayers = L.layerGroup().addTo(map);
  function show(store, view) {
    var next = {};
    view.shown.forEach(function (shown) {
      var item = shown.geometry ? shown : store[shown.kind][shown.id];
      var key = shown.kind + ":" + shown.id + (shown.geometry ? ":" + JSON.stringify(shown.geometry) : "");
      var layer = made[key] = made[key] || draw(shown.kind, item);
      var text = describe[shown.kind] ? describe[shown.kind](item, shown, view.names, store) : {};
      var look = JSON.stringify(shown.style || null);
      if (shown.style && layer.atlasLook !== look) { layer.setStyle(shown.style); }
      layer.atlasLook = look;
      layer.setTooltipContent(text.tooltip || item.tooltip);
      layer.setPopupContent("<b>" + item.title + "</b><table>" + (text.rows || "") + item.rows + "</table>");
      next[key] = layer;
      if (item.label && view.labels) {
        next["label:" + shown.id] = made["label:" + shown.id] = made["label:" + shown.id] || label(item);
      }
    });
    Object.keys(onMap).forEach(function (key) { if (!next[key]) { atlasLayers.removeLayer(onMap[key]); } });
    Object.keys(next).forEach(function (key) { if (!onMap[key]) { atlasLayers.addLayer(next[key]); } });
    onMap = next;
  }
  ready.then(function (store) {
    store.kinds.forEach(function (kind, i) { map.createPane("atlas-" + kind).style.zIndex = 410 + 10 * i; });
    map.createPane("atlas-label").style.zIndex = 470;
    map.getPane("atlas-label").style.pointerEvents = "none";
    L.geoJSON(store.borders, {interactive: false, style: function (f) { return f.properties.style; }}).addTo(map);
    if (store.provinces) {
      L.geoJSON(store.provinces, {style: function (f) { return f.properties.style; },
        onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.tooltip, {sticky: true}); }}).addTo(map);
    }
  }).catch(function (error) {
    var note = L.control({position: "topleft"});
    note.onAdd = function () {
      var div = L.DomUtil.create("div", "atlas-panel atlas-error");
      div.textContent = "The map's features could not be loaded (" + error.message + "). Reload the page.";
      return div;
    };
    note.addTo(map);
  });
  map.atlasShow = function (view) {
    ready.then(function (store) { show(store, view); });
  };
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, store: str, url: str | None) -> None:
        super().__init__()
        self._name = "FeatureStore"
        self.store = store
        self.url = url


class _DateView(VerbatimScript):
    _template = Template("""
{% macro script(this, kwargs) %}
{{ this._parent._parent.get_name() }}.atlasShow({{ this.view }});
{% endmacro %}
""")

    def __init__(self, view: dict[str, Any]) -> None:
        super().__init__()
        self._name = "DateView"
        self.view = json.dumps(view, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class MapView:
    """Where the user is looking, as st_folium reports it (all None until the map has reported)."""

    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north

    @classmethod
    def reported(cls, returned: dict[str, Any] | None) -> "MapView":
        returned = returned or {}
        center = returned.get("center") or {}
        corners = returned.get("bounds") or {}
        sw, ne = corners.get("_southWest") or {}, corners.get("_northEast") or {}
        known = None not in (sw.get("lng"), sw.get("lat"), ne.get("lng"), ne.get("lat"))
        return cls(center.get("lat"), center.get("lng"), returned.get("zoom"),
                   (sw["lng"], sw["lat"], ne["lng"], ne["lat"]) if known else None)


def base_map(dataset: Dataset, basemap: str = "Light (Esri)", *, provinces: bool = False,
             location: tuple[float, float] | None = None, zoom: int | None = None,
             store_url: str | None = None, features: bool = True) -> folium.Map:
    """The date-independent map: tiles, country borders (the Thai border clear), optional provinces,
    and the feature store that `state_layers` draws from: embedded, or fetched from `store_url` (a path
    on the app's server holding `feature_store(dataset, provinces=...)`). Without `features` the store
    holds only the borders (for a map that draws its features its own way)."""
    meta = dataset.meta
    fmap = _Map(location=location or (meta.view_lat, meta.view_lon), zoom_start=zoom or meta.view_zoom,
                tiles=None, control_scale=True)
    provider = BASEMAPS.get(basemap)
    if provider is not None:
        _TileLayer(tiles=provider, name=basemap).add_to(fmap)
    fmap.get_root().header.add_child(_Text(PANEL_CSS), name="atlas_css")
    store = "" if store_url else feature_store(dataset, provinces=provinces, features=features)
    _FeatureStore(store, store_url).add_to(fmap)
    return fmap


def feature_store(dataset: Dataset, *, provinces: bool = False, features: bool = True) -> str:
    """The store's JSON text, computed once per loaded dataset and choice: borders, provinces if asked,
    and (unless `features` is False, for a map that draws its features another way) every feature."""
    cache = dataset.__dict__.setdefault("_feature_store", {})
    if (provinces, features) not in cache:
        store = _store(dataset, provinces) if features else \
            {"kinds": [], "borders": _borders(dataset), "provinces": _provinces(dataset) if provinces else None}
        cache[provinces, features] = json.dumps(store, separators=(",", ":"), ensure_ascii=False)
    return cache[provinces, features]


def _store(ds: Dataset, provinces: bool) -> dict[str, Any]:
    colors = {fid: f.color for fid, f in ds.factions.items()}
    store: dict[str, Any] = {
        "kinds": list(KINDS), "borders": _borders(ds), "provinces": _provinces(ds) if provinces else None,
        "sources": {escape(sid): escape(c) for sid, c in zip(ds.sources, citations(ds, list(ds.sources)))}}

    zones = {}
    for zid, row in ds.zones.iterrows():
        zstyle = style.zone_style(row["certainty"])
        color = style.controller_color(colors, row["controller"])
        end = parse_date(row["end"]).label() if row["end"] else "the end of the period"
        zones[zid] = _item(_display(ds, "zones", zid, row.geometry), {
            "fillColor": color, "color": color, "fillOpacity": zstyle.fill_opacity, "weight": 1.5,
            "dashArray": zstyle.dash}, row["name"], "", [
            ("In force", f"{escape(parse_date(row['start']).label())} to {escape(end)}"),
            ("Certainty", escape(row["certainty"])), ("Area", f"{row['area_km2']:,.0f} km²"),
            ("Note", escape(row["note"] or "")), ("Sources", _sources_html(ds, row["sources"]))])
        zones[zid].update(name=escape(row["name"]), certainty=escape(row["certainty"]))
    store["zone"] = zones

    routes = {}
    for rid, row in ds.routes.iterrows():
        name = row["name"] + (f" (today {row['modern_name']})" if row["modern_name"] else "")
        routes[rid] = _item(_display(ds, "routes", rid, row.geometry), {
            "color": style.ROUTE_STYLE.color, "weight": style.ROUTE_STYLE.weight}, name,
            f"{escape(name)} — {escape(row['certainty'])}", [
                ("Certainty", escape(row["certainty"])), ("Note", escape(row["note"] or "")),
                ("Sources", _sources_html(ds, row["sources"]))])
    store["route"] = routes

    described = style.FRONT_STYLES["described"]
    store["front"] = {fid: _item(row.geometry.__geo_interface__, _line_style(described), row["name"],
                                 f"{escape(row['name'])} (described, {escape(row['certainty'])})", [
                                     ("Kind", escape(described.label)), ("Certainty", escape(row["certainty"])),
                                     ("Note", escape(row["note"] or "")),
                                     ("Sources", _sources_html(ds, row["sources"]))])
                      for fid, row in ds.frontlines.iterrows()}

    places = {}
    for pid, row in ds.places.iterrows():
        location_note = row["certainty"] + (f" (±{row['uncertainty_km']:g} km)" if row["uncertainty_km"] else "")
        item = _item(None, {
            "radius": style.place_radius(row["kind"], bool(row["key"])), "color": "#000000", "weight": 1.2,
            "fill": True, "fillOpacity": 0.95,
            "dashArray": "3 3" if row["certainty"] in ("derived", "unverified") else None},
            _place_names(row), "", [
                ("Location", escape(location_note)), ("Other names", escape(", ".join(row["alt_names"]))),
                ("Gazetteer", escape(f"GeoNames {row['geonames_id']}" if row["geonames_id"] else
                                     (row["gazetteer_note"] or "not in a gazetteer"))),
                ("Sources (place)", _sources_html(ds, row["sources"]))])
        item.update(latlng=[row.geometry.y, row.geometry.x], name=escape(_place_names(row)))
        if row["key"] or row["kind"] in style.LABELLED_KINDS and row["country"] == "KH":
            css = "atlas-label" if row["key"] else "atlas-label minor"
            item["label"] = f'<div class="{css}">{escape(row["name"])}</div>'
        places[pid] = item
    store["place"] = places

    events = {}
    for eid, row in ds.events.iterrows():
        if row.geometry is None:
            continue
        when = parse_date(row["date"])
        figures = "<br>".join(
            escape(f"{f.get('what')}: {f.get('value')}" + (" (approx.)" if f.get("approx") else "")
                   + f" — {', '.join(f.get('sources', []))}") for f in row["figures"])
        item = _item(None, {"color": "#000000", "fillColor": "#FFFFFF"}, row["title"],
                     f"{escape(when.label())}: {escape(row['title'])}", [
                         ("Date", escape(when.label())), ("What", escape(row["description"] or "")),
                         ("Figures", figures), ("Certainty", escape(row["certainty"])),
                         ("Sources", _sources_html(ds, row["sources"]))])
        item["latlng"] = [row.geometry.y, row.geometry.x]
        events[eid] = item
    store["event"] = events
    return store


def _item(geometry: dict[str, Any] | None, style_: dict[str, Any], title: str, tooltip: str,
          rows: list[tuple[str, str]]) -> dict[str, Any]:
    """A stored feature. `title` is raw text; `tooltip` and the values in `rows` are escaped HTML."""
    return {"geometry": geometry, "style": style_, "title": escape(title), "tooltip": tooltip,
            "rows": _rows_html(rows)}


def _rows_html(rows: list[tuple[str, str]]) -> str:
    return "".join(f"<tr><th style='text-align:left;padding-right:6px'>{escape(k)}</th><td>{v}</td></tr>"
                   for k, v in rows)


def _line_style(line: style.LineStyle) -> dict[str, Any]:
    return {"color": line.color, "weight": line.weight, "dashArray": line.dash}


def _place_names(row: Any) -> str:
    return row["name"] + (f" / {row['name_km']}" if row["name_km"] else "") + \
        (f" / {row['name_th']}" if row["name_th"] else "")


def _provinces(ds: Dataset) -> dict[str, Any] | None:
    if not len(ds.provinces):
        return None
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _display(ds, "provinces", pid, row.geometry), "properties": {
            "tooltip": escape(row["name"]) + " (modern boundary)",
            "style": {"fill": False, "color": "#777777", "weight": 0.8, "dashArray": "3 3"}}}
        for pid, row in ds.provinces.iterrows()]}


BORDER_MARGIN_DEG = 2.0  # country borders are sent for the region and this much around it


def _borders(ds: Dataset) -> dict[str, Any]:
    west, south, east, north = ds.meta.region
    around = shapely.box(west - BORDER_MARGIN_DEG, south - BORDER_MARGIN_DEG,
                         east + BORDER_MARGIN_DEG, north + BORDER_MARGIN_DEG)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": _display(ds, "countries", cid, shapely.intersection(row.geometry, around)),
         "properties": {"style": {
             "fillColor": "#FFFFFF" if cid == "KHM" else style.NEUTRAL_COUNTRY,
             "fillOpacity": 0.0 if cid == "KHM" else 0.45, "color": style.BORDER, "weight": 1.8}}}
        for cid, row in ds.countries.iterrows() if shapely.intersects(row.geometry, around)]}


DISPLAY_TOLERANCE_DEG = 0.002  # ~200 m: invisible at the zooms the region is read at, a third of the bytes
DISPLAY_GRID_DEG = 1e-4        # ~11 m, far finer than any zone's certainty


def _display(dataset: Dataset, layer: str, fid: str, geom: Any) -> dict[str, Any]:
    """The feature's geometry simplified for the browser, computed once per loaded dataset."""
    cache = dataset.__dict__.setdefault("_display_geometry", {})
    key = (layer, fid)
    if key not in cache:
        small = shapely.set_precision(shapely.simplify(geom, DISPLAY_TOLERANCE_DEG), DISPLAY_GRID_DEG)
        cache[key] = small.__geo_interface__
    return cache[key]


def _sources_html(dataset: Dataset, ids: Any) -> str:
    return "<br>".join(escape(c) for c in citations(dataset, list(ids)))


def faction_label(dataset: Dataset, faction_id: str | None, state: State) -> str:
    faction = dataset.faction(faction_id)
    if faction is None:
        return "no party to the conflict" if faction_id is None else faction_id
    return faction.name_on(state.day)


def date_view(state: State, toggles: Toggles = Toggles()) -> dict[str, Any]:
    """What the map shows on the state's date: the stored features by kind and id, with what the date
    changes in them (who holds a zone or place and since when, an event's fading), and the factions'
    names on that date. Plain data; every string is escaped HTML."""
    shown = list(_segment_view(state, toggles))
    if toggles.events:
        shown += _events_view(state)
    holders = {s["held"] for s in shown if "held" in s}
    names = {key: escape(faction_label(state.dataset, key or None, state)) for key in holders}
    return {"day": state.day.isoformat(), "labels": toggles.places, "names": names, "shown": shown}


def _segment_view(state: State, toggles: Toggles) -> tuple[dict[str, Any], ...]:
    # Zones, lines and places change only at change dates: one computation serves a whole segment.
    cache = state.timeline.__dict__.setdefault("_segment_views", {})
    key = (state.segment.index, toggles)
    if key not in cache:
        if len(cache) >= SEGMENT_VIEWS_KEPT:
            cache.clear()
        shown: list[dict[str, Any]] = []
        if toggles.zones:
            shown += [{"kind": "zone", "id": zid, "held": controller or ""}
                      for zid, controller in zip(state.zones.index, state.zones["controller"])]
        if toggles.routes:
            shown += [{"kind": "route", "id": rid} for rid in state.dataset.routes.index]
        if toggles.frontlines:
            shown += _fronts_view(state)
        if toggles.places:
            shown += _places_view(state)
        cache[key] = tuple(shown)
    return cache[key]


SEGMENT_VIEWS_KEPT = 1024


def _places_view(state: State) -> list[dict[str, Any]]:
    colors = {fid: f.color for fid, f in state.dataset.factions.items()}
    return [{"kind": "place", "id": s.place_id, "held": s.controller or "",
             "style": {"fillColor": style.controller_color(colors, s.controller)},
             "since": escape(s.since.label() if s.since else "—"), "certainty": escape(s.certainty or "—"),
             "fromZone": bool(s.derived_from_zone), "sources": [escape(x) for x in s.sources]}
            for s in state.places]


def _fronts_view(state: State) -> list[dict[str, Any]]:
    ds = state.dataset
    derived = style.FRONT_STYLES["derived"]
    return [{"kind": "front", "id": fid} for fid in state.frontlines.index] + [
        {"kind": "front", "id": f["id"], "geometry": f["geometry"].__geo_interface__,
         "style": _line_style(derived), "title": escape(f["name"]),
         "tooltip": f"{escape(f['name'])} (derived, {escape(f['certainty'])})",
         "rows": _rows_html([("Kind", escape(derived.label)), ("Certainty", escape(f["certainty"])),
                             ("Sources", _sources_html(ds, f["sources"]))])}
        for f in state.derived_frontlines]


def _events_view(state: State) -> list[dict[str, Any]]:
    today = state.day.toordinal()
    events = state.events
    out = []
    for eid, text, geometry in zip(events.index, events["date"], events.geometry):
        if geometry is None:
            continue
        when = parse_date(text)
        days_ago = today - when.last_day if today > when.last_day else (0 if today >= when.first_day else -1)
        opacity = style.event_opacity(days_ago, state.window_days)
        out.append({"kind": "event", "id": eid, "style": {
            "radius": 11 if days_ago in (0, 1) else 9, "weight": 2 if days_ago >= 0 else 1, "opacity": opacity,
            "fill": days_ago >= 0, "fillOpacity": 0.6 * opacity, "dashArray": "2 3" if days_ago < 0 else None}})
    return out


def state_layers(state: State, toggles: Toggles = Toggles()) -> list[folium.FeatureGroup]:
    """What changes with the date, as one FeatureGroup for a map made by `base_map`: the date's view of
    the stored features, the date stamp and the legend."""
    group = _FeatureGroup(name=f"the map on {state.day.isoformat()}", control=False)
    _DateView(date_view(state, toggles)).add_to(group)
    MapPanel(stamp_html(state), "topright", "atlas-stamp").add_to(group)
    MapPanel(legend_html(state, toggles), "bottomright", "atlas-legend").add_to(group)
    return [group]


def stamp_html(state: State) -> str:
    return f"as of {escape(day_label(state.day))}"


def legend_html(state: State, toggles: Toggles = Toggles()) -> str:
    ds = state.dataset
    present = set(state.zones["controller"]) | {p.controller for p in state.places if p.controller}
    rows = [f'<div><span class="sw" style="background:{ds.factions[f].color}"></span>'
            f'{escape(ds.factions[f].name_on(state.day))}</div>'
            for f in ds.factions if f in present]
    rows.append(f'<div><span class="sw" style="background:{style.NO_CONTROLLER}"></span>not in the conflict</div>')
    if toggles.zones:
        for key in ("approximate", "claimed", "contested"):
            s = style.ZONE_STYLES[key]
            rows.append(f'<div><span class="sw" style="background:rgba(0,0,0,{s.fill_opacity});'
                        f'border-style:dashed"></span>{escape(s.label)}</div>')
    if toggles.frontlines:
        rows.append('<div><span class="ln"></span>front (sources)</div>')
        rows.append('<div><span class="ln" style="border-top:2px dashed #222"></span>front (derived)</div>')
    if toggles.events:
        rows.append('<div><span class="sw" style="border-radius:50%;background:#fff;border:2px solid #000">'
                    '</span>event (faded = older)</div>')
    return "<b>Legend</b>" + "".join(rows)


def full_map(state: State, toggles: Toggles = Toggles(), basemap: str = "Light (Esri)") -> folium.Map:
    """Base and state in one map (for a standalone HTML file)."""
    fmap = base_map(state.dataset, basemap, provinces=toggles.provinces)
    for group in state_layers(state, toggles):
        group.add_to(fmap)
    return fmap
