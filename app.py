"""Pailin Atlas: `streamlit run app.py` opens the map page; the other pages share its date.

`?map_only=1` shows the map alone (for an <iframe> in an article), with no navigation; the Share panel's
snippet adds Streamlit's own `embed=true` (no toolbar), which Streamlit keeps out of `st.query_params`.

This file is two things. Each visit runs it as a script (`main`). And `streamlit run app.py` imports it
to serve it: it finds `app` (Streamlit's `st.App`), whose start-up prepares the datasets, so that the
first visitor after a start waits no longer than the next (benchmarks/bench_scrub.py, "fresh server").
"""

import streamlit as st

from layers.exports.share import MAP_ONLY_PARAM
from layers.text.i18n import normalise_lang
from layers.text.words import words_for
from layers.ui import LANG_KEY, PAGE_ICON, arrive, prepared


def main() -> None:
    # The page titles in the reader's language: the sidebar's switch (kept in the session) or ?lang=.
    _ = words_for(st.session_state.get(LANG_KEY) or normalise_lang(st.query_params.get("lang")))

    st.set_page_config(page_title=_("Pailin Atlas"), page_icon=PAGE_ICON, layout="wide")

    if st.query_params.get(MAP_ONLY_PARAM) == "1":
        embed = st.navigation([st.Page("pages/embed.py", title=_("Map"), default=True)], position="hidden")
        arrive(embed.url_path)
        embed.run()
        return

    MAP = "pages/map.py"
    page = st.navigation([
        # The map is served at the root URL (the default page) and, hidden from the menu, at /map too: its
        # own name in shared links. Streamlit serves a default page only at "/", so the alias is a second page;
        # `st.switch_page("pages/map.py")` finds the first of the two.
        st.Page(MAP, title=_("Map"), default=True, url_path="home"),
        st.Page("pages/timeline.py", title=_("Timeline"), url_path="timeline"),
        st.Page("pages/story.py", title=_("Story"), url_path="story"),
        st.Page("pages/places.py", title=_("Places"), url_path="places"),
        st.Page("pages/compare.py", title=_("Compare"), url_path="compare"),
        st.Page("pages/sources.py", title=_("Sources & method"), url_path="sources"),
        st.Page(MAP, title=_("Map"), url_path="map", visibility="hidden"),
    ])
    arrive(page.url_path)
    page.run()


if __name__ == "__main__":  # a visit
    main()
else:  # imported by `streamlit run app.py`
    app = st.App(__file__, lifespan=prepared)
