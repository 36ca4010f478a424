"""Timeline: events on a time axis, control periods per place, each faction's area over time."""

import altair as alt
import pandas as pd
import streamlit as st

from layers import ui
from layers.analysis import area_over_time, control_periods
from layers.dates import parse_date

atlas = ui.open_atlas()
if atlas is None:
    st.stop()
ds, timeline = atlas.dataset, atlas.timeline
st.title("Timeline")
st.caption(f"Selected date: {atlas.day:%d %B %Y}. Click an event to open the map on its date.")

events = pd.DataFrame([
    {"id": eid, "date": parse_date(r["date"]).earliest, "label": parse_date(r["date"]).label(),
     "title": r["title"], "kind": r["kind"], "precision": parse_date(r["date"]).precision}
    for eid, r in ds.events.iterrows()
    if ds.meta.start <= parse_date(r["date"]).earliest <= ds.meta.end])
pick = alt.selection_point(fields=["id"], name="pick")
chart = (alt.Chart(events).mark_circle(size=120, opacity=0.85)
         .encode(x=alt.X("date:T", title=None), y=alt.Y("kind:N", title=None),
                 color=alt.Color("kind:N", scale=alt.Scale(scheme="tableau10"), legend=None),
                 tooltip=["label", "title", "kind", "precision"])
         .add_params(pick).properties(height=320))
rule = alt.Chart(pd.DataFrame({"date": [atlas.day]})).mark_rule(color="#D55E00").encode(x="date:T")
chosen = st.altair_chart(chart + rule, on_select="rerun", key="timeline_events", width="stretch")
points = (chosen or {}).get("selection", {}).get("pick", []) if chosen else []
if points:
    row = events.set_index("id").loc[points[0]["id"]]
    ui.set_day(row["date"])
    st.switch_page("pages/map.py")

st.subheader("Who held what, when")
key_ids = list(ds.places.index[ds.places["key"].astype(bool)])
periods = control_periods(ds, key_ids)
if not periods.empty:
    colors = dict(zip(periods["controller_name"], periods["color"]))
    gantt = (alt.Chart(periods).mark_bar(height=14)
             .encode(x=alt.X("start_date:T", title=None), x2="end_date:T", y=alt.Y("place:N", title=None),
                     color=alt.Color("controller_name:N", scale=alt.Scale(domain=list(colors), range=list(colors.values())),
                                     legend=alt.Legend(title="Held by")),
                     opacity=alt.condition("datum.certainty == 'assessed'", alt.value(1.0), alt.value(0.55)),
                     tooltip=["place", "controller_name", "period", "certainty", "sources"])
             .properties(height=34 * periods["place"].nunique()))
    st.altair_chart(gantt + rule, width="stretch")
    st.caption("Paler bars: approximate, claimed or contested periods.")

st.subheader("Area of the zones drawn (km²)")
areas = area_over_time(timeline)
if not areas.empty:
    areas["faction"] = areas["faction"].map(lambda f: ds.factions[f].name if f in ds.factions else f)
    colors = {f.name: f.color for f in ds.factions.values()}
    line = (alt.Chart(areas).mark_line(interpolate="step-after")
            .encode(x=alt.X("date:T", title=None), y=alt.Y("area_km2:Q", title="km²"),
                    color=alt.Color("faction:N", scale=alt.Scale(domain=list(colors), range=list(colors.values()))),
                    tooltip=["date:T", "faction", "area_km2"]))
    st.altair_chart(line + rule, width="stretch")
    st.caption("Areas of the approximate zones this atlas draws (UTM 48N), not surveyed territory.")
