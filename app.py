"""Pailin Atlas: `streamlit run app.py` opens the map page; the other pages share its date.

`?embed=1` shows the map alone (for an <iframe> in an article), with no navigation.
"""

import streamlit as st

st.set_page_config(page_title="Pailin Atlas", page_icon=":world_map:", layout="wide")

if st.query_params.get("embed") == "1":
    st.navigation([st.Page("pages/embed.py", title="Map", default=True)], position="hidden").run()
    st.stop()

page = st.navigation([
    st.Page("pages/map.py", title="Map", default=True, url_path="map"),
    st.Page("pages/timeline.py", title="Timeline", url_path="timeline"),
    st.Page("pages/story.py", title="Story", url_path="story"),
    st.Page("pages/places.py", title="Places", url_path="places"),
    st.Page("pages/compare.py", title="Compare", url_path="compare"),
    st.Page("pages/sources.py", title="Sources & method", url_path="sources"),
])
page.run()
