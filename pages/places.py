"""Places: a searchable gazetteer with names, coordinates, GeoNames ids, certainty and control history."""

import streamlit as st

from layers import ui
from layers.analysis import control_periods, gazetteer, search_places
from layers.markdown import md

atlas = ui.open_atlas()
if atlas is None:
    st.stop()
ds = atlas.dataset
st.title("Places")
table = gazetteer(ds)
query = st.text_input("Search (English, Khmer, Thai or another spelling)", placeholder="e.g. Anlong Veng, ប៉ៃលិន, Battamband", key="places_search")
found = search_places(table, query)
st.caption(f"{len(found)} of {len(table)} places")
st.dataframe(found, hide_index=True, width="stretch",
             column_config={"geonames_id": st.column_config.NumberColumn("GeoNames id", format="%d")})
st.download_button("Download CSV", data=lambda: found.to_csv(index=False).encode("utf-8"),
                   file_name="pailin-atlas_places.csv", mime="text/csv")
if len(found):
    choice = st.selectbox("Control history of", found["id"], format_func=lambda pid: ds.places.loc[pid, "name"], key="places_choice")
    history = control_periods(ds, [choice])
    if history.empty:
        st.caption("No explicit control history; on the map it takes the controller of the zone it lies in.")
    else:
        st.dataframe(history[["controller_name", "period", "certainty", "sources"]], hide_index=True, width="stretch")
    row = ds.places.loc[choice]
    st.caption(md(f"Location: {row['certainty']}" + (f", ±{row['uncertainty_km']:g} km" if row["uncertainty_km"] else "")
                  + f". {row['gazetteer_note'] or ''}"))
