"""Files a visitor downloads (snapshots, handouts, the story booklet, animations) and the Share panel.
Finished files are kept once for every session, in a bounded cache."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import streamlit as st

from ..data.errors import DateError
from ..exports.export import MIME, ExportError, ResultCache, animation_bytes, rounded_bbox, snapshot_bytes, snapshot_key
from ..text.markdown import md
from ..text.problems import message_text
from ..render.render_folium import Toggles
from ..engine.timeline import State
from .atlas import Atlas
from .state import VIEW_KEY

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
    from .. import __version__
    from ..exports.handouts import situation_handout_for

    key = ("handout", *snapshot_key(atlas.version, state.day, bbox, "pdf", "1600x1000", toggles, atlas.words.lang))

    def make() -> bytes:
        png = snapshot_bytes(state, "png", bbox=rounded_bbox(bbox), size="1600x1000", toggles=toggles,
                             lang=atlas.words.lang)
        return situation_handout_for(state, atlas.words, png, version=__version__)

    return RESULTS.get(key, make)


def story_booklet(atlas: Atlas, chapters: list[Any]) -> bytes:
    """The whole story as an A4 booklet in the reader's language, made once and shared."""
    from .. import __version__
    from ..exports.handouts import chapter_map_pngs, story_booklet_for

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
            st.error(md(message_text(exc.reason, atlas.words)))
    if st.session_state.get("anim_key") == key:
        data = RESULTS.get(key, lambda: b"")
        if data:
            name = f"{getattr(atlas.dataset.meta, 'slug', None) or 'pailin-atlas'}_{first}_{last}.{fmt}"
            st.download_button(_("Download {name}").replace("{name}", name), data=data, file_name=name,
                               mime=MIME[fmt], key="anim_download")


def share_panel(atlas: Atlas, state: State, view: dict[str, Any] | None) -> None:
    """The link to this view, an <iframe> to embed it in an article, and a citation line."""
    from ..exports.share import citation_line, deep_link, embed_snippet

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
    from ..exports.share import deep_link

    return deep_link(_base_url(), atlas.day, st.session_state.get(VIEW_KEY), atlas.words.lang,
                     None if atlas.name == "pailin" else atlas.name)


def _base_url() -> str:
    """The app's address as the visitor reached it (no query), for links they can share."""
    try:
        url = str(st.context.url or "")
    except AttributeError:
        url = ""
    return url.split("?", 1)[0].split("#", 1)[0] or "http://localhost:8501/"
