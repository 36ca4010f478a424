"""The only Streamlit-aware module: which dataset, the shared date, the map component, caching, errors.

Everything cached here is built once and never changed afterwards (datasets, timelines, time stores,
map pages), so one copy safely serves every session.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

from .catalog import load_dataset
from .deeplink import DeepLink, clamp_view, parse_deep_link, query_for
from .errors import DataError, Problem
from .markdown import md
from .catalog import Dataset
from .registry import Registry, RegistryError, fingerprint, operator_registry
from .render_folium import Toggles, atlas_map as build_map, page_html
from .time_layer import asset_text
from .time_store import TimeStore, build_time_store
from .timeline import Timeline
from .i18n import LANGUAGE_NAMES, LANGUAGES, normalise_lang
from .words import Words, words_for

DATE_KEY = "atlas_date"
DATASET_KEY = "atlas_dataset"
LANG_KEY = "atlas_lang"
PUSH_KEY = "atlas_push"
VIEW_KEY = "atlas_view"
MAP_KEY = "atlas_map"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"   # served at app/static/ (.streamlit/config.toml)
GENERATED_DIR = STATIC_DIR / "generated"
STALE_AFTER_S = 3600.0   # generated files of other versions are removed once this old


# --- datasets ---------------------------------------------------------------------------------

@st.cache_resource
def _registry() -> Registry:
    try:
        return operator_registry(os.environ, sys.argv[1:])
    except RegistryError as exc:
        # The operator's list is wrong: say so in the log and serve the built-in dataset alone.
        sys.stderr.write(f"pailin-atlas: ignoring the dataset list: {exc}\n")
        return operator_registry({}, [])


@dataclass(frozen=True)
class Loaded:
    dataset: Dataset | None
    timeline: Timeline | None
    problems: tuple[Problem, ...] = ()


@st.cache_resource(show_spinner="Loading the layers…", max_entries=16)
def _load(directory: str, version: str) -> Loaded:
    # `version` is part of the key: an edited dataset is loaded again. Failures are cached too, so a
    # broken dataset costs one load, not one per rerun.
    try:
        dataset = load_dataset(directory)
    except DataError as exc:
        return Loaded(None, None, tuple(exc.problems))
    return Loaded(dataset, Timeline(dataset))


@dataclass
class Atlas:
    name: str
    version: str
    dataset: Dataset
    timeline: Timeline
    link: DeepLink
    words: Words

    @property
    def day(self) -> date:
        return st.session_state[DATE_KEY]


def _ensure_navigation() -> None:
    # Streamlit decides per server process whether `pages/` means the legacy multipage mode, and only
    # switches to st.navigation (app.py) once app.py has run. A first visitor arriving by a deep link to
    # /timeline would otherwise get the page without app.py's navigation and layout; rerun it through app.py.
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def _choose_language() -> str:
    """English or Khmer: chosen in the sidebar, or by ?lang= in any link (kept in the URL)."""
    if LANG_KEY not in st.session_state:
        st.session_state[LANG_KEY] = normalise_lang(st.query_params.get("lang"))
    st.sidebar.radio("Language · ភាសា", LANGUAGES, key=LANG_KEY, format_func=LANGUAGE_NAMES.get, horizontal=True)
    return st.session_state[LANG_KEY]


def _choose_dataset(registry: Registry) -> str:
    names = registry.names
    wanted = st.query_params.get("dataset")
    if DATASET_KEY not in st.session_state:
        st.session_state[DATASET_KEY] = wanted if wanted in names else names[0]
    if len(names) > 1:
        st.sidebar.selectbox("Dataset", names, key=DATASET_KEY)
    return st.session_state[DATASET_KEY]


def open_atlas() -> Atlas | None:
    """Load the chosen dataset and set up the shared date; show problems instead of failing."""
    _ensure_navigation()
    registry = _registry()
    name = _choose_dataset(registry)
    directory = registry.directory(name) or registry.directory(registry.names[0])
    version = fingerprint(directory)
    loaded = _load(str(directory), version)
    if loaded.dataset is None or loaded.timeline is None:
        show_problems(name, loaded.problems)
        return None
    dataset = loaded.dataset
    meta = dataset.meta
    default_day = min(max(getattr(meta, "default_date", None) or meta.start, meta.start), meta.end)
    link = parse_deep_link(dict(st.query_params.to_dict()), meta.start, meta.end, default_day, meta.region)
    if DATE_KEY not in st.session_state or not (meta.start <= st.session_state[DATE_KEY] <= meta.end):
        st.session_state[DATE_KEY] = link.day
        for warning in link.warnings:
            st.warning(warning)  # the link's own text in it is escaped for Markdown (layers/deeplink.py)
    if VIEW_KEY not in st.session_state and link.has_view:
        st.session_state[VIEW_KEY] = {"lat": link.lat, "lon": link.lon, "zoom": link.zoom or meta.view_zoom}
    return Atlas(name, version, dataset, loaded.timeline, link, words_for(_choose_language()))


def show_problems(name: str, problems: tuple[Problem, ...]) -> None:
    errors = [p for p in problems if p.severity == "error"]
    st.error(f"The dataset {md(name)} cannot be shown: {len(errors)} problem(s) in its files. "
             "The operator who set it up can fix them; each names the file, the feature and the field.")
    st.dataframe([{"file": p.file, "feature": p.feature, "field": p.field, "problem": p.message,
                   "how to fix": p.fix} for p in errors[:200]], hide_index=True, width="stretch")


def show_data_warnings(dataset: Dataset) -> None:
    if dataset.warnings:
        with st.sidebar.expander(f"{len(dataset.warnings)} data warning(s)"):
            for w in dataset.warnings:
                st.caption(md(str(w)))


# --- the shared date ----------------------------------------------------------------------------

def set_day(day: date) -> None:
    """Move the shared date, and the map with it (a callback for buttons, events, story chapters)."""
    st.session_state[DATE_KEY] = day
    seq, _ = st.session_state.get(PUSH_KEY, (0, None))
    st.session_state[PUSH_KEY] = (seq + 1, None)


def set_day_and_view(day: date, lat: float, lon: float, zoom: int) -> None:
    st.session_state[DATE_KEY] = day
    seq, _ = st.session_state.get(PUSH_KEY, (0, None))
    st.session_state[PUSH_KEY] = (seq + 1, {"lat": lat, "lon": lon, "zoom": zoom})


def follow_in_url(day: date, view: dict[str, Any] | None) -> None:
    """Keep the URL in step with what the user sees, so copying it shares the view."""
    view = view or {}
    wanted = query_for(day, view.get("lat"), view.get("lon"), view.get("zoom"))
    if st.session_state.get(DATASET_KEY, "pailin") != "pailin":
        wanted["dataset"] = st.session_state[DATASET_KEY]
    if st.session_state.get(LANG_KEY, "en") != "en":
        wanted["lang"] = st.session_state[LANG_KEY]
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


# --- the map --------------------------------------------------------------------------------------

@st.cache_resource(max_entries=32)
def _time_store(name: str, version: str, lang: str, _timeline: Timeline, _words: Words) -> TimeStore:
    # Keyed by dataset name, version and language; the timeline and words are what those name.
    return build_time_store(_timeline, _words)


_write_lock = threading.Lock()


def _store_url(store: TimeStore) -> str | None:
    """The store as a content-addressed static file the browser fetches once and caches; None when the
    server does not serve static files or the file cannot be written."""
    if not st.get_option("server.enableStaticServing"):
        return None
    name = f"atlas-store-{store.digest}.json"
    path = GENERATED_DIR / name
    with _write_lock:
        try:
            if not _holds(path, store):
                GENERATED_DIR.mkdir(parents=True, exist_ok=True)
                part = path.with_suffix(f".{os.getpid()}.part")
                try:
                    part.write_text(store.text, encoding="utf-8")
                    os.replace(part, path)
                finally:
                    part.unlink(missing_ok=True)
                _prune(keep=path)
        except OSError:
            return None
    return f"app/static/generated/{name}"


_verified: set[Path] = set()


def _holds(path: Path, store: TimeStore) -> bool:
    """The file exists and its content is the store's (checked once per process: a truncated or altered
    file under the right name is written again)."""
    if path in _verified:
        return True
    try:
        ok = hashlib.sha256(path.read_bytes()).hexdigest()[:20] == store.digest
    except OSError:
        return False
    if ok:
        _verified.add(path)
    return ok


def _prune(keep: Path) -> None:
    now = time.time()
    for old in GENERATED_DIR.glob("atlas-store-*"):
        if old != keep and old not in _verified and now - old.stat().st_mtime > STALE_AFTER_S:
            old.unlink(missing_ok=True)
    for part in GENERATED_DIR.glob("*.part"):
        if now - part.stat().st_mtime > 60:
            part.unlink(missing_ok=True)


@st.cache_resource(max_entries=64)
def _page(store_key: str, basemap: str, lang: str, center: tuple[float, float], zoom: int,
          _store: TimeStore, store_url: str | None, controls: bool) -> str:
    fmap = build_map(store_url or _store.text, store_is_url=store_url is not None,
                     assets="static" if store_url else "inline", basemap=basemap, center=center, zoom=zoom,
                     controls=controls)
    return page_html(fmap)


@cache
def _component() -> Any:
    return st.components.v2.component("pailin_atlas.map", js=asset_text("atlas_bridge.js"), isolate_styles=False)


def _day_changed(key: str) -> None:
    value = st.session_state[key].get("day")
    try:
        st.session_state[DATE_KEY] = date.fromisoformat(value)
    except (TypeError, ValueError):
        pass  # a malformed value from the browser changes nothing


def _view_changed(key: str, view_key: str, region: tuple[float, float, float, float]) -> None:
    reported = st.session_state[key].get("view")
    if not isinstance(reported, dict):
        return
    view = clamp_view(reported, reported.get("zoom"), reported.get("bbox"), region)
    if view is not None:
        st.session_state[view_key] = {"lat": view.lat, "lon": view.lon, "zoom": view.zoom, "bbox": list(view.bbox)}


def atlas_map(atlas: Atlas, *, basemap: str = "None (works offline)", toggles: Toggles = Toggles(),
              height: int = 640, key: str = MAP_KEY, view_key: str = VIEW_KEY, day: date | None = None,
              push: tuple[int, dict[str, Any] | None] | None = None, controls: bool = True) -> dict[str, Any] | None:
    """The map with its date slider; returns the view the browser last reported (lat, lon, zoom, bbox).

    The map opens at `day` (default: the shared date) and the view kept under `view_key`, and then owns
    its date: it moves again only when `push` (a sequence number and an optional view; default: the
    shared date's pushes, see `set_day`) changes.
    """
    ds = atlas.dataset
    store = _time_store(atlas.name, atlas.version, atlas.words.lang, atlas.timeline, atlas.words)
    url = _store_url(store)
    meta = ds.meta
    html = _page(store.digest, basemap, atlas.words.lang, (meta.view_lat, meta.view_lon), meta.view_zoom,
                 store, url, controls)
    seq, push_view = push if push is not None else st.session_state.get(PUSH_KEY, (0, None))
    shown = (day or atlas.day).isoformat()
    data = {"html": html, "page": hashlib.sha256(html.encode()).hexdigest()[:16], "title": "Map",
            "day": shown, "view": st.session_state.get(view_key), "push": seq, "push_view": push_view,
            "hidden": toggles.hidden(), "height": height}
    _component()(key=key, data=data, default={"day": shown, "view": None},
                 on_day_change=lambda: _day_changed(key), on_view_change=lambda: _view_changed(key, view_key, meta.region),
                 height=height)
    return st.session_state.get(view_key)
