"""The only Streamlit-aware module: cached data, the shared date, deep links, error display."""

from __future__ import annotations

import gc
import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import streamlit as st

from .deeplink import DeepLink, parse_deep_link, query_for
from .errors import DataError
from .loader import BUILTIN_DIR, load_dataset
from .model import Dataset
from .render_folium import feature_store
from .timeline import Timeline

DATE_KEY = "atlas_date"
DATA_KEY = "atlas_data_dir"
DEFAULT_DAY = date(1994, 4, 19)
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"  # served at /app/static/ (.streamlit/config.toml)


@st.cache_resource(show_spinner="Loading the layers…")
def _load(directory: str, _mtime: float) -> tuple[Dataset, Timeline]:
    # One shared, read-only Dataset and Timeline per directory (and file version); never mutated per session.
    dataset = load_dataset(directory)
    timeline = Timeline(dataset)
    # Streamlit runs a full garbage collection after every run (runner.postScriptGC): over the ~120,000
    # objects that the libraries and the data leave, that took about 80 ms per date step. Freezing them
    # (they live as long as the server) leaves the collection only what the runs themselves make.
    gc.collect()
    gc.freeze()
    return dataset, timeline


def _mtime(directory: Path) -> float:
    return max((p.stat().st_mtime for p in directory.rglob("*") if p.is_file()), default=0.0)


@dataclass
class Atlas:
    dataset: Dataset
    timeline: Timeline
    link: DeepLink

    @property
    def day(self) -> date:
        return st.session_state[DATE_KEY]


def data_directory_input() -> Path:
    """Sidebar: which dataset to show (the built-in one, or a directory of the user's own layers)."""
    with st.sidebar:
        text = st.text_input("Dataset directory", key=DATA_KEY,
                             placeholder="built-in: Pailin campaign 1989–1998",
                             help="A directory of layers in the atlas schema (see docs/DATA_MODEL.md). "
                                  "Leave empty for the built-in dataset.")
    return Path(text).expanduser() if text.strip() else BUILTIN_DIR


def _ensure_navigation() -> None:
    # Streamlit decides per server process whether `pages/` means the legacy multipage mode, and only
    # switches to st.navigation (app.py) once app.py has run. A first visitor arriving by a deep link to
    # /timeline would otherwise get the page without app.py's navigation and layout; rerun it through app.py.
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def open_atlas() -> Atlas | None:
    """Load the chosen dataset and set up the shared date; show problems instead of failing."""
    _ensure_navigation()
    directory = data_directory_input()
    if not directory.is_dir():
        st.error(f"{directory} is not a directory. Showing nothing until it exists; clear the field for the "
                 "built-in dataset.")
        return None
    try:
        dataset, timeline = _load(str(directory.resolve()), _mtime(directory))
    except DataError as exc:
        errors = [p for p in exc.problems if p.severity == "error"]
        st.error(f"The layers in {directory} cannot be used ({len(errors)} problem(s)). "
                 "Fix them and the map reloads; your date and view are kept.")
        st.dataframe([{"file": p.file, "feature": p.feature, "field": p.field, "problem": p.message,
                       "how to fix": p.fix} for p in errors], hide_index=True, width="stretch")
        return None
    meta = dataset.meta
    default_day = min(max(DEFAULT_DAY, meta.start), meta.end)
    link = parse_deep_link(dict(st.query_params.to_dict()), meta.start, meta.end, default_day, meta.region)
    if DATE_KEY not in st.session_state or not (meta.start <= st.session_state[DATE_KEY] <= meta.end):
        st.session_state[DATE_KEY] = link.day
        for warning in link.warnings:
            st.warning(warning)
    return Atlas(dataset, timeline, link)


def set_day(day: date) -> None:
    """Move the shared date (a callback for buttons and event choices)."""
    st.session_state[DATE_KEY] = day


def follow_in_url(day: date, lat: float | None = None, lon: float | None = None, zoom: int | None = None) -> None:
    """Keep the URL in step with what the user sees, so copying it shares the view."""
    wanted = query_for(day, lat, lon, zoom)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def show_data_warnings(dataset: Dataset) -> None:
    if dataset.warnings:
        with st.sidebar.expander(f"{len(dataset.warnings)} data warning(s)"):
            for w in dataset.warnings:
                st.caption(str(w))


def feature_store_url(dataset: Dataset, provinces: bool) -> str | None:
    """The URL path the map fetches its feature store from, written once per content; None (embed the
    store in the map instead) when the server does not serve static files or the file cannot be written.

    Sent with the map, the store would travel with every rerun; as a static file the browser fetches it
    once and a date step sends only the date's view.
    """
    if not st.get_option("server.enableStaticServing"):
        return None
    urls = dataset.__dict__.setdefault("_store_urls", {})
    if provinces not in urls:
        text = feature_store(dataset, provinces=provinces).encode("utf-8")
        name = f"atlas-store-{hashlib.sha256(text).hexdigest()[:20]}.json"
        try:
            if not (STATIC_DIR / name).is_file():
                STATIC_DIR.mkdir(exist_ok=True)
                with tempfile.NamedTemporaryFile(dir=STATIC_DIR, suffix=".part", delete=False) as part:
                    part.write(text)
                os.replace(part.name, STATIC_DIR / name)
            urls[provinces] = f"/app/static/{name}"
        except OSError:
            urls[provinces] = None
    return urls[provinces]
