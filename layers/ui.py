"""The only Streamlit-aware module: which dataset, the shared date, the map component, caching, errors.

Everything cached here is built once and never changed afterwards (datasets, timelines, time stores,
map pages), so one copy safely serves every session.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

from .catalog import load_dataset
from .errors import DateError
from .export import MIME, ExportError, ResultCache, animation_bytes, rounded_bbox, snapshot_bytes, snapshot_key
from .deeplink import DeepLink, clamp_view, parse_deep_link, query_for
from .errors import DataError, Problem
from .markdown import md
from .catalog import Dataset
from .registry import Registry, RegistryError, fingerprint, operator_registry
from .render_folium import Toggles, atlas_map as build_map, page_html
from .time_layer import asset_text
from .time_store import TimeStore, build_time_store
from .timeline import State, Timeline
from .i18n import LANGUAGE_NAMES, LANGUAGES, N_, normalise_lang
from .words import Words, words_for

DATE_KEY = "atlas_date"
DATASET_KEY = "atlas_dataset"
UPLOAD_KEY = "atlas_upload"
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
    private: bool = False   # a visitor's upload: kept in their session only, never written where others read

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


def _chosen_language() -> str:
    """English or Khmer: chosen in the sidebar, or by ?lang= in any link (kept in the URL)."""
    if LANG_KEY not in st.session_state:
        st.session_state[LANG_KEY] = normalise_lang(st.query_params.get("lang"))
    return st.session_state[LANG_KEY]


UPLOAD_ALONE, UPLOAD_OVER = "upload", "upload+base"


DATASET_LABELS = {UPLOAD_ALONE: N_("Your layers alone"), UPLOAD_OVER: N_("Your layers over the built-in data"),
                  "pailin": N_("Built-in: Pailin campaign 1989–1998")}


def _dataset_names(registry: Registry) -> list[str]:
    return registry.names + ([UPLOAD_OVER, UPLOAD_ALONE] if UPLOAD_KEY in st.session_state else [])


def _chosen_dataset(registry: Registry) -> str:
    names = _dataset_names(registry)
    wanted = st.query_params.get("dataset")
    if DATASET_KEY not in st.session_state or st.session_state[DATASET_KEY] not in names:
        st.session_state[DATASET_KEY] = wanted if wanted in registry.names else names[0]
    return st.session_state[DATASET_KEY]


def sidebar(atlas: "Atlas | None" = None) -> None:
    """The sidebar's shared controls: language, dataset, your own layers, the data's warnings. Pages whose
    map should paint first call it at their end (see `open_atlas`)."""
    registry = _registry()
    words = words_for(_chosen_language())
    with st.sidebar:
        st.radio("Language · ភាសា", LANGUAGES, key=LANG_KEY, format_func=LANGUAGE_NAMES.get, horizontal=True)
        names = _dataset_names(registry)
        if len(names) > 1:
            st.selectbox(words("Dataset"), names, key=DATASET_KEY,
                         format_func=lambda name: words(DATASET_LABELS[name]) if name in DATASET_LABELS else name)
    upload_panel(registry, words)
    if atlas is not None:
        show_data_warnings(atlas.dataset, words)


def open_atlas(embedded: bool = False, sidebar_last: bool = False) -> Atlas | None:
    """Load the chosen dataset and set up the shared date; show problems instead of failing.

    `embedded`: the map alone in someone's article: no sidebar, no uploads, the link decides.
    `sidebar_last`: the page calls `sidebar(atlas)` at its end, so that the map's element reaches the
    browser before the sidebar's widgets (whose scripts the browser would otherwise load first).
    """
    _ensure_navigation()
    registry = _registry()
    if embedded:
        words = words_for(normalise_lang(st.query_params.get("lang")))
        wanted = st.query_params.get("dataset")
        name = wanted if wanted in registry.names else registry.names[0]
    else:
        words = words_for(_chosen_language())
        name = _chosen_dataset(registry)
        if not sidebar_last:
            sidebar()
    if name in (UPLOAD_ALONE, UPLOAD_OVER) and UPLOAD_KEY in st.session_state:
        upload: Upload = st.session_state[UPLOAD_KEY]
        loaded, version = (upload.alone if name == UPLOAD_ALONE else upload.over), upload.version
    else:
        directory = registry.directory(name) or registry.directory(registry.names[0])
        version = fingerprint(directory)
        loaded = _load(str(directory), version)
    if loaded.dataset is None or loaded.timeline is None:
        show_problems(name, loaded.problems, words)
        if sidebar_last:
            sidebar()  # so that the visitor can still switch dataset or language
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
    return Atlas(name, version, dataset, loaded.timeline, link, words, private=name in (UPLOAD_ALONE, UPLOAD_OVER))


def show_problems(name: str, problems: tuple[Problem, ...], words: Words) -> None:
    errors = [p for p in problems if p.severity == "error"]
    st.error(md(words(N_("The dataset {name} cannot be shown: {count} problem(s) in its files. The operator who "
                         "set it up can fix them; each names the file, the feature and the field."))
                .replace("{name}", name).replace("{count}", words.number(len(errors)))))
    st.dataframe([{"file": p.file, "feature": p.feature, "field": p.field, "problem": p.message,
                   "how to fix": p.fix} for p in errors[:200]], hide_index=True, width="stretch")


def show_data_warnings(dataset: Dataset, words: Words) -> None:
    if dataset.warnings:
        with st.sidebar.expander(words(N_("Data warnings: {count}")).replace("{count}", words.number(len(dataset.warnings)))):
            for w in dataset.warnings:
                st.caption(md(str(w)))


# --- the visitor's own layers ----------------------------------------------------------------------

UPLOAD_TYPES = ["csv", "tsv", "geojson", "json", "gpkg", "zip", "kml", "kmz", "gpx", "xlsx"]
FIELD_ROLES = (("date", "Date (or start)"), ("end", "End date"), ("name", "Name or title"),
               ("controller", "Held by / first actor"), ("place", "Place name (looked up offline)"))


@dataclass
class Upload:
    """A visitor's import, in their session only: the layers alone and laid over the base dataset."""

    version: str
    alone: Loaded
    over: Loaded
    zip_bytes: bytes
    counts: dict[str, int]
    problems: list[Problem]
    note: str = ""


