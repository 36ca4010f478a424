"""The state on a date drawn as an interactive Folium map.

`base_map` depends only on the dataset and the basemap choice, never on the date, so the app can keep
it (and the user's zoom and pan) while `state_layers` sends what changes. Every string that comes from
data is escaped (`escape` below) before it reaches HTML: Folium's Popup and Tooltip do not escape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape as _html_escape
from typing import Any

import folium
import shapely
import xyzservices.providers as xyz
from branca.element import MacroElement
from jinja2 import Template

from . import style
from .analysis import citations
from .catalog import Dataset
from .dates import day_label, parse_date
from .timeline import State



def escape(text: object) -> str:
    """HTML-escape, and neutralise ` and $ too: Folium pastes tooltips into JS template literals."""
    return _html_escape(str(text)).replace("`", "&#96;").replace("$", "&#36;")


BASEMAPS: dict[str, Any] = {
    "Light (Esri)": xyz.Esri.WorldGrayCanvas,
    "OpenStreetMap": xyz.OpenStreetMap.Mapnik,
    "Satellite (Esri)": xyz.Esri.WorldImagery,
    "None (works offline)": None,
}
LAYERS = ("zones", "front lines", "places", "routes", "events", "provinces")


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


class MapPanel(MacroElement):
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


def base_map(dataset: Dataset, basemap: str = "Light (Esri)", *, provinces: bool = False,
             location: tuple[float, float] | None = None, zoom: int | None = None) -> folium.Map:
    """The date-independent map: tiles, country borders (the Thai border clear), optional provinces."""
    meta = dataset.meta
    fmap = folium.Map(location=location or (meta.view_lat, meta.view_lon), zoom_start=zoom or meta.view_zoom,
                      tiles=None, control_scale=True, prefer_canvas=False)
    provider = BASEMAPS.get(basemap)
    if provider is not None:
        folium.TileLayer(tiles=provider.build_url(), attr=provider.html_attribution, name=basemap,
                         max_zoom=provider.get("max_zoom", 18)).add_to(fmap)
    fmap.get_root().header.add_child(folium.Element(PANEL_CSS))
    countries = dataset.countries
    if len(countries):
        folium.GeoJson(
            {"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"id": cid},
                 "geometry": _display(dataset, "countries", cid, row.geometry)}
                for cid, row in countries.iterrows()]}, name="borders",
            style_function=lambda f: {
                "fillColor": "#FFFFFF" if f["properties"]["id"] == "KHM" else style.NEUTRAL_COUNTRY,
                "fillOpacity": 0.0 if f["properties"]["id"] == "KHM" else 0.45,
                "color": style.BORDER, "weight": 1.8},
            tooltip=None, interactive=False,
        ).add_to(fmap)
    if provinces and len(dataset.provinces):
        folium.GeoJson(
            _geojson(dataset.provinces[["id", "name", "geometry"]].assign(
                name=dataset.provinces["name"].map(lambda n: escape(str(n)) + " (modern boundary)"))),
            name="provinces",
            style_function=lambda f: {"fill": False, "color": "#777777", "weight": 0.8, "dashArray": "3 3"},
            tooltip=folium.GeoJsonTooltip(["name"], labels=False),
        ).add_to(fmap)
    return fmap


def _geojson(frame: Any) -> dict[str, Any]:
    return json.loads(frame.to_json(drop_id=True))


DISPLAY_TOLERANCE_DEG = 0.002  # ~200 m: invisible at the zooms the region is read at, a third of the bytes


def _display(dataset: Dataset, layer: str, fid: str, geom: Any) -> dict[str, Any]:
    """The feature's geometry simplified for the browser, computed once per loaded dataset."""
    cache = dataset.__dict__.setdefault("_display_geometry", {})
    key = (layer, fid)
    if key not in cache:
        small = shapely.set_precision(shapely.simplify(geom, DISPLAY_TOLERANCE_DEG), 1e-5)
        cache[key] = small.__geo_interface__
    return cache[key]


def _popup_html(rows: list[tuple[str, str]], title: str) -> str:
    """A popup's HTML; every value in `rows` must already be escaped."""
    body = "".join(f"<tr><th style='text-align:left;padding-right:6px'>{escape(k)}</th><td>{v}</td></tr>"
                   for k, v in rows)
    return f"<b>{escape(title)}</b><table>{body}</table>"


def _popup(rows: list[tuple[str, str]], title: str) -> folium.Popup:
    return folium.Popup(_popup_html(rows, title), max_width=320)


def _sources_html(dataset: Dataset, ids: Any) -> str:
    return "<br>".join(escape(c) for c in citations(dataset, list(ids)))


