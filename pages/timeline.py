"""Timeline: events on a time axis, control periods per place, each faction's area over time."""

import altair as alt
import pandas as pd
import streamlit as st

from layers import ui
from layers.engine.analysis import area_over_time, control_periods, faction_label
from layers.data.dates import parse_date
from layers.render.chart_axes import number_axis, year_axis

atlas = ui.open_atlas()
if atlas is None:
    st.stop()
ds, timeline, words = atlas.dataset, atlas.timeline, atlas.words
_ = words
st.title(_("Timeline"))
st.caption(_("Selected date: {date}. Click an event to open the map on its date.").format(date=words.day(atlas.day)))

dated = [(eid, r, parse_date(r["date"])) for eid, r in ds.events.iterrows()]
events = pd.DataFrame([
    {"id": eid, "date": when.earliest, "when": words.date(when), "title": r["title"],
     "kind": words.term("event kind", r["kind"])}
    for eid, r, when in dated if ds.meta.start <= when.earliest <= ds.meta.end],
    columns=["id", "date", "when", "title", "kind"])
axis = year_axis(words)
rule = alt.Chart(pd.DataFrame({"date": [atlas.day]})).mark_rule(color="#D55E00").encode(
    x=alt.X("date:T", axis=axis))
pick = alt.selection_point(fields=["id"], name="pick")
chart = (alt.Chart(events).mark_circle(size=120, opacity=0.85)
         .encode(x=alt.X("date:T", axis=axis), y=alt.Y("kind:N", title=None),
                 color=alt.Color("kind:N", scale=alt.Scale(scheme="tableau10"), legend=None),
                 tooltip=[alt.Tooltip("when:N", title=_("Date")), alt.Tooltip("title:N", title=_("Event")),
                          alt.Tooltip("kind:N", title=_("Kind"))])
         .add_params(pick).properties(height=320))
chosen = st.altair_chart(chart + rule, on_select="rerun", key="timeline_events", width="stretch")
points = (chosen or {}).get("selection", {}).get("pick", []) if chosen else []
if points:
    row = events.set_index("id").loc[points[0]["id"]]
    ui.set_day(row["date"])
    st.switch_page("pages/map.py")

key_ids = list(ds.places.index[ds.places["key"].astype(bool)])
periods = control_periods(ds, key_ids, words)
if not periods.empty:
    st.subheader(_("Who held what, when"))
    colors = dict(zip(periods["controller_name"], periods["color"]))
    legend_rows = (len(colors) + 1) // 2
    gantt = (alt.Chart(periods).mark_bar(height=14)
             .encode(x=alt.X("start_date:T", axis=axis), x2="end_date:T", y=alt.Y("place:N", title=None, axis=alt.Axis(labelLimit=240)),
                     color=alt.Color("controller_name:N",
                                     scale=alt.Scale(domain=list(colors), range=list(colors.values())),
                                     legend=alt.Legend(title=_("Held by"), orient="bottom", columns=2, labelLimit=400)),
                     opacity=alt.condition("datum.certainty == 'assessed'", alt.value(1.0), alt.value(0.55)),
                     tooltip=[alt.Tooltip("place:N", title=_("Place")),
                              alt.Tooltip("controller_name:N", title=_("Held by")),
                              alt.Tooltip("period:N", title=_("Period")),
                              alt.Tooltip("certainty_label:N", title=_("Certainty")),
                              alt.Tooltip("sources:N", title=_("Sources"))])
             # the chart's height holds the legend below the bars too (Vega-Lite's autosize "fit")
             .properties(height=30 * periods["place"].nunique() + 20 * legend_rows + 60))
    st.altair_chart(gantt + rule, width="stretch")
    st.caption(_("Paler bars: approximate, claimed or contested periods."))

areas = area_over_time(timeline)
if not areas.empty:
    st.subheader(_("Area of the zones as drawn (schematic)"))
    # One line per faction over the whole period, under its one name (a name per period would break it).
    colors = {faction_label(ds, fid, None, words): (ds.faction(fid).color if ds.faction(fid) else "#999999")
              for fid in areas["faction"].unique()}
    areas["faction"] = [faction_label(ds, fid, None, words) for fid in areas["faction"]]
    areas["when"] = [words.day(d) for d in areas["date"]]
    areas["about"] = [words.number(a) for a in areas["area_km2"]]
    line = (alt.Chart(areas).mark_line(interpolate="step-after")
            .encode(x=alt.X("date:T", axis=axis), y=alt.Y("area_km2:Q", axis=number_axis(_("km² (about)"), words)),
                    color=alt.Color("faction:N", scale=alt.Scale(domain=list(colors), range=list(colors.values())),
                                    legend=alt.Legend(title=None, orient="bottom", columns=2, labelLimit=400)),
                    tooltip=[alt.Tooltip("when:N", title=_("Date")), alt.Tooltip("faction:N", title=_("Faction")),
                             alt.Tooltip("about:N", title=_("km² (about)"))]))
    st.altair_chart(line + rule, width="stretch")
    st.caption(_("Zones are schematic: sketched from the places and distances the sources give, not surveyed. "
                 "Their areas, rounded, show the direction and rough size of a change, not surveyed territory."))