def _load_private(directory: Path) -> Loaded:
    try:
        dataset = load_dataset(directory)
    except DataError as exc:
        return Loaded(None, None, tuple(exc.problems))
    return Loaded(dataset, Timeline(dataset))


def _mapping_form(detected: list[Any], words: Words) -> dict[str, Any] | None:
    """The mapping step: what each detected field means, with the importer's suggestions chosen."""
    from .imports import LAYER_KINDS, Mapping

    with st.form("upload_mapping"):
        chosen: dict[str, Any] = {}
        for layer in detected:
            st.markdown(f"**{md(layer.key)}** · {md(layer.format)}, {layer.feature_count} " + words("rows or features"))
            for problem in layer.problems:
                st.caption(md(str(problem)))
            if not layer.fields:
                continue
            names = [f.name for f in layer.fields]
            samples = {f.name: ", ".join(f.samples) for f in layer.fields}
            kinds = ["(from geometry and date)", *LAYER_KINDS]
            kind = st.selectbox(words("Layer kind"), kinds, key=f"map_kind_{layer.key}",
                                index=kinds.index(layer.suggested.kind) if layer.suggested.kind in kinds else 0)
            values: dict[str, Any] = {"kind": None if kind == kinds[0] else kind}
            for role, label in FIELD_ROLES:
                options = ["(none)", *names]
                suggested = getattr(layer.suggested, role)
                values[role] = st.selectbox(words(label), options, key=f"map_{role}_{layer.key}",
                                            index=options.index(suggested) if suggested in options else 0,
                                            format_func=lambda n: n if n == "(none)" else f"{n}  ({samples[n][:40]})")
                if values[role] == "(none)":
                    values[role] = ""
            chosen[layer.key] = Mapping(**values)
        if st.form_submit_button(words("Import")):
            return chosen
    return None


