"""Session state shared by the app's pages: the chosen dataset and language, the shared date, and the
datasets themselves (loaded once per process, shared read-only by every session)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import streamlit as st

from ..data.catalog import load_dataset
from ..data.errors import DataError, Problem
from ..text.i18n import N_, normalise_lang
from ..data.registry import Registry, RegistryError, fingerprint, operator_registry
from ..data.model import Dataset
from ..engine.timeline import Timeline

DATE_KEY = "atlas_date"
DATASET_KEY = "atlas_dataset"
UPLOAD_KEY = "atlas_upload"
LANG_KEY = "atlas_lang"
PUSH_KEY = "atlas_push"
VIEW_KEY = "atlas_view"
MAP_KEY = "atlas_map"
LINK_WARNINGS_KEY = "atlas_link_warnings"  # what was wrong with the link a visit opened
PAINTED_KEY = "atlas_painted"  # the maps (their keys) that have painted in this session
PAGE_KEY = "atlas_page"       # the page of the latest run, and
VISIT_KEY = "atlas_visit"     # how many times the visitor has arrived on a page (see `arrive`)


def arrive(page: str) -> None:
    """Count an arrival when this run's page differs from the last run's: a map opens afresh on each
    arrival, and keeps its page (no reload) across the reruns of one visit."""
    if st.session_state.get(PAGE_KEY) != page:
        st.session_state[PAGE_KEY] = page
        st.session_state[VISIT_KEY] = st.session_state.get(VISIT_KEY, 0) + 1


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


def load_directory(directory: Path) -> tuple[str, Loaded]:
    """A dataset directory as (version, loaded): loaded once per process and version (its fingerprint)."""
    version = fingerprint(directory)
    return version, _load(str(directory), version)


def _load_private(directory: Path) -> Loaded:
    try:
        dataset = load_dataset(directory)
    except DataError as exc:
        return Loaded(None, None, tuple(exc.problems))
    return Loaded(dataset, Timeline(dataset))


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


def set_day(day: date) -> None:
    """Move the shared date, and the map with it (a callback for buttons, events, story chapters)."""
    st.session_state[DATE_KEY] = day
    seq, _ = st.session_state.get(PUSH_KEY, (0, None))
    st.session_state[PUSH_KEY] = (seq + 1, None)


def set_day_and_view(day: date, lat: float, lon: float, zoom: int) -> None:
    st.session_state[DATE_KEY] = day
    seq, _ = st.session_state.get(PUSH_KEY, (0, None))
    st.session_state[PUSH_KEY] = (seq + 1, {"lat": lat, "lon": lon, "zoom": zoom})
