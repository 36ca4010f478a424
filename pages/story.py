"""Story: a guided tour of the campaign in chapters; the map follows the chapter."""

import streamlit as st

from layers import ui
from layers.engine.analysis import citations
from layers.data.errors import DataError
from layers.text.markdown import md
from layers.text.problems import problem_text
from layers.render.symbology import CAVEAT
from layers.data.story import load_story

atlas = ui.open_atlas()
if atlas is None:
    st.stop()
ds, timeline, words = atlas.dataset, atlas.timeline, atlas.words
_ = words
st.title(_("Story"))
try:
    chapters = load_story(ds)
except DataError as exc:
    st.error(_("The story cannot be shown: {problems}").format(problems=md("; ".join(problem_text(p, words) for p in exc.problems))))
    st.stop()
if not chapters:
    st.info(_("This dataset has no story.json."))
    st.stop()
index = min(st.session_state.get("story_chapter", 0), len(chapters) - 1)


def go(to: int) -> None:
    st.session_state["story_chapter"] = to
    chapter = chapters[to]
    ui.set_day_and_view(chapter.day, chapter.lat, chapter.lon, chapter.zoom)


if "story_chapter" not in st.session_state:
    go(0)  # the tour starts at its first chapter, and the shared date with it
back, label, forward = st.columns([1, 4, 1], vertical_alignment="center")
back.button(_("◀ Previous"), disabled=index == 0, width="stretch", on_click=go, args=(index - 1,))
forward.button(_("Next ▶"), disabled=index == len(chapters) - 1, width="stretch", on_click=go, args=(index + 1,))
chapter = chapters[index]
label.markdown("**" + _("Chapter {n} of {total}").format(n=words.number(index + 1), total=words.number(len(chapters)))
               + "**")
text, picture = st.columns([2, 3], gap="medium")
with text:
    st.header(md(chapter.title))
    st.caption(_("Map: {date}").format(date=words.day(chapter.day)))
    st.markdown(md(chapter.text))
    st.caption(_("Sources: {sources}").format(sources=md("; ".join(citations(ds, chapter.sources, words)))))
    st.caption(md(_(CAVEAT)))
    if st.button(_("Open this date on the map")):
        ui.set_day(chapter.day)
        st.switch_page("pages/map.py")
    slug = getattr(ds.meta, "slug", None) or "pailin-atlas"
    st.download_button(_("Download the story as a booklet (PDF)"), key="story_booklet", mime="application/pdf",
                       file_name=f"{slug}_story_{words.lang}.pdf", data=lambda: ui.story_booklet(atlas, chapters))
with picture:
    if "story_view" not in st.session_state:
        st.session_state["story_view"] = {"lat": chapter.lat, "lon": chapter.lon, "zoom": chapter.zoom}
    ui.atlas_map(atlas, key="story_map", view_key="story_view", day=chapter.day, height=560,
                 push=(index, {"lat": chapter.lat, "lon": chapter.lon, "zoom": chapter.zoom}))
