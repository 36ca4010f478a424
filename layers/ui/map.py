"""The map component: the map page (layers/render/render_folium.py) in a components.v2 bridge
(layers/render/js/atlas_bridge.js), its data as content-addressed static files the browser fetches once."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

from ..render.deeplink import clamp_view
from ..text.i18n import N_
from ..render.render_folium import Toggles, atlas_map as build_map, page_html
from ..render.time_layer import asset_text
from ..render.time_store import TimeStore, build_time_store
from ..engine.timeline import Timeline
from ..text.words import Words
from .atlas import Atlas
from .state import DATE_KEY, MAP_KEY, PAINTED_KEY, PUSH_KEY, VIEW_KEY, VISIT_KEY

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"   # served at app/static/ (.streamlit/config.toml)
GENERATED_DIR = STATIC_DIR / "generated"
STALE_AFTER_S = 3600.0   # generated files of other versions are removed once this old


@st.cache_resource(max_entries=32)
def _time_store(name: str, version: str, lang: str, _timeline: Timeline, _words: Words) -> TimeStore:
    # Keyed by dataset name, version and language; the timeline and words are what those name.
    return build_time_store(_timeline, _words)



_write_lock = threading.Lock()


def _publish(relative: str, text: str) -> str | None:
    """`text` as a static file at static/generated/`relative` (a content-addressed name), written once and
    checked against its content once per process: a truncated or altered file under the right name is
    written again. Its URL, or None when the server serves no static files or the file cannot be written."""
    if not st.get_option("server.enableStaticServing"):
        return None
    path = GENERATED_DIR / relative
    if path in _verified:  # checked already in this process (a store can be tens of megabytes)
        return f"app/static/generated/{relative}"
    data = text.encode("utf-8")
    with _write_lock:
        try:
            if path not in _verified:
                if not (path.is_file() and path.read_bytes() == data):
                    path.parent.mkdir(parents=True, exist_ok=True)
                    part = path.with_name(f"{path.name}.{os.getpid()}.part")
                    try:
                        part.write_bytes(data)
                        os.replace(part, path)
                    finally:
                        part.unlink(missing_ok=True)
                    _prune(keep=path)
                _verified.add(path)
        except OSError:
            return None
    return f"app/static/generated/{relative}"


def _store_url(store: TimeStore) -> str | None:
    """The store as a static file the browser fetches once and caches (not resent with every rerun)."""
    return _publish(f"atlas-store-{store.digest}.json", store.text)


def _layer_assets_url() -> str | None:
    """The time layer's script and style as static files: the map page then stays a few kilobytes."""
    js, css = asset_text("atlas_time.js"), asset_text("atlas_time.css")
    folder = f"atlas-layer-{hashlib.sha256((js + css).encode()).hexdigest()[:16]}"
    if _publish(f"{folder}/atlas_time.js", js) is None or _publish(f"{folder}/atlas_time.css", css) is None:
        return None
    return f"app/static/generated/{folder}/"


_verified: set[Path] = set()


def publish_map_data(name: str, version: str, timeline: Timeline, words: Words) -> None:
    """What a visitor's map of dataset `name` in `words`' language fetches, built and written now: the time
    store and the layer's scripts (as `atlas_map` would on the first visit)."""
    _layer_assets_url()
    _store_url(_time_store(name, version, words.lang, timeline, words))


def _prune(keep: Path) -> None:
    now = time.time()
    for old in GENERATED_DIR.glob("atlas-store-*"):
        if old != keep and old not in _verified and now - old.stat().st_mtime > STALE_AFTER_S:
            old.unlink(missing_ok=True)
    for old in GENERATED_DIR.glob("atlas-layer-*/*"):
        if old != keep and old not in _verified and now - old.stat().st_mtime > STALE_AFTER_S:
            old.unlink(missing_ok=True)
    for part in GENERATED_DIR.glob("*.part"):
        if now - part.stat().st_mtime > 60:
            part.unlink(missing_ok=True)


@st.cache_resource(max_entries=64)
def _page(store_key: str, basemap: str, lang: str, center: tuple[float, float], zoom: int,
          _store: TimeStore, store_url: str | None, controls: bool, layer_url: str | None,
          text_target: str | None, day: str, hidden: tuple[str, ...]) -> str:
    fmap = build_map(store_url or _store.text, store_is_url=store_url is not None,
                     assets="static" if store_url else "inline", basemap=basemap, center=center, zoom=zoom,
                     controls=controls, layer_assets_url=layer_url if store_url else None, text_target=text_target,
                     day=day, hidden=list(hidden))
    return page_html(fmap)


@dataclass(frozen=True)
class Opening:
    """Where a map page opens: fixed for one visit, so that reruns leave the loaded page alone."""

    day: str
    center: tuple[float, float]
    zoom: int
    hidden: tuple[str, ...]
    push: int   # the push the opening day already includes


