"""The map alone, for an <iframe> in someone's article (`?map_only=1&date=...&lat=..&lon=..&zoom=..&lang=..`)."""

import streamlit as st

from layers import ui
from layers.text.markdown import md

atlas = ui.open_atlas(embedded=True)
if atlas is None:
    st.stop()
_ = atlas.words
ui.atlas_map(atlas, height=520)
full = ui.full_atlas_link(atlas)
open_label, note = _("Open in Pailin Atlas"), _("Sources and certainty: click any feature.")
st.markdown(f"[{md(open_label)}]({full}) · {md(note)}")