def upload_panel(registry: Registry, words: Words) -> None:
    """Sidebar: bring your own dated layers. Files go to a private working directory that is deleted
    as soon as they are imported; the result lives in this session only."""
    from .uploads import UploadedFile, detect_uploads, import_uploads, is_dataset_zip, overlay, save

    with st.sidebar.expander(words("Your own layers"),
                             expanded=UPLOAD_KEY in st.session_state or bool(st.session_state.get("upload_files"))):
        files = st.file_uploader(words("CSV, GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ, GPX, or a dataset zip"),
                                 type=UPLOAD_TYPES, accept_multiple_files=True, key="upload_files")
        if files:
            uploaded = [UploadedFile(f.name, f.getvalue()) for f in files]
            digest = hashlib.sha256(b"".join(u.name.encode() + b"\0" + u.data for u in uploaded)).hexdigest()[:16]
            done = st.session_state.get(UPLOAD_KEY)
            if done is None or done.version != digest:
                with tempfile.TemporaryDirectory(prefix="pailin-upload-") as tmp:
                    paths = save(uploaded, Path(tmp) / "in")
                    detected = detect_uploads(paths)
                    mappings = _mapping_form(detected, words) if detected else {}
                    if mappings is not None and (detected or any(is_dataset_zip(p) for p in paths)):
                        imported = import_uploads(paths, mappings, Path(tmp))
                        if imported.directory is None:
                            st.error(words("Nothing could be imported: see the problems below."))
                            _problem_table(imported.problems)
                            return
                        base = registry.directory(registry.names[0])
                        alone = _load_private(imported.directory)
                        over = _load_private(overlay(base, imported.directory, Path(tmp) / "over"))
                        st.session_state[UPLOAD_KEY] = Upload(digest, alone, over, imported.zip_bytes,
                                                              imported.counts, imported.problems, imported.note)
                        st.session_state[DATASET_KEY] = UPLOAD_OVER if over.dataset is not None else UPLOAD_ALONE
                        st.rerun()
        upload = st.session_state.get(UPLOAD_KEY)
        if upload is not None:
            counts = ", ".join(f"{n} {layer}" for layer, n in upload.counts.items())
            st.caption(md(words("Imported") + f": {counts}. {upload.note}"))
            if upload.problems:
                st.caption(md(words("Skipped rows and warnings") + f": {len(upload.problems)}"))
                _problem_table(upload.problems)
            if upload.over.dataset is None:
                st.caption(md(words("Your layers cannot be laid over the built-in data") + ": "
                              + "; ".join(str(p) for p in upload.over.problems[:3])))
            st.download_button(words("Download your layers (zip)"), upload.zip_bytes, file_name="my-layers.zip",
                               mime="application/zip", key="upload_zip")
            if st.button(words("Remove your layers"), key="upload_remove"):
                del st.session_state[UPLOAD_KEY]
                st.session_state[DATASET_KEY] = registry.names[0]
                st.rerun()