def _opening(key: str, page: tuple[Any, ...], day: date, view: dict[str, Any] | None, zoom: int,
             center: tuple[float, float], hidden: tuple[str, ...], push: int) -> Opening:
    """The opening of the map under `key`: taken from the shared date, view and layers when the visitor
    arrives on the page or the page itself changes (basemap, language, dataset), and kept until then.
    Reruns within a visit then send the same page, which the browser keeps: the date moves inside it."""
    visit = st.session_state.get(VISIT_KEY, 0)
    openings = st.session_state.setdefault("atlas_openings", {})
    held = openings.get(key)
    if held is None or held[0] != (visit, page):
        if view and isinstance(view.get("lat"), (int, float)) and isinstance(view.get("lon"), (int, float)):
            center, zoom = (float(view["lat"]), float(view["lon"])), int(view.get("zoom") or zoom)
        held = ((visit, page), Opening(day.isoformat(), center, zoom, hidden, push))
        openings[key] = held
    return held[1]


@cache
def _component() -> Any:
    return st.components.v2.component("pailin_atlas.map", js=asset_text("atlas_bridge.js"), isolate_styles=False)


def _day_changed(key: str) -> None:
    value = st.session_state[key].get("day")
    try:
        st.session_state[DATE_KEY] = date.fromisoformat(value)
    except (TypeError, ValueError):
        pass  # a malformed value from the browser changes nothing


def map_painted(key: str = MAP_KEY) -> bool:
    """Whether the map under `key` has painted in this session (its bridge said so). A page can hold back
    what would compete with a new visitor's first map (see pages/map.py) until then."""
    return key in st.session_state.get(PAINTED_KEY, frozenset())


def _painted(key: str) -> None:
    if st.session_state[key].get("painted") is True:
        st.session_state[PAINTED_KEY] = st.session_state.get(PAINTED_KEY, frozenset()) | {key}


def _view_changed(key: str, view_key: str, region: tuple[float, float, float, float]) -> None:
    reported = st.session_state[key].get("view")
    if not isinstance(reported, dict):
        return
    view = clamp_view(reported, reported.get("zoom"), reported.get("bbox"), region)
    if view is not None:
        st.session_state[view_key] = {"lat": round(view.lat, 6), "lon": round(view.lon, 6), "zoom": view.zoom,
                                      "bbox": [round(v, 6) for v in view.bbox]}


def atlas_map(atlas: Atlas, *, basemap: str = "None (works offline)", toggles: Toggles = Toggles(),
              height: int = 640, key: str = MAP_KEY, view_key: str = VIEW_KEY, day: date | None = None,
              push: tuple[int, dict[str, Any] | None] | None = None, controls: bool = True,
              text_target: str | None = None, paint_first: bool = False) -> dict[str, Any] | None:
    """The map with its date slider; returns the view the browser last reported (lat, lon, zoom, bbox).

    The map opens at `day` (default: the shared date) and the view kept under `view_key`, and then owns
    its date: it moves again only when `push` (a sequence number and an optional view; default: the
    shared date's pushes, see `set_day`) changes. `paint_first`: the page holds back its other parts
    until this map has painted (`map_painted`), so the bridge reports when it has.

    Two elements in one container: the map page in Streamlit's own <iframe> element (`st.iframe`), which the browser
    loads as soon as the page arrives, and the bridge (a components.v2 component, whose scripts arrive
    later), which links that map to Streamlit once it is there. A map that waited for the bridge would
    paint about half a second later (benchmarks/bench_first_paint.py).
    """
    meta = atlas.dataset.meta
    shown = day or atlas.day
    page = (atlas.version, atlas.name, atlas.words.lang, basemap, controls, text_target, height)
    seq, push_view = push if push is not None else st.session_state.get(PUSH_KEY, (0, None))
    opening = _opening(key, page, shown, st.session_state.get(view_key), meta.view_zoom,
                       (meta.view_lat, meta.view_lon), tuple(toggles.hidden()), seq)
    if atlas.private:
        # A visitor's upload: built for this session and kept in it, the data inline in the page.
        pages = st.session_state.setdefault("atlas_private_pages", {})
        key_of_page = page + (opening,)
        if key_of_page not in pages:
            store = build_time_store(atlas.timeline, atlas.words)
            if len(pages) >= 4:
                pages.clear()
            pages[key_of_page] = page_html(build_map(
                store.text, assets="inline", basemap=basemap, center=opening.center, zoom=opening.zoom,
                controls=controls, text_target=text_target, day=opening.day, hidden=list(opening.hidden)))
        html = pages[key_of_page]
    else:
        store = _time_store(atlas.name, atlas.version, atlas.words.lang, atlas.timeline, atlas.words)
        html = _page(store.digest, basemap, atlas.words.lang, opening.center, opening.zoom, store, _store_url(store),
                     controls, _layer_assets_url(), text_target, opening.day, opening.hidden)
    title = atlas.words(N_("Map of the situation on {date}")).replace("{date}", atlas.words.day(shown))
    box = f"{key}_box"
    data = {"box": f"st-key-{box}", "title": title, "day": shown.isoformat(), "view": st.session_state.get(view_key),
            "push": seq, "opened_push": opening.push, "push_view": push_view, "hidden": toggles.hidden(),
            "report_paint": paint_first and not map_painted(key)}
    with st.container(key=box, gap=None):
        st.iframe(html, height=height, alt=title)
        _component()(key=key, data=data, default={"day": shown.isoformat(), "view": None},
                     on_day_change=lambda: _day_changed(key), on_painted_change=lambda: _painted(key),
                     on_view_change=lambda: _view_changed(key, view_key, meta.region))
    return st.session_state.get(view_key)
