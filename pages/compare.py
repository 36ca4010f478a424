"""Compare two dates: area gained and lost, places that changed hands, the events in between."""

from datetime import timedelta

import streamlit as st
from streamlit_folium import st_folium

from layers import ui
from layers.analysis import compare
from layers.dates import day_label, parse_date
from layers.render_folium import Toggles, base_map, faction_label, state_layers

atlas = ui.open_atlas()
if atlas is None:
    st.stop()
ds, timeline, meta = atlas.dataset, atlas.timeline, atlas.dataset.meta
st.title("Compare two dates")
first_col, second_col = st.columns(2)
before = first_col.date_input("From", value=max(meta.start, atlas.day - timedelta(days=60)),
                              min_value=meta.start, max_value=meta.end, key="compare_from")
after = second_col.date_input("To", value=atlas.day, min_value=meta.start, max_value=meta.end, key="compare_to")
result = compare(timeline, before, after)
toggles = Toggles(events=False)
for col, day, key in ((first_col, result.before, "cmp_a"), (second_col, result.after, "cmp_b")):
    with col:
        st.markdown(f"**{day_label(day)}**")
        st_folium(base_map(ds, "None (works offline)", store_url=ui.feature_store_url(ds, False)),
                  feature_group_to_add=state_layers(timeline.state_on(day), toggles), key=key, height=380,
                  use_container_width=True, returned_objects=[])

st.subheader("Area gained and lost (km², UTM 48N)")
state = timeline.state_on(result.after)
areas = result.areas.assign(faction=result.areas["faction"].map(lambda f: faction_label(ds, f, state)))
st.dataframe(areas, hide_index=True, width="stretch")
st.subheader("Places that changed hands")
if result.changed_places.empty:
    st.caption("None.")
else:
    changed = result.changed_places.assign(
        before=result.changed_places["before"].map(lambda f: faction_label(ds, f, state)),
        after=result.changed_places["after"].map(lambda f: faction_label(ds, f, state)))
    st.dataframe(changed[["name", "before", "after", "since"]], hide_index=True, width="stretch")
st.subheader(f"Events between {day_label(result.before)} and {day_label(result.after)}")
st.dataframe([{"date": parse_date(r["date"]).label(), "event": r["title"], "sources": ", ".join(r["sources"])}
              for _, r in result.events.iterrows()], hide_index=True, width="stretch")