def faction_label(dataset: Dataset, faction_id: str | None, state: State) -> str:
    faction = dataset.faction(faction_id)
    if faction is None:
        return "no party to the conflict" if faction_id is None else faction_id
    return faction.name_on(state.day)


def state_layers(state: State, toggles: Toggles = Toggles()) -> list[folium.FeatureGroup]:
    """What changes with the date, as fresh FeatureGroups (zones, lines, places, events, stamp, legend)."""
    ds = state.dataset
    colors = {fid: f.color for fid, f in ds.factions.items()}
    groups: list[folium.FeatureGroup] = []

    if toggles.zones:
        zones = folium.FeatureGroup(name="zones")
        for zid, row in state.zones.iterrows():
            zstyle = style.zone_style(row["certainty"])
            color = style.controller_color(colors, row["controller"])
            start = parse_date(row["start"]).label()
            end = parse_date(row["end"]).label() if row["end"] else "the end of the period"
            tip = f"{escape(row['name'])} — {escape(faction_label(ds, row['controller'], state))} ({escape(row['certainty'])})"
            folium.GeoJson(
                {"type": "Feature", "properties": {}, "geometry": _display(ds, "zones", zid, row.geometry)},
                style_function=lambda _f, c=color, s=zstyle: {
                    "fillColor": c, "color": c, "fillOpacity": s.fill_opacity, "weight": 1.5,
                    "dashArray": s.dash},
                tooltip=folium.Tooltip(tip),
                popup=_popup([("Held by", escape(faction_label(ds, row["controller"], state))),
                              ("In force", f"{escape(start)} to {escape(end)}"),
                              ("Certainty", escape(row["certainty"])),
                              ("Area", f"{row['area_km2']:,.0f} km²"),
                              ("Note", escape(row["note"] or "")),
                              ("Sources", _sources_html(ds, row["sources"]))], row["name"]),
            ).add_to(zones)
        groups.append(zones)

    if toggles.routes:
        routes = folium.FeatureGroup(name="routes")
        for rid, row in ds.routes.iterrows():
            name = row["name"] + (f" (today {row['modern_name']})" if row["modern_name"] else "")
            folium.GeoJson(
                {"type": "Feature", "properties": {}, "geometry": row.geometry.__geo_interface__},
                style_function=lambda _f: {"color": style.ROUTE_STYLE.color, "weight": style.ROUTE_STYLE.weight},
                tooltip=folium.Tooltip(escape(name) + f" — {escape(row['certainty'])}"),
                popup=_popup([("Certainty", escape(row["certainty"])), ("Note", escape(row["note"] or "")),
                              ("Sources", _sources_html(ds, row["sources"]))], name),
            ).add_to(routes)
        groups.append(routes)

    if toggles.frontlines:
        fronts = folium.FeatureGroup(name="front lines")
        lines = [(fid, r.geometry, r["name"], "described", r["certainty"], r["sources"], r["note"])
                 for fid, r in state.frontlines.iterrows()]
        lines += [(f["id"], f["geometry"], f["name"], "derived", f["certainty"], f["sources"], None)
                  for f in state.derived_frontlines]
        for fid, geom, name, kind, certainty, sources, note in lines:
            lstyle = style.FRONT_STYLES[kind]
            folium.GeoJson(
                {"type": "Feature", "properties": {}, "geometry": geom.__geo_interface__},
                style_function=lambda _f, s=lstyle: {"color": s.color, "weight": s.weight, "dashArray": s.dash},
                tooltip=folium.Tooltip(f"{escape(name)} ({kind}, {escape(certainty)})"),
                popup=_popup([("Kind", escape(lstyle.label)), ("Certainty", escape(certainty)),
                              ("Note", escape(note or "")), ("Sources", _sources_html(ds, sources))], name),
            ).add_to(fronts)
        groups.append(fronts)

    if toggles.places:
        groups.append(_places_group(state, colors))

    if toggles.events:
        groups.append(_events_group(state))

    chrome = folium.FeatureGroup(name="date stamp and legend", control=False)
    MapPanel(stamp_html(state), "topright", "atlas-stamp").add_to(chrome)
    MapPanel(legend_html(state, toggles), "bottomright", "atlas-legend").add_to(chrome)
    groups.append(chrome)
    return groups


_BIND_JS = folium.JsCode("""function (feature, layer) {
  layer.bindTooltip(feature.properties.tooltip);
  layer.bindPopup(feature.properties.popup, {maxWidth: 320});
}""")
_LABEL_JS = folium.JsCode("""function (feature, layer) {
  layer.setIcon(L.divIcon({html: feature.properties.label, className: "", iconSize: [160, 16], iconAnchor: [-9, 8]}));
}""")


