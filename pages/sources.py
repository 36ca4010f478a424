"""Sources & method: the bibliography, how zones and lines were drawn, where the sources disagree."""

import streamlit as st

from layers import ui
from layers.analysis import disagreements, source_slips

atlas = ui.open_atlas()
if atlas is None:
    st.stop()
ds = atlas.dataset
st.title("Sources & method")

st.header("Bibliography")
st.dataframe([{"id": s.id, "title": s.title, "author": s.author or "", "publisher": s.publisher or "",
               "date": s.date or "", "kind": s.kind, "file": s.file or ""} for s in ds.sources.values()],
             hide_index=True, width="stretch")

st.header("How the map is drawn")
method = ds.sources.get("atlas_method_zones")
st.markdown(
    "- **Places** come from the GeoNames gazetteer where it has them (exact); otherwise their point is "
    "approximate, derived from distances in the sources, or unverified, with its uncertainty in km.\n"
    "- **Zones** are approximate reconstructions, not surveyed lines: " + (method.note if method and method.note else "")
    + "\n- **Certainty classes**: *assessed* (sources agree), *approximate* (extent or dates estimated), "
    "*claimed* (one side's claim), *contested* (fought over). The map shows them with lighter fills and dashed edges.\n"
    "- **Front lines**: the ones the sources describe are solid; dashed ones are derived where opposing zones touch.\n"
    "- **Dates** keep their precision: a month stays a month, 'around' stays approximate; a period counts from "
    "its first possible day.\n- **Areas** are computed in UTM zone 48N (EPSG:32648).")

st.header("Where the sources disagree")
st.dataframe(disagreements(ds), hide_index=True, width="stretch")

st.header("Slips in the source documents")
st.caption("Kept as data, not silently corrected.")
st.dataframe(source_slips(ds), hide_index=True, width="stretch")
