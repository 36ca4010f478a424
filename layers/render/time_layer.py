"""A Folium plugin: the atlas's time layer, with its own date slider, on any Folium map.

The same layer runs in the app, in the HTML snapshot and in a user's own Folium map: it draws a time
store (layers/render/time_store.py) and answers every date in the browser. Its JavaScript and CSS live in
layers/render/js/ and are put into the page as they are (branca would otherwise compile them as Jinja templates
once more: slow for big data, and wrong for data containing "{%").

Examples
--------
>>> import folium
>>> from layers.data.catalog import load_dataset
>>> from layers.engine.timeline import Timeline
>>> from layers.render.time_store import build_time_store
>>> m = folium.Map(location=(13.0, 103.0), zoom_start=8)
>>> store = build_time_store(Timeline(load_dataset()))
>>> TimeLayer(store.text, day="1994-04-19").add_to(m)  # doctest: +ELLIPSIS
<layers.render.time_layer.TimeLayer object at ...>
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from branca.element import Element, MacroElement
from jinja2 import Template

JS_DIR = Path(__file__).resolve().parent / "js"


@lru_cache(maxsize=None)
def asset_text(name: str) -> str:
    """The text of one of the layer's own files in layers/render/js/ (read once)."""
    return (JS_DIR / name).read_text(encoding="utf-8")


def script_safe(text: str) -> str:
    """JSON or JS text that may sit inside a <script> element: no "</" can close it early."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


class VerbatimText(Element):
    """Text put into the page as it is (never compiled as a template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class VerbatimScript(MacroElement):
    """A MacroElement whose rendered header, html and script go into the page as they are."""

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            if part in macros:
                getattr(figure, part).add_child(VerbatimText(macros[part](self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class TimeLayer(VerbatimScript):
    """Every feature of a dataset over its whole period, drawn for one day at a time, with a date slider.

    Parameters
    ----------
    store : str
        The time store's JSON text (embedded in the page), or, with `url=True`, the URL to fetch it from.
    day : str, optional
        The day to open at, "YYYY-MM-DD" (default: the store's). A link's "#date=...&lat=..&lon=..&zoom=.."
        and the <iframe> holding the map can override it.
    hidden : list of str, optional
        Layers to hide at first: zones, frontlines, routes, places, events, provinces.
    title : str, optional
        Escaped HTML shown above the date stamp.
    controls : bool
        Show the slider, previous/next change and play (default True).
    assets_url : str, optional
        A URL prefix serving this layer's atlas_time.js and atlas_time.css; by default they are inlined.
    text_target : str, optional
        The id of an element in the page holding the map that says the same as text (the app's situation
        panel): the map then links to it, for screen readers and anyone who prefers text.
    """

    _template = Template("""
{% macro header(this, kwargs) %}{% if this.preload %}<link rel="preload" as="fetch" crossorigin="anonymous" href="{{ this.preload }}">
{% endif %}{% if this.assets_url %}<link rel="stylesheet" href="{{ this.assets_url }}atlas_time.css">
<script src="{{ this.assets_url }}atlas_time.js"></script>{% else %}<style>{{ this.css }}</style>{% endif %}{% endmacro %}
{% macro script(this, kwargs) %}
{{ this.js }}
var {{ this.get_name() }} = AtlasTime.attach({{ this._parent.get_name() }}, {{ this.source }}, {{ this.options }});
{% endmacro %}
""")

    def __init__(self, store: str, *, url: bool = False, day: str | None = None, hidden: list[str] | None = None,
                 title: str | None = None, controls: bool = True, assets_url: str | None = None,
                 text_target: str | None = None) -> None:
        super().__init__()
        self._name = "TimeLayer"
        # `assets_url`: where atlas_time.js and .css are served (the app); otherwise they are inlined.
        self.assets_url = assets_url
        # A store fetched from a URL starts downloading with the page, beside Leaflet, not after it.
        self.preload = html.escape(store, quote=True) if url else None
        self.css = "" if assets_url else asset_text("atlas_time.css")
        self.js = "" if assets_url else script_safe(asset_text("atlas_time.js"))
        self.source = script_safe(json.dumps(store) if url else store)
        options = {"day": day, "hidden": list(hidden or []), "title": title, "controls": controls,
                   "text_target": text_target}
        self.options = script_safe(json.dumps({k: v for k, v in options.items() if v is not None}))
