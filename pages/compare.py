"""Compare two dates: area gained and lost, places that changed hands, the events in between."""

from datetime import timedelta

import streamlit as st

from layers import ui
from layers.analysis import citations, compare
from layers.dates import parse_date
from layers.markdown import md
from layers.render_folium import Toggles
from layers.symbology import CAVEAT, approx_km2, faction_name

atlas = ui.open_atlas()
if atlas is None:
    st.stop()
ds, timeline, meta, words = atlas.dataset, atlas.timeline, atlas.dataset.meta, atlas.words
st.title("Compare two dates")
first_col, second_col = st.columns(2)
before = first_col.date_input("From", value=max(meta.start, atlas.day - timedelta(days=60)),
                              min_value=meta.start, max_value=meta.end, key="compare_from")
after = second_col.date_input("To", value=atlas.day, min_value=meta.start, max_value=meta.end, key="compare_to")
result = compare(timeline, before, after)
for col, day, key in ((first_col, result.before, "cmp_a"), (second_col, result.after, "cmp_b")):
    with col:
        st.markdown(f"**{md(words.day(day))}**")
        ui.atlas_map(atlas, key=key, view_key="compare_view", day=day, push=(day.toordinal(), None), height=420,
                     toggles=Toggles(events=False), controls=False)
st.caption(md(CAVEAT))


def name(faction_id: str | None) -> str:
    return faction_name(ds.faction(faction_id), faction_id, result.after)


st.subheader("Area gained and lost")
st.caption("Areas of the schematic zones, rounded: they show the direction and rough size of a change, "
           "not surveyed territory.")
st.dataframe([{"Faction": name(r["faction"]), f"Before (km², {words.day(result.before)})": approx_km2(r["before_km2"]),
               f"After (km², {words.day(result.after)})": approx_km2(r["after_km2"]),
               "Gained (km²)": approx_km2(r["gained_km2"]), "Lost (km²)": approx_km2(r["lost_km2"])}
              for _, r in result.areas.iterrows()], hide_index=True, width="stretch")
st.subheader("Places that changed hands")
if result.changed_places.empty:
    st.caption("None.")
else:
    st.dataframe([{"Place": r["name"], "Before": name(r["before"]) if r["before"] else "—",
                   "After": name(r["after"]) if r["after"] else "—", "Since": r["since"] or "—",
                   "How we know": "inferred from the zone around it" if r["inferred"] else "the sources date it"}
                  for _, r in result.changed_places.iterrows()], hide_index=True, width="stretch")
    st.caption("“Inferred from the zone around it”: no source dates this place's change itself; it follows "
               "from the schematic zone it lies in.")
st.subheader(f"Events between {words.day(result.before)} and {words.day(result.after)}")
st.dataframe([{"Date": words.date(parse_date(r["date"])), "Event": r["title"],
               "Sources": "; ".join(citations(ds, r["sources"]))}
              for _, r in result.events.iterrows()], hide_index=True, width="stretch")
