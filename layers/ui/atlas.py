"""Opening a page: the dataset, the shared date and language, the sidebar's shared controls, problems."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import streamlit as st

from ..render.deeplink import DeepLink, parse_deep_link, query_for
from ..data.errors import Problem
from ..text.i18n import LANGUAGE_NAMES, LANGUAGES, N_, normalise_lang
from ..text.markdown import md
from ..text.problems import problem_rows, problem_text
from ..data.model import Dataset
from ..engine.timeline import Timeline
from ..text.words import Words, words_for
from .state import (DATASET_KEY, DATASET_LABELS, DATE_KEY, LANG_KEY, LINK_WARNINGS_KEY, UPLOAD_ALONE, UPLOAD_KEY,
                    UPLOAD_OVER, VIEW_KEY, VISIT_KEY,
                    Upload, _chosen_dataset, _chosen_language, _dataset_names, _ensure_navigation, _registry,
                    load_directory)
from .upload import upload_panel

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


def sidebar(atlas: "Atlas | None" = None) -> None:
    """The sidebar's shared controls: language, dataset, your own layers, the data's warnings. Pages whose
    map should paint first call it at their end (see `open_atlas`)."""
    registry = _registry()
    words = words_for(_chosen_language())
    with st.sidebar:
        # A segmented control shares its (small) script with the map page's pills; a radio's would be one
        # more for the browser to load before it paints the map.
        st.segmented_control("Language · ភាសា", LANGUAGES, key=LANG_KEY, format_func=LANGUAGE_NAMES.get,
                             required=True)
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
        version, loaded = load_directory(directory)
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
        # Shown for the whole visit the link opened, not only its first run: the map page's panel follows
        # in a second run (pages/map.py).
        st.session_state[LINK_WARNINGS_KEY] = (st.session_state.get(VISIT_KEY, 0), link.warnings)
    visit, warnings = st.session_state.get(LINK_WARNINGS_KEY, (None, ()))
    if visit == st.session_state.get(VISIT_KEY, 0):
        for warning in warnings:
            st.warning(warning)  # the link's own text in it is escaped for Markdown (layers/render/deeplink.py)
    if VIEW_KEY not in st.session_state and link.has_view:
        st.session_state[VIEW_KEY] = {"lat": link.lat, "lon": link.lon, "zoom": link.zoom or meta.view_zoom}
    return Atlas(name, version, dataset, loaded.timeline, link, words, private=name in (UPLOAD_ALONE, UPLOAD_OVER))


def show_problems(name: str, problems: tuple[Problem, ...], words: Words) -> None:
    errors = [p for p in problems if p.severity == "error"]
    st.error(md(words(N_("The dataset {name} cannot be shown: {count} problem(s) in its files. The operator who "
                         "set it up can fix them; each names the file, the feature and the field."))
                .replace("{name}", name).replace("{count}", words.number(len(errors)))))
    st.dataframe(problem_rows(errors[:200], words), hide_index=True, width="stretch")


def show_data_warnings(dataset: Dataset, words: Words) -> None:
    if dataset.warnings:
        with st.sidebar.expander(words(N_("Data warnings: {count}")).replace("{count}", words.number(len(dataset.warnings)))):
            for w in dataset.warnings:
                st.caption(md(problem_text(w, words)))


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