def _problem_table(problems: list[Problem]) -> None:
    """Each problem on its own line, naming file, row or feature, field, what is wrong and what to do."""
    shown = problems[:50]
    st.markdown("\n".join(f"- {md(str(p))}" for p in shown)
                + (f"\n- … {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""))


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
    if st.session_state.get(DATASET_KEY, "pailin") not in ("pailin", UPLOAD_ALONE, UPLOAD_OVER):
        wanted["dataset"] = st.session_state[DATASET_KEY]  # an upload is the visitor's alone: not in links
    if st.session_state.get(LANG_KEY, "en") != "en":
        wanted["lang"] = st.session_state[LANG_KEY]
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


# --- files to download ---------------------------------------------------------------------------------

RESULTS = ResultCache()          # finished files, shared by every session (bounded, least recently used out)
ANIMATION_DEADLINE_S = 180.0     # a hosted animation stops after this long, whatever the budget said
TILES_FOR = {"Light (Esri)": "light", "OpenStreetMap": "osm", "Satellite (Esri)": "satellite"}


def snapshot(atlas: Atlas, state: State, fmt: str, bbox: Any, toggles: Toggles, basemap: str) -> bytes:
    """A snapshot of the date and view on screen, made once per (dataset version, date, view, format,
    layers, language, basemap) and shared."""
    tiles = TILES_FOR.get(basemap, "vector")
    key = snapshot_key(atlas.version, state.day, bbox, fmt, "slide", toggles, atlas.words.lang, tiles)
    return RESULTS.get(key, lambda: snapshot_bytes(state, fmt, bbox=rounded_bbox(bbox), size="slide",
                                                     toggles=toggles, basemap=tiles, lang=atlas.words.lang))


def handout(atlas: Atlas, state: State, bbox: Any, toggles: Toggles) -> bytes:
    """The A4 handout of the date and view on screen, in the reader's language."""
    from . import __version__
    from .handouts import situation_handout_for

    key = ("handout", *snapshot_key(atlas.version, state.day, bbox, "pdf", "1600x1000", toggles, atlas.words.lang))

    def make() -> bytes:
        png = snapshot_bytes(state, "png", bbox=rounded_bbox(bbox), size="1600x1000", toggles=toggles,
                             lang=atlas.words.lang)
        return situation_handout_for(state, atlas.words, png, version=__version__)

    return RESULTS.get(key, make)


def story_booklet(atlas: Atlas, chapters: list[Any]) -> bytes:
    """The whole story as an A4 booklet in the reader's language, made once and shared."""
    from . import __version__
    from .handouts import chapter_map_pngs, story_booklet_for

    key = ("booklet", atlas.version, atlas.words.lang, tuple(c.id for c in chapters))
    return RESULTS.get(key, lambda: story_booklet_for(
        atlas.timeline, chapters, atlas.words, chapter_map_pngs(atlas.timeline, chapters, atlas.words.lang),
        version=__version__))


def animation_button(atlas: Atlas, first: date, last: date, step: str, fmt: str, bbox: Any,
                     toggles: Toggles) -> None:
    """Render a period as an animation. One at a time per session (a session runs one script at a time;
    any click while it renders stops it, and so does the deadline); the file is shared, not kept in the
    session."""
    _ = atlas.words
    key = ("animation", atlas.version, first.isoformat(), last.isoformat(), step, fmt, rounded_bbox(bbox), toggles,
           atlas.words.lang)
    if st.button(_("Render animation"), key="anim_go"):
        bar = st.progress(0.0, text=_("Rendering frames…"))
        deadline = time.monotonic() + ANIMATION_DEADLINE_S

        def make() -> bytes:
            data, _frames = animation_bytes(
                atlas.timeline, first, last, step="changes" if step == "changes" else int(step), fmt=fmt, bbox=bbox,
                progress=lambda k, n: bar.progress(k / n, text=_("Frame {k} of {n}").replace("{k}", str(k))
                                                   .replace("{n}", str(n))),
                cancelled=lambda: time.monotonic() > deadline, toggles=toggles, words=atlas.words)
            return data

        try:
            RESULTS.get(key, make)
            st.session_state["anim_key"] = key
        except (ExportError, DateError) as exc:
            st.error(md(str(exc)))
    if st.session_state.get("anim_key") == key:
        data = RESULTS.get(key, lambda: b"")
        if data:
            name = f"{getattr(atlas.dataset.meta, 'slug', None) or 'pailin-atlas'}_{first}_{last}.{fmt}"
            st.download_button(_("Download {name}").replace("{name}", name), data=data, file_name=name,
                               mime=MIME[fmt], key="anim_download")


def share_panel(atlas: Atlas, state: State, view: dict[str, Any] | None) -> None:
    """The link to this view, an <iframe> to embed it in an article, and a citation line."""
    from .share import citation_line, deep_link, embed_snippet

    _ = atlas.words
    base = _base_url()
    dataset = None if atlas.private else atlas.name
    link = deep_link(base, state.day, view, atlas.words.lang, dataset)
    st.markdown("**" + md(_("Link to this view")) + "**")
    st.code(link, language=None)
    st.markdown("**" + md(_("Embed in an article")) + "**")
    st.code(embed_snippet(base, state.day, view, atlas.words.lang, dataset), language="html")
    st.markdown("**" + md(_("Cite")) + "**")
    st.code(citation_line(atlas.dataset, state, atlas.words, link), language=None)
    if atlas.private:
        st.caption(md(_("Your own layers are not in the link: they stay in your browser session.")))


def full_atlas_link(atlas: Atlas) -> str:
    """The whole atlas at the embedded map's date, view and language (from an embed)."""
    from .share import deep_link

    return deep_link(_base_url(), atlas.day, st.session_state.get(VIEW_KEY), atlas.words.lang,
                     None if atlas.name == "pailin" else atlas.name)


def _base_url() -> str:
    """The app's address as the visitor reached it (no query), for links they can share."""
    try:
        url = str(st.context.url or "")
    except AttributeError:
        url = ""
    return url.split("?", 1)[0].split("#", 1)[0] or "http://localhost:8501/"


# --- the map --------------------------------------------------------------------------------------

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
          text_target: str | None) -> str:
    fmap = build_map(store_url or _store.text, store_is_url=store_url is not None,
                     assets="static" if store_url else "inline", basemap=basemap, center=center, zoom=zoom,
                     controls=controls, layer_assets_url=layer_url if store_url else None, text_target=text_target)
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
        st.session_state[view_key] = {"lat": round(view.lat, 6), "lon": round(view.lon, 6), "zoom": view.zoom,
                                      "bbox": [round(v, 6) for v in view.bbox]}


def atlas_map(atlas: Atlas, *, basemap: str = "None (works offline)", toggles: Toggles = Toggles(),
              height: int = 640, key: str = MAP_KEY, view_key: str = VIEW_KEY, day: date | None = None,
              push: tuple[int, dict[str, Any] | None] | None = None, controls: bool = True,
              text_target: str | None = None) -> dict[str, Any] | None:
    """The map with its date slider; returns the view the browser last reported (lat, lon, zoom, bbox).

    The map opens at `day` (default: the shared date) and the view kept under `view_key`, and then owns
    its date: it moves again only when `push` (a sequence number and an optional view; default: the
    shared date's pushes, see `set_day`) changes.
    """
    meta = atlas.dataset.meta
    center = (meta.view_lat, meta.view_lon)
    if atlas.private:
        # A visitor's upload: built for this session and kept in it, the data inline in the page.
        pages = st.session_state.setdefault("atlas_private_pages", {})
        key_of_page = (atlas.version, atlas.name, atlas.words.lang, basemap, controls, text_target)
        if key_of_page not in pages:
            store = build_time_store(atlas.timeline, atlas.words)
            if len(pages) >= 4:
                pages.clear()
            pages[key_of_page] = page_html(build_map(store.text, assets="inline", basemap=basemap, center=center,
                                                     zoom=meta.view_zoom, controls=controls, text_target=text_target))
        html = pages[key_of_page]
    else:
        store = _time_store(atlas.name, atlas.version, atlas.words.lang, atlas.timeline, atlas.words)
        html = _page(store.digest, basemap, atlas.words.lang, center, meta.view_zoom, store, _store_url(store),
                     controls, _layer_assets_url(), text_target)
    seq, push_view = push if push is not None else st.session_state.get(PUSH_KEY, (0, None))
    shown = (day or atlas.day).isoformat()
    title = atlas.words(N_("Map of the situation on {date}")).replace("{date}", atlas.words.day(day or atlas.day))
    data = {"html": html, "page": hashlib.sha256(html.encode()).hexdigest()[:16], "title": title,
            "day": shown, "view": st.session_state.get(view_key), "push": seq, "push_view": push_view,
            "hidden": toggles.hidden(), "height": height}
    _component()(key=key, data=data, default={"day": shown, "view": None},
                 on_day_change=lambda: _day_changed(key), on_view_change=lambda: _view_changed(key, view_key, meta.region),
                 height=height)
    return st.session_state.get(view_key)
