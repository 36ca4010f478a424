"""Story: a guided tour of the campaign in chapters; the map follows the chapter."""

import streamlit as st
from streamlit_folium import st_folium

from layers import ui
from layers.analysis import citations
from layers.dates import day_label
from layers.errors import DataError
from layers.markdown import md
from layers.render_folium import Toggles, base_map, state_layers
from layers.story import load_story

atlas = ui.open_atlas()
if atlas is None:
    st.stop()
ds, timeline = atlas.dataset, atlas.timeline
st.title("Story")
try:
    chapters = load_story(ds)
except DataError as exc:
    st.error("The story cannot be shown: " + "; ".join(str(p) for p in exc.problems))
    st.stop()
if not chapters:
    st.info("This dataset has no story.json.")
    st.stop()
index = min(st.session_state.get("story_chapter", 0), len(chapters) - 1)
back, label, forward = st.columns([1, 4, 1], vertical_alignment="center")
if back.button("◀ Previous", disabled=index == 0, width="stretch"):
    index -= 1
if forward.button("Next ▶", disabled=index == len(chapters) - 1, width="stretch"):
    index += 1
st.session_state["story_chapter"] = index
chapter = chapters[index]
ui.set_day(chapter.day)
label.markdown(f"**Chapter {index + 1} of {len(chapters)}**")
text, picture = st.columns([2, 3], gap="medium")
with text:
    st.header(chapter.title)
    st.caption(f"Map: {day_label(chapter.day)}")
    st.write(chapter.text)
    st.caption("Sources: " + md("; ".join(citations(ds, chapter.sources))))
    if st.button("Open this date on the map"):
        st.switch_page("pages/map.py")
with picture:
    st_folium(base_map(ds, "Light (Esri)", location=(chapter.lat, chapter.lon), zoom=chapter.zoom,
                       store_url=ui.feature_store_url(ds, False)),
              feature_group_to_add=state_layers(timeline.state_on(chapter.day), Toggles()),
              center=(chapter.lat, chapter.lon), zoom=chapter.zoom, key="story_map", height=560,
              use_container_width=True, returned_objects=[])