def _points_layer(features: list[dict[str, Any]], name: str) -> folium.GeoJson:
    """One GeoJSON layer of circle markers styled from their properties: one JSON blob instead of
    hundreds of templated elements (which is what made each date step slow)."""
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features}, name=name, marker=folium.CircleMarker(),
        style_function=lambda f: f["properties"]["style"], on_each_feature=_BIND_JS)


def _feature(point: Any, style_: dict[str, Any], tooltip: str, popup: folium.Popup | str, **extra: Any) -> dict[str, Any]:
    html = popup if isinstance(popup, str) else popup.html.render()
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [point.x, point.y]},
            "properties": {"style": style_, "tooltip": tooltip, "popup": html, **extra}}


def _places_group(state: State, colors: dict[str, str]) -> folium.FeatureGroup:
    ds = state.dataset
    group = folium.FeatureGroup(name="places")
    places = ds.places
    markers, labels = [], []
    for status in state.places:
        row = places.loc[status.place_id]
        point = row.geometry
        holder = faction_label(ds, status.controller, state)
        since = status.since.label() if status.since else "—"
        names = row["name"] + (f" / {row['name_km']}" if row["name_km"] else "") + \
            (f" / {row['name_th']}" if row["name_th"] else "")
        location_note = row["certainty"] + (f" (±{row['uncertainty_km']:g} km)" if row["uncertainty_km"] else "")
        popup = _popup_html([
            ("Held by", escape(holder) + (" (from its zone)" if status.derived_from_zone else "")),
            ("Since", escape(since)),
            ("Control certainty", escape(status.certainty or "—")),
            ("Location", escape(location_note)),
            ("Other names", escape(", ".join(row["alt_names"]))),
            ("Gazetteer", escape(f"GeoNames {row['geonames_id']}" if row["geonames_id"] else
                                 (row["gazetteer_note"] or "not in a gazetteer"))),
            ("Sources", _sources_html(ds, sorted(set(row["sources"]) | set(status.sources)))),
        ], names)
        markers.append(_feature(point, {
            "radius": style.place_radius(row["kind"], bool(row["key"])), "color": "#000000", "weight": 1.2, "fill": True,
            "fillColor": style.controller_color(colors, status.controller), "fillOpacity": 0.95,
            "dashArray": "3 3" if row["certainty"] in ("derived", "unverified") else None},
            f"{escape(names)} — {escape(holder)} since {escape(since)}", popup, id=status.place_id))
        if row["key"] or row["kind"] in style.LABELLED_KINDS and row["country"] == "KH":
            css = "atlas-label" if row["key"] else "atlas-label minor"
            labels.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [point.x, point.y]},
                           "properties": {"label": f'<div class="{css}">{escape(row["name"])}</div>'}})
    _points_layer(markers, "place markers").add_to(group)
    if labels:
        folium.GeoJson({"type": "FeatureCollection", "features": labels}, name="place labels",
                       marker=folium.Marker(icon=folium.DivIcon(), interactive=False),
                       on_each_feature=_LABEL_JS).add_to(group)
    return group


def _events_group(state: State) -> folium.FeatureGroup:
    ds = state.dataset
    group = folium.FeatureGroup(name="events")
    today = state.day.toordinal()
    features = []
    for eid, row in state.events.iterrows():
        if row.geometry is None:
            continue
        when = parse_date(row["date"])
        days_ago = today - when.last_day if today > when.last_day else (0 if today >= when.first_day else -1)
        opacity = style.event_opacity(days_ago, state.window_days)
        figures = "<br>".join(
            escape(f"{f.get('what')}: {f.get('value')}" + (" (approx.)" if f.get("approx") else "")
                   + f" — {', '.join(f.get('sources', []))}") for f in row["figures"])
        popup = _popup_html([("Date", escape(when.label())), ("What", escape(row["description"] or "")),
                             ("Figures", figures), ("Certainty", escape(row["certainty"])),
                             ("Sources", _sources_html(ds, row["sources"]))], row["title"])
        features.append(_feature(row.geometry, {
            "radius": 11 if days_ago in (0, 1) else 9, "color": "#000000", "weight": 2 if days_ago >= 0 else 1,
            "opacity": opacity, "fill": days_ago >= 0, "fillColor": "#FFFFFF", "fillOpacity": 0.6 * opacity,
            "dashArray": "2 3" if days_ago < 0 else None},
            f"{escape(when.label())}: {escape(row['title'])}", popup, id=eid))
    if features:
        _points_layer(features, "event markers").add_to(group)
    return group


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
    folium.LayerControl(collapsed=True).add_to(fmap)
    return fmap
