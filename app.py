"""Pailin Atlas: `streamlit run app.py` opens the map page; the other pages share its date."""

import streamlit as st

st.set_page_config(page_title="Pailin Atlas", page_icon=":world_map:", layout="wide")

page = st.navigation([
    st.Page("pages/map.py", title="Map", default=True, url_path="map"),
])
page.run()
