"""The interactive map: a Folium map holding the atlas's time layer (layers/render/time_layer.py).

`atlas_map` does not depend on the date: the time layer answers every date in the browser. The app
builds the page once per dataset, basemap and language and keeps it (and the user's zoom and pan) while
the date moves; the HTML snapshot is the same page with everything inlined.

Leaflet is the copy in static/vendor/leaflet/ (from the npm registry), served by the app or inlined:
the map loads no script from a CDN.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import folium
import xyzservices.providers as xyz

from .time_layer import TimeLayer, VerbatimText, script_safe

VENDOR_DIR = Path(__file__).resolve().parents[2] / "static" / "vendor"
STATIC_URL = "app/static/"   # relative: resolves under the app's own base path, from any page

BASEMAPS: dict[str, Any] = {
    "None (works offline)": None,
    "Light (Esri)": xyz.Esri.WorldGrayCanvas,
    "OpenStreetMap": xyz.OpenStreetMap.Mapnik,
    "Satellite (Esri)": xyz.Esri.WorldImagery,
}
LAYERS = ("zones", "frontlines", "places", "routes", "events", "provinces")


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
        return cls(**{name: name in names for name in LAYERS})

    def hidden(self) -> list[str]:
        return [name for name in LAYERS if not getattr(self, name)]


Assets = Literal["static", "inline"]


class _AtlasMap(folium.Map):
    """A Folium map that loads only Leaflet, from the app or inlined (Folium's default loads six CDN files)."""

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []


def atlas_map(store: str, *, store_is_url: bool = False, assets: Assets = "inline", basemap: str | None = None,
              center: tuple[float, float] = (0.0, 0.0), zoom: int = 8,
              bbox: tuple[float, float, float, float] | None = None, day: str | None = None,
              hidden: list[str] | None = None, title: str | None = None, controls: bool = True,
              layer_assets_url: str | None = None, text_target: str | None = None) -> folium.Map:
    """The map page for a time store: tiles (if any), Leaflet, and the time layer.

    `store` is the store's JSON text, or its URL with `store_is_url`. `assets="static"` loads Leaflet from
    the app's static files; "inline" puts it in the page (a file that opens from a USB stick).
    """
    fmap = _AtlasMap(location=center, zoom_start=zoom, tiles=None, control_scale=True)
    root = fmap.get_root()
    if assets == "static":
        root.header.add_child(VerbatimText(
            f'<link rel="stylesheet" href="{STATIC_URL}vendor/leaflet/leaflet.css">'
            f'<script src="{STATIC_URL}vendor/leaflet/leaflet.js"></script>'), name="leaflet", index=0)
    else:
        css = (VENDOR_DIR / "leaflet" / "leaflet.css").read_text(encoding="utf-8")
        js = (VENDOR_DIR / "leaflet" / "leaflet.js").read_text(encoding="utf-8")
        root.header.add_child(VerbatimText(f"<style>{css}</style><script>{script_safe(js)}</script>"),
                              name="leaflet", index=0)
    provider = BASEMAPS.get(basemap) if basemap else None
    if provider is not None:
        folium.TileLayer(tiles=provider, name=basemap).add_to(fmap)
    if bbox is not None:
        fmap.fit_bounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]])
    TimeLayer(store, url=store_is_url, day=day, hidden=hidden, title=title, controls=controls,
              assets_url=layer_assets_url, text_target=text_target).add_to(fmap)
    return fmap


def page_html(fmap: folium.Map) -> str:
    """The whole HTML document of a map."""
    return fmap.get_root().render()
